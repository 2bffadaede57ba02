package prom_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fleetServer is one web server's /metrics: requests by code as counters
// growing at fixed rates, a connections gauge, and a request-duration
// histogram whose every request falls in one bucket. The figures any
// query over them gives follow by hand.
type fleetServer struct {
	since       time.Time
	rates       map[string]float64 // requests per second by code
	connections float64
	bucket      string // the le every request's duration falls under
}

var fleetBuckets = []string{"0.1", "0.5", "1", "+Inf"}

func (s *fleetServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	secs := time.Since(s.since).Seconds()
	var b strings.Builder
	b.WriteString("# TYPE fleet_requests_total counter\n")
	total := 0.0
	for code, r := range s.rates {
		fmt.Fprintf(&b, "fleet_requests_total{code=%q} %.6f\n", code, r*secs)
		total += r
	}
	fmt.Fprintf(&b, "# TYPE fleet_connections gauge\nfleet_connections %g\n", s.connections)
	b.WriteString("# TYPE fleet_duration_seconds histogram\n")
	in := 0.0
	for _, le := range fleetBuckets {
		if le == s.bucket {
			in = total
		}
		fmt.Fprintf(&b, "fleet_duration_seconds_bucket{le=%q} %.6f\n", le, in*secs)
	}
	fmt.Fprintf(&b, "fleet_duration_seconds_count %.6f\nfleet_duration_seconds_sum %.6f\n", total*secs, 0.0)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = w.Write([]byte(b.String()))
}

// fleetRateTol is the relative tolerance of a rate: the counters are
// exact lines, and Prometheus' extrapolated rate over a 5 s window of 1 s
// scrapes is off only by the jitter between the scrape's timestamp and
// the moment the counter was computed (milliseconds of 4 s).
const fleetRateTol = 0.02

// startFleet starts two servers, fast and healthy (a) and slow and
// failing a quarter of its requests with 502 (b), and a real Prometheus
// scraping both every second. It returns the server's URL and each
// server's instance label.
func startFleet(t *testing.T) (url, a, b string) {
	t.Helper()
	now := time.Now()
	srvA := httptest.NewServer(&fleetServer{since: now, rates: map[string]float64{"200": 10}, connections: 10, bucket: "0.1"})
	t.Cleanup(srvA.Close)
	srvB := httptest.NewServer(&fleetServer{since: now, rates: map[string]float64{"200": 15, "502": 5}, connections: 30, bucket: "1"})
	t.Cleanup(srvB.Close)
	a, b = strings.TrimPrefix(srvA.URL, "http://"), strings.TrimPrefix(srvB.URL, "http://")
	p := promtest.StartPrometheus(t, []string{a, b}, time.Second)
	return p.URL, a, b
}

// perInstance runs a query and sums its answer by instance, dropping
// series without one, as the source does.
func perInstance(ctx context.Context, q promv1.API, query string) (map[string]float64, error) {
	v, _, _, err := q.Query(ctx, query, time.Now())
	if err != nil {
		return nil, err
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("%s answer", v.Type())
	}
	out := map[string]float64{}
	for _, s := range vec {
		if inst := string(s.Metric["instance"]); inst != "" {
			out[inst] += float64(s.Value)
		}
	}
	return out, nil
}

func near(got, want, tol float64) bool {
	if want == 0 {
		return got == 0
	}
	return math.Abs(got-want)/math.Abs(want) <= tol
}

func TestTheFleetFromTheSameQueriesAgainstARealPrometheus(t *testing.T) {
	url, a, b := startFleet(t)
	client, err := api.NewClient(api.Config{Address: url})
	if err != nil {
		t.Fatal(err)
	}
	q := promv1.NewAPI(client)
	const w = "[5s]"
	tests := []struct {
		name, query string
		a, b        float64
	}{
		{"a sum", "sum(rate(fleet_requests_total" + w + "))", 10, 20},
		{"the preset's error rate: 0, not missing, where no 5xx series exists",
			`(sum(rate(fleet_requests_total{code=~"5.."}` + w + `)) or vector(0)) / clamp_min(sum(rate(fleet_requests_total` + w + `)), 1e-9)`, 0, 0.25},
		{"a bare ratio reads 0 where its numerator has no series",
			`sum(rate(fleet_requests_total{code="502"}` + w + `)) / sum(rate(fleet_requests_total` + w + `))`, 0, 0.25},
		{"histogram_quantile over by (le)", "histogram_quantile(0.95, sum by (le) (rate(fleet_duration_seconds_bucket" + w + ")))",
			0.095, 0.975},
		{"topk per server", "topk(1, sum by (code) (rate(fleet_requests_total" + w + ")))", 10, 15},
		{"nested aggregations", "max(sum by (code) (rate(fleet_requests_total" + w + ")))", 10, 15},
		{"a side without the label", "sum(fleet_connections) + vector(1)", 11, 31},
		{"scalar() stays the whole", "sum(fleet_connections) / scalar(sum(fleet_connections))", 0.25, 0.75},
		{"group_left ignoring", "sum by (code) (rate(fleet_requests_total" + w + ")) / ignoring(code) group_left sum(rate(fleet_requests_total" + w + "))", 1, 1},
		{"on()", `sum(rate(fleet_requests_total{code="200"}` + w + `)) and on() sum(fleet_connections)`, 10, 15},
		{"a query without aggregation", `rate(fleet_requests_total{code="200"}` + w + `)`, 10, 15},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rewritten, err := promql.KeepLabel(tt.query, "instance")
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]float64
			for {
				got, err = perInstance(ctx, q, rewritten)
				if err == nil && len(got) == 2 && near(got[a], tt.a, fleetRateTol) && near(got[b], tt.b, fleetRateTol) {
					break
				}
				if ctx.Err() != nil {
					t.Fatalf("%s\nanswers a=%s %v, b=%s %v (%v); want %g, %g", rewritten, a, got[a], b, got[b], err, tt.a, tt.b)
				}
				time.Sleep(250 * time.Millisecond)
			}
			t.Logf("%s: a %.4g, b %.4g", rewritten, got[a], got[b])
		})
	}
}

