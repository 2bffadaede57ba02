package prom_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
)

// The step: traffic jumps from 0 to stepRate page views a second, holds,
// then stops dead. The bound is the goal at a 1 s scrape and 1 s
// polls: 90% of the step within 6 s, below 10% within 6 s of the stop. A
// fixed 30 s window takes about 28 s for either, so the bound tells the
// two apart by a wide margin on any machine.
const (
	stepRate  = 48.0
	stepHold  = 15 * time.Second
	stepBound = 6 * time.Second
	// stepBoundVictoriaMetrics is looser: see the table in the test.
	stepBoundVictoriaMetrics = 8 * time.Second
	// stepAgeBound is how far the data age the source reports may be from
	// the truth: one scrape interval, VictoriaMetrics' own 1 s offset, and
	// a poll's rounding.
	stepAgeBound = 3 * time.Second
)

// stepCounter is a page-view counter whose rate is set by the test: its
// value is the exact integral of the rate over wall time, so the truth at
// any instant is known.
type stepCounter struct {
	mu    sync.Mutex
	rate  float64
	base  float64
	since time.Time
}

func (c *stepCounter) value(now time.Time) float64 {
	return c.base + c.rate*now.Sub(c.since).Seconds()
}

// set changes the rate now and returns when it changed.
func (c *stepCounter) set(rate float64) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.base, c.since, c.rate = c.value(now), now, rate
	return now
}

func (c *stepCounter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	v := c.value(time.Now())
	c.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# TYPE shop_page_views_total counter\nshop_page_views_total %.3f\n", v)
}

// stepSource builds a Prometheus source over url answering pv with the sim
// preset's own query.
func stepSource(t *testing.T, url string) (*prom.Source, string) {
	t.Helper()
	cfg, err := config.Parse("step.yaml", []byte(`launch: {name: step}
interval: 1s
preset: sim
sources:
  prometheus:
    url: `+url+`
    timeout: 800ms
`))
	if err != nil {
		t.Fatal(err)
	}
	pv := cfg.Signals["pv"]
	if !strings.Contains(pv.Query, "$__rate_interval") {
		t.Fatalf("the sim preset's pv query %q does not use $__rate_interval", pv.Query)
	}
	src, err := prom.New(cfg.Sources.Prometheus, map[string]config.Signal{"pv": pv},
		prom.Interval(cfg.Interval))
	if err != nil {
		t.Fatal(err)
	}
	return src, pv.Query
}

// stepPoll is one poll's reading.
type stepPoll struct {
	at  time.Time
	pv  float64
	ok  bool
	age time.Duration
	res source.Result
}

func stepCollect(src *prom.Source) stepPoll {
	ctx, cancel := context.WithTimeout(context.Background(), 900*time.Millisecond)
	defer cancel()
	at := time.Now()
	res, _ := src.Collect(ctx, at)
	pv, ok := res.Values["pv"].Get()
	return stepPoll{at: at, pv: pv, ok: ok, age: at.Sub(res.NewestSample), res: res}
}

// stepUntil polls every second from a step at t0 until cond holds or
// stepHold passes, and returns how long after t0 it first held (or -1) with
// every poll's reading.
func stepUntil(src *prom.Source, t0 time.Time, cond func(stepPoll) bool) (time.Duration, []stepPoll) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var polls []stepPoll
	took := time.Duration(-1)
	for time.Since(t0) < stepHold {
		<-tick.C
		p := stepCollect(src)
		polls = append(polls, p)
		if took < 0 && cond(p) {
			// The k-th poll after the step runs k seconds after it plus
			// the ticker's own microseconds: 100 ms is well below the
			// poll's resolution of a second.
			took = p.at.Sub(t0).Round(100 * time.Millisecond)
		}
	}
	return took, polls
}

