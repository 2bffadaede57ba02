package prom

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fakeRoute is how the fake server answers one query.
type fakeRoute struct {
	status      int    // 0 means 200
	file        string // under testdata/prometheus
	contentType string // "" means application/json
	hang        bool   // block until the request's context is done
}

// fakeRoutes maps a query text to its answer: each test signal's Query is a
// route name, so one fake serves every case.
var fakeRoutes = map[string]fakeRoute{
	"one":          {file: "vector-one.json"},
	"three":        {file: "vector-three.json"},
	"five":         {file: "vector-five.json"},
	"scalar":       {file: "scalar.json"},
	"empty":        {file: "vector-empty.json"},
	"nan":          {file: "vector-nan.json"},
	"inf":          {file: "vector-inf.json"},
	"matrix":       {file: "matrix.json"},
	"string":       {file: "string.json"},
	"thanos":       {file: "thanos-partial.json"},
	"infos":        {file: "infos.json"},
	"mimir-limit":  {status: 422, file: "mimir-422.json"},
	"bad-query":    {status: 400, file: "bad-data-400.json"},
	"escape":       {status: 422, file: "escape-422.json"},
	"crash":        {status: 500, file: "bad-gateway-502.html", contentType: "text/html"},
	"unavailable":  {status: 503, file: "unavailable-503.txt", contentType: "text/plain; charset=utf-8"},
	"bad-gateway":  {status: 502, file: "bad-gateway-502.html", contentType: "text/html"},
	"login-page":   {file: "login-page.html", contentType: "text/html; charset=utf-8"},
	"hang":         {hang: true},
	"unknown-json": {file: "login-page.html", contentType: "application/octet-stream"},
}

// fakeServer serves fakeRoutes and remembers what it was asked. The query
// for the newest sample's time is not a route, its text being built from
// the metric names: it is answered by newest, or by default with no sample
// (the age then reads as the query time, with nothing to warn about).
type fakeServer struct {
	mu       sync.Mutex
	times    []string // the time parameter of each query
	user     string
	password string
	newest   fakeRoute
}

// newestNone is the default answer to the newest-sample query.
var newestNone = fakeRoute{file: "vector-empty.json"}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/query" {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.times = append(f.times, r.FormValue("time"))
	f.user, f.password, _ = r.BasicAuth()
	newest := f.newest
	f.mu.Unlock()
	route, ok := fakeRoutes[r.FormValue("query")]
	if !ok && strings.Contains(r.FormValue("query"), "timestamp(") {
		route, ok = newest, true
		if route == (fakeRoute{}) {
			route = newestNone
		}
	}
	if !ok {
		http.Error(w, "no route for "+r.FormValue("query"), http.StatusTeapot)
		return
	}
	if route.hang {
		<-r.Context().Done()
		return
	}
	body, err := os.ReadFile(filepath.Join("testdata", route.file))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ct := route.contentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	if route.status != 0 {
		w.WriteHeader(route.status)
	}
	_, _ = w.Write(body)
}

