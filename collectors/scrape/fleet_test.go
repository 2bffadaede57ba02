package scrape

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// webServer is a web server's /metrics, made to do something: per second,
// its requests by code, page views, and how many of its requests fall in
// each latency bucket. Its counters advance a second a poll.
type webServer struct {
	*httptest.Server
	mu     sync.Mutex
	polls  int
	down   bool
	conns  float64
	pv     float64
	codes  map[string]float64 // requests per second by code
	le     []string           // bucket bounds, "+Inf" last
	counts []float64          // cumulative requests per second per bucket
	extra  string             // more exposition, as it is
}

func newWebServer(t testing.TB, w *webServer) *webServer {
	t.Helper()
	w.Server = httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.Close)
	return w
}

func (w *webServer) serve(rw http.ResponseWriter, _ *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.down {
		http.Error(rw, "down", http.StatusServiceUnavailable)
		return
	}
	secs := float64(w.polls)
	w.polls++
	rw.Header().Set("Content-Type", "text/plain; version=0.0.4")
	var b strings.Builder
	if w.codes == nil { // not a web server
		_, _ = rw.Write([]byte(w.extra))
		return
	}
	fmt.Fprintf(&b, "# TYPE shop_http_connections_active gauge\nshop_http_connections_active %g\n", w.conns)
	fmt.Fprintf(&b, "# TYPE shop_page_views_total counter\nshop_page_views_total %g\n", 1000+w.pv*secs)
	b.WriteString("# TYPE shop_http_requests_total counter\n")
	for _, code := range slices.Sorted(maps.Keys(w.codes)) {
		fmt.Fprintf(&b, "shop_http_requests_total{code=%q,handler=\"buy\"} %g\n", code, 50+w.codes[code]*secs)
	}
	b.WriteString("# TYPE shop_http_request_duration_seconds histogram\n")
	for i, le := range w.le {
		fmt.Fprintf(&b, "shop_http_request_duration_seconds_bucket{handler=\"buy\",le=%q} %g\n", le, w.counts[i]*secs)
	}
	if n := len(w.counts); n > 0 {
		fmt.Fprintf(&b, "shop_http_request_duration_seconds_sum{handler=\"buy\"} 0\nshop_http_request_duration_seconds_count{handler=\"buy\"} %g\n", w.counts[n-1]*secs)
	}
	b.WriteString(w.extra)
	_, _ = rw.Write([]byte(b.String()))
}

func (w *webServer) setDown(down bool) {
	w.mu.Lock()
	w.down = down
	w.mu.Unlock()
}

