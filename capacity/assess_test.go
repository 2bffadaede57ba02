package capacity

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

var launch = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// salePlan is the worked example with limits, endpoints and the story's
// stock: 1,000 units planned to go in ten minutes.
func salePlan() Plan {
	p := examplePlan()
	p.Limits = Limits{Link: 125e6, MaxConns: 6000, Memory: 6e7}
	p.Endpoints = []Endpoint{{Name: "login", MaxQPS: 500}, {Name: "cart", MaxQPS: 200}, {Name: "buy", MaxQPS: 100}}
	p.Stock = Stock{Total: 1000, SellOut: 10 * time.Minute}
	p.LaunchAt = launch
	return p
}

func TestPhase(t *testing.T) {
	tests := []struct {
		name   string
		launch time.Time
		at     time.Time
		stock  snapshot.Value
		want   Phase
	}{
		{"before the launch time it is before launch", launch, launch.Add(-time.Minute), snapshot.Some(1000), PhaseBefore},
		{"an empty stock before launch is not sold out", launch, launch.Add(-time.Second), snapshot.Some(0), PhaseBefore},
		{"at the launch time it is live", launch, launch, snapshot.Some(1000), PhaseLive},
		{"a stock of zero after launch is sold out", launch, launch.Add(time.Hour), snapshot.Some(0), PhaseSoldOut},
		{"a missing stock is not sold out", launch, launch.Add(time.Hour), snapshot.Value{}, PhaseLive},
		{"without a launch time it is live", time.Time{}, launch, snapshot.Some(5), PhaseLive},
		{"without a launch time an empty stock is sold out", time.Time{}, launch, snapshot.Some(0), PhaseSoldOut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := salePlan()
			p.LaunchAt = tt.launch
			a := p.Assess(snapshot.Snapshot{Time: tt.at, Stock: tt.stock}, nil)
			if a.Phase != tt.want {
				t.Fatalf("phase %v, want %v", a.Phase, tt.want)
			}
			if a.LaunchKnown != !tt.launch.IsZero() || (a.LaunchKnown && a.SinceLaunch != tt.at.Sub(tt.launch)) {
				t.Errorf("since launch %v known %v", a.SinceLaunch, a.LaunchKnown)
			}
		})
	}
	if PhaseBefore.String() != "before launch" || PhaseLive.String() != "live" || PhaseSoldOut.String() != "sold out" || PhaseUnknown.String() != "unknown" {
		t.Error("phase names changed")
	}
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name          string
		snap          snapshot.Snapshot
		wantPredicted snapshot.Value
		wantHeadroom  snapshot.Value
		wantRatio     snapshot.Value
	}{
		{"with PV and no measurement the headroom is against the prediction",
			snapshot.Snapshot{PV: snapshot.Some(25)},
			snapshot.Some(75e6), snapshot.Some(0.4), snapshot.Value{}},
		{"a measurement above the prediction sets the headroom",
			snapshot.Snapshot{PV: snapshot.Some(25), Bandwidth: snapshot.Some(100e6)},
			snapshot.Some(75e6), snapshot.Some(0.2), snapshot.Some(100e6 / 75e6)},
		{"a measurement under the prediction still sets the headroom: it is the truth about the limit",
			snapshot.Snapshot{PV: snapshot.Some(25), Bandwidth: snapshot.Some(25e6)},
			snapshot.Some(75e6), snapshot.Some(0.8), snapshot.Some(25e6 / 75e6)},
		{"a measurement without PV has headroom but no prediction",
			snapshot.Snapshot{Bandwidth: snapshot.Some(62.5e6)},
			snapshot.Value{}, snapshot.Some(0.5), snapshot.Value{}},
		{"over the limit the headroom is negative",
			snapshot.Snapshot{PV: snapshot.Some(100), Bandwidth: snapshot.Some(250e6)},
			snapshot.Some(300e6), snapshot.Some(-1), snapshot.Some(250e6 / 300e6)},
		{"with nothing measured nothing is known",
			snapshot.Snapshot{},
			snapshot.Value{}, snapshot.Value{}, snapshot.Value{}},
		{"a PV of zero predicts zero and no ratio",
			snapshot.Snapshot{PV: snapshot.Some(0), Bandwidth: snapshot.Some(1e6)},
			snapshot.Some(0), snapshot.Some(1 - 1e6/125e6), snapshot.Value{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := salePlan().Assess(tt.snap, nil).Bandwidth
			if c.Predicted != tt.wantPredicted || c.Headroom != tt.wantHeadroom || c.Ratio != tt.wantRatio {
				t.Fatalf("got predicted %v headroom %v ratio %v; want %v %v %v",
					c.Predicted, c.Headroom, c.Ratio, tt.wantPredicted, tt.wantHeadroom, tt.wantRatio)
			}
			if c.AtPeak != 3e8 || c.Limit != 125e6 {
				t.Errorf("at peak %v limit %v", c.AtPeak, c.Limit)
			}
		})
	}
}