func TestThePrometheusSourceAnswersTheFleetAndTheCodesOfARealPrometheus(t *testing.T) {
	url, a, b := startFleet(t)
	cfg, err := config.Parse("fleet.yaml", []byte(`launch: {name: fleet}
interval: 1s
fleet: {label: instance}
sources:
  prometheus: {url: `+url+`, timeout: 800ms, scrape_interval: 1s}
signals:
  requests: {query: "sum(rate(fleet_requests_total[$__rate_interval]))"}
  connections: {query: "sum(fleet_connections)"}
  error_rate: {query: '(sum(rate(fleet_requests_total{code=~"5.."}[$__rate_interval])) or vector(0)) / clamp_min(sum(rate(fleet_requests_total[$__rate_interval])), 1e-9)'}
  latency_p95: {query: "histogram_quantile(0.95, sum by (le) (rate(fleet_duration_seconds_bucket[$__rate_interval])))"}
  error_codes: {query: 'sum by (code) (rate(fleet_requests_total{code=~"5.."}[$__rate_interval]))'}
`))
	if err != nil {
		t.Fatal(err)
	}
	src, err := prom.New(cfg.Sources.Prometheus, cfg.Signals, prom.Interval(cfg.Interval), prom.Fleet(cfg.Fleet.Label))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]snapshot.Server{
		a: {Name: a, Requests: snapshot.Some(10), Connections: snapshot.Some(10), ErrorRate: snapshot.Some(0), LatencyP95: snapshot.Some(0.095)},
		b: {Name: b, Requests: snapshot.Some(20), Connections: snapshot.Some(30), ErrorRate: snapshot.Some(0.25), LatencyP95: snapshot.Some(0.975)},
	}
	agrees := func(fleet map[string]snapshot.Server) bool {
		if len(fleet) != len(want) {
			return false
		}
		for name, w := range want {
			for _, sig := range snapshot.FleetSignals {
				g, wv := fleet[name].Get(sig), w.Get(sig)
				if g.OK() != wv.OK() || (wv.OK() && !near(g.Or(-1), wv.Or(-1), fleetRateTol)) {
					return false
				}
			}
		}
		return true
	}
	deadline := time.Now().Add(60 * time.Second)
	var agreed time.Time // the first poll whose rate windows were full
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		res, err := src.Collect(ctx, time.Now())
		cancel()
		codes := res.ErrorCodes["502"]
		if err == nil && agrees(res.Fleet) && len(res.ErrorCodes) == 1 && near(codes.Or(-1), 5, fleetRateTol) {
			t.Logf("fleet %+v, codes %v", res.Fleet, res.ErrorCodes)
			agreed = time.Now()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fleet %+v\nwant  %+v\ncodes %v, err %v", res.Fleet, want, res.ErrorCodes, err)
		}
		time.Sleep(250 * time.Millisecond)
	}

	// The history of the seconds since holds the same fleet at each step:
	// their rate windows are full too.
	h, err := prom.NewHistory(src)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(agreed.Add(4 * time.Second)))
	var last snapshot.Snapshot
	steps := 0
	err = h.Fetch(context.Background(), agreed, agreed.Add(3*time.Second), func(_ prom.Chunk, snaps []snapshot.Snapshot) error {
		for _, s := range snaps {
			steps++
			fleet := map[string]snapshot.Server{}
			for _, srv := range s.Fleet {
				fleet[srv.Name] = srv
			}
			if !agrees(fleet) {
				t.Errorf("history at %s: fleet %+v, want %+v", s.Time.Format(time.RFC3339), s.Fleet, want)
			}
			last = s
		}
		return nil
	})
	if err != nil || steps < 3 {
		t.Fatalf("history: %d steps, %v", steps, err)
	}
	if v := last.ErrorCodes["502"]; !near(v.Or(-1), 5, fleetRateTol) {
		t.Errorf("history's codes %v, want 502 at 5/s", last.ErrorCodes)
	}
}
