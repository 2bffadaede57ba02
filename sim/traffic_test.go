package sim

import (
	"math"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// Keys of the series the traffic tests read.
const (
	kPV      = "shop_page_views_total{}"
	kCDN     = "shop_cdn_response_bytes_total{}"
	kConns   = "shop_http_connections_active{}"
	kStock   = "shop_stock_remaining{}"
	kOrders  = "shop_orders_total{}"
	kButton  = "shop_purchase_button_visible{}"
	kPageB   = "shop_http_response_bytes_total{handler=page}"
	kStaticB = "shop_http_response_bytes_total{handler=static}"
)

// originBytes sums the origin's bytes over every handler.
func originBytes(s sample) float64 {
	total := 0.0
	for _, h := range handlers {
		total += s.v("shop_http_response_bytes_total{handler=" + h + "}")
	}
	return total
}

// errors502 sums the 502s over every handler.
func errors502(s sample) float64 {
	total := 0.0
	for _, h := range handlers {
		total += s.v("shop_http_requests_total{code=502,handler=" + h + "}")
	}
	return total
}

// soldOutAt returns when stock first read zero, relative to T0.
func soldOutAt(t *testing.T, run []sample) time.Duration {
	t.Helper()
	for _, s := range run {
		if s.v(kStock) == 0 {
			return s.rel
		}
	}
	t.Fatalf("stock never reached zero by T0%+v", run[len(run)-1].rel)
	return 0
}

func TestCountersOnlyRise(t *testing.T) {
	for _, scenario := range Scenarios() {
		t.Run(scenario+" never lowers a counter", func(t *testing.T) {
			run := fullWalk(t, scenario)
			for i := 1; i < len(run); i++ {
				prev, cur := run[i-1], run[i]
				for _, key := range shopKeys(cur) {
					if cur.kinds[key] != dto.MetricType_COUNTER {
						continue
					}
					if cur.values[key] < prev.values[key] {
						t.Fatalf("%s fell from %v to %v at T0%+v", key, prev.values[key], cur.values[key], cur.rel)
					}
				}
			}
		})
	}
}

func TestStock(t *testing.T) {
	for _, scenario := range Scenarios() {
		t.Run(scenario+" sells down to exactly zero and stops", func(t *testing.T) {
			run := fullWalk(t, scenario)
			soldOut := false
			for _, s := range run {
				stock, orders := s.v(kStock), s.v(kOrders)
				if stock < 0 || stock+orders != stockTotal || s.v("shop_stock_total{}") != stockTotal {
					t.Fatalf("at T0%+v stock %v and orders %v do not add up to %d", s.rel, stock, orders, stockTotal)
				}
				if s.rel < 0 && orders != 0 {
					t.Fatalf("orders %v before T0 (at T0%+v)", orders, s.rel)
				}
				if soldOut && stock != 0 {
					t.Fatalf("stock came back to %v at T0%+v after sell-out", stock, s.rel)
				}
				soldOut = soldOut || stock == 0
			}
			if !soldOut {
				t.Fatal("never sold out")
			}
		})
	}
}

func TestSellOutPace(t *testing.T) {
	plan := 10 * time.Minute
	second := soldOutAt(t, fullWalk(t, "second-launch"))
	first := soldOutAt(t, fullWalk(t, "first-launch"))
	t.Logf("second-launch sold out at T0+%v, first-launch at T0+%v", second, first)
	if second < plan-2*time.Minute || second > plan+2*time.Minute {
		t.Errorf("second-launch sold out at T0+%v, want the plan's %v ± 2m", second, plan)
	}
	if first <= 5*plan {
		t.Errorf("first-launch sold out at T0+%v, want more than 5 x %v", first, plan)
	}
}

// TestBandwidthFormula checks bandwidth = PV x bytes per view over every
// one-minute window with traffic. The model books a view's bytes in the step
// it is counted, so the tolerance is 1%.
func TestBandwidthFormula(t *testing.T) {
	const window = 6 // scrapes, one simulated minute
	tests := []struct {
		name                      string
		scenario                  string
		originPerView, cdnPerView float64
	}{
		{"second-launch serves 102 KB per view at the origin and 900 KB from the CDN", "second-launch", 102e3, 900e3},
		{"first-launch serves its 10 MB pages from the origin alone", "first-launch", 10.05e6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := fullWalk(t, tt.scenario)
			for i := window; i < len(run); i++ {
				a, b := run[i-window], run[i]
				views := b.v(kPV) - a.v(kPV)
				if views < 10 {
					continue
				}
				origin := (b.v(kPageB) + b.v(kStaticB) - a.v(kPageB) - a.v(kStaticB)) / views
				cdn := (b.v(kCDN) - a.v(kCDN)) / views
				if !within(origin, tt.originPerView, 0.01) || !within(cdn, tt.cdnPerView, 0.01) {
					t.Fatalf("T0%+v: %.0f origin and %.0f CDN bytes per view, want %.0f and %.0f ± 1%%",
						b.rel, origin, cdn, tt.originPerView, tt.cdnPerView)
				}
			}
		})
	}
}