func TestChecksUseTheOriginAndTheirOwnMeasurements(t *testing.T) {
	p := salePlan()
	p.CDNShare = 0.9
	p.HostIsOrigin = true
	a := p.Assess(snapshot.Snapshot{
		PV: snapshot.Some(100), Bandwidth: snapshot.Some(3e7), Connections: snapshot.Some(600),
		Host: snapshot.Host{TCPMemory: snapshot.Some(3e6)},
	}, nil)
	if a.Bandwidth.Predicted.Or(-1) != 3e7 || a.Connections.Predicted.Or(-1) != 300 || a.Memory.Predicted.Or(-1) != 3e6 {
		t.Errorf("predicted %v %v %v, want the origin side", a.Bandwidth.Predicted, a.Connections.Predicted, a.Memory.Predicted)
	}
	if a.Bandwidth.Ratio.Or(-1) != 1 || a.Connections.Ratio.Or(-1) != 2 || a.Memory.Ratio.Or(-1) != 1 {
		t.Errorf("ratios %v %v %v", a.Bandwidth.Ratio, a.Connections.Ratio, a.Memory.Ratio)
	}
	if a.Connections.Headroom.Or(-1) != 0.9 || a.Memory.Headroom.Or(-1) != 0.95 {
		t.Errorf("headroom %v %v", a.Connections.Headroom, a.Memory.Headroom)
	}
	if a.Now.Bandwidth != 3e8 || a.Peak.Connections != 3000 {
		t.Errorf("totals: now %+v peak %+v", a.Now, a.Peak)
	}
}

func TestACheckWithoutALimitHasNoHeadroom(t *testing.T) {
	a := examplePlan().Assess(snapshot.Snapshot{PV: snapshot.Some(10), Connections: snapshot.Some(100)}, nil)
	if a.Connections.Limit != 0 || a.Connections.Headroom.OK() {
		t.Fatalf("got %+v", a.Connections)
	}
}

