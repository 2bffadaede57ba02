package config

import (
	"fmt"
	"maps"

	"github.com/launchwatch/launchwatch/snapshot"
)

// The presets of real exporters that carry a web fleet's signals: the
// traffic, the error rate and its breakdown by status code, and the time
// users wait (from the exporters' histograms). Their metric names are the
// exporters' own, as their documentation and source spell them. They
// answer through Prometheus (Query); Caddy's, whose admin /metrics a shop
// can read without a Prometheus, also through the scrape source (Scrape).
//
// Every query sums over all series (sum, or sum by (le) under a quantile),
// so the fleet view can add the fleet label to each aggregation and get
// the same figure per server.

// presets are the presets by name: presets.go's own and the exporters'.
var presets = withExporters(basePresets)

// withExporters returns the base presets and the exporters' presets in
// one map.
func withExporters(base map[string]preset) map[string]preset {
	out := maps.Clone(base)
	maps.Copy(out, exporterPresets(base))
	return out
}

// fiveXX matches the server errors an error rate counts: exact codes
// ("502") and the classes some exporters report instead ("5xx").
const fiveXX = `=~"5.."`

// quantile is the q-th quantile of a classic histogram (named without its
// _bucket suffix), summed over every series but le.
func quantile(q, hist, matchers string) string {
	return fmt.Sprintf("histogram_quantile(%s, sum by (le) (rate(%s_bucket%s[%s])))", q, hist, matchers, rateWindow)
}

// latencies fills the three latency rows from one quantile builder.
func latencies(signals map[string]Signal, q func(q string) Signal) {
	signals[snapshot.SignalLatencyP50] = q("0.5")
	signals[snapshot.SignalLatencyP95] = q("0.95")
	signals[snapshot.SignalLatencyP99] = q("0.99")
}

// errorRate is failed/all in the sim preset's form: no 5xx series yet is
// 0, not missing, and an idle server divides by a tiny number, not 0.
func errorRate(failed, all string) string {
	return "(" + failed + " or vector(0)) / clamp_min(" + all + ", 1e-9)"
}

// byCode is the failed requests per second of sel by status code, the
// code read from label (renamed "code" when the exporter calls it
// otherwise, so signals.error_codes keeps its default label). format is
// label_replace's replacement ("$1", or "${1}xx" for Envoy's bare class
// digit).
func byCode(sel, label, format string) string {
	r := "rate(" + sel + "[" + rateWindow + "])"
	if label != DefaultCodeLabel || format != "$1" {
		r = fmt.Sprintf("label_replace(%s, %q, %q, %q, \"(.+)\")", r, DefaultCodeLabel, format, label)
	}
	return "sum by (" + DefaultCodeLabel + ") (" + r + ")"
}

// codes is the signals.error_codes row of a preset.
func codes(sel, label, format string) Signal {
	return Signal{Query: byCode(sel, label, format), Label: DefaultCodeLabel}
}

// exporterPresets builds the exporters' presets; node borrows nginx-node's
// host rows from base.
func exporterPresets(base map[string]preset) map[string]preset {
	out := map[string]preset{
		"caddy":         caddyPreset(),
		"ingress-nginx": ingressNginxPreset(),
		"envoy":         envoyPreset(),
		"haproxy":       haproxyPreset(),
		"promhttp":      promhttpPreset(),
		"traefik":       traefikPreset(),
	}
	if nn, ok := base["nginx-node"]; ok {
		out["node"] = nodePreset(nn)
	}
	return out
}

