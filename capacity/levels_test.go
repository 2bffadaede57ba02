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
		{"0.5% errors is ok", th.ErrorRate(snapshot.Some(0.005)), LevelOK},
		{"2% errors warns", th.ErrorRate(snapshot.Some(0.02)), LevelWarn},
		{"30% errors is critical", th.ErrorRate(snapshot.Some(0.3)), LevelCrit},
		{"a page at plan weight is ok", th.PageWeight(snapshot.Some(1)), LevelOK},
		{"a page twice the plan warns", th.PageWeight(snapshot.Some(2)), LevelWarn},
		{"a page ten times the plan is critical", th.PageWeight(snapshot.Some(10)), LevelCrit},
		{"selling at plan pace is ok", th.Pace(Assessment{Phase: PhaseLive, SellOut: SellOut{Pace: snapshot.Some(1)}}), LevelOK},
		{"pace is not judged in the first minute after T0", th.Pace(Assessment{Phase: PhaseLive, LaunchKnown: true, SinceLaunch: 30 * time.Second, SellOut: SellOut{Pace: snapshot.Some(0.1)}}), LevelUnknown},
		{"pace is judged after the first minute", th.Pace(Assessment{Phase: PhaseLive, LaunchKnown: true, SinceLaunch: 2 * time.Minute, SellOut: SellOut{Pace: snapshot.Some(0.1)}}), LevelCrit},
		{"selling at a third of plan warns", th.Pace(Assessment{Phase: PhaseLive, SellOut: SellOut{Pace: snapshot.Some(0.3)}}), LevelWarn},
		{"selling at a tenth of plan is critical", th.Pace(Assessment{Phase: PhaseLive, SellOut: SellOut{Pace: snapshot.Some(0.1)}}), LevelCrit},
		{"pace means nothing before launch", th.Pace(Assessment{Phase: PhaseBefore, SellOut: SellOut{Pace: snapshot.Some(0)}}), LevelUnknown},
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