func TestPageWeight(t *testing.T) {
	tests := []struct {
		name         string
		cdn          float64
		snap         snapshot.Snapshot
		wantPlanned  float64
		wantMeasured snapshot.Value
		wantRatio    snapshot.Value
	}{
		{"a page as planned has ratio 1", 0, snapshot.Snapshot{PV: snapshot.Some(10), Bandwidth: snapshot.Some(3e7)},
			3e6, snapshot.Some(3e6), snapshot.Some(1)},
		{"the story's heavy page is ten times the plan", 0, snapshot.Snapshot{PV: snapshot.Some(10), Bandwidth: snapshot.Some(3e8)},
			3e6, snapshot.Some(3e7), snapshot.Some(10)},
		{"with a CDN the plan is the origin's share", 0.9, snapshot.Snapshot{PV: snapshot.Some(10), Bandwidth: snapshot.Some(3e6)},
			3e5, snapshot.Some(3e5), snapshot.Some(1)},
		{"no PV means no measured weight", 0, snapshot.Snapshot{Bandwidth: snapshot.Some(3e7)},
			3e6, snapshot.Value{}, snapshot.Value{}},
		{"zero PV means no measured weight", 0, snapshot.Snapshot{PV: snapshot.Some(0), Bandwidth: snapshot.Some(3e7)},
			3e6, snapshot.Value{}, snapshot.Value{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := salePlan()
			p.CDNShare = tt.cdn
			got := p.Assess(tt.snap, nil).PageWeight
			want := PageWeightCheck{Planned: tt.wantPlanned, PlannedPage: 3e6, CDNShare: tt.cdn, Measured: tt.wantMeasured, Ratio: tt.wantRatio}
			if got != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	tests := []struct {
		name           string
		qps            map[string]float64
		wantBottleneck string
	}{
		{"the bottleneck is the highest load, not the highest QPS",
			map[string]float64{"login": 400, "cart": 20, "buy": 90}, "buy"},
		{"an unmeasured endpoint is skipped", map[string]float64{"cart": 10}, "cart"},
		{"nothing measured means no bottleneck", nil, ""},
		{"a tie goes to the earlier endpoint", map[string]float64{"login": 250, "cart": 100}, "login"},
		{"an endpoint outside the plan is ignored", map[string]float64{"search": 1e6, "buy": 1}, "buy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := snapshot.Snapshot{}
			for name, q := range tt.qps {
				s.Set("endpoints."+name, snapshot.Some(q))
			}
			a := salePlan().Assess(s, nil)
			if a.Bottleneck != tt.wantBottleneck {
				t.Fatalf("bottleneck %q, want %q", a.Bottleneck, tt.wantBottleneck)
			}
			if len(a.Endpoints) != 3 {
				t.Fatalf("endpoints %+v", a.Endpoints)
			}
			for _, e := range a.Endpoints {
				q, measured := tt.qps[e.Name]
				if e.QPS.OK() != measured || e.Bottleneck != (e.Name == tt.wantBottleneck) {
					t.Errorf("%+v", e)
				}
				if measured && e.Load.Or(-1) != q/e.MaxQPS {
					t.Errorf("%s load %v, want %v", e.Name, e.Load, q/e.MaxQPS)
				}
			}
		})
	}
}

func TestSellOut(t *testing.T) {
	at := launch.Add(5 * time.Minute)
	snap := func(d time.Duration, stock float64) snapshot.Snapshot {
		return snapshot.Snapshot{Time: at.Add(d), Stock: snapshot.Some(stock)}
	}
	tests := []struct {
		name       string
		now        snapshot.Snapshot
		recent     []snapshot.Snapshot
		wantRate   snapshot.Value
		wantWindow time.Duration
		wantETA    time.Duration
		wantKnown  bool
		wantPace   snapshot.Value
	}{
		{"the rate comes from the stock's drop over the window",
			snapshot.Snapshot{Time: at, Stock: snapshot.Some(500), Sold: snapshot.Some(99)},
			[]snapshot.Snapshot{snap(-20*time.Second, 540), snap(-10*time.Second, 520)},
			snapshot.Some(2), 20 * time.Second, 250 * time.Second, true, snapshot.Some(div(2, plannedRate))},
		{"a window shorter than the minimum falls back to Sold",
			snapshot.Snapshot{Time: at, Stock: snapshot.Some(500), Sold: snapshot.Some(0.5)},
			[]snapshot.Snapshot{snap(-5*time.Second, 540)},
			snapshot.Some(0.5), 0, 1000 * time.Second, true, snapshot.Some(0.3)},
		{"without a window the rate is Sold",
			snapshot.Snapshot{Time: at, Stock: snapshot.Some(100), Sold: snapshot.Some(1)},
			nil, snapshot.Some(1), 0, 100 * time.Second, true, snapshot.Some(0.6)},
		{"a restock falls back to Sold",
			snapshot.Snapshot{Time: at, Stock: snapshot.Some(500), Sold: snapshot.Some(1)},
			[]snapshot.Snapshot{snap(-time.Minute, 400)},
			snapshot.Some(1), 0, 500 * time.Second, true, snapshot.Some(0.6)},
		{"window snapshots without stock are skipped",
			snapshot.Snapshot{Time: at, Stock: snapshot.Some(500)},
			[]snapshot.Snapshot{{Time: at.Add(-time.Minute)}, snap(-50*time.Second, 600)},
			snapshot.Some(2), 50 * time.Second, 250 * time.Second, true, snapshot.Some(1.2)},
		{"a zero rate has no ETA",
			snapshot.Snapshot{Time: at, Stock: snapshot.Some(500), Sold: snapshot.Some(0)},
			nil, snapshot.Some(0), 0, 0, false, snapshot.Some(0)},
		{"a missing rate has no ETA or pace",
			snapshot.Snapshot{Time: at, Stock: snapshot.Some(500)},
			nil, snapshot.Value{}, 0, 0, false, snapshot.Value{}},
		{"sold out is an ETA of zero",
			snapshot.Snapshot{Time: at, Stock: snapshot.Some(0)},
			nil, snapshot.Value{}, 0, 0, true, snapshot.Value{}},
		{"a crawl too slow for a Duration has no ETA",
			snapshot.Snapshot{Time: at, Stock: snapshot.Some(1000), Sold: snapshot.Some(1e-20)},
			nil, snapshot.Some(1e-20), 0, 0, false, snapshot.Some(div(1e-20, plannedRate))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			so := salePlan().Assess(tt.now, tt.recent).SellOut
			if so.Rate != tt.wantRate || so.RateWindow != tt.wantWindow || so.ETA != tt.wantETA || so.ETAKnown != tt.wantKnown || so.Pace != tt.wantPace {
				t.Fatalf("got rate %v window %v eta %v known %v pace %v\nwant rate %v window %v eta %v known %v pace %v",
					so.Rate, so.RateWindow, so.ETA, so.ETAKnown, so.Pace, tt.wantRate, tt.wantWindow, tt.wantETA, tt.wantKnown, tt.wantPace)
			}
			if so.Total != 1000 || so.PlannedRate.Or(-1) != 1000.0/600 || !so.PlannedAt.Equal(launch.Add(10*time.Minute)) {
				t.Errorf("plan side: %+v", so)
			}
			if so.Remaining != tt.now.Stock {
				t.Errorf("remaining %v", so.Remaining)
			}
		})
	}
}

func TestTheStorysSlowSaleIsFarBehindPace(t *testing.T) {
	// 1,000 units expected in ten minutes took about an hour and a half.
	p := salePlan()
	rate := 1000.0 / 5400
	a := p.Assess(snapshot.Snapshot{Time: launch.Add(45 * time.Minute), Stock: snapshot.Some(500), Sold: snapshot.Some(rate)}, nil)
	if pace := a.SellOut.Pace.Or(-1); math.Abs(pace-1.0/9) > 1e-12 {
		t.Fatalf("pace %v, want a ninth", pace)
	}
}

func TestAnEmptySnapshotProducesNoNaN(t *testing.T) {
	plans := map[string]Plan{"an empty plan": {}, "the sale plan": salePlan()}
	for name, p := range plans {
		a := p.Assess(snapshot.Snapshot{}, []snapshot.Snapshot{{}, {}})
		walkFloats(t, name, reflect.ValueOf(a))
		if a.Phase != PhaseBefore && a.Phase != PhaseLive {
			t.Errorf("%s: phase %v", name, a.Phase)
		}
		for _, v := range []snapshot.Value{a.PV, a.Bandwidth.Predicted, a.Bandwidth.Measured, a.PageWeight.Measured, a.SellOut.Rate, a.SellOut.Remaining} {
			if v.OK() {
				t.Errorf("%s: a value appeared from nothing: %+v", name, a)
			}
		}
	}
}

// walkFloats fails on any NaN or infinite float64 reachable from v,
// including the ones inside snapshot.Value.
func walkFloats(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			t.Errorf("%s = %v", path, f)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			walkFloats(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkFloats(t, path, v.Index(i))
		}
	}
}

