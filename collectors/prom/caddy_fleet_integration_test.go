package prom_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

// A fleet of three real Caddy servers behind no balancer but our own load
// generator, each made to fail in one of the ways a launch fails: the hot
// one gets twice the others' share, the slow one waits on a 300 ms
// upstream, the failing one passes on its upstream's 502 for every third
// request. A real Prometheus scrapes their admin /metrics every second.
const (
	cfSlowUpstream = 300 * time.Millisecond
	cfFailEvery    = 3 // the failing upstream answers 502 to every third request

	// The load: requests per second sent to each server, paced (open
	// loop), for cfLoadFor; the figures are read cfMeasureAt after it
	// started, while it still runs.
	cfHotRPS    = 40.0
	cfOtherRPS  = 20.0
	cfLoadFor   = 16 * time.Second
	cfMeasureAt = 13 * time.Second

	// cfScrapeTold is the scrape interval the source is told, so that
	// $__rate_interval (4 x it) is 8 s: long enough to hold about 160
	// requests of the smaller servers, short enough to start after the
	// load's first seconds. Prometheus itself scrapes every second.
	cfScrapeTold = 2 * time.Second
	cfWindow     = 4 * cfScrapeTold

	// cfScrapeGap is the time between the two polls of pollUnderLoad: the
	// window of a scrape source's rates.
	cfScrapeGap = 4 * time.Second
)

// Tolerances, and why:
//   - rates (requests, failures by code, a server's share), 10% relative:
//     the load is paced, so both sides count the same steady flow; the
//     difference is the window's edges, where Prometheus' newest sample is
//     up to 1 s old and its rate is extrapolated to the window's ends
//     (1 s of an 8 s window is 12% at worst, about half that typically).
//     Read straight from /metrics, a rate is the counters' difference
//     between two polls 4 s apart; the difference is what is in flight at
//     either end (Caddy counts a request when it starts, the client when
//     its answer comes: 0.3 s later on the slow server).
//   - error rates, 0.03 absolute: a ratio of two such rates, whose edge
//     errors mostly cancel.
//   - latency: a quantile of a classic histogram is only known to the
//     bucket it falls in (Prometheus interpolates linearly inside it), so
//     the answer must lie in the Caddy bucket holding the quantile the
//     load generator measured (see cfInBucket for fast answers).
const (
	cfRateTol     = 0.10
	cfErrorTol    = 0.03
	cfServerBound = 0.1 // seconds: a wait the client's overhead cannot move a bucket
)

// caddyBuckets are the bounds of caddy_http_request_duration_seconds
// (client_golang's default buckets).
var caddyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// TestCaddyPresetAgreesWithTheLoadItCarried drives real load through three
// Caddy servers and checks that the caddy preset's fleet-wide figures say
// what the load generator counted: its queries through the Prometheus
// source, its scrape expressions through the scrape source reading the
// admin /metrics, and its error_codes query straight from Prometheus.
func TestCaddyPresetAgreesWithTheLoadItCarried(t *testing.T) {
	f := startCaddyFleet(t)
	cfg, scr := f.config(t, ""), f.scrapeConfig(t, "")
	snaps, at := f.pollUnderLoad(t, cfg, scr)
	snap, scraped := snaps[0], snaps[1]
	codes := f.query(t, cfg.Signals[snapshot.SignalErrorCodes].Query, at)
	all := f.counted(at.Add(-cfWindow), at, f.members...)

	cfRel(t, "requests", snap.Get(snapshot.SignalRequests), all.rate(), cfRateTol)
	cfAbs(t, "error_rate", snap.Get(snapshot.SignalErrorRate), all.errorRate(), cfErrorTol)
	cfInBucket(t, "latency_p95", snap.Get(snapshot.SignalLatencyP95), all.quantile(0.95))

	// The same preset read straight from the admin /metrics, its rates
	// over the cfScrapeGap between the two polls.
	gap := f.counted(at.Add(-cfScrapeGap), at, f.members...)
	cfRel(t, "scraped requests", scraped.Get(snapshot.SignalRequests), gap.rate(), cfRateTol)
	cfAbs(t, "scraped error_rate", scraped.Get(snapshot.SignalErrorRate), gap.errorRate(), cfErrorTol)
	cfInBucket(t, "scraped latency_p95", scraped.Get(snapshot.SignalLatencyP95), gap.quantile(0.95))

	// error_codes: one series a failing code, by "code": only 502 here.
	if len(codes) != 1 {
		t.Errorf("error_codes answered %v, want one series, 502", codes)
	}
	for code, n := range all.failures {
		cfRel(t, "error_codes "+code, codes[code], n/cfWindow.Seconds(), cfRateTol)
		cfRel(t, "the source's error_codes "+code, snap.ErrorCodes[code], n/cfWindow.Seconds(), cfRateTol)
		cfRel(t, "scraped error_codes "+code, scraped.ErrorCodes[code], gap.failures[code]/cfScrapeGap.Seconds(), cfRateTol)
	}
	if len(snap.ErrorCodes) != 1 || len(scraped.ErrorCodes) != 1 {
		t.Errorf("error codes %v through Prometheus, %v scraped: want 502 alone", snap.ErrorCodes, scraped.ErrorCodes)
	}
}

