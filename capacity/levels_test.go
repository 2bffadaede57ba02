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