func BenchmarkAssess(b *testing.B) {
	p := salePlan()
	s := snapshot.Snapshot{
		Time: launch.Add(time.Minute), PV: snapshot.Some(80), Bandwidth: snapshot.Some(2.5e8),
		Connections: snapshot.Some(2500), Stock: snapshot.Some(700), Sold: snapshot.Some(2),
		Host:      snapshot.Host{TCPMemory: snapshot.Some(2.4e7)},
		Endpoints: map[string]snapshot.Endpoint{"login": {QPS: snapshot.Some(300)}, "buy": {QPS: snapshot.Some(80)}},
	}
	recent := make([]snapshot.Snapshot, 60)
	for i := range recent {
		recent[i] = snapshot.Snapshot{Time: s.Time.Add(time.Duration(i-60) * time.Second), Stock: snapshot.Some(820 - 2*float64(i))}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Assess(s, recent)
	}
}

// plannedRate is salePlan's planned units per second, computed at run time
// like the code does: Go folds constant expressions exactly, which would
// make a test's expectation differ from float64 arithmetic in the last bit.
var plannedRate = div(1000, 600)

func div(a, b float64) float64 { return a / b }

func TestTheAssessmentAndPlanReadAsJSON(t *testing.T) {
	p := Plan{PeakPV: 100, ResourcesPerPage: 30, ResourceSize: 100e3, DownloadSpeed: 100e3, ConnMemory: 10e3,
		Limits: Limits{Link: 400e6}, Endpoints: []Endpoint{{Name: "buy", MaxQPS: 100}},
		Stock: Stock{Total: 1000, SellOut: 10 * time.Minute}, LaunchAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	s := snapshot.Snapshot{Time: p.LaunchAt.Add(90 * time.Second), PV: snapshot.Some(50), Stock: snapshot.Some(900), Sold: snapshot.Some(2)}
	b, err := json.Marshal(p.Assess(s, nil))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["phase"] != "live" || got["since_launch_seconds"] != 90.0 || got["pv"] != 50.0 {
		t.Errorf("assessment JSON: %s", b)
	}
	so := got["sell_out"].(map[string]any)
	if so["eta_seconds"] != 450.0 || so["rate"] != 2.0 {
		t.Errorf("sell-out JSON: %v", so)
	}
	bw := got["bandwidth"].(map[string]any)
	if bw["predicted"] != 150e6 || bw["measured"] != nil {
		t.Errorf("bandwidth: a missing measurement is null, the prediction exact: %v", bw)
	}
	// The plan round-trips exactly: recordings carry it.
	pb, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal(pb, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p) || !strings.Contains(string(pb), `"sell_out":"10m0s"`) {
		t.Errorf("plan round trip: %s -> %+v", pb, back)
	}
	th := DefaultThresholds()
	tb, _ := json.Marshal(th)
	var thBack Thresholds
	if err := json.Unmarshal(tb, &thBack); err != nil || thBack != th {
		t.Errorf("thresholds round trip: %s -> %+v (%v)", tb, thBack, err)
	}
	partial := DefaultThresholds()
	if err := json.Unmarshal([]byte(`{"warn":0.7}`), &partial); err != nil || partial.Warn != 0.7 || partial.Crit != 0.95 || partial.StaleAfter != 3*time.Second {
		t.Errorf("thresholds read over the defaults lost the fields left out: %+v (%v)", partial, err)
	}
}

// demoPlan is the demo's plan: 200 PV/s of 1 MB pages, 90% from the CDN,
// a 1 Gbit/s link, 10,000 connections, 512 MiB.
func demoPlan() Plan {
	return Plan{
		PeakPV: 200, ResourcesPerPage: 20, ResourceSize: 50e3, DownloadSpeed: 200e3, ConnMemory: 10e3, CDNShare: 0.9,
		Limits: Limits{Link: 125e6, MaxConns: 10000, Memory: 512 << 20},
	}
}

// The first launch's crash: 10 MB pages with no CDN fill the link at
// 12.4 PV/s, while the plan says 1,250. Both are kept, and the first
// limit is the one measured.
func TestLimitsFollowTheMeasuredCost(t *testing.T) {
	crash := snapshot.Snapshot{
		PV: snapshot.Some(12.4), Bandwidth: snapshot.Some(125e6), Connections: snapshot.Some(4295),
		Host: snapshot.Host{TCPMemory: snapshot.Some(2.5e6)},
	}
	a := demoPlan().Assess(crash, nil)
	if len(a.Limits) != 3 {
		t.Fatalf("limits: %+v", a.Limits)
	}
	link := a.Limits[0]
	if link.Name != LimitLink || link.PV != 1250 {
		t.Errorf("link by the plan: %+v, want reached at 1,250 PV/s", link)
	}
	if got, ok := link.MeasuredPV.Get(); !ok || math.Abs(got-12.4) > 1e-9 {
		t.Errorf("link at the measured cost: %v, want 12.4", link.MeasuredPV)
	}
	// 4,295 connections at 12.4 PV/s: 10,000 at about 28.9.
	if got, ok := a.Limits[1].MeasuredPV.Get(); !ok || math.Abs(got-10000*12.4/4295) > 1e-9 {
		t.Errorf("connections at the measured cost: %v", a.Limits[1].MeasuredPV)
	}
	if !a.FirstLimitKnown || a.FirstLimit.Name != LimitLink {
		t.Fatalf("first limit: %+v known %v, want link", a.FirstLimit, a.FirstLimitKnown)
	}
	if pv, measured, ok := a.FirstLimit.At(); !ok || !measured || math.Abs(pv-12.4) > 1e-9 {
		t.Errorf("first limit at %v (measured %v, ok %v), want 12.4 measured", pv, measured, ok)
	}
}

// A page as planned keeps the plan's limits: the measured cost moves them
// only when it departs from the plan.
func TestLimitsKeepThePlanWhenRealityKeepsToIt(t *testing.T) {
	onPlan := snapshot.Snapshot{PV: snapshot.Some(100), Bandwidth: snapshot.Some(10.2e6), Connections: snapshot.Some(51)}
	a := demoPlan().Assess(onPlan, nil)
	for _, l := range a.Limits {
		if l.MeasuredPV.OK() {
			t.Errorf("%s: measured PV %v for figures within the noise of the plan", l.Name, l.MeasuredPV)
		}
	}
	if pv, measured, ok := a.FirstLimit.At(); !ok || measured || pv != 1250 {
		t.Errorf("first limit at %v (measured %v, ok %v), want the plan's 1,250", pv, measured, ok)
	}
}

func TestDrift(t *testing.T) {
	th := DefaultThresholds()
	tests := []struct {
		name      string
		snap      snapshot.Snapshot
		wantDrift snapshot.Value
		wantLevel Level
	}{
		// The crash: 4,295 connections against a plan of 6.2 at 12.4 PV/s,
		// far from the 10,000 limit: green by headroom, critical by what
		// that cost per view makes of the peak (69,274 of 10,000).
		{"the crash's connections", snapshot.Snapshot{PV: snapshot.Some(12.4), Connections: snapshot.Some(4295)},
			snapshot.Some(4295 / 6.2), LevelCrit},
		// One connection a view: 200 of 10,000 at the peak.
		{"twice the plan is information when the peak stays far from the limit", snapshot.Snapshot{PV: snapshot.Some(100), Connections: snapshot.Some(100)},
			snapshot.Some(2), LevelOK},
		{"on plan is ok", snapshot.Snapshot{PV: snapshot.Some(100), Connections: snapshot.Some(60)},
			snapshot.Some(1.2), LevelOK},
		// Idle keep-alives against a near-zero PV: a large ratio of a few
		// connections says nothing (under 5% of the 100 planned at peak).
		{"a few idle connections are no drift", snapshot.Snapshot{PV: snapshot.Some(0.2), Connections: snapshot.Some(4)},
			snapshot.Value{}, LevelOK},
		{"no PV, no drift", snapshot.Snapshot{Connections: snapshot.Some(4295)}, snapshot.Value{}, LevelOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := demoPlan().Assess(tt.snap, nil).Connections
			if got, ok := c.Drift.Get(); ok != tt.wantDrift.OK() || math.Abs(got-tt.wantDrift.Or(0)) > 1e-9 {
				t.Errorf("drift %v, want %v (ratio %v)", c.Drift, tt.wantDrift, c.Ratio)
			}
			if got := th.Check(c); got != tt.wantLevel {
				t.Errorf("level %v, want %v", got, tt.wantLevel)
			}
		})
	}
}