// TestCaddyFleetNamesTheHotTheSlowAndTheFailingServer is the fleet view
// against the same three servers, through the normal config path
// (fleet: {label: instance}, preset caddy) and one poll, through
// Prometheus and read straight from the servers' /metrics alike: each
// server's request share, p95 and error rate say what it was made to do,
// and the hot server comes first by share.
func TestCaddyFleetNamesTheHotTheSlowAndTheFailingServer(t *testing.T) {
	f := startCaddyFleet(t)
	const fleet = "fleet: {label: instance}\n"
	snaps, at := f.pollUnderLoad(t, f.config(t, fleet), f.scrapeConfig(t, fleet))
	for i, via := range []struct {
		name   string
		window time.Duration
	}{{"prometheus", cfWindow}, {"scrape", cfScrapeGap}} {
		t.Run(via.name, func(t *testing.T) {
			f.checkFleet(t, snaps[i], at.Add(-via.window), at)
		})
	}
}

// checkFleet holds a snapshot's fleet against what the load generator
// counted of each server over (from, to].
func (f *caddyFleet) checkFleet(t *testing.T, snap snapshot.Snapshot, from, to time.Time) {
	if len(snap.Fleet) != len(f.members) {
		t.Fatalf("fleet = %+v, want the %d servers", snap.Fleet, len(f.members))
	}
	all := f.counted(from, to, f.members...)
	var total float64
	for _, srv := range snap.Fleet {
		v, _ := srv.Requests.Get()
		total += v
	}
	for _, m := range f.members {
		srv := mustServer(t, snap, m)
		own := f.counted(from, to, m)
		got, _ := srv.Requests.Get()
		cfRel(t, m.role+" share", snapshot.Some(got/total), own.rate()/all.rate(), cfRateTol)
		cfAbs(t, m.role+" error_rate", srv.ErrorRate, own.errorRate(), cfErrorTol)
		cfInBucket(t, m.role+" latency_p95", srv.LatencyP95, own.quantile(0.95))
	}

	if p95, ok := mustServer(t, snap, f.member("slow")).LatencyP95.Get(); !ok || p95 < cfSlowUpstream.Seconds() {
		t.Errorf("the slow server's p95 = %.3f s (ok %v), want at least its upstream's %s", p95, ok, cfSlowUpstream)
	}
	byShare := slices.Clone(snap.Fleet)
	slices.SortStableFunc(byShare, func(a, b snapshot.Server) int {
		x, _ := a.Requests.Get()
		y, _ := b.Requests.Get()
		return cmp.Compare(y, x)
	})
	if hot := f.member("hot"); byShare[0].Name != hot.caddy.Target {
		t.Errorf("by share the fleet runs %s, want the hot server %s first", names(byShare), hot.caddy.Target)
	}
}

// caddyFleet is the three servers, their upstreams and the Prometheus
// scraping them.
type caddyFleet struct {
	prom    *promtest.Server
	members []*cfMember
}

// cfMember is one Caddy server and what the load generator saw of it.
type cfMember struct {
	role  string
	rps   float64
	caddy *promtest.Caddy

	mu   sync.Mutex
	seen []cfAnswer
}

// cfAnswer is one request as the client saw it.
type cfAnswer struct {
	done time.Time
	took time.Duration
	code int
}

