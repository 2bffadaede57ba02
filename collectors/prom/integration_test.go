package prom_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

// The window the comparison runs over: the presets' rate() range, so the
// server's rate at the window's end and the simulator's counter delta across
// it cover the same 30 s. The presets use $__rate_interval; the source is
// told a 7.5 s scrape interval (itScrapeFor30s) so that it stands for
// 4 x 7.5 s = 30 s here, a window long enough to average the simulator's
// noise, while the queries themselves are the presets' unchanged.
const (
	itWindow       = 30 * time.Second
	itScrapeFor30s = itWindow / 4
)

// Tolerances, and why:
//   - Rates (pv, requests), 5% relative. Both sides average the same 30 s,
//     so the difference comes only from the window's edges: the server's
//     first and last samples sit up to one 1 s scrape inside them and are
//     extrapolated (Prometheus) or taken from the sample just before the
//     window (VictoriaMetrics, no extrapolation). One second of a 30 s
//     window is 3.3% at worst; the sim's rate moves about 1%/s after T0
//     (avalanche decay, tau 90 s) and carries 4% AR(1) noise, which a
//     30 s average mostly cancels.
//   - error_rate, 0.01 absolute: a ratio of two such rates whose edge
//     errors mostly cancel; absolute because it may be 0 (no 502s yet).
//   - stock, 8 units: the server holds the sample from the last scrape, up
//     to 1 s old, while orders arrive at about 1.7/s (1000 in 10 min) as a
//     Poisson process; 8 is about 3.5 sigma above the mean for 1 s.
//   - connections, 8% relative: a gauge up to 1 s older than our own
//     reading, following the byte rate (4% AR noise, about 1%/s decay).
const (
	itRateTol        = 0.05
	itErrorRateTol   = 0.01
	itStockTol       = 8.0
	itConnectionsTol = 0.08
)

// TestPrometheusSourceAgreesWithTheSimulator runs the demo shop, lets a real
// Prometheus and a real VictoriaMetrics scrape it every second, and checks
// that the sim preset's queries, read through the Prometheus source, agree
// with the shop's own counters read straight from its /metrics.
func TestPrometheusSourceAgreesWithTheSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus and VictoriaMetrics")
	}
	servers := []struct {
		name  string
		start func(testing.TB, []string, time.Duration) *promtest.Server
		// offset is our latency_offset: 0 for Prometheus, which answers
		// from its head block at once; 2 s for VictoriaMetrics, started
		// with -search.latencyOffset=1s, so the point queried has settled.
		offset time.Duration
		// Each server watches its own shop: the fix through Prometheus,
		// the crash (most requests answered 502) through VictoriaMetrics,
		// so the error rate is checked away from zero too.
		scenario     string
		minErrorRate float64
	}{
		{"prometheus", promtest.StartPrometheus, 0, "second-launch", 0},
		{"victoria-metrics", promtest.StartVictoriaMetrics, 2 * time.Second, "first-launch", 0.3},
	}
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, base := simtest.Serve(t, sim.Options{Scenario: s.scenario, Speed: 1, StartIn: 0, Seed: 1})
			srv := s.start(t, []string{strings.TrimPrefix(base, "http://")}, time.Second)
			errRate := itCompare(t, srv.URL, s.offset, base+"/metrics")
			if errRate < s.minErrorRate {
				t.Errorf("%s: the shop's own error rate was %.3f, below %.2f: the test did not exercise a failing shop", s.scenario, errRate, s.minErrorRate)
			}
		})
	}
}

