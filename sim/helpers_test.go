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
	clock := testtool.NewClock(epoch)
	s, err := New(Options{Scenario: scenario, Speed: testSpeed, StartIn: testStartIn, Seed: seed, Wall: clock.Now})
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
	out := sample{rel: s.Now().Sub(s.LaunchAt()), values: map[string]float64{}, kinds: map[string]dto.MetricType{}}
	for name, mf := range families {
		if !strings.HasPrefix(name, "shop_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			key := name + labelString(m)
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				out.values[key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out.values[key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				hs := m.GetHistogram()
				out.values[key+"_count"] = float64(hs.GetSampleCount())
				out.values[key+"_sum"] = hs.GetSampleSum()
				for _, b := range hs.GetBucket() {
					bk := key + "_bucket_" + fmtFloat(b.GetUpperBound())
					out.values[bk] = float64(b.GetCumulativeCount())
					out.kinds[bk] = dto.MetricType_COUNTER
				}
				out.kinds[key+"_count"] = dto.MetricType_COUNTER
				out.kinds[key+"_sum"] = dto.MetricType_COUNTER
				continue
			}
			out.kinds[key] = mf.GetType()
		}
	}
	return out
}

func labelString(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
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
	s, clock := newTestShop(t, scenario, seed)
	h := s.Handler()
	var out []sample
	for {
		smp := scrape(t, s, h)
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