func startCaddyFleet(t *testing.T) *caddyFleet {
	t.Helper()
	slowUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(cfSlowUpstream):
		case <-r.Context().Done():
		}
		_, _ = io.WriteString(w, "slow\n")
	}))
	t.Cleanup(slowUp.Close)
	var n atomic.Int64
	failingUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%cfFailEvery == 0 {
			http.Error(w, "upstream gave up", http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	}))
	t.Cleanup(failingUp.Close)

	f := &caddyFleet{members: []*cfMember{
		{role: "hot", rps: cfHotRPS, caddy: promtest.StartCaddy(t, `respond "ok" 200`)},
		{role: "slow", rps: cfOtherRPS, caddy: promtest.StartCaddy(t, "reverse_proxy "+strings.TrimPrefix(slowUp.URL, "http://"))},
		{role: "failing", rps: cfOtherRPS, caddy: promtest.StartCaddy(t, "reverse_proxy "+strings.TrimPrefix(failingUp.URL, "http://"))},
	}}
	targets := make([]string, len(f.members))
	for i, m := range f.members {
		targets[i] = m.caddy.Target
	}
	f.prom = promtest.StartPrometheus(t, targets, time.Second)
	// Every target scraped at least once before the load starts, so each
	// series exists from its first request on.
	deadline := time.Now().Add(30 * time.Second)
	for {
		up := f.query(t, `count(up == 1)`, time.Now())
		if v, ok := up[""].Get(); ok && int(v) == len(targets) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus has not scraped the %d Caddy servers after 30 s: up %v", len(targets), up)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return f
}

// config loads the caddy preset against the fleet's Prometheus, with
// extra YAML (a fleet block) before its sources.
func (f *caddyFleet) config(t *testing.T, extra string) *config.Config {
	t.Helper()
	return cfParse(t, fmt.Sprintf(`%ssources:
  prometheus:
    url: %s
    timeout: 800ms
    scrape_interval: %s
`, extra, f.prom.URL, cfScrapeTold))
}

// scrapeConfig loads the caddy preset reading the servers' admin
// /metrics directly, without Prometheus, with extra YAML before its
// sources.
func (f *caddyFleet) scrapeConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	urls := make([]string, len(f.members))
	for i, m := range f.members {
		urls[i] = m.caddy.URL + "/metrics"
	}
	return cfParse(t, extra+"sources:\n  scrape:\n    timeout: 800ms\n    targets: ["+strings.Join(urls, ", ")+"]\n")
}

func cfParse(t *testing.T, sources string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("caddy-fleet.yaml", []byte("launch: {name: caddy-fleet}\ninterval: 1s\npreset: caddy\n"+sources))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// pollUnderLoad builds each config's sources through the normal config
// path, starts the load, and polls them all twice: cfScrapeGap before
// cfMeasureAt into the load (a scrape source's rates need a previous
// poll) and at it. It returns the second snapshots, in the configs'
// order, and the time they were taken at.
func (f *caddyFleet) pollUnderLoad(t *testing.T, cfgs ...*config.Config) ([]snapshot.Snapshot, time.Time) {
	t.Helper()
	pollers := make([]*collectors.Poller, len(cfgs))
	for i, cfg := range cfgs {
		sources, err := collectors.FromConfig(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		pollers[i] = collectors.NewPoller(sources)
	}
	pollAll := func(at time.Time) []snapshot.Snapshot {
		time.Sleep(time.Until(at))
		snaps := make([]snapshot.Snapshot, len(pollers))
		var wg sync.WaitGroup
		for i, p := range pollers {
			wg.Go(func() { snaps[i] = p.Poll(context.Background()) })
		}
		wg.Wait()
		return snaps
	}
	at := f.drive(t).Add(cfMeasureAt)
	pollAll(at.Add(-cfScrapeGap))
	return pollAll(at), at
}

// drive starts the load: each member's rps, paced, for cfLoadFor. It
// returns when the load started; the test's end waits for it to stop.
func (f *caddyFleet) drive(t *testing.T) time.Time {
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, m := range f.members {
		wg.Go(func() {
			tick := time.NewTicker(time.Duration(float64(time.Second) / m.rps))
			defer tick.Stop()
			stop := time.After(cfLoadFor)
			var inflight sync.WaitGroup
			defer inflight.Wait()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					inflight.Go(func() { m.send(client) })
				}
			}
		})
	}
	t.Cleanup(wg.Wait)
	return start
}

func (m *cfMember) send(client *http.Client) {
	began := time.Now()
	code := 0
	resp, err := client.Get(m.caddy.SiteURL + "/")
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		code = resp.StatusCode
	}
	now := time.Now()
	m.mu.Lock()
	m.seen = append(m.seen, cfAnswer{done: now, took: now.Sub(began), code: code})
	m.mu.Unlock()
}

func (f *caddyFleet) member(role string) *cfMember {
	for _, m := range f.members {
		if m.role == role {
			return m
		}
	}
	panic("no member " + role)
}

// cfCount is what the load generator counted over a window.
type cfCount struct {
	secs     float64
	answers  float64
	failures map[string]float64 // 5xx answers by code
	took     []float64
	refused  int // requests with no HTTP answer at all
}