// TestPageWeight checks the story's page weights against the plan's 1 MB
// (20 resources x 50 KB) per view, within 5%.
func TestPageWeight(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		times    float64
	}{
		{"second-launch weighs what the plan says", "second-launch", 1},
		{"first-launch weighs ten times the plan", "first-launch", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := fullWalk(t, tt.scenario)
			last := run[len(run)-1]
			perView := (last.v(kPageB) + last.v(kStaticB) + last.v(kCDN)) / last.v(kPV)
			if !within(perView, tt.times*1e6, 0.05) {
				t.Errorf("%.0f bytes per view, want %.0f x 1 MB ± 5%%", perView, tt.times)
			}
		})
	}
}

// TestConnectionsFormula checks connections = origin bandwidth / 200 KB/s:
// the gauge's time average over a one-minute window (trapezoid rule over
// its scrapes) against the rate from the byte counters over that window, within 5%. Windows with 502s
// are skipped: there the gateway's held requests add to the formula, which
// is the crash the watcher must see. So are windows spanning T0, where demand
// jumps between two scrapes and no sampling of the gauge can integrate it.
func TestConnectionsFormula(t *testing.T) {
	const window = 6
	for _, scenario := range Scenarios() {
		t.Run(scenario+" holds Little's law outside 502 bursts", func(t *testing.T) {
			run := fullWalk(t, scenario)
			checked, worst := 0, 0.0
			// The first scrape is at start, before any traffic has built up
			// a connection; windows begin after it.
			for i := window + 1; i < len(run); i++ {
				a, b := run[i-window], run[i]
				if errors502(b) != errors502(a) {
					continue
				}
				if a.rel <= 0 && b.rel > 0 {
					continue // the avalanche's jump at T0 falls between scrapes
				}
				secs := (b.rel - a.rel).Seconds()
				want := (originBytes(b) - originBytes(a)) / secs / downloadSpeed
				if want < 20 {
					continue // a handful of connections is all rounding
				}
				// The trapezoid rule over the window's scrapes approximates
				// the gauge's time average, which is what the counters see.
				got := (a.v(kConns) + b.v(kConns)) / 2
				for _, s := range run[i-window+1 : i] {
					got += s.v(kConns)
				}
				got /= window
				if !within(got, want, 0.05) {
					t.Fatalf("T0%+v: %.1f connections, bandwidth predicts %.1f ± 5%%", b.rel, got, want)
				}
				worst = math.Max(worst, math.Abs(got-want)/want)
				checked++
			}
			t.Logf("%d windows, worst error %.2f%%", checked, worst*100)
			if checked < 10 {
				t.Fatalf("only %d windows checked", checked)
			}
		})
	}
}

