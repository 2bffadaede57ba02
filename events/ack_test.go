package events

import (
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Two critical problems: the error burst (users) outranks a source down
// (sight) until a person acknowledges it; then the one
// nobody has taken stands first among the critical, and the log says who
// took it, once. An acknowledgement older than its problem (of an earlier
// one with the same key) is passed over.
func TestAnAcknowledgedProblemStandsBelowTheUntakenOnesOfItsSeverity(t *testing.T) {
	burst := Key(KindErrors, capacity.SubjectErrorRate)
	snap := func(d time.Duration, acks map[string]snapshot.Ack) snapshot.Snapshot {
		s := at(d, 50)
		s.ErrorRate = snapshot.Some(0.3)
		s.Sources = map[string]snapshot.Source{"scrape": s.Sources["scrape"], "prometheus": {Error: "connection refused"}}
		s.Acks = acks
		return s
	}
	stale := map[string]snapshot.Ack{burst: {By: "carol", At: t0.Add(-time.Hour)}}
	taken := map[string]snapshot.Ack{burst: {By: "alice", At: t0.Add(3 * time.Second)}}
	snaps := []snapshot.Snapshot{snap(0, stale), snap(time.Second, stale), snap(2*time.Second, stale)}
	evs, st := detectAll(quick(), snaps)
	ps := st.Problems()
	if len(ps) < 2 || ps[0].Key() != burst || ps[0].Ack != nil {
		t.Fatalf("before: %v; want the error burst first, not acknowledged (carol's is of an earlier one)", keys(ps))
	}
	if ps[0].Lines != "warn 1%, crit 5%" {
		t.Errorf("the burst's lines read %q", ps[0].Lines)
	}
	evs2, st2 := Detect(st, snap(3*time.Second, taken), plan().Assess(snap(3*time.Second, taken), snaps), quick())
	evs3, st3 := Detect(st2, snap(4*time.Second, taken), plan().Assess(snap(4*time.Second, taken), snaps), quick())
	ps = st3.Problems()
	var got Problem
	for _, p := range ps {
		if p.Key() == burst {
			got = p
		}
	}
	if got.Ack == nil || got.Ack.By != "alice" {
		t.Fatalf("the burst's ack is %+v", got.Ack)
	}
	if ps[0].Key() == burst || ps[0].Severity != Crit {
		t.Errorf("after: %v; want the untaken critical problem first", keys(ps))
	}
	n := 0
	for _, e := range append(append(evs, evs2...), evs3...) {
		if e.Kind == KindAck {
			n++
			if e.Subject != burst || e.Message != "error burst acknowledged by alice" {
				t.Errorf("ack event %+v", e)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d ack events, want 1", n)
	}
}

func keys(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Key() + ":" + p.Severity.String()
	}
	return out
}
