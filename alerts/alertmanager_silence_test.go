package alerts

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

func TestAnAcknowledgementSilencesTheAlertOnOneAlertmanagerAndTheResolveRemovesIt(t *testing.T) {
	am1, am2 := newFakeAM(t), newFakeAM(t)
	at := newAMTest(t, Options{Launch: "Winter drop"}, time.Hour, time.Second, am1.URL, am2.URL)
	p := errorBurst(events.Crit, "42% failing")
	at.d.Observe(t0, []events.Problem{p})
	p.Ack = &snapshot.Ack{By: "alice@war-room", At: t0.Add(time.Minute)}
	at.clock.Advance(time.Minute)
	at.d.Observe(t0.Add(time.Minute), []events.Problem{p, problem(events.KindLatency, "p95", events.Warn, 0, "p95 at 900ms")})
	waitFor(t, "a silence", func() bool { s, _ := am1.silenceList(); return len(s) == 1 })
	waitFor(t, "the acknowledgement posted", func() bool {
		a, _ := lastOf(am2.allPosts(), "alertname", "LaunchErrors")
		return strings.HasSuffix(a.Annotations["description"], "\nAcknowledged by alice@war-room at 2026-11-27 12:01:00 UTC.")
	})
	sils, _ := am1.silenceList()
	s := sils[0]
	want := []amMatcher{{"alertname", "LaunchErrors", false, true}, {"launch", "Winter drop", false, true}, {"kind", "errors", false, true}, {"subject", "error_rate", false, true}}
	if !slices.Equal(s.Matchers, want) || s.CreatedBy != "alice@war-room" || !strings.HasPrefix(s.Comment, "acknowledged in launchwatch: Error burst: 42% failing") ||
		!s.StartsAt.Equal(t0.Add(time.Minute)) || !s.EndsAt.Equal(t0.Add(time.Minute+SilenceFor)) {
		t.Errorf("silence %+v", s)
	}
	if other, _ := am2.silenceList(); len(other) != 0 {
		t.Errorf("the second Alertmanager got a silence too: %+v (a cluster gossips them)", other)
	}
	at.d.Observe(t0.Add(2*time.Minute), []events.Problem{p})
	at.d.Observe(t0.Add(3*time.Minute), nil)
	waitFor(t, "the silence removed", func() bool { _, del := am1.silenceList(); return len(del) == 1 })
	if sils, del := am1.silenceList(); del[0] != sils[0].ID || len(sils) != 1 {
		t.Errorf("silences %+v, removed %v: want the one made, removed once", sils, del)
	}
}

func TestASilenceIsMadeOnTheNextAlertmanagerWhenTheFirstIsDownAndRetriedWhenNoneTakesIt(t *testing.T) {
	down := newFakeAM(t)
	down.Close() // nothing listens: every call fails at once
	up := newFakeAM(t)
	up.set(http.StatusInternalServerError, "gossip is stuck", false)
	at := newAMTest(t, Options{}, 20*time.Millisecond, time.Second, down.URL, up.URL)
	p := errorBurst(events.Crit, "42% failing")
	p.Ack = &snapshot.Ack{By: "bob", At: t0}
	at.d.Observe(t0, []events.Problem{p})
	waitFor(t, "both failing", func() bool {
		st := at.d.Status()
		return st[0].Failing() && st[1].Failing()
	})
	up.set(0, "", false)
	waitFor(t, "a silence on the second", func() bool { s, _ := up.silenceList(); return len(s) == 1 })
	time.Sleep(100 * time.Millisecond)
	if s, _ := up.silenceList(); len(s) != 1 {
		t.Errorf("%d silences, want one", len(s))
	}
	at.d.Observe(t0.Add(time.Minute), nil)
	waitFor(t, "the silence removed from where it was made", func() bool { _, del := up.silenceList(); return len(del) == 1 })
}

func TestASilenceWhoseCreateGotNoAnswerIsFoundRatherThanMadeTwice(t *testing.T) {
	am := newFakeAM(t)
	am.hangOnce = true
	at := newAMTest(t, Options{}, 30*time.Millisecond, 50*time.Millisecond, am.URL)
	p := errorBurst(events.Crit, "42% failing")
	p.Ack = &snapshot.Ack{By: "bob", At: t0}
	at.d.Observe(t0, []events.Problem{p})
	waitFor(t, "a failed create", func() bool { return strings.Contains(at.d.Status()[0].LastError, "no answer within 50ms") })
	at.d.Observe(t0.Add(time.Second), []events.Problem{p})
	time.Sleep(200 * time.Millisecond) // several resends
	if s, _ := am.silenceList(); len(s) != 1 {
		t.Fatalf("%d silences, want the one the unanswered create made", len(s))
	}
	at.d.Observe(t0.Add(2*time.Second), nil)
	waitFor(t, "the silence removed", func() bool { _, del := am.silenceList(); return len(del) == 1 })
}

func TestASilenceSomeoneRemovedInAlertmanagerIsNotRemovedAgainAndAgain(t *testing.T) {
	am := newFakeAM(t)
	at := newAMTest(t, Options{}, 20*time.Millisecond, time.Second, am.URL)
	p := errorBurst(events.Crit, "42% failing")
	p.Ack = &snapshot.Ack{By: "bob", At: t0}
	at.d.Observe(t0, []events.Problem{p})
	waitFor(t, "the silence", func() bool { s, _ := am.silenceList(); return len(s) == 1 })
	am.mu.Lock()
	am.silences = nil // purged by someone in Alertmanager's UI
	am.mu.Unlock()
	at.d.Observe(t0.Add(time.Second), nil)
	waitFor(t, "the resolve", func() bool { return at.d.Status()[0].Pending == 0 })
	time.Sleep(100 * time.Millisecond) // several resends
	at.d.Close()
	if s := at.d.Status()[0]; s.LastError != "" {
		t.Errorf("status %+v: a silence already gone is no failure", s)
	}
	if l := at.d.AlertmanagersLeft(); len(l) != 1 || l[0].Silences != 0 {
		t.Errorf("left %+v: want no silence left", l)
	}
}
