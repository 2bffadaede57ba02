package sim

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/internal/testtool"
)

// epoch is the fake wall clock's start; any fixed instant works.
var epoch = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// testSpeed is the sped-up clock the tests run at.
const testSpeed = 10

// testStartIn puts T0 past the 10-minute countdown, so walks see the
// pre-launch trickle too.
const testStartIn = 12 * time.Minute

// newTestShop builds a shop on a fake clock whose sale opens testStartIn of
// simulated time after start.
func newTestShop(t testing.TB, scenario string, seed int64) (*Shop, *testtool.Clock) {
	t.Helper()
	return newFleetShop(t, scenario, seed, 0)
}

// newFleetShop is newTestShop with a fleet of servers (0: the default).
func newFleetShop(t testing.TB, scenario string, seed int64, servers int) (*Shop, *testtool.Clock) {
	t.Helper()
	clock := testtool.NewClock(epoch)
	s, err := New(Options{Scenario: scenario, Speed: testSpeed, StartIn: testStartIn, Seed: seed, Servers: servers, Wall: clock.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, clock
}

// advanceSim moves the fake wall clock so d of simulated time passes.
func advanceSim(clock *testtool.Clock, d time.Duration) {
	clock.Advance(time.Duration(float64(d) / testSpeed))
}

// sample is one scrape of the shop's own series, flattened to
// "name{label=value,...}" keys (histograms as _count, _sum and _bucket).
// A series with an instance label is kept under its own key and also summed
// into the key without it: the fleet's total.
type sample struct {
	rel    time.Duration // simulated time relative to T0
	values map[string]float64
	kinds  map[string]dto.MetricType
}

func (s sample) v(key string) float64 { return s.values[key] }

// scrape fetches /metrics through httptest and parses it with expfmt.
func scrape(t testing.TB, s *Shop, h http.Handler) sample {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", rec.Code)
	}
	parser := expfmt.NewTextParser(prommodel.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	list := make([]*dto.MetricFamily, 0, len(families))
	for _, mf := range families {
		list = append(list, mf)
	}
	return flatten(s, list)
}

// gather reads the shop's registry without HTTP: the same series as
// scrape, for the walks where encoding and parsing them would be most of
// the test's time.
func gather(t testing.TB, s *Shop, _ http.Handler) sample {
	t.Helper()
	families, err := s.Registry().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	return flatten(s, families)
}

// flatten turns the shop's own families into a sample.
func flatten(s *Shop, families []*dto.MetricFamily) sample {
	out := sample{rel: s.Now().Sub(s.LaunchAt()), values: map[string]float64{}, kinds: map[string]dto.MetricType{}}
	for _, mf := range families {
		name := mf.GetName()
		if !strings.HasPrefix(name, "shop_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			keys := []string{name + labelString(m, "")}
			if total := name + labelString(m, "instance"); total != keys[0] {
				keys = append(keys, total)
			}
			for _, key := range keys {
				add := func(k string, v float64, kind dto.MetricType) {
					out.values[k] += v
					out.kinds[k] = kind
				}
				switch mf.GetType() {
				case dto.MetricType_COUNTER:
					add(key, m.GetCounter().GetValue(), dto.MetricType_COUNTER)
				case dto.MetricType_GAUGE:
					add(key, m.GetGauge().GetValue(), dto.MetricType_GAUGE)
				case dto.MetricType_HISTOGRAM:
					hs := m.GetHistogram()
					add(key+"_count", float64(hs.GetSampleCount()), dto.MetricType_COUNTER)
					add(key+"_sum", hs.GetSampleSum(), dto.MetricType_COUNTER)
					for _, b := range hs.GetBucket() {
						add(key+"_bucket_"+fmtFloat(b.GetUpperBound()), float64(b.GetCumulativeCount()), dto.MetricType_COUNTER)
					}
				}
			}
		}
	}
	return out
}

// labelString renders m's labels, sorted, leaving out the label named
// without (none when it is "").
func labelString(m *dto.Metric, without string) string {
	var parts []string
	for _, l := range m.GetLabel() {
		if l.GetName() == without {
			continue
		}
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	slices.Sort(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

func fmtFloat(f float64) string { return time.Duration(f * 1e9).String() }

// walk scrapes a fresh shop every `every` of simulated time from start until
// `until` after T0.
func walk(t testing.TB, scenario string, seed int64, every, until time.Duration) []sample {
	t.Helper()
	return walkFleet(t, scenario, seed, 0, every, until)
}

// walkFleet is walk with a fleet of servers (0: the default).
func walkFleet(t testing.TB, scenario string, seed int64, servers int, every, until time.Duration) []sample {
	t.Helper()
	return walkReading(t, scrape, scenario, seed, servers, every, until)
}

// walkReading is walkFleet reading each sample with read.
func walkReading(t testing.TB, read func(testing.TB, *Shop, http.Handler) sample,
	scenario string, seed int64, servers int, every, until time.Duration) []sample {
	t.Helper()
	s, clock := newFleetShop(t, scenario, seed, servers)
	h := s.Handler()
	var out []sample
	for {
		smp := read(t, s, h)
		out = append(out, smp)
		if smp.rel >= until {
			return out
		}
		advanceSim(clock, every)
	}
}

// walkCache keeps the long walks so several tests can read one run.
var walkCache = struct {
	sync.Mutex
	runs map[string][]sample
}{runs: map[string][]sample{}}

// scrapeEvery is the simulated scrape interval of the full walks.
const scrapeEvery = 10 * time.Second

// fullWalk returns the walk from start to well past sell-out, computed once.
func fullWalk(t testing.TB, scenario string) []sample {
	t.Helper()
	walkCache.Lock()
	defer walkCache.Unlock()
	if run, ok := walkCache.runs[scenario]; ok {
		return run
	}
	until := 20 * time.Minute
	if scenario == "first-launch" {
		until = 100 * time.Minute
	}
	run := walk(t, scenario, 1, scrapeEvery, until)
	walkCache.runs[scenario] = run
	return run
}

// shopKeys lists a sample's keys in order, for stable failure messages.
func shopKeys(s sample) []string { return slices.Sorted(maps.Keys(s.values)) }
