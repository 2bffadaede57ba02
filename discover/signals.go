package discover

import "github.com/launchwatch/launchwatch/snapshot"

// signalRow is one signal init looks for, in the order the file lists
// them, with what to add when no source answers it.
type signalRow struct {
	// name is the signal's address, or a group's (host.*).
	name string
	// what is what was looked for, for "no ... found".
	what string
	// add says what to add; query and scrape are an example of each form
	// (empty when the row has none).
	add, query, scrape string
}

// hostGroup and latencyGroup stand for every host.* and latency_*
// signal on one commented line.
const (
	hostGroup    = "host.*"
	latencyGroup = "latency_p50/p95/p99"
)

var signalRows = []signalRow{
	{snapshot.SignalPV, "page-view counter",
		"the rate of the shop's own page-view counter (one count per page rendered); without it the plan's PV figures are missing",
		"pv: {query: 'sum(rate(shop_page_views_total[$__rate_interval]))'}", "pv: {scrape: 'rate(shop_page_views_total)'}"},
	{snapshot.SignalRequests, "request counter",
		"an exporter of the web server's requests (nginx-prometheus-exporter, Caddy's metrics, ingress-nginx, Envoy, HAProxy, Traefik)", "", ""},
	{snapshot.SignalConnections, "connection count",
		"the web server's exporter, or node_exporter (the host's established TCP connections)", "", ""},
	{snapshot.SignalBandwidth, "count of bytes sent",
		"node_exporter on the web servers (bytes sent by the network device), or a web server exporting its response bytes", "", ""},
	{snapshot.SignalErrorRate, "count of requests by status code",
		"a counter of requests by status code (the shop's own, or an access-log exporter's)",
		`error_rate: {query: '(sum(rate(http_requests_total{code=~"5.."}[$__rate_interval])) or vector(0)) / clamp_min(sum(rate(http_requests_total[$__rate_interval])), 1e-9)'}`,
		`error_rate: {scrape: 'rate(http_requests_total{code=~"5.."}) / rate(http_requests_total)'}`},
	{snapshot.SignalErrorCodes, "count of requests by status code",
		"the same counter's failed requests by code",
		`error_codes: {query: 'sum by (code) (rate(http_requests_total{code=~"5.."}[$__rate_interval]))'}`,
		`error_codes: {scrape: 'rate(http_requests_total{code=~"5.."})'}`},
	{latencyGroup, "histogram of the time to answer",
		"a histogram of the time to answer (the shop's own, or an access-log exporter's), and the same at 0.5 and 0.99",
		"latency_p95: {query: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[$__rate_interval])))'}",
		"latency_p95: {scrape: 'histogram_quantile(0.95, http_request_duration_seconds)'}"},
	{snapshot.SignalStock, "stock gauge", "the shop's units left (a gauge)",
		"stock: {query: 'sum(shop_stock_remaining)'}", "stock: {scrape: shop_stock_remaining}"},
	{snapshot.SignalSold, "orders counter", "the rate of the shop's orders counter",
		"sold: {query: 'sum(rate(shop_orders_total[$__rate_interval]))'}", "sold: {scrape: 'rate(shop_orders_total)'}"},
	{hostGroup, "host exporter",
		"node_exporter on the web servers, or sources.host: {origin: true} when launchwatch runs on the origin itself", "", ""},
}

// example is the row's example in the form the source reads.
func (r signalRow) example(scrape bool) string {
	if scrape {
		return r.scrape
	}
	return r.query
}

// rowSignals are the signal addresses a row stands for.
func rowSignals(row string) []string {
	switch row {
	case hostGroup:
		return hostSignals
	case latencyGroup:
		return []string{snapshot.SignalLatencyP50, snapshot.SignalLatencyP95, snapshot.SignalLatencyP99}
	}
	return []string{row}
}
