package alerts

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
)

func TestADedupKeyNamesOneAlertOfOneProblem(t *testing.T) {
	cart := problem(events.KindEndpoint, "cart", events.Warn, 10*time.Second, "cart at 85%")
	base := newAlert(Opened, "Winter drop", cart, t0.Add(10*time.Second))
	if len(base.DedupKey) != 32 {
		t.Fatalf("dedup_key %q, want 32 hex digits", base.DedupKey)
	}
	later := cart
	later.Message = "cart at 97%"
	crit := cart
	crit.Severity = events.Crit
	reopened := cart
	reopened.Since = t0.Add(5 * time.Minute)
	otherSubject := cart
	otherSubject.Subject = "buy"
	tests := []struct {
		name string
		a    Alert
		same bool
	}{
		{"the same alert made again a frame later, its figure moved, has the same key", newAlert(Opened, "Winter drop", later, t0.Add(11*time.Second)), true},
		{"the problem's resolving has another key", newAlert(Resolved, "Winter drop", cart, t0.Add(time.Minute)), false},
		{"the problem's escalation has another key", newAlert(Escalated, "Winter drop", crit, t0.Add(time.Minute)), false},
		{"the problem's acknowledgement has another key", newAlert(Acknowledged, "Winter drop", acked(cart, "alice", time.Minute), t0.Add(time.Minute)), false},
		{"an opening at crit (a crit-only sink's) has another key than the opening at warn", newAlert(Opened, "Winter drop", crit, t0.Add(12*time.Second)), false},
		{"the problem reopened later has another key", newAlert(Opened, "Winter drop", reopened, t0.Add(5*time.Minute)), false},
		{"another launch's problem has another key", newAlert(Opened, "Spring drop", cart, t0.Add(10*time.Second)), false},
		{"another subject has another key", newAlert(Opened, "Winter drop", otherSubject, t0.Add(10*time.Second)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.DedupKey == base.DedupKey; got != tt.same {
				t.Errorf("key %s beside %s: same = %v, want %v", tt.a.DedupKey, base.DedupKey, got, tt.same)
			}
		})
	}
}

func TestTheDedupKeyIsInTheJSONAReceiverGets(t *testing.T) {
	a := newAlert(Opened, "Winter drop", problem(events.KindErrors, "", events.Crit, 0, "error rate 7.2%"), t0)
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["dedup_key"] != a.DedupKey || a.DedupKey == "" {
		t.Errorf("dedup_key in the JSON is %v, want %q", got["dedup_key"], a.DedupKey)
	}
}

func TestAProblemIDIsOneForEveryAlertOfAProblemAndNewWhenItOpensAgain(t *testing.T) {
	cart := problem(events.KindEndpoint, "cart", events.Warn, 10*time.Second, "cart at 85%")
	crit := cart
	crit.Severity, crit.Message = events.Crit, "cart at 120%"
	first := newAlert(Opened, "Winter drop", cart, t0.Add(10*time.Second))
	for _, a := range []Alert{
		newAlert(Escalated, "Winter drop", crit, t0.Add(20*time.Second)),
		newAlert(Acknowledged, "Winter drop", acked(crit, "alice", 30*time.Second), t0.Add(30*time.Second)),
		newAlert(Resolved, "Winter drop", crit, t0.Add(time.Minute)),
	} {
		if a.ProblemID != first.ProblemID || a.DedupKey == first.DedupKey {
			t.Errorf("%s: problem_id %s (want %s), dedup_key %s (want its own)", a.State, a.ProblemID, first.ProblemID, a.DedupKey)
		}
	}
	reopened := cart
	reopened.Since = t0.Add(5 * time.Minute)
	if again := newAlert(Opened, "Winter drop", reopened, t0.Add(5*time.Minute)); again.ProblemID == first.ProblemID || len(again.ProblemID) != 32 {
		t.Errorf("the problem opened again has problem_id %s, want a new one of 32 hex digits", again.ProblemID)
	}
}
