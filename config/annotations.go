package config

// Annotations are where notes on the launch are read from besides the
// people at the screens (the m key, launchwatch annotate).
type Annotations struct {
	// Prometheus reads them from a PromQL query on sources.prometheus.
	Prometheus *PrometheusAnnotations `yaml:"prometheus,omitempty"`
}

// PrometheusAnnotations marks a moment each time a series of Query
// appears with a value other than 0 (or turns from 0 to another value):
// `changes(deploy_info[1m]) > 0`, or `deploy_info` whose version label
// changes. Query is evaluated once a poll, on sources.prometheus.
type PrometheusAnnotations struct {
	Query string `yaml:"query"`
	// TextLabel is the label whose value is the note ("version"); without
	// it, or when a series lacks it, the note is the series as PromQL
	// writes it (deploy_info{version="1.4.2"}).
	TextLabel string `yaml:"text_label,omitempty"`
}

func (c *Config) validateAnnotations(p *problems) {
	if c.Annotations == nil || c.Annotations.Prometheus == nil {
		return
	}
	q := c.Annotations.Prometheus.Query
	switch {
	case q == "":
		p.add("annotations.prometheus.query", "is empty: the PromQL whose series mark the moments")
	case c.Sources.Prometheus == nil:
		p.add("annotations.prometheus.query", "needs sources.prometheus")
	default:
		if err := checkPromQL(q); err != nil {
			p.add("annotations.prometheus.query", "not valid PromQL: %v", err)
		}
	}
}
