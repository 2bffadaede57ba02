package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/launchwatch/launchwatch/collectors/scrape/expr"
	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

var (
	traffic   = []string{snapshot.SignalRequests, snapshot.SignalConnections, snapshot.SignalBandwidth, snapshot.SignalErrorRate, snapshot.SignalErrorCodes}
	latencyOf = []string{snapshot.SignalLatencyP50, snapshot.SignalLatencyP95, snapshot.SignalLatencyP99}
)

// What each exporter's preset answers: the web servers' traffic, errors
// by code and latency; HAProxy has no percentiles to give, node_exporter
// no requests.
func TestEachExporterPresetAnswersTheFleetsSignals(t *testing.T) {
	tests := []struct {
		preset  string
		want    []string
		without []string
	}{
		{"caddy", append(slices.Clone(traffic), latencyOf...), nil},
		{"ingress-nginx", append(slices.Clone(traffic), latencyOf...), nil},
		{"envoy", append(slices.Clone(traffic), latencyOf...), nil},
		{"traefik", append(slices.Clone(traffic), latencyOf...), nil},
		{"haproxy", traffic, latencyOf},
		{"node", append([]string{snapshot.SignalBandwidth, snapshot.SignalConnections}, snapshot.HostSignals...),
			[]string{snapshot.SignalRequests, snapshot.SignalErrorRate, snapshot.SignalErrorCodes}},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			p, ok := presets[tt.preset]
			if !ok {
				t.Fatalf("no preset %q", tt.preset)
			}
			if p.doc == "" || Presets()[tt.preset] != p.doc {
				t.Errorf("doc line %q, listed as %q: want one naming the exporter", p.doc, Presets()[tt.preset])
			}
			for _, sig := range tt.want {
				if p.signals[sig].Query == "" {
					t.Errorf("%s: no query", sig)
				}
			}
			for _, sig := range tt.without {
				if _, ok := p.signals[sig]; ok {
					t.Errorf("%s: set, want it left to the file", sig)
				}
			}
		})
	}
}

// Every query parses with Prometheus' parser, reads its rates over
// $__rate_interval and nothing else, and sums what it reads: an
// aggregation the fleet view can add its label to.
func TestExporterPresetQueriesParseAndUseTheRateInterval(t *testing.T) {
	for name, p := range exporterPresets(basePresets) {
		for sig, s := range p.signals {
			e, err := promql.Parse(s.Query)
			if err != nil {
				t.Errorf("%s %s: %q: %v", name, sig, s.Query, err)
				continue
			}
			if n, r := strings.Count(s.Query, "["), strings.Count(s.Query, "["+rateWindow+"]"); n != r {
				t.Errorf("%s %s: %q has %d ranges, %d of them %s", name, sig, s.Query, n, r, rateWindow)
			}
			if !aggregates(e) {
				t.Errorf("%s %s: %q reads a series outside any aggregation", name, sig, s.Query)
			}
		}
	}
}

// aggregates reports whether every selector of e sits inside an
// aggregation (sum, sum by).
func aggregates(e parser.Expr) bool {
	ok := true
	var walk func(n parser.Node, inAgg bool)
	walk = func(n parser.Node, inAgg bool) {
		switch n.(type) {
		case *parser.AggregateExpr:
			inAgg = true
		case *parser.VectorSelector:
			ok = ok && inAgg
			return
		}
		for _, c := range parser.Children(n) {
			walk(c, inAgg)
		}
	}
	walk(e, false)
	return ok
}

// The shapes the sim preset set: an error rate is 0 before the first 5xx
// and never divides by zero; error_codes answers one series a code, keyed
// by "code"; a latency is a histogram_quantile over buckets summed by le.
func TestExporterPresetQueriesFollowTheSimPresetsForm(t *testing.T) {
	for name, p := range exporterPresets(basePresets) {
		if s, ok := p.signals[snapshot.SignalErrorRate]; ok {
			if !strings.Contains(s.Query, " or vector(0)) / clamp_min(") {
				t.Errorf("%s error_rate %q: want (failed or vector(0)) / clamp_min(all, 1e-9)", name, s.Query)
			}
		}
		if s, ok := p.signals[snapshot.SignalErrorCodes]; ok {
			e, err := promql.Parse(s.Query)
			agg, isAgg := e.(*parser.AggregateExpr)
			if err != nil || !isAgg || agg.Op != parser.SUM || !slices.Equal(agg.Grouping, []string{DefaultCodeLabel}) || agg.Without {
				t.Errorf("%s error_codes %q: want sum by (code) (…)", name, s.Query)
			}
			if s.Label != DefaultCodeLabel {
				t.Errorf("%s error_codes: label %q, want %q", name, s.Label, DefaultCodeLabel)
			}
		}
		for _, sig := range latencyOf {
			s, ok := p.signals[sig]
			if !ok {
				continue
			}
			if !strings.HasPrefix(s.Query, "histogram_quantile(") || !strings.Contains(s.Query, "sum by (le) (rate(") {
				t.Errorf("%s %s %q: want histogram_quantile(q, sum by (le) (rate(…_bucket[…])))", name, sig, s.Query)
			}
		}
	}
}

// Caddy's admin /metrics can be read without a Prometheus: its preset's
// scrape expressions parse in the scrape language.
func TestCaddyPresetScrapeExpressionsParse(t *testing.T) {
	p := presets["caddy"]
	for _, sig := range append(slices.Clone(traffic), latencyOf...) {
		s := p.signals[sig]
		if s.Scrape == "" {
			t.Errorf("%s: no scrape expression", sig)
			continue
		}
		if _, err := expr.Parse(s.Scrape); err != nil {
			t.Errorf("%s: %q: %v", sig, s.Scrape, err)
		}
	}
}

// Through the config path: a preset's error_codes arrives with its label,
// as a query for Prometheus and as a scrape expression (broken down by
// the scrape source) without it.
func TestCaddyPresetLoadsForEitherSource(t *testing.T) {
	want := presets["caddy"].signals
	prom, err := Parse("caddy.yaml", []byte("preset: caddy\nsources:\n  prometheus:\n    url: http://localhost:9090\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c := prom.Signals[snapshot.SignalErrorCodes]; c.Query != want[snapshot.SignalErrorCodes].Query || c.Scrape != "" || c.Label != DefaultCodeLabel {
		t.Errorf("error_codes = %+v, want the preset's query by %q", c, DefaultCodeLabel)
	}
	if q := prom.Signals[snapshot.SignalLatencyP95].Query; !strings.Contains(q, "caddy_http_request_duration_seconds_bucket") {
		t.Errorf("latency_p95 query %q", q)
	}

	scr, err := Parse("caddy.yaml", []byte("preset: caddy\nsources:\n  scrape:\n    targets: [http://localhost:2019/metrics]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c := scr.Signals[snapshot.SignalErrorCodes]; c.Scrape != want[snapshot.SignalErrorCodes].Scrape || c.Query != "" || c.Label != DefaultCodeLabel {
		t.Errorf("error_codes = %+v under the scrape source, want the preset's expression by %q", c, DefaultCodeLabel)
	}
	if s := scr.Signals[snapshot.SignalLatencyP95]; s.Scrape != "histogram_quantile(0.95, caddy_http_request_duration_seconds)" {
		t.Errorf("latency_p95 scrape = %q", s.Scrape)
	}
}
