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
