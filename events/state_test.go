package events

import (
	"reflect"
	"strings"
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

// DetectJudged, which the report's walk uses, leaves a standing problem's
// words as they were until it changes severity or reaches a new worst,
// yet raises every event Detect raises, to the word: the worst quoted
// when a problem resolves is the same. Its states have no Problems to
// show, and neither has a state Detect derives from one.
func TestDetectJudgedRaisesWhatDetectRaisesAndShowsNoProblems(t *testing.T) {
	const n = 2400
	plan, th := launchtest.Plan(), capacity.DefaultThresholds()
	w := capacity.NewWindow()
	var byDetect, byJudged State
	var judging capacity.Judging
	var rows []capacity.Judgement
	worst := 0
	for i := range n {
		s := launchtest.DaySnapshot(43_200-n/2+i, 60)
		a := plan.AssessWindow(s, w)
		w.Add(s)
		judging.A, judging.S = a, s
		rows = th.AppendJudging(rows[:0], &judging)
		var want, got []Event
		want, byDetect = Detect(byDetect, s, a, th)
		got, byJudged = DetectJudged(byJudged, s, a, th, rows)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("snapshot %d: DetectJudged raises %v, Detect %v", i, got, want)
		}
		for _, e := range want {
			if strings.Contains(e.Message, "; worst: ") {
				worst++
			}
		}
	}
	if worst < 3 {
		t.Fatalf("%d problems resolved quoting their worst: too few to hold the words to", worst)
	}
	for name, st := range map[string]State{"DetectJudged's": byJudged, "Detect's after it": detectOnce(byJudged, th)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s state gave Problems", name)
				}
			}()
			st.Problems()
		}()
	}
}

// detectOnce derives one more snapshot from st by Detect.
func detectOnce(st State, th capacity.Thresholds) State {
	s := launchtest.DaySnapshot(0, 0)
	_, next := Detect(st, s, launchtest.Plan().Assess(s, nil), th)
	return next
}