func TestNoBottleneckWithoutLoad(t *testing.T) {
	idle := snapshot.Snapshot{Endpoints: map[string]snapshot.Endpoint{
		"login": {QPS: snapshot.Some(0)}, "cart": {QPS: snapshot.Some(0)}, "buy": {QPS: snapshot.Some(0)},
	}}
	if a := salePlan().Assess(idle, nil); a.Bottleneck != "" {
		t.Errorf("bottleneck %q with no endpoint under load", a.Bottleneck)
	}
	busy := idle
	busy.Endpoints = map[string]snapshot.Endpoint{"login": {QPS: snapshot.Some(0)}, "cart": {QPS: snapshot.Some(1)}, "buy": {QPS: snapshot.Some(0)}}
	if a := salePlan().Assess(busy, nil); a.Bottleneck != "cart" {
		t.Errorf("bottleneck %q, want cart", a.Bottleneck)
	}
}

// A slow sale, a unit every 20 s: over a fixed minute its rate swings
// between 2 and 4 units a minute, and the ETA by hours with each unit.
// Smoothed over ten units it stays within a tenth of the true rate.
func TestSlowSaleRateIsSmooth(t *testing.T) {
	p := salePlan()
	const rate = 0.05
	var recent []snapshot.Snapshot
	for sec := 0; sec <= 20*60; sec++ {
		s := snapshot.Snapshot{Time: launch.Add(time.Duration(sec) * time.Second),
			Stock: snapshot.Some(1000 - math.Floor(float64(sec)*rate))}
		if sec >= 5*60 {
			so := p.Assess(s, recent).SellOut
			got, ok := so.Rate.Get()
			if !ok || math.Abs(got-rate)/rate > 0.1 {
				t.Fatalf("T+%ds: rate %v over %v, want within 10%% of %v", sec, so.Rate, so.RateWindow, rate)
			}
			if so.RateWindow < SellSmoothing {
				t.Fatalf("T+%ds: window %v, want at least %v", sec, so.RateWindow, SellSmoothing)
			}
		}
		recent = append(recent, s)
		for len(recent) > 0 && s.Time.Sub(recent[0].Time) > SellLookback {
			recent = recent[1:]
		}
	}
}