// instance is the name the scrape source gives the server: its host:port.
func (w *webServer) instance(t testing.TB) string {
	u, err := url.Parse(w.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// fleetExprs are the shop's signals in the scrape language.
var fleetExprs = map[string]string{
	"pv":                      "rate(shop_page_views_total)",
	"requests":                "rate(shop_http_requests_total)",
	"connections":             "shop_http_connections_active",
	"error_rate":              `rate(shop_http_requests_total{code=~"5.."}) / rate(shop_http_requests_total)`,
	"latency_p50":             "histogram_quantile(0.5, shop_http_request_duration_seconds)",
	"latency_p95":             "histogram_quantile(0.95, shop_http_request_duration_seconds)",
	"endpoints.buy.p95":       `histogram_quantile(0.95, shop_http_request_duration_seconds{handler="buy"})`,
	"stock":                   "shop_stock_remaining",
	snapshot.SignalErrorCodes: `rate(shop_http_requests_total{code=~"5.."})`,
}

func newFleetSource(t testing.TB, label string, exprs map[string]string, servers ...*webServer) *Source {
	t.Helper()
	cfg := &config.Scrape{Timeout: 2 * time.Second, Job: "shop"}
	for _, w := range servers {
		cfg.Targets = append(cfg.Targets, w.URL+"/metrics")
	}
	var opts []Option
	if label != "" {
		opts = append(opts, Fleet(label))
	}
	s, err := New(cfg, signalsOf(exprs), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// near reports whether a value is measured and within 1e-9 of want.
func near(v snapshot.Value, want float64) bool {
	got, ok := v.Get()
	return ok && math.Abs(got-want) <= 1e-9
}

// Three real web servers, one healthy, one answering 502 and 504 for some
// requests, one slow, and a target that is no web server: each server's
// figures are its own.
func TestScrapeFleetGivesEachServerItsOwnFigures(t *testing.T) {
	fast := []string{"0.05", "0.1", "0.5", "1", "+Inf"}
	healthy := newWebServer(t, &webServer{conns: 10, pv: 20, codes: map[string]float64{"200": 100},
		le: fast, counts: []float64{100, 100, 100, 100, 100}})
	failing := newWebServer(t, &webServer{conns: 30, pv: 10, codes: map[string]float64{"200": 60, "502": 30, "504": 10},
		le: fast, counts: []float64{50, 100, 100, 100, 100}})
	slow := newWebServer(t, &webServer{conns: 50, pv: 40, codes: map[string]float64{"200": 200},
		le: fast, counts: []float64{0, 0, 100, 200, 200}})
	db := newWebServer(t, &webServer{extra: "# TYPE shop_stock_remaining gauge\nshop_stock_remaining 4000\n"})
	s := newFleetSource(t, "instance", fleetExprs, healthy, failing, slow, db)

	first, err := s.Collect(context.Background(), t0)
	if err != nil {
		t.Fatalf("first poll: %v", err)
	}
	// The first poll knows the servers; their rates are warming up.
	if got := slices.Sorted(maps.Keys(first.Fleet)); len(got) != 3 {
		t.Fatalf("first poll's servers = %q, want the three web servers", got)
	}
	if srv := first.Fleet[slow.instance(t)]; !near(srv.Connections, 50) || srv.Requests.OK() {
		t.Errorf("first poll's slow server = %+v, want 50 connections and its rate warming up", srv)
	}

	res, err := s.Collect(context.Background(), t0.Add(time.Second))
	if err != nil {
		t.Fatalf("second poll: %v", err)
	}
	want := map[string]map[string]float64{
		healthy.instance(t): {"pv": 20, "requests": 100, "connections": 10, "error_rate": 0,
			"latency_p50": 0.025, "latency_p95": 0.0475}, // all in (0, 0.05]: rank 50 and 95 of 100
		failing.instance(t): {"pv": 10, "requests": 100, "connections": 30, "error_rate": 0.4,
			"latency_p50": 0.05, "latency_p95": 0.05 + 0.05*45/50},
		slow.instance(t): {"pv": 40, "requests": 200, "connections": 50, "error_rate": 0,
			"latency_p50": 0.5, "latency_p95": 0.5 + 0.5*90/100},
	}
	if got := slices.Sorted(maps.Keys(res.Fleet)); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
		t.Fatalf("servers = %q, want %q (the database is no server)", got, slices.Sorted(maps.Keys(want)))
	}
	for name, figures := range want {
		srv := res.Fleet[name]
		if srv.Name != name {
			t.Errorf("server %s is named %q", name, srv.Name)
		}
		for sig, w := range figures {
			if v := srv.Get(sig); !near(v, w) {
				t.Errorf("%s's %s = %v, want %v", name, sig, v, w)
			}
		}
		if srv.Bandwidth.OK() || srv.LatencyP99.OK() {
			t.Errorf("%s carries figures no expression gives: %+v", name, srv)
		}
	}
	// The whole shop's figures are the sums, its latency from every
	// server's buckets together (150, 200, 300, 400, 400: rank 380 of 400
	// in (0.5, 1]).
	for sig, w := range map[string]float64{"requests": 400, "pv": 70, "connections": 90, "error_rate": 0.1, "stock": 4000,
		"latency_p95": 0.5 + 0.5*(380-300)/100.0, "endpoints.buy.p95": 0.5 + 0.5*(380-300)/100.0} {
		if v := res.Values[sig]; !near(v, w) {
			t.Errorf("%s = %v, want %v", sig, v, w)
		}
	}
	if got := s.Signals(); !slices.Contains(got, snapshot.SignalErrorCodes) || !slices.IsSorted(got) {
		t.Errorf("Signals() = %q, want error_codes among them, sorted", got)
	}
	if _, ok := res.Values[snapshot.SignalErrorCodes]; ok {
		t.Errorf("error_codes has a value %v: it is a breakdown, not a figure", res.Values[snapshot.SignalErrorCodes])
	}
	if !maps.EqualFunc(res.ErrorCodes, map[string]snapshot.Value{"502": snapshot.Some(30), "504": snapshot.Some(10)}, func(a, b snapshot.Value) bool {
		return near(a, b.Or(math.NaN()))
	}) {
		t.Errorf("error codes = %v, want 502: 30/s, 504: 10/s", res.ErrorCodes)
	}

	// A server that stops answering leaves the fleet (the poller marks it
	// gone); the others keep their figures.
	slow.setDown(true)
	res, err = s.Collect(context.Background(), t0.Add(2*time.Second))
	if err == nil || !strings.Contains(err.Error(), slow.instance(t)) {
		t.Errorf("err = %v, want it to name the slow server", err)
	}
	if _, ok := res.Fleet[slow.instance(t)]; ok || len(res.Fleet) != 2 {
		t.Errorf("servers = %q, want the two that answered", slices.Sorted(maps.Keys(res.Fleet)))
	}
	if v := res.Fleet[failing.instance(t)].ErrorRate; !near(v, 0.4) {
		t.Errorf("failing server's error rate = %v, want 0.4", v)
	}
}

// The fleet label may be any label an exporter sets: one target serving
// two pods splits into two servers.
func TestScrapeFleetByAnExportedLabel(t *testing.T) {
	var step int
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(rw, "# TYPE r_total counter\nr_total{pod=\"a\",code=\"200\"} %d\nr_total{pod=\"b\",code=\"200\"} %d\nr_total{pod=\"b\",code=\"500\"} %d\nr_total{code=\"200\"} 7\n",
			10*step, 30*step, 10*step)
		step++
	}))
	t.Cleanup(srv.Close)
	s := newFleetSource(t, "pod", map[string]string{
		"requests": "rate(r_total)", "error_rate": `rate(r_total{code=~"5.."}) / rate(r_total)`,
	}, &webServer{Server: srv})
	var res source.Result
	for i := range 2 {
		var err error
		if res, err = s.Collect(context.Background(), t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if got := slices.Sorted(maps.Keys(res.Fleet)); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("servers = %q, want a and b (a series without the label is no server)", got)
	}
	if a, b := res.Fleet["a"], res.Fleet["b"]; !near(a.Requests, 10) || !near(a.ErrorRate, 0) || !near(b.Requests, 40) || !near(b.ErrorRate, 0.25) {
		t.Errorf("a = %+v, b = %+v; want 10 req/s at 0%% and 40 req/s at 25%%", a, b)
	}
}

// A fleet label no series carries gives no server, and says so.
func TestScrapeFleetLabelNoSeriesCarriesIsNamed(t *testing.T) {
	w := newWebServer(t, &webServer{codes: map[string]float64{"200": 1}})
	s := newFleetSource(t, "pod", map[string]string{"requests": "rate(shop_http_requests_total)"}, w)
	res, err := s.Collect(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fleet) != 0 || !slices.Contains(res.Warnings, `fleet.label: no series the fleet's signals read carries the label "pod"`) {
		t.Errorf("fleet %v, warnings %q; want none and the label named", res.Fleet, res.Warnings)
	}
}

// Without a fleet label no server is reported.
func TestScrapeWithoutAFleetReportsNoServers(t *testing.T) {
	w := newWebServer(t, &webServer{codes: map[string]float64{"200": 1}})
	s := newFleetSource(t, "", map[string]string{"requests": "rate(shop_http_requests_total)"}, w)
	for i := range 2 {
		res, err := s.Collect(context.Background(), t0.Add(time.Duration(i)*time.Second))
		if err != nil || res.Fleet != nil {
			t.Fatalf("poll %d: fleet = %v, err = %v; want no fleet", i, res.Fleet, err)
		}
	}
}

// Server names and codes are label values: cleaned before any terminal.
func TestScrapeFleetAndCodeNamesAreCleaned(t *testing.T) {
	var step int
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(rw, "# TYPE r_total counter\nr_total{pod=\"web\x1b[31m\",code=\"5\x1b]0;x\x07\"} %d\n", 10*step)
		step++
	}))
	t.Cleanup(srv.Close)
	s := newFleetSource(t, "pod", map[string]string{
		"requests": "rate(r_total)", snapshot.SignalErrorCodes: "rate(r_total)",
	}, &webServer{Server: srv})
	var res source.Result
	for i := range 2 {
		var err error
		if res, err = s.Collect(context.Background(), t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	for name := range res.Fleet {
		if strings.ContainsAny(name, "\x1b\x07") {
			t.Errorf("server name %q carries an escape", name)
		}
	}
	for code := range res.ErrorCodes {
		if strings.ContainsAny(code, "\x1b\x07") {
			t.Errorf("code %q carries an escape", code)
		}
	}
	if len(res.Fleet) != 1 || len(res.ErrorCodes) != 1 {
		t.Errorf("fleet %v, codes %v; want one each", res.Fleet, res.ErrorCodes)
	}
}

// signals.error_codes may name another label; one no target exposes is its
// error, named.
func TestScrapeErrorCodes(t *testing.T) {
	w := newWebServer(t, &webServer{codes: map[string]float64{"200": 10, "503": 4}})
	signals := map[string]config.Signal{
		snapshot.SignalErrorCodes: {Scrape: `rate(shop_http_requests_total{code=~"5.."})`, Label: "handler"},
	}
	s, err := New(&config.Scrape{Targets: []string{w.URL}}, signals)
	if err != nil {
		t.Fatal(err)
	}
	var res source.Result
	for i := range 2 {
		if res, err = s.Collect(context.Background(), t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if len(res.ErrorCodes) != 1 || !near(res.ErrorCodes["buy"], 4) {
		t.Errorf("by handler = %v, want buy: 4/s", res.ErrorCodes)
	}
	signals[snapshot.SignalErrorCodes] = config.Signal{Scrape: `rate(nope{code=~"5.."})`}
	if s, err = New(&config.Scrape{Targets: []string{w.URL}}, signals); err != nil {
		t.Fatal(err)
	}
	res, err = s.Collect(context.Background(), t0)
	if err == nil || !strings.Contains(res.Errors[snapshot.SignalErrorCodes], "no target exposes a metric named nope") {
		t.Errorf("errors = %v (%v), want error_codes' unknown metric", res.Errors, err)
	}
}
