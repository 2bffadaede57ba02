package config

import (
	"strings"
	"testing"
)

func TestAnnotationsFromPrometheusAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"no prometheus", "annotations: {prometheus: {query: deploy_info}}\n", "annotations.prometheus.query: needs sources.prometheus"},
		{"bad PromQL", "sources: {prometheus: {url: 'http://prom:9090'}}\nannotations: {prometheus: {query: 'deploy_info{'}}\n", "annotations.prometheus.query: not valid PromQL"},
		{"grafana without a URL", "annotations: {grafana: {token_file: /run/token}}\n", "annotations.grafana.url: is required"},
		{"grafana with an empty tag", "annotations: {grafana: {url: 'https://grafana', tags: ['']}}\n", "annotations.grafana.tags[0]: is empty"},
		{"no query", "sources: {prometheus: {url: 'http://prom:9090'}}\nannotations: {prometheus: {text_label: version}}\n", "annotations.prometheus.query: is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("a.yaml", []byte("launch: {name: shop}\nsignals: {pv: {scrape: pv}}\n"+"interval: 1s\n"+tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	cfg, err := Parse("a.yaml", []byte("launch: {name: shop}\ninterval: 1s\nsources: {prometheus: {url: 'http://prom:9090'}}\n"+
		"signals: {pv: {query: 'sum(rate(pv_total[1m]))'}}\n"+
		"annotations: {prometheus: {query: 'changes(deploy_info[1m]) > 0', text_label: version}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a := cfg.Annotations.Prometheus; a.Query != "changes(deploy_info[1m]) > 0" || a.TextLabel != "version" {
		t.Errorf("annotations %+v", a)
	}
}
