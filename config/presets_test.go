package config

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

// A preset's queries are keyed by the signal table's names: a key the
// table does not know would be refused in a config file, and is refused
// here before a config meets it.
func TestEveryPresetSignalIsInTheSignalTable(t *testing.T) {
	for name, p := range presets {
		for sig := range p.signals {
			if sig == snapshot.SignalErrorCodes {
				continue // a family of figures, one a code, not a row
			}
			if row, ok := snapshot.Lookup(sig); !ok || row.Pattern() {
				t.Errorf("preset %s: %q is not a signal of the table", name, sig)
			}
		}
	}
}

// The sim preset asks for the time to answer and the errors by code in
// the form each source speaks, and for each endpoint's p95 by handler;
// the queries parse (Parse checks them with Prometheus' parser).
func TestTheSimPresetAsksForLatencyAndErrorsByCode(t *testing.T) {
	const endpoints = "endpoints:\n  - name: cart\n    max_qps: 200\n  - name: buy\n    max_qps: 100\n    max_p95: 600ms\n    latency: {%s: my_p95, multi: sum}\n"
	tests := []struct {
		name    string
		source  string
		form    string
		p95     string
		codes   string
		cartP95 string
	}{
		{"through Prometheus", "prometheus: {url: http://127.0.0.1:9090}", "query",
			"histogram_quantile(0.95, sum by (le) (rate(shop_http_request_duration_seconds_bucket[$__rate_interval])))",
			`sum by (code) (rate(shop_http_requests_total{code=~"5.."}[$__rate_interval]))`,
			`histogram_quantile(0.95, sum by (le) (rate(shop_http_request_duration_seconds_bucket{handler="cart"}[$__rate_interval])))`},
		{"scraping the shop", "scrape: {targets: [http://127.0.0.1:9400/metrics]}", "scrape",
			"histogram_quantile(0.95, shop_http_request_duration_seconds)",
			`rate(shop_http_requests_total{code=~"5.."})`,
			`histogram_quantile(0.95, shop_http_request_duration_seconds{handler="cart"})`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("sim.yaml", []byte("preset: sim\nsources:\n  "+tt.source+"\n"+fmt.Sprintf(endpoints, tt.form)))
			if err != nil {
				t.Fatal(err)
			}
			form := func(s Signal) string { return s.Query + s.Scrape }
			if got := form(cfg.Signals["latency_p95"]); got != tt.p95 {
				t.Errorf("latency_p95 = %q, want %q", got, tt.p95)
			}
			for _, q := range []string{"latency_p50", "latency_p99"} {
				if form(cfg.Signals[q]) == "" {
					t.Errorf("%s is not set", q)
				}
			}
			codes := cfg.Signals[snapshot.SignalErrorCodes]
			if form(codes) != tt.codes || codes.Label != "code" {
				t.Errorf("error_codes = %q by %q, want %q by code", form(codes), codes.Label, tt.codes)
			}
			cart := cfg.Endpoints[0].Latency
			if cart == nil || form(*cart) != tt.cartP95 {
				t.Fatalf("cart's latency = %+v, want %q", cart, tt.cartP95)
			}
			if buy := cfg.Endpoints[1].Latency; buy == nil || form(*buy) != "my_p95" {
				t.Errorf("buy's latency written in the file = %+v, the preset must not replace it", buy)
			}
		})
	}
}

// Every query of every preset (the base presets' and the exporters',
// endpoints' included) parses with Prometheus' own parser once its
// variables are filled in, as the server would be sent it.
func TestEveryPresetQueryParsesWithPrometheusParser(t *testing.T) {
	n := 0
	for name := range Presets() {
		queries, ok := PresetQueries(name, "buy")
		if !ok || len(queries) == 0 {
			t.Errorf("preset %s has no queries", name)
			continue
		}
		for addr, q := range queries {
			filled, err := promql.Expand(q, promql.Vars{Interval: time.Second, Scrape: 15 * time.Second})
			if err != nil {
				t.Errorf("%s %s: %v", name, addr, err)
				continue
			}
			if _, err := parser.NewParser(parser.Options{}).ParseExpr(filled); err != nil {
				t.Errorf("%s %s: %q: %v", name, addr, filled, err)
			}
			n++
		}
	}
	if n < 50 {
		t.Errorf("only %d preset queries", n)
	}
}
