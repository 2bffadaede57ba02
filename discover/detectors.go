package discover

import (
	"github.com/launchwatch/launchwatch/snapshot"
)

// detector is one source of signals init knows: an exporter, the marker
// metrics that betray it (all must be held), and the preset whose queries
// it answers. The table's order is the preference: a signal is taken from
// the first detector found that answers it.
type detector struct {
	// name is the exporter as its users know it.
	name string
	// markers are the metrics it exports; every one must be held. A
	// detector with none matches by suffix (own).
	markers []string
	// preset names the preset whose signals it answers (config.Presets).
	preset string
	// signals are the preset's signals it answers; nil is all of them.
	signals []string
	// own finds the shop's own counters by the suffix of their names,
	// signal by signal, for a detector with no preset.
	own []ownCounter
	// lacks says why this exporter cannot answer a signal, for the line
	// that asks for it.
	lacks map[string]string
	// devices marks the detector whose bandwidth is noted with the
	// devices' rates measured when read.
	devices bool
	// label is a label the first marker's series must carry for the
	// detector to answer: a counter named like promhttp's without a
	// status code has no errors to give.
	label string
	// endpoints names the metric and label whose values are the
	// endpoints the preset reads one by one (its handlers); empty when
	// the preset has none.
	endpoints [2]string
}

// ownCounter is a shop's own metric found by the end of its name: the
// first held name (in sorted order) ending in one of suffixes.
type ownCounter struct {
	signal   string
	suffixes []string
	// rate says the metric is a counter, read as its rate; else a gauge,
	// read as its sum.
	rate bool
}

// hostSignals are node_exporter's host rows.
var hostSignals = []string{
	snapshot.SignalHostCPU, snapshot.SignalHostMemoryUsed, snapshot.SignalHostMemoryTotal, snapshot.SignalHostLoad1,
	snapshot.SignalHostNetTX, snapshot.SignalHostNetRX, snapshot.SignalHostTCPEstablished, snapshot.SignalHostTCPMemory,
}

// stubStatus is what nginx's stub_status, hence its exporter, lacks.
const stubStatus = "stub_status has none"

var detectors = []detector{
	{name: "the demo storefront (launchwatch sim)", markers: []string{"shop_page_views_total", "shop_http_requests_total"}, preset: "sim",
		endpoints: [2]string{"shop_http_requests_total", "handler"}},
	{name: "Caddy", markers: []string{"caddy_http_requests_total"}, preset: "caddy",
		lacks: map[string]string{snapshot.SignalPV: "it counts requests, not page views"}},
	{name: "ingress-nginx", markers: []string{"nginx_ingress_controller_requests"}, preset: "ingress-nginx",
		lacks: map[string]string{snapshot.SignalPV: "it counts requests, not page views"}},
	{name: "Envoy", markers: []string{"envoy_http_downstream_rq_total"}, preset: "envoy",
		lacks: map[string]string{snapshot.SignalPV: "it counts requests, not page views"}},
	{name: "HAProxy", markers: []string{"haproxy_frontend_http_requests_total"}, preset: "haproxy",
		lacks: map[string]string{
			snapshot.SignalPV:         "it counts requests, not page views",
			snapshot.SignalLatencyP50: "it exports averages, not percentiles",
			snapshot.SignalLatencyP95: "it exports averages, not percentiles",
			snapshot.SignalLatencyP99: "it exports averages, not percentiles",
		}},
	{name: "Traefik", markers: []string{"traefik_entrypoint_requests_total"}, preset: "traefik",
		lacks: map[string]string{snapshot.SignalPV: "it counts requests, not page views"}},
	{name: "nginx-prometheus-exporter", markers: []string{"nginx_http_requests_total", "nginx_connections_active"}, preset: "nginx-node",
		signals: []string{snapshot.SignalRequests, snapshot.SignalConnections},
		lacks: map[string]string{
			snapshot.SignalPV:         stubStatus,
			snapshot.SignalErrorRate:  "stub_status has no status codes",
			snapshot.SignalErrorCodes: "stub_status has no status codes",
			snapshot.SignalLatencyP50: "stub_status has no timings",
			snapshot.SignalLatencyP95: "stub_status has no timings",
			snapshot.SignalLatencyP99: "stub_status has no timings",
			snapshot.SignalBandwidth:  "stub_status has no bytes",
		}},
	// An app instrumented as client_golang's promhttp does: after the
	// web servers (they see every request, the app only its own), before
	// the shop's own counters. The counter and the histogram are found
	// apart: an app may have one without the other.
	{name: "the app's HTTP metrics (promhttp)", markers: []string{"http_requests_total"}, preset: "promhttp", label: "code",
		signals: []string{snapshot.SignalRequests, snapshot.SignalErrorRate, snapshot.SignalErrorCodes}},
	{name: "the app's HTTP histogram (promhttp)", markers: []string{"http_request_duration_seconds_bucket"}, preset: "promhttp",
		signals: []string{snapshot.SignalLatencyP50, snapshot.SignalLatencyP95, snapshot.SignalLatencyP99}},
	{name: "the shop's own counters", own: []ownCounter{
		{signal: snapshot.SignalPV, suffixes: []string{"_page_views_total", "_pageviews_total", "_page_view_total"}, rate: true},
		{signal: snapshot.SignalSold, suffixes: []string{"_orders_total", "_orders_placed_total"}, rate: true},
		{signal: snapshot.SignalStock, suffixes: []string{"_stock_remaining", "_stock_left"}},
	}},
	{name: "node_exporter", markers: []string{"node_cpu_seconds_total", deviceMetric}, preset: "node", devices: true,
		signals: append([]string{snapshot.SignalBandwidth, snapshot.SignalConnections}, hostSignals...)},
}

// markerMetrics are the metrics whose series the catalog keeps labels of:
// every detector's markers.
func markerMetrics() []string {
	var out []string
	for _, d := range detectors {
		out = append(out, d.markers...)
	}
	return out
}