// newTestSource starts a fake and a source over it answering signals, each
// given as address=route.
func newTestSource(t testing.TB, timeout time.Duration, signals map[string]config.Signal) (*Source, *fakeServer) {
	t.Helper()
	fake := &fakeServer{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	p, err := New(&config.Prometheus{URL: srv.URL, Timeout: timeout}, signals)
	if err != nil {
		t.Fatal(err)
	}
	return p, fake
}

func TestPrometheusCollectTurnsEachAnswerIntoAValueOrANamedError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		route    string
		multi    string
		want     float64 // checked when wantErr is empty
		wantErr  string
		warnings []string
		infos    []string
	}{
		{name: "a vector with one sample is its value", route: "one", want: 42.5},
		{name: "a vector with several samples is summed, with a warning", route: "three", multi: config.MultiSum,
			want: 42.5, warnings: []string{"pv: summed 3 series"}},
		{name: "an unset multi sums like sum", route: "three", want: 42.5, warnings: []string{"pv: summed 3 series"}},
		{name: "a vector with several samples is refused, naming them, when multi is refuse", route: "three",
			multi: config.MultiRefuse, wantErr: `pv: 3 series where one is expected (multi: refuse): {instance="web-1:9100", job="shop"}`},
		{name: "a refusal names only the first three series, their labels cleaned of escapes", route: "five", multi: config.MultiRefuse,
			wantErr: `pv: 5 series where one is expected (multi: refuse): {instance="web-1"}, {instance="web-2"}, {instance="web-3"}, …`},
		{name: "a scalar is its value", route: "scalar", want: 0.25},
		{name: "an empty vector is an error", route: "empty", wantErr: "pv: empty result (no series match)"},
		{name: "NaN is an error, never a value", route: "nan", wantErr: "pv: value is NaN"},
		{name: "+Inf is an error, never a value", route: "inf", wantErr: "pv: value is +Inf"},
		{name: "a range vector is an error", route: "matrix", wantErr: "pv: matrix result where a number is expected"},
		{name: "a string is an error", route: "string", wantErr: `query pv: bad response: unexpected value type "string"`},
		{name: "Thanos partial-response warnings are kept, prefixed with the signal", route: "thanos", want: 7,
			warnings: []string{"pv: No StoreAPIs matched for this query", "pv: receive-2: rpc error: code = Unavailable desc = connection refused"}},
		{name: "infos are kept apart from warnings, prefixed with the signal", route: "infos", want: 3,
			infos: []string{`pv: PromQL info: metric might not be a counter`}},
		{name: "a 500 names its status and not the HTML page", route: "crash", wantErr: "query pv: server answered 500 Internal Server Error"},
		{name: "a 503 names its status and the plain-text reason", route: "unavailable",
			wantErr: "query pv: server answered 503 Service Unavailable: Service Unavailable: the query frontend is shutting down"},
		{name: "a 502 HTML page from a proxy names the status only", route: "bad-gateway", wantErr: "query pv: server answered 502 Bad Gateway"},
		{name: "a Mimir 422 limit names the status and the limit", route: "mimir-limit",
			wantErr: "query pv: server answered 422 Unprocessable Entity: execution: the query exceeded the maximum number of chunks"},
		{name: "a 400 names the parse error", route: "bad-query",
			wantErr: "query pv: server answered 400 Bad Request: bad_data: invalid parameter \"query\": 1:6: parse error"},
		{name: "an HTML page with 200 (a login proxy) is a bad response naming HTML", route: "login-page",
			wantErr: "query pv: bad response: HTML instead of JSON (content-type text/html; charset=utf-8)"},
		{name: "another non-JSON body names its content type", route: "unknown-json",
			wantErr: "query pv: bad response: not JSON (content-type application/octet-stream)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, _ := newTestSource(t, 2*time.Second, map[string]config.Signal{"pv": {Query: tt.route, Multi: tt.multi}})
			res, err := p.Collect(context.Background(), time.Now())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if v, ok := res.Values["pv"]; ok {
					t.Errorf("pv = %v alongside an error, want it absent", v)
				}
			} else {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if got, ok := res.Values["pv"].Get(); !ok || got != tt.want {
					t.Errorf("pv = %v, want %v", res.Values["pv"], tt.want)
				}
			}
			if len(res.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings = %q, want %d like %q", res.Warnings, len(tt.warnings), tt.warnings)
			}
			for i, w := range tt.warnings {
				if !strings.HasPrefix(res.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to start %q", i, res.Warnings[i], w)
				}
			}
			if len(res.Infos) != len(tt.infos) {
				t.Fatalf("infos = %q, want %d like %q", res.Infos, len(tt.infos), tt.infos)
			}
			for i, w := range tt.infos {
				if !strings.HasPrefix(res.Infos[i], w) {
					t.Errorf("info %d = %q, want it to start %q", i, res.Infos[i], w)
				}
			}
			if tt.wantErr != "" {
				msg, ok := res.Errors["pv"]
				if !ok || !strings.Contains("query pv: "+msg, tt.wantErr) && !strings.Contains("pv: "+msg, tt.wantErr) {
					t.Errorf("errors = %q, want pv's own error like %q", res.Errors, tt.wantErr)
				}
			}
		})
	}
}