// itCompare waits for data, reads the shop's counters at both ends of a
// window, and compares them with the source's answer at the window's end.
// It returns the shop's own error rate over the window.
func itCompare(t *testing.T, url string, offset time.Duration, metricsURL string) float64 {
	src := itSource(t, url, offset)
	want := []string{"pv", "requests", "connections", "error_rate", "stock"}

	// Wait until every signal answers: the server has scraped at least
	// twice, so a window starting now has a sample at or before its start.
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := itCollect(src)
		if itHasAll(res, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no data after 30 s: values %v, err %v", res.Values, err)
		}
		time.Sleep(250 * time.Millisecond)
	}

	start := itScrapeSim(t, metricsURL)
	time.Sleep(time.Until(start.at.Add(itWindow)))
	end := itScrapeSim(t, metricsURL)
	// Evaluate at the window's end: the source queries at wall time minus
	// the offset, so wait the offset out first.
	time.Sleep(time.Until(end.at.Add(offset)))
	res, err := itCollect(src)
	if err != nil {
		t.Errorf("collect: %v", err)
	}

	secs := end.at.Sub(start.at).Seconds()
	pvWant := (end.pageViews - start.pageViews) / secs
	reqWant := (end.requests - start.requests) / secs
	errWant := 0.0
	if d := end.requests - start.requests; d > 0 {
		errWant = (end.failed - start.failed) / d
	}
	itRel(t, res, "pv", pvWant, itRateTol)
	itRel(t, res, "requests", reqWant, itRateTol)
	itAbs(t, res, "error_rate", errWant, itErrorRateTol)
	itAbs(t, res, "stock", end.stock, itStockTol)
	itRel(t, res, "connections", end.connections, itConnectionsTol)
	return errWant
}

func itSource(t *testing.T, url string, offset time.Duration) *prom.Source {
	t.Helper()
	yaml := fmt.Sprintf(`launch: {name: integration}
interval: 1s
preset: sim
sources:
  prometheus:
    url: %s
    timeout: 800ms
    latency_offset: %s
    scrape_interval: %s
`, url, offset, itScrapeFor30s)
	cfg, err := config.Parse("integration.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	src, err := prom.New(cfg.Sources.Prometheus, cfg.Signals)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func itCollect(src *prom.Source) (source.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return src.Collect(ctx, time.Now())
}

func itHasAll(res source.Result, signals []string) bool {
	for _, s := range signals {
		if !res.Values[s].OK() {
			return false
		}
	}
	return true
}

func itRel(t *testing.T, res source.Result, sig string, want, tol float64) {
	t.Helper()
	got, ok := res.Values[sig].Get()
	switch {
	case !ok:
		t.Errorf("%s: missing", sig)
	case want == 0 && got != 0, want != 0 && math.Abs(got-want)/math.Abs(want) > tol:
		t.Errorf("%s = %.4g, the sim's own counters say %.4g: off by more than %.0f%%", sig, got, want, tol*100)
	default:
		t.Logf("%s = %.4g, sim %.4g (%.2f%% off)", sig, got, want, 100*math.Abs(got-want)/math.Max(math.Abs(want), 1e-12))
	}
}

func itAbs(t *testing.T, res source.Result, sig string, want, tol float64) {
	t.Helper()
	got, ok := res.Values[sig].Get()
	switch {
	case !ok:
		t.Errorf("%s: missing", sig)
	case math.Abs(got-want) > tol:
		t.Errorf("%s = %.4g, the sim's own counters say %.4g: off by more than %g", sig, got, want, tol)
	default:
		t.Logf("%s = %.4g, sim %.4g (off by %.3g)", sig, got, want, math.Abs(got-want))
	}
}

// itReading is the shop's own figures at one instant.
type itReading struct {
	at                          time.Time
	pageViews, requests, failed float64
	stock, connections          float64
}

// itScrapeSim reads the shop's /metrics the way a scraper does.
func itScrapeSim(t *testing.T, url string) itReading {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	before := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape sim: %v", err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatalf("parse sim metrics: %v", err)
	}
	// The shop computes its figures while answering: take the middle.
	r := itReading{at: before.Add(time.Since(before) / 2)}
	sum := func(name string, keep func(*dto.Metric) bool) float64 {
		f, ok := families[name]
		if !ok {
			t.Fatalf("sim metrics lack %s", name)
		}
		total := 0.0
		for _, m := range f.GetMetric() {
			if keep != nil && !keep(m) {
				continue
			}
			switch {
			case m.Counter != nil:
				total += m.GetCounter().GetValue()
			case m.Gauge != nil:
				total += m.GetGauge().GetValue()
			}
		}
		return total
	}
	r.pageViews = sum("shop_page_views_total", nil)
	r.requests = sum("shop_http_requests_total", nil)
	r.failed = sum("shop_http_requests_total", func(m *dto.Metric) bool {
		for _, l := range m.GetLabel() {
			if l.GetName() == "code" {
				return strings.HasPrefix(l.GetValue(), "5")
			}
		}
		return false
	})
	r.stock = sum("shop_stock_remaining", nil)
	r.connections = sum("shop_http_connections_active", nil)
	return r
}