// caddyPreset reads Caddy 2.6+'s own HTTP metrics, served on the admin
// address once the global options say `servers { metrics }`. Only
// caddy_http_request_duration_seconds carries the status code. Caddy
// counts a request once for each top-level handler it passes: a site
// block with a host (the usual Caddyfile) has one, its subroute.
func caddyPreset() preset {
	const (
		reqs = "caddy_http_requests_total"
		dur  = "caddy_http_request_duration_seconds"
		size = "caddy_http_response_size_bytes_sum"
		busy = "caddy_http_requests_in_flight"
	)
	s := map[string]Signal{
		snapshot.SignalRequests: {Query: rate(reqs), Scrape: "rate(" + reqs + ")"},
		// Caddy exports no connection count; the requests being served
		// are the nearest figure.
		snapshot.SignalConnections: {Query: "sum(" + busy + ")", Scrape: busy},
		snapshot.SignalBandwidth:   {Query: rate(size), Scrape: "rate(" + size + ")"},
		snapshot.SignalErrorRate: {
			Query:  errorRate(rate(dur+"_count{code"+fiveXX+"}"), rate(dur+"_count")),
			Scrape: "rate(" + dur + "_count{code" + fiveXX + "}) / rate(" + dur + "_count)",
		},
		snapshot.SignalErrorCodes: codes(dur+"_count{code"+fiveXX+"}", "code", "$1"),
	}
	// The scrape source breaks error_codes down by its label itself.
	ec := s[snapshot.SignalErrorCodes]
	ec.Scrape = "rate(" + dur + "_count{code" + fiveXX + "})"
	s[snapshot.SignalErrorCodes] = ec
	latencies(s, func(q string) Signal {
		return Signal{Query: quantile(q, dur, ""), Scrape: "histogram_quantile(" + q + ", " + dur + ")"}
	})
	return preset{doc: "Caddy 2.6+ built-in metrics (servers { metrics }, admin /metrics)", signals: s}
}

// promhttpPreset reads an app instrumented the way client_golang's
// promhttp middleware (and the libraries that copy it) does:
// http_requests_total by code, http_request_duration_seconds a histogram.
// It counts the requests the app serves, not what a proxy in front of it
// serves from its cache.
func promhttpPreset() preset {
	const (
		reqs = "http_requests_total"
		dur  = "http_request_duration_seconds"
	)
	s := map[string]Signal{
		snapshot.SignalRequests: {Query: rate(reqs), Scrape: "rate(" + reqs + ")"},
		snapshot.SignalErrorRate: {
			Query:  errorRate(rate(reqs+"{code"+fiveXX+"}"), rate(reqs)),
			Scrape: "rate(" + reqs + "{code" + fiveXX + "}) / rate(" + reqs + ")",
		},
		snapshot.SignalErrorCodes: codes(reqs+"{code"+fiveXX+"}", "code", "$1"),
	}
	ec := s[snapshot.SignalErrorCodes]
	ec.Scrape = "rate(" + reqs + "{code" + fiveXX + "})"
	s[snapshot.SignalErrorCodes] = ec
	latencies(s, func(q string) Signal {
		return Signal{Query: quantile(q, dur, ""), Scrape: "histogram_quantile(" + q + ", " + dur + ")"}
	})
	return preset{doc: "an app instrumented as client_golang's promhttp does: http_requests_total{code}, http_request_duration_seconds", signals: s}
}

// ingressNginxPreset reads the Kubernetes ingress-nginx controller's
// /metrics (controller v1.x). status is the code, or its class ("5xx")
// under --report-status-classes; both match 5...
func ingressNginxPreset() preset {
	const (
		reqs = "nginx_ingress_controller_requests"
		dur  = "nginx_ingress_controller_request_duration_seconds"
	)
	s := map[string]Signal{
		snapshot.SignalRequests:    {Query: rate(reqs)},
		snapshot.SignalConnections: {Query: `sum(nginx_ingress_controller_nginx_process_connections{state="active"})`},
		snapshot.SignalBandwidth:   {Query: rate("nginx_ingress_controller_response_size_sum")},
		snapshot.SignalErrorRate:   {Query: errorRate(rate(reqs+"{status"+fiveXX+"}"), rate(reqs))},
		snapshot.SignalErrorCodes:  codes(reqs+"{status"+fiveXX+"}", "status", "$1"),
	}
	latencies(s, func(q string) Signal { return Signal{Query: quantile(q, dur, "")} })
	return preset{doc: "Kubernetes ingress-nginx controller v1.x metrics (nginx_ingress_controller_*)", signals: s}
}