// TestAStepShowsWithinSecondsOnPrometheusAndVictoriaMetrics serves a
// counter stepping 0 → 48/s → 0, lets a real Prometheus and a real
// VictoriaMetrics scrape it every second, polls through the Prometheus
// source with the sim preset's $__rate_interval query every second, and
// measures how long the figure takes to follow each step, and how old the
// source says its data is.
func TestAStepShowsWithinSecondsOnPrometheusAndVictoriaMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus and VictoriaMetrics")
	}
	vm := func(offset time.Duration) func(testing.TB, []string, time.Duration) *promtest.Server {
		return func(t testing.TB, targets []string, scrape time.Duration) *promtest.Server {
			return promtest.StartVictoriaMetricsWithLatencyOffset(t, targets, scrape, offset)
		}
	}
	servers := []struct {
		name  string
		start func(testing.TB, []string, time.Duration) *promtest.Server
		bound time.Duration
	}{
		{"prometheus", promtest.StartPrometheus, stepBound},
		// VictoriaMetrics makes samples searchable about a second after
		// it scrapes them (the data age reads 1.1 s even with
		// -search.latencyOffset=0s), and its rate() over [4s] reaches back
		// to the sample before the window: a 5 s ramp starting a second or
		// two late. Measured: 6 s at the offset of 1 s, 6 or 7 s at 0 s,
		// depending on where the step falls between two scrapes. The
		// bound here is looser than the 6 s on purpose, and still
		// fails by 20 s with the old fixed 30 s window.
		{"victoria-metrics offset 0s", vm(0), stepBoundVictoriaMetrics},
		{"victoria-metrics offset 1s", vm(time.Second), stepBoundVictoriaMetrics},
	}
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			counter := &stepCounter{since: time.Now()}
			shop := httptest.NewServer(counter)
			t.Cleanup(shop.Close)
			srv := s.start(t, []string{strings.TrimPrefix(shop.URL, "http://")}, time.Second)
			src, query := stepSource(t, srv.URL)

			// Wait until the scrape interval is detected and pv answers.
			deadline := time.Now().Add(30 * time.Second)
			for {
				p := stepCollect(src)
				if p.ok && p.res.ScrapeInterval == time.Second && len(p.res.Infos) == 0 {
					t.Logf("%s: scrape interval %s detected, rate window %s, query %s", s.name, p.res.ScrapeInterval, p.res.RateWindow, query)
					if p.res.RateWindow != 4*time.Second {
						t.Errorf("rate window %s, want 4s: max(1s + 1s, 4 x 1s)", p.res.RateWindow)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not ready after 30 s: pv %v, scrape %s, infos %q", p.res.Values, p.res.ScrapeInterval, p.res.Infos)
				}
				time.Sleep(500 * time.Millisecond)
			}

			up := counter.set(stepRate)
			rise, upPolls := stepUntil(src, up, func(p stepPoll) bool { return p.ok && p.pv >= 0.9*stepRate })
			down := counter.set(0)
			fall, downPolls := stepUntil(src, down, func(p stepPoll) bool { return p.ok && p.pv < 0.1*stepRate })

			t.Logf("%s: 90%% of the step after %s; below 10%% after %s (bound %s)", s.name, rise, fall, s.bound)
			t.Logf("%s: after the step: %s", s.name, stepFormat(upPolls))
			t.Logf("%s: after the stop: %s", s.name, stepFormat(downPolls))
			if rise < 0 || rise > s.bound {
				t.Errorf("%s: the step reached 90%% after %s, want within %s", s.name, rise, s.bound)
			}
			if fall < 0 || fall > s.bound {
				t.Errorf("%s: the stop fell below 10%% after %s, want within %s", s.name, fall, s.bound)
			}
			// The data is at most one scrape plus the server's offset old:
			// the age the source reports must say so.
			ages := stepAges(append(upPolls, downPolls...))
			median := ages[len(ages)/2]
			t.Logf("%s: data age median %s, max %s", s.name, median, ages[len(ages)-1])
			if median < 0 || median > stepAgeBound {
				t.Errorf("%s: median data age %s, want within %s of the truth (at most a scrape and the server's offset)", s.name, median, stepAgeBound)
			}
		})
	}
}

// TestVictoriaMetricsHiddenLatencyShowsInTheDataAge runs VictoriaMetrics
// with its default -search.latencyOffset of 30 s: its answers carry the
// evaluation time asked for, yet hold no sample newer than 30 s. The
// source must report the data about 30 s old, and say why.
func TestVictoriaMetricsHiddenLatencyShowsInTheDataAge(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts VictoriaMetrics")
	}
	t.Parallel()
	counter := &stepCounter{since: time.Now(), rate: stepRate}
	shop := httptest.NewServer(counter)
	t.Cleanup(shop.Close)
	srv := promtest.StartVictoriaMetricsWithLatencyOffset(t, []string{strings.TrimPrefix(shop.URL, "http://")}, time.Second, 30*time.Second)
	src, _ := stepSource(t, srv.URL)

	deadline := time.Now().Add(70 * time.Second)
	for {
		p := stepCollect(src)
		if p.ok && p.res.ScrapeInterval == time.Second {
			t.Logf("age %s, pv %.1f, infos %q", p.age, p.pv, p.res.Infos)
			if p.age < 29*time.Second || p.age > 33*time.Second {
				t.Errorf("data age %s, want about 30 s: the server hides its newest 30 s", p.age)
			}
			if !strings.Contains(strings.Join(p.res.Infos, " "), "-search.latencyOffset") {
				t.Errorf("infos %q, want the hidden latency named", p.res.Infos)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer after 70 s: pv %v, scrape %s, infos %q", p.res.Values, p.res.ScrapeInterval, p.res.Infos)
		}
		time.Sleep(time.Second)
	}
}

func stepFormat(polls []stepPoll) string {
	var b strings.Builder
	for i, p := range polls {
		if i > 0 {
			b.WriteString(" ")
		}
		if !p.ok {
			b.WriteString("–")
			continue
		}
		fmt.Fprintf(&b, "%.1f", p.pv)
	}
	return b.String()
}

func stepAges(polls []stepPoll) []time.Duration {
	var ages []time.Duration
	for _, p := range polls {
		ages = append(ages, p.age)
	}
	sort.Slice(ages, func(i, j int) bool { return ages[i] < ages[j] })
	return ages
}
