package config

import (
	"go.yaml.in/yaml/v3"
)

// YAML renders the effective config, defaults filled in and presets
// expanded. Secrets come out hidden: passwords and bearer tokens as
// "<secret>" (prometheus/common's Secret type redacts itself when
// marshalled, as its URL type does for proxy_url), and the password in a
// source's or an Alertmanager's URL as "xxxxx" ("http://user:xxxxx@host").
func (c *Config) YAML() ([]byte, error) {
	out := *c
	if p := c.Sources.Prometheus; p != nil {
		cp := *p
		cp.URL = RedactURL(p.URL)
		out.Sources.Prometheus = &cp
	}
	if s := c.Sources.Scrape; s != nil {
		cp := *s
		cp.Targets = make([]string, len(s.Targets))
		for i, t := range s.Targets {
			cp.Targets[i] = RedactURL(t)
		}
		out.Sources.Scrape = &cp
	}
	if p := c.Sources.Probe; p != nil {
		cp := *p
		cp.URL = RedactURL(p.URL)
		out.Sources.Probe = &cp
	}
	if am := c.Sources.Alertmanager; am != nil {
		cp := *am
		cp.URL = RedactURL(am.URL)
		out.Sources.Alertmanager = &cp
	}
	if a := c.Annotations; a != nil && a.Grafana != nil {
		cp, g := *a, *a.Grafana
		g.URL = RedactURL(g.URL)
		cp.Grafana = &g
		out.Annotations = &cp
	}
	if ams := c.Alerts.Alertmanagers; len(ams) > 0 {
		out.Alerts.Alertmanagers = make([]AlertAlertmanager, len(ams))
		for i, am := range ams {
			am.URL = RedactURL(am.URL)
			out.Alerts.Alertmanagers[i] = am
		}
	}
	return yaml.Marshal(&out)
}