// counted sums the answers of members that completed within (from, to].
func (f *caddyFleet) counted(from, to time.Time, members ...*cfMember) cfCount {
	c := cfCount{secs: to.Sub(from).Seconds(), failures: map[string]float64{}}
	for _, m := range members {
		m.mu.Lock()
		for _, a := range m.seen {
			if !a.done.After(from) || a.done.After(to) {
				continue
			}
			switch {
			case a.code == 0:
				c.refused++
				continue
			case a.code >= 500:
				c.failures[fmt.Sprint(a.code)]++
			}
			c.answers++
			c.took = append(c.took, a.took.Seconds())
		}
		m.mu.Unlock()
	}
	return c
}

func (c cfCount) rate() float64 { return c.answers / c.secs }

func (c cfCount) errorRate() float64 {
	var failed float64
	for _, n := range c.failures {
		failed += n
	}
	return failed / max(c.answers, 1)
}

// quantile is the q-th quantile of the latencies the client measured.
func (c cfCount) quantile(q float64) float64 {
	if len(c.took) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(c.took))
	return s[int(math.Ceil(q*float64(len(s))))-1]
}

// query runs an instant query (its Grafana variables filled as the source
// fills them) and returns its series by their labels' string ("" for a
// series without labels, "502" for one with only a code).
func (f *caddyFleet) query(t *testing.T, q string, at time.Time) map[string]snapshot.Value {
	t.Helper()
	filled, err := promql.Expand(q, promql.Vars{Interval: time.Second, Scrape: cfScrapeTold})
	if err != nil {
		t.Fatal(err)
	}
	client, err := api.NewClient(api.Config{Address: f.prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, _, _, err := promv1.NewAPI(client).Query(ctx, filled, at)
	if err != nil {
		t.Fatalf("query %s: %v", filled, err)
	}
	out := map[string]snapshot.Value{}
	vec, _ := v.(model.Vector)
	for _, s := range vec {
		var parts []string
		for _, l := range s.Metric {
			parts = append(parts, string(l))
		}
		slices.Sort(parts)
		out[strings.Join(parts, ",")] = snapshot.Some(float64(s.Value))
	}
	return out
}

func mustServer(t *testing.T, snap snapshot.Snapshot, m *cfMember) snapshot.Server {
	t.Helper()
	srv, ok := snap.Server(m.caddy.Target)
	if !ok {
		t.Fatalf("%s (%s) is not in the fleet", m.role, m.caddy.Target)
	}
	return srv
}

func names(fleet []snapshot.Server) string {
	out := make([]string, len(fleet))
	for i, s := range fleet {
		v, _ := s.Requests.Get()
		out[i] = fmt.Sprintf("%s (%.1f req/s)", s.Name, v)
	}
	return strings.Join(out, ", ")
}

// cfRel checks v is within tol of want, relative to want.
func cfRel(t *testing.T, what string, v snapshot.Value, want, tol float64) {
	t.Helper()
	cfAbs(t, what, v, want, tol*math.Abs(want))
}

// cfAbs checks v is within tol of want.
func cfAbs(t *testing.T, what string, v snapshot.Value, want, tol float64) {
	t.Helper()
	got, ok := v.Get()
	off := math.Abs(got - want)
	switch {
	case !ok:
		t.Errorf("%s: missing, the load generator counted %.4g", what, want)
	case off > tol:
		t.Errorf("%s = %.4g, the load generator counted %.4g: off by %.3g, more than %.3g", what, got, want, off, tol)
	default:
		t.Logf("%s = %.4g, counted %.4g (off by %.3g, %.1f%%)", what, got, want, off, 100*off/math.Max(math.Abs(want), 1e-12))
	}
}

// cfInBucket checks a histogram quantile against the quantile the client
// measured. Caddy's clock stops before the client's (which also holds the
// client's scheduling and the connection, a few milliseconds under this
// load), so the answer lies at most in the Caddy bucket holding the
// client's figure; where the wait is the server's (cfServerBound and
// above: the slow upstream), in that very bucket.
func cfInBucket(t *testing.T, what string, v snapshot.Value, measured float64) {
	t.Helper()
	got, ok := v.Get()
	i, _ := slices.BinarySearch(caddyBuckets, measured)
	lo, hi := 0.0, math.Inf(1)
	if i > 0 && measured >= cfServerBound {
		lo = caddyBuckets[i-1]
	}
	if i < len(caddyBuckets) {
		hi = caddyBuckets[i]
	}
	switch {
	case !ok:
		t.Errorf("%s: missing, the client measured %.4f s", what, measured)
	case got <= lo || got > hi:
		t.Errorf("%s = %.4f s, outside (%g, %g] for the %.4f s the client measured", what, got, lo, hi, measured)
	default:
		t.Logf("%s = %.4f s, client %.4f s, within (%g, %g]", what, got, measured, lo, hi)
	}
}