func TestPrometheusAHangingQueryTimesOutWhileTheOthersComeBack(t *testing.T) {
	t.Parallel()
	p, _ := newTestSource(t, 300*time.Millisecond, map[string]config.Signal{
		"pv":    {Query: "hang"},
		"stock": {Query: "one"},
		"sold":  {Query: "unavailable"},
	})
	start := time.Now()
	res, err := p.Collect(context.Background(), time.Now())
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Collect took %s with a 300ms timeout", took)
	}
	if err == nil {
		t.Fatal("no error for a hanging and a failing query")
	}
	for _, want := range []string{"query pv: timed out after 300ms", "query sold: server answered 503 Service Unavailable"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to contain %q", err, want)
		}
	}
	if got, ok := res.Values["stock"].Get(); !ok || got != 42.5 {
		t.Errorf("stock = %v, want 42.5 despite the others failing", res.Values["stock"])
	}
	if len(res.Values) != 1 {
		t.Errorf("values = %v, want stock alone", res.Values)
	}
}

func TestPrometheusNamesAnUntrustedCertificate(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(&fakeServer{})
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	p, err := New(&config.Prometheus{URL: srv.URL, Timeout: 2 * time.Second},
		map[string]config.Signal{"pv": {Query: "one"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Collect(context.Background(), time.Now())
	want := "x509: certificate signed by unknown authority"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "query pv: ") {
		t.Fatalf("err = %v, want it to start with the signal and contain %q", err, want)
	}
	if strings.Contains(err.Error(), srv.URL) {
		t.Errorf("err = %q repeats the URL", err)
	}
}

func TestPrometheusNamesARefusedConnectionWithoutTheURL(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&fakeServer{})
	url := srv.URL
	srv.Close()
	p, err := New(&config.Prometheus{URL: url, Timeout: 2 * time.Second},
		map[string]config.Signal{"pv": {Query: "one"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Collect(context.Background(), time.Now())
	if err == nil || !strings.HasPrefix(err.Error(), "query pv: dial tcp") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want query pv: dial tcp …: connection refused", err)
	}
}

func TestPrometheusCleansEscapeSequencesFromServerMessages(t *testing.T) {
	t.Parallel()
	p, _ := newTestSource(t, 2*time.Second, map[string]config.Signal{"pv": {Query: "escape"}})
	_, err := p.Collect(context.Background(), time.Now())
	if err == nil {
		t.Fatal("no error for a 422")
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\x1b\x07\u009b\u202e") || strings.Contains(msg, "pwned") {
		t.Errorf("err = %q keeps an escape sequence or control", msg)
	}
	if !strings.Contains(msg, "limit hit") || !strings.Contains(msg, "evil") {
		t.Errorf("err = %q lost the readable text", msg)
	}
}

func TestPrometheusSendsBasicAuthWhenConfigured(t *testing.T) {
	t.Parallel()
	fake := &fakeServer{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg := &config.Prometheus{URL: srv.URL, Timeout: 2 * time.Second, HTTPClientConfig: promconfig.HTTPClientConfig{
		BasicAuth: &promconfig.BasicAuth{Username: "watch", Password: promconfig.Secret("s3cret")},
	}}
	p, err := New(cfg, map[string]config.Signal{"pv": {Query: "one"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Collect(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.user != "watch" || fake.password != "s3cret" {
		t.Errorf("basic auth = %q:%q, want watch:s3cret", fake.user, fake.password)
	}
}

func TestPrometheusEvaluatesAtTheWallClockMinusTheLatencyOffset(t *testing.T) {
	t.Parallel()
	p, fake := newTestSource(t, 2*time.Second, map[string]config.Signal{"pv": {Query: "one"}})
	p.offset = 30 * time.Second
	wall := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p.wall = func() time.Time { return wall }
	simulated := wall.Add(3 * time.Hour) // the demo's sped-up clock runs ahead
	if _, err := p.Collect(context.Background(), simulated); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	// The signal's query and the one asking for the newest sample's time.
	want := strconv.FormatInt(wall.Add(-30*time.Second).Unix(), 10)
	if len(fake.times) != 2 {
		t.Errorf("%d queries, want the signal's and the sample-time query", len(fake.times))
	}
	for _, got := range fake.times {
		if !strings.HasPrefix(got, want) {
			t.Errorf("time = %q, want %s (wall clock minus offset, not the snapshot clock)", fake.times, want)
		}
	}
}

func TestPrometheusAnswersOnlySignalsWithAQuerySorted(t *testing.T) {
	t.Parallel()
	p, err := New(&config.Prometheus{URL: "http://127.0.0.1:9"}, map[string]config.Signal{
		"stock":         {Query: "sum(shop_stock_remaining)"},
		"endpoints.buy": {Query: "x"},
		"pv":            {Scrape: "rate(shop_page_views_total)"},
		"host.cpu":      {Query: "y"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(p.Signals(), ","), "endpoints.buy,host.cpu,stock"; got != want {
		t.Errorf("Signals() = %s, want %s", got, want)
	}
	if p.Name() != "prometheus" {
		t.Errorf("Name() = %q", p.Name())
	}
	if want := 800 * time.Millisecond; p.timeout != want { // 80% of the default 1 s interval
		t.Errorf("timeout = %s, want the default %s when unset", p.timeout, want)
	}
}

func TestAnAnswerOverTheBodyCapIsANamedError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// A valid answer padded far past the cap: without the cap,
		// client_golang would read all of it.
		_, _ = io.WriteString(w, `{"status":"success","data":{"resultType":"scalar","result":[1,"1"]},"padding":"`)
		_, _ = io.WriteString(w, strings.Repeat("x", 1<<20))
		_, _ = io.WriteString(w, `"}`)
	}))
	defer srv.Close()
	p, err := New(&config.Prometheus{URL: srv.URL, Timeout: 5 * time.Second, MaxBodyBytes: 64 << 10},
		map[string]config.Signal{"pv": {Query: "x", Multi: config.MultiSum}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Collect(context.Background(), time.Now())
	if err == nil || !strings.Contains(err.Error(), "query pv: ") || !strings.Contains(err.Error(), "exceeds sources.prometheus.max_body_bytes") {
		t.Errorf("err = %v, want the cap named", err)
	}
}

func TestNewPrometheusRefusesAMissingURL(t *testing.T) {
	t.Parallel()
	if _, err := New(&config.Prometheus{}, nil); err == nil {
		t.Error("no error for an empty url")
	}
	if _, err := New(nil, nil); err == nil {
		t.Error("no error for a nil block")
	}
}

// BenchmarkPrometheusCollect measures one poll of ten signals against a
// local fake: the client's own overhead (HTTP, JSON, goroutines).
func BenchmarkPrometheusCollect(b *testing.B) {
	signals := make(map[string]config.Signal, 10)
	for i := range 10 {
		signals[fmt.Sprintf("endpoints.e%d", i)] = config.Signal{Query: "one"}
	}
	p, _ := newTestSource(b, 2*time.Second, signals)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := p.Collect(ctx, time.Now())
		if err != nil || len(res.Values) != 10 {
			b.Fatalf("values %d, err %v", len(res.Values), err)
		}
	}
}

// A percentile of no requests (histogram_quantile over an idle endpoint)
// is NaN: no value, and no failure of the source; any other NaN fails.
func TestANaNPercentileIsMissingNotAFailure(t *testing.T) {
	p, _ := newTestSource(t, 2*time.Second, map[string]config.Signal{
		snapshot.SignalLatencyP95:         {Query: "nan"},
		snapshot.EndpointP95Signal("buy"): {Query: "nan"},
		snapshot.SignalPV:                 {Query: "one"},
	})
	res, err := p.Collect(context.Background(), time.Now())
	if err != nil {
		t.Fatalf("an idle endpoint's percentile failed the source: %v", err)
	}
	for _, addr := range []string{snapshot.SignalLatencyP95, snapshot.EndpointP95Signal("buy")} {
		if v, ok := res.Values[addr]; ok {
			t.Errorf("%s = %v, want missing", addr, v)
		}
	}
	if res.Values[snapshot.SignalPV].Or(-1) != 42.5 {
		t.Errorf("pv = %v", res.Values[snapshot.SignalPV])
	}
}