func TestCrashShape(t *testing.T) {
	run := fullWalk(t, "first-launch")
	peakConns, peak502 := 0.0, 0.0
	for i := 1; i < len(run); i++ {
		peakConns = math.Max(peakConns, run[i].v(kConns))
		peak502 = math.Max(peak502, (errors502(run[i])-errors502(run[i-1]))/scrapeEvery.Seconds())
	}
	if peakConns < 3000 {
		t.Errorf("first-launch peaks at %.0f connections, want thousands", peakConns)
	}
	if peak502 < 500 {
		t.Errorf("first-launch peaks at %.0f 502/s, want a burst of hundreds or more", peak502)
	}
	second := fullWalk(t, "second-launch")
	last := second[len(second)-1]
	if e := errors502(last); e != 0 {
		t.Errorf("second-launch answered %v 502s, want none", e)
	}
	peakPV := 0.0
	for i := 1; i < len(second); i++ {
		peakPV = math.Max(peakPV, (second[i].v(kPV)-second[i-1].v(kPV))/scrapeEvery.Seconds())
	}
	if !within(peakPV, 200, 0.1) {
		t.Errorf("second-launch PV peaks at %.1f/s, want 200/s ± 10%%", peakPV)
	}
}

func TestSameSeedSameSeries(t *testing.T) {
	const until = 12 * time.Minute
	a := walk(t, "second-launch", 7, 30*time.Second, until)
	b := walk(t, "second-launch", 7, 30*time.Second, until)
	c := walk(t, "second-launch", 8, 30*time.Second, until)
	if len(a) != len(b) || len(a) != len(c) {
		t.Fatalf("walks of different lengths: %d, %d, %d", len(a), len(b), len(c))
	}
	differs := false
	for i := range a {
		for _, key := range shopKeys(a[i]) {
			if a[i].values[key] != b[i].values[key] {
				t.Fatalf("seed 7 twice: %s at T0%+v is %v then %v", key, a[i].rel, a[i].values[key], b[i].values[key])
			}
			if a[i].values[key] != c[i].values[key] {
				differs = true
			}
		}
	}
	if !differs {
		t.Error("seeds 7 and 8 gave identical series")
	}
}

// rateBetween returns key's per-second rate between the scrapes nearest to
// from and to (relative to T0).
func rateBetween(run []sample, key string, from, to time.Duration) float64 {
	var a, b sample
	for _, s := range run {
		if s.rel <= from {
			a = s
		}
		if s.rel <= to {
			b = s
		}
	}
	return (b.v(key) - a.v(key)) / (b.rel - a.rel).Seconds()
}

func TestRefreshAvalanche(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		key      string
		times    float64
	}{
		{"second-launch page views jump at T0", "second-launch", kPV, 5},
		{"first-launch page views jump at T0 as far as the link allows", "first-launch", kPV, 3},
		{"first-launch page requests explode with retries", "first-launch",
			"shop_http_requests_total{code=502,handler=page}", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := fullWalk(t, tt.scenario)
			before := rateBetween(run, tt.key, -testStartIn+scrapeEvery, -11*time.Minute)
			after := rateBetween(run, tt.key, 0, 30*time.Second)
			if after < tt.times*math.Max(before, 1) {
				t.Errorf("%.1f/s in the first 30 s after T0 against %.1f/s before the countdown, want %v times",
					after, before, tt.times)
			}
		})
	}
}

func TestLatencyRisesNearTheCeiling(t *testing.T) {
	mean := func(run []sample, handler string, from, to time.Duration) float64 {
		key := "shop_http_request_duration_seconds{handler=" + handler + "}"
		return rateBetween(run, key+"_sum", from, to) / rateBetween(run, key+"_count", from, to)
	}
	calm := mean(fullWalk(t, "second-launch"), hCart, time.Minute, 5*time.Minute)
	crash := mean(fullWalk(t, "first-launch"), hCart, time.Minute, 5*time.Minute)
	t.Logf("cart mean latency: %.3f s calm, %.3f s at the ceiling", calm, crash)
	if calm > 2*baseLatency[hCart] || crash < 10*calm {
		t.Errorf("cart mean latency %.3f s calm and %.3f s at the ceiling, want about %.3f s and over ten times that",
			calm, crash, baseLatency[hCart])
	}
}

// within reports whether got is within rel (a fraction) of want.
func within(got, want, rel float64) bool {
	if want == 0 {
		return got == 0
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}
