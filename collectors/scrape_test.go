package collectors

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
)

// scrapeFake is a /metrics endpoint serving a file of testdata/scrape, which
// a test swaps between polls.
type scrapeFake struct {
	*httptest.Server
	mu   sync.Mutex
	file string // a file name, or "status:503"
	hits int
}

func newScrapeFake(t testing.TB, file string) *scrapeFake {
	t.Helper()
	f := &scrapeFake{file: file}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *scrapeFake) set(file string) {
	f.mu.Lock()
	f.file = file
	f.mu.Unlock()
}

func (f *scrapeFake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	file := f.file
	f.hits++
	f.mu.Unlock()
	if code, ok := strings.CutPrefix(file, "status:"); ok {
		status, _ := strconv.Atoi(code)
		http.Error(w, "upstream \x1b[31mexploded\x1b[0m", status)
		return
	}
	body, err := os.ReadFile(filepath.Join("testdata", "scrape", file))
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

// scrapeSignals builds a signal map from address → expression.
func scrapeSignals(exprs map[string]string) map[string]config.Signal {
	out := make(map[string]config.Signal, len(exprs))
	for addr, e := range exprs {
		out[addr] = config.Signal{Scrape: e, Pos: config.Pos{File: "demo.yaml", Line: 14}}
	}
	return out
}

func newTestScrape(t testing.TB, maxBody int64, exprs map[string]string, targets ...*scrapeFake) *Scrape {
	t.Helper()
	cfg := &config.Scrape{Timeout: 2 * time.Second, MaxBodyBytes: maxBody}
	for _, f := range targets {
		cfg.Targets = append(cfg.Targets, f.URL+"/metrics")
	}
	s, err := NewScrape(cfg, scrapeSignals(exprs))
	if err != nil {
		t.Fatalf("NewScrape: %v", err)
	}
	return s
}

var scrapeT0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// scrapeWant is what a test expects of one signal after the last poll:
// a value (within 1e-9), or missing.
type scrapeWant struct {
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
		want     map[string]scrapeWant
		warnings []string
	}{
		{
			name:  "the first poll reads gauges and warms up rates",
			polls: []string{"shop-1.prom"},
			want: map[string]scrapeWant{
				"connections": {value: 120}, "stock": {value: 5000},
				"pv": {missing: true}, "requests": {missing: true}, "error_rate": {missing: true},
				"endpoints.buy": {missing: true}, "host.p50": {missing: true},
			},
			warnings: []string{"pv: warming up", "requests: warming up", "error_rate: warming up", "host.p50: warming up"},
		},
		{
			name:  "rates are increases over the injected clock between two polls",
			polls: []string{"shop-1.prom", "shop-2.prom"},
			want: map[string]scrapeWant{
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
			want: map[string]scrapeWant{
				"pv":       {value: 20}, // 200/10, not (200-1000)/10
				"requests": {value: 15}, // (50+0+100)/10
			},
		},
		{
			name:  "an idle ratio reads 0 and x/0 is missing with a warning",
			polls: []string{"shop-1.prom", "shop-1.prom"},
			want: map[string]scrapeWant{
				"pv": {value: 0}, "error_rate": {value: 0}, "per_conn": {missing: true},
			},
			warnings: []string{"per_conn: division by zero"},
		},
		{
			name:  "an OpenMetrics reply is parsed, its counters keeping _total",
			polls: []string{"shop.om", "shop.om"},
			want: map[string]scrapeWant{
				"connections": {value: 120}, "stock": {value: 5000}, "pv": {value: 0},
				"requests": {missing: true},
			},
			warnings: []string{"requests: no series named shop_http_requests_total"},
		},
		{
			name:  "label values are cleaned of escapes before matching",
			polls: []string{"escapes.prom"},
			want:  map[string]scrapeWant{"connections": {value: 1111}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newScrapeFake(t, tt.polls[0])
			s := newTestScrape(t, 0, exprs, fake)
			var res Result
			for i, file := range tt.polls {
				fake.set(file)
				var err error
				res, err = s.Collect(context.Background(), scrapeT0.Add(time.Duration(i)*10*time.Second))
				if err != nil {
					t.Fatalf("poll %d: %v", i, err)
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
	s := newTestScrape(t, 0, map[string]string{
		"buy":    `shop_http_connections_active{handler="buy"}`,
		"quoted": `shop_http_connections_active{handler="buy \"quoted\"\\"}`,
	}, newScrapeFake(t, "escapes.prom"))
	res, err := s.Collect(context.Background(), scrapeT0)
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
			var fakes []*scrapeFake
			for _, f := range tt.files {
				fakes = append(fakes, newScrapeFake(t, f))
			}
			s := newTestScrape(t, tt.maxBody, exprs, fakes...)
			var res Result
			var err error
			for i := range 2 {
				res, err = s.Collect(context.Background(), scrapeT0.Add(time.Duration(i)*time.Second))
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
	s := newTestScrape(t, 0, map[string]string{"pv": "rate(shop_page_views_total)"}, newScrapeFake(t, "shop-1.prom"))
	for range 2 {
		res, err := s.Collect(context.Background(), scrapeT0)
		if err != nil {
			t.Fatal(err)
		}
		if res.Values["pv"].OK() {
			t.Errorf("pv = %v, want missing", res.Values["pv"])
		}
	}
}

func TestScrapeNonFiniteResultIsAnErrorNamingTheSignal(t *testing.T) {
	s := newTestScrape(t, 0, map[string]string{
		"huge": "shop_stock_remaining * 1e308 * 1e308",
		"ok":   "shop_stock_remaining",
	}, newScrapeFake(t, "shop-1.prom"))
	res, err := s.Collect(context.Background(), scrapeT0)
	if err == nil || !strings.Contains(err.Error(), "huge: the expression gave +Inf") {
		t.Errorf("err = %v, want one naming huge", err)
	}
	if res.Values["huge"].OK() || !res.Values["ok"].OK() {
		t.Errorf("values = %v, want huge missing and ok present", res.Values)
	}
}

func TestNewScrapeNamesTheBadExpression(t *testing.T) {
	_, err := NewScrape(&config.Scrape{Targets: []string{"http://shop:8080/metrics"}}, map[string]config.Signal{
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
	s, err := NewScrape(&config.Scrape{Targets: []string{"http://shop:8080/metrics"}}, map[string]config.Signal{
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
	s, err := NewScrape(&config.Scrape{Targets: []string{srv.URL}}, scrapeSignals(map[string]string{"up": "up"}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Collect(context.Background(), scrapeT0)
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
	s, err := NewScrape(&config.Scrape{Targets: []string{srv.URL}, Timeout: 50 * time.Millisecond},
		scrapeSignals(map[string]string{"up": "up"}))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := s.Collect(context.Background(), scrapeT0); err == nil {
		t.Error("a hung target gave no error")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Collect took %s past a 50ms timeout", took)
	}
}

// TestScrapeSimPresetParses checks every scrape expression the sim preset
// writes, the endpoints' too, parses.
func TestScrapeSimPresetParses(t *testing.T) {
	signals := scrapeSimSignals(t, "http://shop:8080/metrics")
	for _, name := range []string{"pv", "requests", "connections", "bandwidth", "error_rate", "stock", "sold", "endpoints.buy"} {
		if signals[name].Scrape == "" {
			t.Errorf("the sim preset gave %s no scrape expression", name)
		}
	}
	if _, err := NewScrape(&config.Scrape{Targets: []string{"http://shop:8080/metrics"}}, signals); err != nil {
		t.Fatal(err)
	}
}

// scrapeSimSignals loads a config with the sim preset and a scrape source
// and returns its signals by address.
func scrapeSimSignals(t testing.TB, target string) map[string]config.Signal {
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
