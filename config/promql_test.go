package config

import (
	"strings"
	"testing"
)

func TestQueriesMayCarryGrafanaVariables(t *testing.T) {
	tests := []struct {
		name, query string
	}{
		{"the rate interval", "sum(rate(shop_page_views_total[$__rate_interval]))"},
		{"the interval in braces", "sum(rate(shop_page_views_total[${__interval}]))"},
		{"the range in a subquery and an offset", "max_over_time(sum(rate(x[1m]))[$__range:$__interval] offset $__range)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "sources:\n  prometheus:\n    url: http://localhost:9090\nsignals:\n  pv:\n    query: " + tt.query + "\n"
			if _, err := Parse("grafana.yaml", []byte(body)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAParseErrorAfterAGrafanaVariablePointsAtTheQueryAsWritten(t *testing.T) {
	// Column 25 is the stray "]" after the range, as written.
	err := checkPromQL("rate(x[$__rate_interval]])")
	if err == nil || !strings.HasPrefix(err.Error(), "1:25:") {
		t.Errorf("err = %v, want it at 1:25", err)
	}
}

func TestEveryPresetQueryIsValidPromQL(t *testing.T) {
	for _, preset := range sortedKeys(Presets()) {
		t.Run(preset, func(t *testing.T) {
			body := "preset: " + preset + "\nsources:\n  prometheus:\n    url: http://localhost:9090\nendpoints:\n  - name: buy\n    max_qps: 100\n    query: sum(rate(x[1m]))\n"
			if _, err := Parse(preset+".yaml", []byte(body)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