// envoyPreset reads Envoy's HTTP connection managers from its admin
// /stats/prometheus, leaving out the admin listener's own (the scrapes).
// Envoy counts responses by class ("5"), not by code, and times requests
// in milliseconds.
func envoyPreset() preset {
	const notAdmin = `envoy_http_conn_manager_prefix!="admin"`
	xx := "envoy_http_downstream_rq_xx"
	s := map[string]Signal{
		snapshot.SignalRequests:    {Query: rate("envoy_http_downstream_rq_total{" + notAdmin + "}")},
		snapshot.SignalConnections: {Query: "sum(envoy_http_downstream_cx_active{" + notAdmin + "})"},
		snapshot.SignalBandwidth:   {Query: rate("envoy_http_downstream_cx_tx_bytes_total{" + notAdmin + "}")},
		snapshot.SignalErrorRate: {Query: errorRate(
			rate(xx+"{"+notAdmin+`,envoy_response_code_class="5"}`), rate(xx+"{"+notAdmin+"}"))},
		snapshot.SignalErrorCodes: codes(xx+"{"+notAdmin+`,envoy_response_code_class="5"}`, "envoy_response_code_class", "${1}xx"),
	}
	latencies(s, func(q string) Signal {
		return Signal{Query: quantile(q, "envoy_http_downstream_rq_time", "{"+notAdmin+"}") + " / 1000"}
	})
	return preset{doc: "Envoy 1.x admin /stats/prometheus (http connection manager stats)", signals: s}
}

// haproxyPreset reads HAProxy 2.x's built-in exporter (promex) by
// frontend. It counts responses by class ("5xx"), and has no latency
// histogram: its response times are averages over the last 1024
// requests, which are not percentiles, so the latency rows are left to
// the file.
func haproxyPreset() preset {
	const resp = "haproxy_frontend_http_responses_total"
	return preset{
		doc: "HAProxy 2.x built-in Prometheus exporter (promex), frontends; no latency percentiles",
		signals: map[string]Signal{
			snapshot.SignalRequests:    {Query: rate("haproxy_frontend_http_requests_total")},
			snapshot.SignalConnections: {Query: "sum(haproxy_frontend_current_sessions)"},
			snapshot.SignalBandwidth:   {Query: rate("haproxy_frontend_bytes_out_total")},
			snapshot.SignalErrorRate:   {Query: errorRate(rate(resp+`{code="5xx"}`), rate(resp))},
			snapshot.SignalErrorCodes:  codes(resp+`{code="5xx"}`, "code", "$1"),
		},
	}
}

// traefikPreset reads Traefik's Prometheus metrics by entrypoint (v2.9+
// and v3). Open connections moved from traefik_entrypoint_open_connections
// (v2) to traefik_open_connections (v3); the query takes whichever exists.
func traefikPreset() preset {
	const reqs = "traefik_entrypoint_requests_total"
	s := map[string]Signal{
		snapshot.SignalRequests:    {Query: rate(reqs)},
		snapshot.SignalConnections: {Query: "sum(traefik_open_connections) or sum(traefik_entrypoint_open_connections)"},
		snapshot.SignalBandwidth:   {Query: rate("traefik_entrypoint_responses_bytes_total")},
		snapshot.SignalErrorRate:   {Query: errorRate(rate(reqs+"{code"+fiveXX+"}"), rate(reqs))},
		snapshot.SignalErrorCodes:  codes(reqs+"{code"+fiveXX+"}", "code", "$1"),
	}
	latencies(s, func(q string) Signal {
		return Signal{Query: quantile(q, "traefik_entrypoint_request_duration_seconds", "")}
	})
	return preset{doc: "Traefik v2.9+/v3 Prometheus metrics, by entrypoint", signals: s}
}

// nodePreset is node_exporter alone, per host: nginx-node's host rows and
// bandwidth, and the host's established TCP connections (every one of the
// machine's, not only the web server's) as its connections. With a fleet
// label each host's bandwidth and connections are its own.
func nodePreset(nginxNode preset) preset {
	s := maps.Clone(nginxNode.signals)
	delete(s, snapshot.SignalRequests)
	s[snapshot.SignalConnections] = Signal{Query: "sum(node_netstat_Tcp_CurrEstab)"}
	return preset{doc: "prometheus-node-exporter 1.x alone, per host: host rows, bandwidth, TCP connections", signals: s}
}
