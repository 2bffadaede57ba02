package scrape

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors/scrape/expr"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/sim"
)

// fakeTarget is a /metrics endpoint serving a file of testdata/scrape, which
// a test swaps between polls.
type fakeTarget struct {
	*httptest.Server
	mu   sync.Mutex
	file string // a file name, or "status:503"
	hits int
}

func newFakeTarget(t testing.TB, file string) *fakeTarget {
	t.Helper()
	f := &fakeTarget{file: file}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTarget) set(file string) {
	f.mu.Lock()
	f.file = file
	f.mu.Unlock()
}

func (f *fakeTarget) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	file := f.file
	f.hits++
	f.mu.Unlock()
	if code, ok := strings.CutPrefix(file, "status:"); ok {
		status, _ := strconv.Atoi(code)
		http.Error(w, "upstream \x1b[31mexploded\x1b[0m", status)
		return
	}
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	switch filepath.Ext(file) {
	case ".om":
		w.Header().Set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
	case ".html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	}
	_, _ = w.Write(body)
}

// signalsOf builds a signal map from address → expression.
func signalsOf(exprs map[string]string) map[string]config.Signal {
	out := make(map[string]config.Signal, len(exprs))
	for addr, e := range exprs {
		out[addr] = config.Signal{Scrape: e, Pos: config.Pos{File: "demo.yaml", Line: 14}}
	}
	return out
}

