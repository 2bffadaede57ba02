package capacity

import (
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

func TestThresholdsClassifyAtTheirBoundaries(t *testing.T) {
	th := DefaultThresholds()
	tests := []struct {
		name string
		got  Level
		want Level
	}{
		{"a missing share is unknown", th.Usage(snapshot.Value{}), LevelUnknown},
		{"half a limit is ok", th.Usage(snapshot.Some(0.5)), LevelOK},
		{"exactly the warn share warns", th.Usage(snapshot.Some(0.8)), LevelWarn},
		{"exactly the crit share is critical", th.Usage(snapshot.Some(0.95)), LevelCrit},
		{"over the limit is critical", th.Usage(snapshot.Some(1.4)), LevelCrit},
		{"10% headroom is 90% used: warn", th.Headroom(Check{Headroom: snapshot.Some(0.1)}), LevelWarn},
		{"negative headroom is critical", th.Headroom(Check{Headroom: snapshot.Some(-0.2)}), LevelCrit},
		{"0.5% errors is ok", th.ErrorRate(snapshot.Some(0.005), snapshot.Value{}), LevelOK},
		{"2% errors warns", th.ErrorRate(snapshot.Some(0.02), snapshot.Value{}), LevelWarn},
		{"30% errors is critical", th.ErrorRate(snapshot.Some(0.3), snapshot.Value{}), LevelCrit},
		{"30% of 100 requests a second is critical", th.ErrorRate(snapshot.Some(0.3), snapshot.Some(100)), LevelCrit},
		{"one failure in three requests every 2 s is too small to judge", th.ErrorRate(snapshot.Some(1.0/3), snapshot.Some(1.5)), LevelOK},
		{"a ratio twice the plan is marked", th.Drift(snapshot.Some(2)), LevelWarn},
		{"a ratio ten times the plan is marked critical", th.Drift(snapshot.Some(10)), LevelCrit},
		{"selling at plan pace is ok", th.Pace(Assessment{Phase: PhaseLive, SellOut: SellOut{Pace: snapshot.Some(1)}}), LevelOK},
		{"pace is not judged in the first minute after T0", th.Pace(Assessment{Phase: PhaseLive, LaunchKnown: true, SinceLaunch: 30 * time.Second, SellOut: SellOut{Pace: snapshot.Some(0.1)}}), LevelUnknown},
		{"pace is judged after the first minute", th.Pace(Assessment{Phase: PhaseLive, LaunchKnown: true, SinceLaunch: 2 * time.Minute, SellOut: SellOut{Pace: snapshot.Some(0.1)}}), LevelCrit},
		{"selling at a third of plan warns", th.Pace(Assessment{Phase: PhaseLive, SellOut: SellOut{Pace: snapshot.Some(0.3)}}), LevelWarn},
		{"selling at a tenth of plan is critical", th.Pace(Assessment{Phase: PhaseLive, SellOut: SellOut{Pace: snapshot.Some(0.1)}}), LevelCrit},
		{"pace means nothing before launch", th.Pace(Assessment{Phase: PhaseBefore, SellOut: SellOut{Pace: snapshot.Some(0)}}), LevelUnknown},
		{"a missing p95 is unknown", th.Latency(snapshot.Value{}, snapshot.Some(100)), LevelUnknown},
		{"a p95 of 999 ms is ok", th.Latency(snapshot.Some(0.999), snapshot.Some(100)), LevelOK},
		{"a p95 of exactly 1 s warns", th.Latency(snapshot.Some(1), snapshot.Some(100)), LevelWarn},
		{"a p95 of exactly 3 s is critical", th.Latency(snapshot.Some(3), snapshot.Some(100)), LevelCrit},
		{"a p95 of 4 s over a request every 20 s is one slow request, not users waiting", th.Latency(snapshot.Some(4), snapshot.Some(0.05)), LevelOK},
		{"a p95 of 4 s at exactly the floor is judged", th.Latency(snapshot.Some(4), snapshot.Some(LatencyMinRequests)), LevelCrit},
		{"a p95 without a request rate is judged", th.Latency(snapshot.Some(4), snapshot.Value{}), LevelCrit},
		{"the latency row is judged by the latency lines", th.SignalLevel(mustSignal(snapshot.SignalLatencyP95), snapshot.Snapshot{LatencyP95: snapshot.Some(2.4)}), LevelWarn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestFirstReachedIsTheLowestLimitWhetherOrNotThePeakBreaksIt(t *testing.T) {
	p := Plan{PeakPV: 100, ResourcesPerPage: 30, ResourceSize: 100e3, DownloadSpeed: 100e3, ConnMemory: 10e3,
		Limits: Limits{Link: 1e9, MaxConns: 20000, Memory: 1e9}}
	// 1 GB/s is reached at 333.3 PV, 20,000 connections at 666.7, 1 GB of
	// memory at 3,333: the peak (100) breaks none.
	first, ok := p.FirstReached()
	if !ok || first.Name != LimitLink || first.PV != 1e9/3e6 {
		t.Errorf("FirstReached = %+v, %v; want link at 333.3", first, ok)
	}
	if b, ok := p.FirstBroken(); ok {
		t.Errorf("FirstBroken = %+v; the peak breaks nothing", b)
	}
}

// The story's plan: 200 PV/s at the peak, 20 resources of 50 KB with 90%
// from the CDN (100 KB a view from the origin), a 125 MB/s link, 10,000
// connections.
func storyPlan() Plan {
	return Plan{PeakPV: 200, ResourcesPerPage: 20, ResourceSize: 50e3, DownloadSpeed: 200e3, ConnMemory: 10e3, CDNShare: 0.9,
		Limits: Limits{Link: 125e6, MaxConns: 10000, Memory: 512 << 20}}
}

func TestADriftIsJudgedByTheLimitItMovesAtThePeak(t *testing.T) {
	th := DefaultThresholds()
	at := func(pv float64, set func(*snapshot.Snapshot)) Assessment {
		s := snapshot.Snapshot{Time: time.Unix(0, 0), PV: snapshot.Some(pv)}
		set(&s)
		return storyPlan().Assess(s, nil)
	}
	tests := []struct {
		name string
		a    Assessment
		get  func(Assessment) Check
		want Level
	}{
		// 10.1 MB a view at 12 PV/s: the link fills at 12.4 PV/s, the plan
		// needs 200.
		{"ten times the planned page fills the link far before the peak", at(12, func(s *snapshot.Snapshot) { s.Bandwidth = snapshot.Some(12 * 10.1e6) }),
			func(a Assessment) Check { return a.Bandwidth }, LevelCrit},
		// 400 KB a view: 80 MB/s of 125 at the peak, 64%.
		{"four times the planned page still fits the link at the peak", at(50, func(s *snapshot.Snapshot) { s.Bandwidth = snapshot.Some(50 * 400e3) }),
			func(a Assessment) Check { return a.Bandwidth }, LevelOK},
		// 520 KB a view: 104 MB/s of 125 at the peak, 83%.
		{"a page that takes 83% of the link at the peak warns", at(50, func(s *snapshot.Snapshot) { s.Bandwidth = snapshot.Some(50 * 520e3) }),
			func(a Assessment) Check { return a.Bandwidth }, LevelWarn},
		// 3.66x the plan, but 11 connections against 3: 8 of 10,000.
		{"idle keep-alives above a near-zero PV move no limit", at(0.6, func(s *snapshot.Snapshot) { s.Connections = snapshot.Some(11) }),
			func(a Assessment) Check { return a.Connections }, LevelOK},
		// 0.3x the plan: under it, whatever the peak.
		{"a figure under the plan is never a problem", at(150, func(s *snapshot.Snapshot) { s.Connections = snapshot.Some(23) }),
			func(a Assessment) Check { return a.Connections }, LevelOK},
		// 62 connections a view at 200 PV: 12,400 of 10,000.
		{"connections that reach 12,400 of 10,000 at the peak are critical", at(10, func(s *snapshot.Snapshot) { s.Connections = snapshot.Some(620) }),
			func(a Assessment) Check { return a.Connections }, LevelCrit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.get(tt.a)
			if got := th.DriftUse(c); got != tt.want {
				t.Errorf("DriftUse = %v, want %v (check %+v)", got, tt.want, c)
			}
		})
	}
}

func TestADriftWithoutALimitIsNeverAProblem(t *testing.T) {
	p := storyPlan()
	p.Limits = Limits{}
	a := p.Assess(snapshot.Snapshot{PV: snapshot.Some(12), Bandwidth: snapshot.Some(12 * 10.1e6), Connections: snapshot.Some(5000)}, nil)
	th := DefaultThresholds()
	for _, c := range a.Checks() {
		if !c.Check.Drift.OK() && c.Name != "memory" {
			t.Errorf("%s: no drift %+v; the test needs one", c.Name, c.Check)
		}
		if l := th.DriftUse(c.Check); l > LevelOK {
			t.Errorf("%s: DriftUse = %v with no limit", c.Name, l)
		}
	}
}

func TestHeadroomRestsOnTheMeasuredFigureAndSaysSo(t *testing.T) {
	p := storyPlan()
	// 100 PV/s predicts 10 MB/s; 50.1 KB/s is measured.
	a := p.Assess(snapshot.Snapshot{PV: snapshot.Some(100), Bandwidth: snapshot.Some(50.1e3)}, nil)
	if h, ok := a.Bandwidth.Headroom.Get(); !ok || a.Bandwidth.Basis != BasisMeasured || h != (125e6-50.1e3)/125e6 {
		t.Errorf("bandwidth headroom %v (%s), want the measured one", a.Bandwidth.Headroom, a.Bandwidth.Basis)
	}
	// Nothing measures memory here: the plan's formula is the basis.
	if h, ok := a.Memory.Headroom.Get(); !ok || a.Memory.Basis != BasisPredicted || h != (float64(512<<20)-a.Now.Memory)/float64(512<<20) {
		t.Errorf("memory headroom %v (%s), want the predicted one", a.Memory.Headroom, a.Memory.Basis)
	}
}

// A gauge moves at once with a step in traffic while PV, a rate over a
// window, follows over the window: the cost per view averages the gauge
// over that window.
func TestAGaugeIsAveragedOverThePVsRateWindow(t *testing.T) {
	p := storyPlan()
	t0 := time.Unix(1000, 0)
	var recent []snapshot.Snapshot
	for i := -10; i < 0; i++ {
		recent = append(recent, snapshot.Snapshot{Time: t0.Add(time.Duration(i) * time.Second), Connections: snapshot.Some(50)})
	}
	src := map[string]snapshot.Source{"prometheus": {OK: true, Signals: []string{snapshot.SignalPV}, RateWindow: 4}}
	s := snapshot.Snapshot{Time: t0, PV: snapshot.Some(100), Connections: snapshot.Some(250), Sources: src}
	c := p.Assess(s, recent).Connections
	// The window is 4 s: the samples at -4, -3, -2, -1 and now.
	if v, ok := c.PerView.Get(); !ok || v != (50*4+250)/5.0/100 {
		t.Errorf("per view %v, want the gauge over the last 4 s per PV", c.PerView)
	}
}
