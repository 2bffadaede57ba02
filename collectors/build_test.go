package collectors

import (
	"testing"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

func TestBySourceGivesErrorCodesAndEndpointLatencyTheirAddresses(t *testing.T) {
	// multi: sum is written on each latency: config on main does not yet
	// default it there (reported to the lead).
	cfg, err := config.Parse("lw.yaml", []byte(`launch: {name: build}
sources:
  prometheus: {url: "http://127.0.0.1:9"}
  scrape: {targets: ["http://127.0.0.1:9/metrics"]}
signals:
  requests: {query: "sum(rate(r[1m]))"}
  error_codes: {query: 'sum by (status) (rate(r{status=~"5.."}[1m]))', label: status}
endpoints:
  - name: buy
    max_qps: 10
    query: 'sum(rate(r{handler="buy"}[1m]))'
    latency: {query: 'histogram_quantile(0.95, sum by (le) (rate(d_bucket{handler="buy"}[1m])))', multi: sum}
  - name: cart
    max_qps: 10
    scrape: 'rate(r{handler="cart"})'
    latency: {scrape: 'histogram_quantile(0.95, rate(d_bucket{handler="cart"}))', multi: sum}
`))
	if err != nil {
		t.Fatal(err)
	}
	queries, scrapes := bySource(cfg)
	for _, addr := range []string{"requests", snapshot.SignalErrorCodes, "endpoints.buy", snapshot.EndpointP95Signal("buy")} {
		if _, ok := queries[addr]; !ok {
			t.Errorf("queries lack %s: %v", addr, queries)
		}
	}
	if l := queries[snapshot.SignalErrorCodes].Label; l != "status" {
		t.Errorf("error_codes label = %q, want status", l)
	}
	for _, addr := range []string{"endpoints.cart", snapshot.EndpointP95Signal("cart")} {
		if _, ok := scrapes[addr]; !ok {
			t.Errorf("scrapes lack %s: %v", addr, scrapes)
		}
	}
}