func newTestSource(t testing.TB, maxBody int64, exprs map[string]string, targets ...*fakeTarget) *Source {
	t.Helper()
	cfg := &config.Scrape{Timeout: 2 * time.Second, MaxBodyBytes: maxBody}
	for _, f := range targets {
		cfg.Targets = append(cfg.Targets, f.URL+"/metrics")
	}
	s, err := New(cfg, signalsOf(exprs))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// expected is what a test expects of one signal after the last poll:
// a value (within 1e-9), or missing.
type expected struct {
	value   float64
	missing bool
}

func TestScrapeCollect(t *testing.T) {
	exprs := map[string]string{
		"connections":   "shop_http_connections_active",
		"stock":         "sum(shop_stock_remaining)",
		"pv":            "rate(shop_page_views_total)",
		"requests":      "rate(shop_http_requests_total)",
		"error_rate":    `rate(shop_http_requests_total{code=~"5.."}) / rate(shop_http_requests_total)`,
		"endpoints.buy": `rate(shop_http_requests_total{handler="buy"})`,
		"host.p50":      `histogram_quantile(0.5, shop_http_request_duration_seconds{handler="buy"})`,
		"host.p99":      `histogram_quantile(0.99, shop_http_request_duration_seconds{handler="buy"})`,
		"host.p99cart":  `histogram_quantile(0.99, shop_http_request_duration_seconds{handler="cart"})`,
		"per_conn":      "shop_stock_remaining / rate(shop_page_views_total)",
	}
	tests := []struct {
		name     string
		polls    []string // the file each poll serves, 10 s apart
		want     map[string]expected
		warnings []string
		// errors are the signals that fail at every poll, each with a
		// part of its message; any other error fails the test.
		errors map[string]string
	}{
		{
			name:  "the first poll reads gauges and warms up rates",
			polls: []string{"shop-1.prom"},
			want: map[string]expected{
				"connections": {value: 120}, "stock": {value: 5000},
				"pv": {missing: true}, "requests": {missing: true}, "error_rate": {missing: true},
				"endpoints.buy": {missing: true}, "host.p50": {missing: true},
			},
			warnings: []string{"pv: warming up", "requests: warming up", "error_rate: warming up", "host.p50: warming up"},
		},
		{
			name:  "rates are increases over the injected clock between two polls",
			polls: []string{"shop-1.prom", "shop-2.prom"},
			want: map[string]expected{
				"connections": {value: 150}, "stock": {value: 4900},
				"pv":            {value: 50},  // (1500-1000)/10
				"requests":      {value: 100}, // (300+100+600)/10
				"error_rate":    {value: 0.1}, // 10/s of 100/s
				"endpoints.buy": {value: 40},  // (300+100)/10
				"per_conn":      {value: 98},  // 4900 / 50
				// buy's bucket increases: 0.05:0 0.1:40 0.25:60 0.5:60 +Inf:60.
				"host.p50": {value: 0.0875}, // rank 30 in (0.05, 0.1]: 0.05 + 0.05*30/40
				"host.p99": {value: 0.2455}, // rank 59.4 in (0.1, 0.25]: 0.1 + 0.15*19.4/20
				// cart observed nothing in the interval.
				"host.p99cart": {missing: true},
			},
		},
		{
			name:  "a counter that went down was reset and counts from zero",
			polls: []string{"shop-1.prom", "shop-reset.prom"},
			want: map[string]expected{
				"pv":       {value: 20}, // 200/10, not (200-1000)/10
				"requests": {value: 15}, // (50+0+100)/10
			},
		},
		{
			name:  "an idle ratio reads 0 and x/0 is missing with a warning",
			polls: []string{"shop-1.prom", "shop-1.prom"},
			want: map[string]expected{
				"pv": {value: 0}, "error_rate": {value: 0}, "per_conn": {missing: true},
			},
			warnings: []string{"per_conn: division by zero"},
		},
		{
			name:  "an OpenMetrics reply is parsed, its counters keeping _total",
			polls: []string{"shop.om", "shop.om"},
			want: map[string]expected{
				"connections": {value: 120}, "stock": {value: 5000}, "pv": {value: 0},
				"requests": {missing: true},
			},
			errors: map[string]string{
				"requests":      "no target exposes a metric named shop_http_requests_total",
				"error_rate":    "no target exposes a metric named shop_http_requests_total",
				"endpoints.buy": "no target exposes a metric named shop_http_requests_total",
				"host.p50":      "no target exposes a metric named shop_http_request_duration_seconds_bucket",
				"host.p99":      "no target exposes a metric named shop_http_request_duration_seconds_bucket",
				"host.p99cart":  "no target exposes a metric named shop_http_request_duration_seconds_bucket",
			},
		},
		{
			name:  "label values are cleaned of escapes before matching",
			polls: []string{"escapes.prom"},
			want:  map[string]expected{"connections": {value: 1111}},
			errors: map[string]string{
				"requests":      "shop_http_requests_total",
				"error_rate":    "shop_http_requests_total",
				"endpoints.buy": "shop_http_requests_total",
				"host.p50":      "shop_http_request_duration_seconds_bucket",
				"host.p99":      "shop_http_request_duration_seconds_bucket",
				"host.p99cart":  "shop_http_request_duration_seconds_bucket",
				"per_conn":      "no target exposes a metric named shop_stock_remaining; no target exposes a metric named shop_page_views_total",
				"pv":            "no target exposes a metric named shop_page_views_total",
				"stock":         "no target exposes a metric named shop_stock_remaining",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeTarget(t, tt.polls[0])
			s := newTestSource(t, 0, exprs, fake)
			var res source.Result
			for i, file := range tt.polls {
				fake.set(file)
				var err error
				res, err = s.Collect(context.Background(), t0.Add(time.Duration(i)*10*time.Second))
				if (err != nil) != (len(tt.errors) > 0) {
					t.Fatalf("poll %d: err = %v, want errors for %d signals", i, err, len(tt.errors))
				}
				if len(res.Errors) != len(tt.errors) {
					t.Fatalf("poll %d: errors = %q, want %q", i, res.Errors, tt.errors)
				}
				for addr, want := range tt.errors {
					if !strings.Contains(res.Errors[addr], want) {
						t.Errorf("poll %d: %s's error = %q, want it to contain %q", i, addr, res.Errors[addr], want)
					}
				}
			}
			for addr, w := range tt.want {
				v, ok := res.Values[addr].Get()
				switch {
				case w.missing && ok:
					t.Errorf("%s = %v, want missing", addr, v)
				case !w.missing && !ok:
					t.Errorf("%s missing, want %v (warnings %q)", addr, w.value, res.Warnings)
				case !w.missing && !(math.Abs(v-w.value) <= 1e-9):
					t.Errorf("%s = %v, want %v", addr, v, w.value)
				}
			}
			for _, w := range tt.warnings {
				if !slices.Contains(res.Warnings, w) {
					t.Errorf("warnings %q lack %q", res.Warnings, w)
				}
			}
		})
	}
}

func TestScrapeEscapedLabelsMatchWhatIsShown(t *testing.T) {
	s := newTestSource(t, 0, map[string]string{
		"buy":    `shop_http_connections_active{handler="buy"}`,
		"quoted": `shop_http_connections_active{handler="buy \"quoted\"\\"}`,
	}, newFakeTarget(t, "escapes.prom"))
	res, err := s.Collect(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	// "\x1b[31mbuy\x1b[0m" and "buy\u202e" both show as buy.
	if v, _ := res.Values["buy"].Get(); v != 110 {
		t.Errorf("buy = %v, want 110", v)
	}
	if v, _ := res.Values["quoted"].Get(); v != 1 {
		t.Errorf("quoted = %v, want 1", v)
	}
}

func TestScrapeTargets(t *testing.T) {
	exprs := map[string]string{"connections": "shop_http_connections_active", "pv": "rate(shop_page_views_total)"}
	tests := []struct {
		name      string
		files     []string // one target each
		maxBody   int64
		want      map[string]float64
		wantErrs  []string
		wantNoErr bool
	}{
		{
			name:      "two targets are summed",
			files:     []string{"shop-1.prom", "shop-2.prom"},
			want:      map[string]float64{"connections": 270, "pv": 0},
			wantNoErr: true,
		},
		{
			name:     "a target that is down is named and the others still count",
			files:    []string{"shop-1.prom", "status:503"},
			want:     map[string]float64{"connections": 120},
			wantErrs: []string{"/metrics: status 503 Service Unavailable: upstream exploded"},
		},
		{
			name:     "a non-200 status is an error with the status",
			files:    []string{"status:404"},
			wantErrs: []string{"status 404 Not Found"},
		},
		{
			name:     "a body over the cap is refused",
			files:    []string{"shop-1.prom"},
			maxBody:  1 << 10,
			wantErrs: []string{"body exceeds 1 KiB"},
		},
		{
			name:     "a malformed line is a named parse error",
			files:    []string{"malformed.prom"},
			wantErrs: []string{"parse: text format parsing error in line 4"},
		},
		{
			name:     "an HTML page is not metrics",
			files:    []string{"page.html"},
			wantErrs: []string{"got an HTML page, not metrics"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fakes []*fakeTarget
			for _, f := range tt.files {
				fakes = append(fakes, newFakeTarget(t, f))
			}
			s := newTestSource(t, tt.maxBody, exprs, fakes...)
			var res source.Result
			var err error
			for i := range 2 {
				res, err = s.Collect(context.Background(), t0.Add(time.Duration(i)*time.Second))
			}
			if tt.wantNoErr && err != nil {
				t.Fatalf("err = %v", err)
			}
			for _, w := range tt.wantErrs {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to contain %q", err, w)
				}
			}
			if err != nil && strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("err carries an escape: %q", err)
			}
			if len(tt.want) == 0 && len(res.Values) > 0 {
				t.Errorf("values = %v, want none", res.Values)
			}
			for addr, want := range tt.want {
				if v, ok := res.Values[addr].Get(); !ok || v != want {
					t.Errorf("%s = %v (ok %v), want %v", addr, v, ok, want)
				}
			}
		})
	}
}

