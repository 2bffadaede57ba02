package config

import (
	"strings"
	"testing"
)

// withQuery is a config whose one signal is the query.
func withQuery(query string) []byte {
	return []byte("sources:\n  prometheus:\n    url: http://localhost:9090\nsignals:\n  pv:\n    query: " + query + "\n")
}

func TestQueriesMayCarryEveryGrafanaVariable(t *testing.T) {
	tests := []struct {
		name, query string
	}{
		{"$__interval", "avg_over_time(x[$__interval])"},
		{"${__interval}", "sum(rate(shop_page_views_total[${__interval}]))"},
		{"$__interval_ms", "sum(increase(x[1m])) / $__interval_ms * 1000"},
		{"${__interval_ms}", "sum(rate(x[${__interval_ms}ms]))"},
		{"$__rate_interval", "sum(rate(shop_page_views_total[$__rate_interval]))"},
		{"${__rate_interval}", "rate(x[${__rate_interval}])"},
		{"$__rate_interval_ms", "sum(rate(x[1m])) * $__rate_interval_ms / 1000"},
		{"${__rate_interval_ms}", "rate(x[${__rate_interval_ms}ms])"},
		{"$__range", "increase(x[$__range])"},
		{"${__range}", "increase(x[${__range}])"},
		{"$__range_s", "sum(increase(x[1m])) / $__range_s"},
		{"${__range_s}", "sum(increase(x[${__range_s}s])) / ${__range_s}"},
		{"$__range_ms", "sum(increase(x[1m])) / $__range_ms"},
		{"${__range_ms}", "sum(increase(x[${__range_ms}ms]))"},
		{"the range in a subquery and an offset", "max_over_time(sum(rate(x[1m]))[$__range:$__interval] offset $__range)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse("grafana.yaml", withQuery(tt.query)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAnUnknownGrafanaVariableIsNamed(t *testing.T) {
	_, err := Parse("grafana.yaml", withQuery("rate(x[$__rate_intervall])"))
	if err == nil || !strings.Contains(err.Error(), "signals.pv.query: not valid PromQL: unknown variable $__rate_intervall; known: $__interval,") {
		t.Errorf("err = %v, want the unknown variable named", err)
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
