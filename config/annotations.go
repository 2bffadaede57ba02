package config

import "fmt"

// Annotations are where notes on the launch are read from besides the
// people at the screens (the m key, launchwatch annotate).
type Annotations struct {
	// Prometheus reads them from a PromQL query on sources.prometheus.
	Prometheus *PrometheusAnnotations `yaml:"prometheus,omitempty"`
	// Grafana reads them from Grafana's annotation API.
	Grafana *GrafanaAnnotations `yaml:"grafana,omitempty"`
}

// GrafanaAnnotations reads Grafana's annotations (GET /api/annotations)
// as they are made, with a service account's token.
type GrafanaAnnotations struct {
	// URL is Grafana's base URL (https://grafana.example.com).
	URL string `yaml:"url"`
	// TokenFile holds the bearer token (a service account token), read
	// once at start; the token itself never stands in the config.
	TokenFile string `yaml:"token_file,omitempty"`
	// Tags keep only the annotations carrying every one of them; none
	// keeps all.
	Tags []string `yaml:"tags,omitempty"`
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
	if c.Annotations == nil {
		return
	}
	if g := c.Annotations.Grafana; g != nil {
		checkURL(p, "annotations.grafana.url", g.URL)
		for i, tag := range g.Tags {
			if tag == "" {
				p.add(fmt.Sprintf("annotations.grafana.tags[%d]", i), "is empty")
			}
		}
	}
	if c.Annotations.Prometheus == nil {
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