// A fast sale keeps to the one-minute window: the rate follows a change
// within a minute.
func TestFastSaleRateUsesAMinute(t *testing.T) {
	p := salePlan()
	var recent []snapshot.Snapshot
	for sec := 0; sec <= 120; sec++ {
		recent = append(recent, snapshot.Snapshot{Time: launch.Add(time.Duration(sec) * time.Second),
			Stock: snapshot.Some(1000 - float64(sec)*2)})
	}
	now := snapshot.Snapshot{Time: launch.Add(121 * time.Second), Stock: snapshot.Some(1000 - 121*2)}
	so := p.Assess(now, recent).SellOut
	if so.RateWindow != SellSmoothing || so.Rate != snapshot.Some(2) {
		t.Errorf("rate %v over %v, want 2/s over %v", so.Rate, so.RateWindow, SellSmoothing)
	}
}

// A stock that stood still before the launch does not stretch the rate's
// window over the wait: a minute into a sale at plan, the pace is on plan.
func TestTheWaitBeforeTheLaunchIsNotInTheSellRate(t *testing.T) {
	p := salePlan()
	var recent []snapshot.Snapshot
	for sec := -120; sec < 60; sec++ {
		stock := 1000.0
		if sec > 0 {
			stock -= math.Floor(float64(sec) * 5 / 3)
		}
		recent = append(recent, snapshot.Snapshot{Time: launch.Add(time.Duration(sec) * time.Second), Stock: snapshot.Some(stock)})
	}
	now := snapshot.Snapshot{Time: launch.Add(time.Minute), Stock: snapshot.Some(900)}
	so := p.Assess(now, recent).SellOut
	if pace, ok := so.Pace.Get(); !ok || math.Abs(pace-1) > 0.05 {
		t.Errorf("pace %v over %v, want 1 (on plan) within 5%%", so.Pace, so.RateWindow)
	}
}

