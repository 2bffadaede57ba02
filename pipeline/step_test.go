package pipeline

import (
	"reflect"
	"testing"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/internal/launchtest"
)

// Step moves an analyst on as Add does: the same assessments and events,
// snapshot by snapshot, through problems opening and closing across a
// fleet; its frames carry the judgements the events were detected by,
// which are those the thresholds give, and other thresholds judge anew.
func TestStepDerivesWhatAddDerivesAndKeepsItsJudgements(t *testing.T) {
	const n = 2400
	plan, th := launchtest.Plan(), capacity.DefaultThresholds()
	other := th
	other.ErrorRateWarn, other.ErrorRateCrit = 0.5, 0.9
	byAdd, byStep, byEvents := NewAnalyst(plan, th, 0), NewAnalyst(plan, th, NoHistory), NewAnalyst(plan, th, NoHistory)
	raised, differ := 0, 0
	for i := range n {
		s := launchtest.DaySnapshot(43_200-n/2+i, 60)
		want, got := byAdd.Add(s), byStep.Step(s, nil)
		if !reflect.DeepEqual(got.Assessment, want.Assessment) || !reflect.DeepEqual(got.Events, want.Events) {
			t.Fatalf("snapshot %d: Step gives %v, Add %v", i, got.Events, want.Events)
		}
		if evs := byEvents.StepEvents(s); !reflect.DeepEqual(evs, want.Events) {
			t.Fatalf("snapshot %d: StepEvents gives %v, Add %v", i, evs, want.Events)
		}
		if got.History.Len() != 0 || got.Problems != nil || got.Log.Len() != 0 {
			t.Fatalf("a Step frame holds a history, problems or a log")
		}
		raised += len(want.Events)
		for _, tt := range []struct {
			th   capacity.Thresholds
			kept bool
		}{{th, true}, {other, false}} {
			rows, fresh := got.Judgements(tt.th), tt.th.Judgements(got.Assessment, got.Snapshot)
			if len(rows) != len(fresh) {
				t.Fatalf("snapshot %d: %d judgements, want %d", i, len(rows), len(fresh))
			}
			for k := range rows {
				a, b := rows[k], fresh[k]
				if a.Key() != b.Key() || a.Level != b.Level || a.Figure != b.Figure || a.Size != b.Size || a.Title != b.Title || a.Text() != b.Text() {
					t.Fatalf("snapshot %d: judgement %d is %s %v, want %s %v", i, k, a.Key(), a.Level, b.Key(), b.Level)
				}
			}
			if kept := len(rows) > 0 && &rows[0] == &got.judged[0]; kept != tt.kept {
				t.Fatalf("snapshot %d: the kept judgements served: %v, want %v", i, kept, tt.kept)
			}
		}
		if errorLevel(got.Judgements(other)) != errorLevel(got.Judgements(th)) {
			differ++
		}
	}
	if raised < 8 || differ == 0 {
		t.Fatalf("%d events, %d snapshots whose error rate other thresholds judge otherwise: too few", raised, differ)
	}
}

// errorLevel is the error rate's level among judgements.
func errorLevel(rows []capacity.Judgement) capacity.Level {
	for _, j := range rows {
		if j.Key() == capacity.KindErrors+"/"+capacity.SubjectErrorRate {
			return j.Level
		}
	}
	return capacity.LevelUnknown
}