func TestScrapeClockThatDoesNotAdvanceGivesNoRate(t *testing.T) {
	s := newTestSource(t, 0, map[string]string{"pv": "rate(shop_page_views_total)"}, newFakeTarget(t, "shop-1.prom"))
	for range 2 {
		res, err := s.Collect(context.Background(), t0)
		if err != nil {
			t.Fatal(err)
		}
		if res.Values["pv"].OK() {
			t.Errorf("pv = %v, want missing", res.Values["pv"])
		}
	}
}

func TestScrapeNonFiniteResultIsAnErrorNamingTheSignal(t *testing.T) {
	s := newTestSource(t, 0, map[string]string{
		"huge": "shop_stock_remaining * 1e308 * 1e308",
		"ok":   "shop_stock_remaining",
	}, newFakeTarget(t, "shop-1.prom"))
	res, err := s.Collect(context.Background(), t0)
	if err == nil || !strings.Contains(err.Error(), "huge: the expression gave +Inf") {
		t.Errorf("err = %v, want one naming huge", err)
	}
	if res.Values["huge"].OK() || !res.Values["ok"].OK() {
		t.Errorf("values = %v, want huge missing and ok present", res.Values)
	}
}

func TestNewScrapeNamesTheBadExpression(t *testing.T) {
	_, err := New(&config.Scrape{Targets: []string{"http://shop:8080/metrics"}}, map[string]config.Signal{
		"pv":            {Scrape: "rate(5)", Pos: config.Pos{File: "examples/demo.yaml", Line: 14}},
		"endpoints.buy": {Scrape: `rate(x{handler="buy")`, Pos: config.Pos{File: "examples/demo.yaml", Line: 30}},
		"stock":         {Query: "sum(shop_stock_remaining)"},
	})
	want := []string{
		"examples/demo.yaml:14: signals.pv.scrape: col 6: rate() takes a selector, got 5",
		`examples/demo.yaml:30: endpoints.buy.scrape: col 21: expected '}', got ")"`,
	}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("err = %v, want it to contain %q", err, w)
		}
	}
}

