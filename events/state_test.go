package events

import (
	"reflect"
	"testing"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

// A State never changes once Detect has returned it, however many Detects
// follow from it: a replay's checkpoints keep States and derive from them
// again later, and a Detect shares the maps of the State it starts from
// until it writes one. Detect from any kept State gives again the events
// and the next State it gave the first time.
func TestAStateNeverChangesOnceReturned(t *testing.T) {
	const n = 2400
	plan, th := launchtest.Plan(), capacity.DefaultThresholds()
	snaps := make([]snapshot.Snapshot, n)
	as := make([]capacity.Assessment, n)
	w := capacity.NewWindow()
	for i := range snaps {
		snaps[i] = launchtest.DaySnapshot(43_200-n/2+i, 60)
		as[i] = plan.AssessWindow(snaps[i], w)
		w.Add(snaps[i])
	}
	states := make([]State, n+1)
	evs := make([][]Event, n)
	problems := make([][]Problem, n)
	raised := 0
	for i := range snaps {
		evs[i], states[i+1] = Detect(states[i], snaps[i], as[i], th)
		problems[i] = states[i+1].Problems()
		raised += len(evs[i])
	}
	if raised < 8 {
		t.Fatalf("%d events: too few to follow states through", raised)
	}
	for i := range snaps {
		again, next := Detect(states[i], snaps[i], as[i], th)
		if !reflect.DeepEqual(again, evs[i]) || !reflect.DeepEqual(next.Problems(), problems[i]) {
			t.Fatalf("snapshot %d: Detect from its kept state gives %v, first %v", i, again, evs[i])
		}
		if !reflect.DeepEqual(states[i+1].Problems(), problems[i]) {
			t.Fatalf("the state after snapshot %d changed since it was returned", i)
		}
	}
}