// A host is the origin only when the config says so: another machine (a
// laptop, the demo) has its own sockets, and its TCP memory is not held
// against the plan.
func TestOnlyAHostThatIsTheOriginIsTheMemoryMeasured(t *testing.T) {
	s := snapshot.Snapshot{PV: snapshot.Some(10), Host: snapshot.Host{TCPMemory: snapshot.Some(553e3)}}
	p := demoPlan()
	if m := p.Assess(s, nil).Memory; m.Measured.OK() || m.Drift.OK() || !m.Predicted.OK() {
		t.Errorf("by default the memory check keeps its prediction alone: %+v", m)
	}
	p.HostIsOrigin = true
	if m := p.Assess(s, nil).Memory; !m.Measured.OK() {
		t.Fatalf("on the origin the host's TCP memory is measured: %+v", m)
	}
}

// A slow start (five units in the five minutes after T0) is rated over
// those five minutes, not over the wait before them.
func TestASlowStartIsRatedFromTheLaunch(t *testing.T) {
	p := salePlan()
	var recent []snapshot.Snapshot
	for sec := -600; sec < 300; sec += 10 {
		stock := 1000.0
		if sec > 0 {
			stock -= math.Floor(float64(sec) / 60) // a unit a minute
		}
		recent = append(recent, snapshot.Snapshot{Time: launch.Add(time.Duration(sec) * time.Second), Stock: snapshot.Some(stock)})
	}
	now := snapshot.Snapshot{Time: launch.Add(5 * time.Minute), Stock: snapshot.Some(995)}
	so := p.Assess(now, recent).SellOut
	if rate, ok := so.Rate.Get(); !ok || math.Abs(rate-5.0/300) > 1e-9 || so.RateWindow != 5*time.Minute {
		t.Errorf("rate %v over %v, want 5 units over the 5 minutes since T0", so.Rate, so.RateWindow)
	}
}