func TestScrapeSignalsAreSortedAndOnlyScrapeOnes(t *testing.T) {
	s, err := New(&config.Scrape{Targets: []string{"http://shop:8080/metrics"}}, map[string]config.Signal{
		"stock": {Scrape: "shop_stock_remaining"},
		"pv":    {Scrape: "rate(shop_page_views_total)"},
		"sold":  {Query: "sum(rate(shop_orders_total[30s]))"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Signals(); !slices.Equal(got, []string{"pv", "stock"}) {
		t.Errorf("Signals() = %q", got)
	}
	if s.Name() != "scrape" {
		t.Errorf("Name() = %q", s.Name())
	}
}

func TestScrapeAsksForTheTextFormat(t *testing.T) {
	var accept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		_, _ = w.Write([]byte("up 1\n"))
	}))
	defer srv.Close()
	s, err := New(&config.Scrape{Targets: []string{srv.URL}}, signalsOf(map[string]string{"up": "up"}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Collect(context.Background(), t0)
	if err != nil || res.Values["up"].Or(0) != 1 {
		t.Fatalf("res = %v, err = %v; an untyped reply without a Content-Type is read as text", res, err)
	}
	if !strings.HasPrefix(accept, "text/plain;version=0.0.4") {
		t.Errorf("Accept = %q", accept)
	}
}

func TestScrapeRespectsTheDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s, err := New(&config.Scrape{Targets: []string{srv.URL}, Timeout: 50 * time.Millisecond},
		signalsOf(map[string]string{"up": "up"}))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := s.Collect(context.Background(), t0); err == nil {
		t.Error("a hung target gave no error")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Collect took %s past a 50ms timeout", took)
	}
}

// TestScrapeSimPresetParses checks every scrape expression the sim preset
// writes, the endpoints' too, parses.
func TestScrapeSimPresetParses(t *testing.T) {
	signals := simSignals(t, "http://shop:8080/metrics")
	for _, name := range []string{"pv", "requests", "connections", "bandwidth", "error_rate", "stock", "sold", "endpoints.buy"} {
		if signals[name].Scrape == "" {
			t.Errorf("the sim preset gave %s no scrape expression", name)
		}
	}
	if _, err := New(&config.Scrape{Targets: []string{"http://shop:8080/metrics"}}, signals); err != nil {
		t.Fatal(err)
	}
}

// simSignals loads a config with the sim preset and a scrape source
// and returns its signals by address.
func simSignals(t testing.TB, target string) map[string]config.Signal {
	t.Helper()
	cfg, err := config.Parse("sim.yaml", []byte(`launch: {name: demo}
preset: sim
sources:
  scrape:
    targets: [`+target+`]
endpoints:
  - {name: login, max_qps: 300}
  - {name: cart, max_qps: 200}
  - {name: buy, max_qps: 100}
`))
	if err != nil {
		t.Fatal(err)
	}
	signals := make(map[string]config.Signal)
	for name, s := range cfg.Signals {
		signals[name] = s
	}
	for _, e := range cfg.Endpoints {
		signals["endpoints."+e.Name] = e.Signal
	}
	return signals
}

// TestScrapeSimShop scrapes the demo shop end to end with the sim preset's
// expressions, at two instants of the shop's simulated clock, a minute into
// the sale.
func TestScrapeSimShop(t *testing.T) {
	start := time.Date(2026, 12, 1, 11, 59, 0, 0, time.UTC)
	var mu sync.Mutex
	wall := start
	shop, err := sim.New(sim.Options{
		Scenario: "second-launch", Speed: 1, StartIn: time.Minute, Seed: 7,
		Wall: func() time.Time { mu.Lock(); defer mu.Unlock(); return wall },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(shop.Handler())
	defer srv.Close()
	s, err := New(&config.Scrape{Targets: []string{srv.URL + "/metrics"}, Timeout: 5 * time.Second},
		simSignals(t, srv.URL+"/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	var polls []source.Result
	for _, at := range []time.Duration{2 * time.Minute, 2*time.Minute + 10*time.Second} {
		mu.Lock()
		wall = start.Add(at)
		mu.Unlock()
		res, err := s.Collect(context.Background(), shop.Now())
		if err != nil {
			t.Fatalf("collect at +%s: %v", at, err)
		}
		polls = append(polls, res)
	}
	first, second := polls[0], polls[1]
	stock1, ok1 := first.Values["stock"].Get()
	stock2, ok2 := second.Values["stock"].Get()
	if !ok1 || !ok2 || stock2 > stock1 || stock1 > 1000 || stock2 < 0 {
		t.Errorf("stock went %v → %v, want a non-increasing count within 0..1000", first.Values["stock"], second.Values["stock"])
	}
	if pv, ok := second.Values["pv"].Get(); !ok || pv <= 0 {
		t.Errorf("pv = %v a minute after launch, want > 0 (warnings %q)", second.Values["pv"], second.Warnings)
	}
	for _, name := range []string{"requests", "bandwidth", "connections", "sold", "endpoints.buy"} {
		if v, ok := second.Values[name].Get(); !ok || v < 0 {
			t.Errorf("%s = %v, want a figure >= 0 (warnings %q)", name, second.Values[name], second.Warnings)
		}
	}
	if er, ok := second.Values["error_rate"].Get(); !ok || er < 0 || er > 1 {
		t.Errorf("error_rate = %v, want a share in 0..1", second.Values["error_rate"])
	}
	t.Logf("at T0+70s: %v; warnings %q", second.Values, second.Warnings)
}

// benchBody is a realistic exposition of about 2,000 samples: request
// counters by handler, path and code, latency histograms, per-CPU counters
// and a Go runtime's gauges. step advances the counters.
func benchBody(step int) (body []byte, samples int) {
	var b strings.Builder
	n := 0
	handlers := []string{"page", "static", "login", "cart", "buy", "search", "api", "health", "admin", "webhook"}
	codes := []string{"200", "301", "404", "500", "502"}
	b.WriteString("# HELP shop_http_requests_total Requests by handler, path and code.\n# TYPE shop_http_requests_total counter\n")
	for i := range 240 {
		for j, c := range codes {
			fmt.Fprintf(&b, "shop_http_requests_total{code=%q,handler=%q,path=\"/p/%d\"} %d\n", c, handlers[i%len(handlers)], i, (i+1)*(j+1)*(step+10))
			n++
		}
	}
	b.WriteString("# HELP shop_http_request_duration_seconds Latency.\n# TYPE shop_http_request_duration_seconds histogram\n")
	bounds := []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}
	for _, h := range handlers {
		for k, le := range bounds {
			fmt.Fprintf(&b, "shop_http_request_duration_seconds_bucket{handler=%q,le=%q} %d\n", h, le, (k+1)*(step+5)*10)
			n++
		}
		fmt.Fprintf(&b, "shop_http_request_duration_seconds_sum{handler=%q} %d\nshop_http_request_duration_seconds_count{handler=%q} %d\n", h, step*7, h, len(bounds)*(step+5)*10)
		n += 2
	}
	b.WriteString("# HELP node_cpu_seconds_total CPU time.\n# TYPE node_cpu_seconds_total counter\n")
	for cpu := range 64 {
		for _, mode := range []string{"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"} {
			fmt.Fprintf(&b, "node_cpu_seconds_total{cpu=\"%d\",mode=%q} %d.25\n", cpu, mode, 1000+step*cpu)
			n++
		}
	}
	b.WriteString("# TYPE shop_page_views_total counter\n")
	fmt.Fprintf(&b, "shop_page_views_total %d\n", 1000+step*500)
	for _, g := range []string{"shop_http_connections_active", "shop_stock_remaining"} {
		fmt.Fprintf(&b, "# TYPE %s gauge\n%s %d\n", g, g, 5000-step)
		n += 2
	}
	for i := n; i < 2000; i++ {
		fmt.Fprintf(&b, "# HELP go_gauge_%d A runtime figure.\n# TYPE go_gauge_%d gauge\ngo_gauge_%d %d\n", i, i, i, i)
		n++
	}
	return []byte(b.String()), n
}

// benchOpenMetrics re-encodes a text exposition as OpenMetrics.
func benchOpenMetrics(b *testing.B, body []byte) []byte {
	b.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	var om bytes.Buffer
	enc := expfmt.NewEncoder(&om, expfmt.FmtOpenMetrics_1_0_0)
	for _, mf := range fams {
		if err := enc.Encode(mf); err != nil {
			b.Fatal(err)
		}
	}
	_ = enc.(expfmt.Closer).Close()
	return om.Bytes()
}

func BenchmarkParseExposition(b *testing.B) {
	body, samples := benchBody(1)
	om := benchOpenMetrics(b, body)
	for _, bc := range []struct {
		name, contentType string
		body              []byte
	}{
		{"text", "text/plain; version=0.0.4", body},
		{"openmetrics", "application/openmetrics-text; version=1.0.0", om},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				if _, err := parse(bc.body, bc.contentType, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(samples)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

func BenchmarkScrapeCollect(b *testing.B) {
	bodies := make([][]byte, 2)
	var samples int
	for i := range bodies {
		bodies[i], samples = benchBody(i + 1)
	}
	var poll atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(bodies[poll.Load()%2])
	}))
	defer srv.Close()
	s := newTestSource(b, 0, map[string]string{
		"pv":            "rate(shop_page_views_total)",
		"requests":      "rate(shop_http_requests_total)",
		"error_rate":    `rate(shop_http_requests_total{code=~"5.."}) / rate(shop_http_requests_total)`,
		"connections":   "shop_http_connections_active",
		"stock":         "shop_stock_remaining",
		"endpoints.buy": `rate(shop_http_requests_total{handler="buy"})`,
		"endpoints.api": `rate(shop_http_requests_total{handler="api", code!="404"})`,
		"host.cpu":      `1 - rate(node_cpu_seconds_total{mode="idle"}) / rate(node_cpu_seconds_total)`,
		"p99":           `histogram_quantile(0.99, shop_http_request_duration_seconds{handler="buy"})`,
		"p50":           `histogram_quantile(0.5, shop_http_request_duration_seconds)`,
	}, &fakeTarget{Server: srv})
	now := t0
	for b.Loop() {
		now = now.Add(time.Second)
		poll.Add(1)
		res, err := s.Collect(context.Background(), now)
		if err != nil {
			b.Fatal(err)
		}
		_ = res
	}
	b.ReportMetric(float64(samples)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkScrapeExpfmtOpenMetricsDecoder measures expfmt's own OpenMetrics
// decoder, the reason the scrape source translates OpenMetrics instead.
func BenchmarkScrapeExpfmtOpenMetricsDecoder(b *testing.B) {
	body, samples := benchBody(1)
	om := benchOpenMetrics(b, body)
	for b.Loop() {
		dec := expfmt.NewDecoder(bytes.NewReader(om), expfmt.FmtOpenMetrics_1_0_0)
		for {
			var mf dto.MetricFamily
			err := dec.Decode(&mf)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(samples)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

func TestScrapeSeriesMemory(t *testing.T) {
	mk := func(name string, v float64) sample {
		return sample{name: "m", key: name, value: v}
	}
	tests := []struct {
		name  string
		polls [][]sample
		want  expr.Series // the last poll's series with key "b"
	}{
		{
			name:  "a series born since the last answered poll counts from zero",
			polls: [][]sample{{mk("a", 1)}, {mk("a", 2), mk("b", 5)}},
			want:  expr.Series{Value: 5, Prev: 0, HasPrev: true, Elapsed: 10},
		},
		{
			name:  "a series that skipped a poll resumes from its last value",
			polls: [][]sample{{mk("b", 7)}, {mk("a", 1)}, {mk("b", 9)}},
			want:  expr.Series{Value: 9, Prev: 7, HasPrev: true, Elapsed: 20},
		},
		{
			name:  "a target's first poll has no previous values",
			polls: [][]sample{{mk("b", 3)}},
			want:  expr.Series{Value: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st state
			var data expr.Data
			for i, p := range tt.polls {
				data = make(expr.Data)
				st.advance(p, t0.Add(time.Duration(i)*10*time.Second), data)
			}
			got := data["m"][len(data["m"])-1]
			if got.Value != tt.want.Value || got.Prev != tt.want.Prev || got.HasPrev != tt.want.HasPrev || got.Elapsed != tt.want.Elapsed {
				t.Errorf("series = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestScrapeSeriesMemoryOutlivesTheMapsReusedPollToPoll(t *testing.T) {
	// The series maps are reused every other poll: a series remembered
	// across several polls, and one forgotten after forgetPolls,
	// must come through them unchanged.
	var st state
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	st.advance([]sample{{name: "m", key: "b", value: 7}, {name: "m", key: "c", value: 1}}, at(0), make(expr.Data))
	for i := 1; i <= 5; i++ {
		st.advance([]sample{{name: "m", key: "a", value: float64(i)}}, at(i), make(expr.Data))
	}
	data := make(expr.Data)
	st.advance([]sample{{name: "m", key: "a", value: 6}, {name: "m", key: "b", value: 9}}, at(6), data)
	got := data["m"]
	want := []expr.Series{
		{Value: 6, Prev: 5, HasPrev: true, Elapsed: 1},
		{Value: 9, Prev: 7, HasPrev: true, Elapsed: 6},
	}
	if len(got) != len(want) {
		t.Fatalf("series %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Value != want[i].Value || got[i].Prev != want[i].Prev || got[i].HasPrev != want[i].HasPrev || got[i].Elapsed != want[i].Elapsed {
			t.Errorf("series %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, ok := st.series["c"]; !ok {
		t.Fatalf("series c forgotten after 6 polls; it is kept for %d", forgetPolls)
	}
	for i := 7; i < 7+forgetPolls; i++ {
		st.advance([]sample{{name: "m", key: "a", value: float64(i)}}, at(i), make(expr.Data))
	}
	if _, ok := st.series["c"]; ok {
		t.Errorf("series c still remembered after %d polls without it", forgetPolls)
	}
	if len(st.names) != 1 || !st.names["m"] {
		t.Errorf("names = %v; want only the last poll's", st.names)
	}
}

func TestScrapeLetsGoOfMapsAndBuffersGrownForASpike(t *testing.T) {
	// Maps never shrink: after a spike of series has been forgotten, the
	// maps built for it are replaced rather than kept and cleared every
	// second; while it is remembered, they are kept.
	var st state
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	spike := make([]sample, 5000)
	for i := range spike {
		spike[i] = sample{name: "m", key: strconv.Itoa(i), value: 1}
	}
	few := []sample{{name: "m", key: "a", value: 1}}
	st.advance(spike, at(0), make(expr.Data))
	st.advance(few, at(1), make(expr.Data)) // the spike's series, remembered, fill the other map too
	big := map[uintptr]bool{reflect.ValueOf(st.series).Pointer(): true, reflect.ValueOf(st.spare).Pointer(): true}
	for i := 2; i < 4+forgetPolls; i++ {
		st.advance(few, at(i), make(expr.Data))
		// While the spike's series are remembered, the maps hold them:
		// they are kept, not built again every poll.
		if i < forgetPolls-1 && (!big[reflect.ValueOf(st.series).Pointer()] || !big[reflect.ValueOf(st.spare).Pointer()]) {
			t.Fatalf("poll %d: a map was built again while the spike's series are remembered", i)
		}
	}
	if len(st.series) != 1 {
		t.Fatalf("%d series remembered; want the spike forgotten", len(st.series))
	}
	for name, m := range map[string]map[string]prev{"series": st.series, "spare": st.spare} {
		if big[reflect.ValueOf(m).Pointer()] {
			t.Errorf("the %s map built for 5,000 series is still kept for 1", name)
		}
	}

	// A body buffer grown for one huge answer is let go once an answer
	// far smaller has been parsed.
	var b bodyBuffer
	b.buf.Write(make([]byte, 1<<20))
	b.trim()
	if b.buf.Cap() < 1<<20 {
		t.Fatalf("the buffer of a 1 MiB answer was let go while it held it")
	}
	b.buf.Reset()
	b.buf.WriteString("m 1\n")
	b.trim()
	if b.buf.Cap() >= 1<<20 {
		t.Errorf("a %d-byte buffer kept for a %d-byte answer", b.buf.Cap(), b.buf.Len())
	}
}
