package events

import (
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// probed is a snapshot at d from T0 whose probe found the button or not.
func probed(d time.Duration, button bool) snapshot.Snapshot {
	s := at(d, 10)
	v := 0.0
	if button {
		v = 1
	}
	s.Probe = snapshot.Probe{ButtonPresent: snapshot.Some(v), PageBytes: snapshot.Some(1e6), Resources: snapshot.Some(20), FailedResources: snapshot.Some(0)}
	return s
}

// only lists the events of kind as "offset severity: message".
func only(evs []Event, kind Kind) []string {
	var out []string
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e.Time.Sub(t0).String()+" "+e.Severity.String()+": "+e.Message)
		}
	}
	return out
}

// runWith is run with other thresholds.
func runWith(th capacity.Thresholds, snaps ...snapshot.Snapshot) []Event {
	var st State
	var all []Event
	p := plan()
	for i, s := range snaps {
		evs, next := Detect(st, s, p.Assess(s, snaps[:i]), th)
		all = append(all, evs...)
		st = next
	}
	return all
}

// Many sale pages show their button only at T0: its absence before is
// expected, and the moment a probe after T0 misses it, it is critical.
func TestAMissingButtonIsExpectedBeforeT0AndCriticalAtOnceDuringTheSale(t *testing.T) {
	snaps := []snapshot.Snapshot{probed(-20*time.Second, false), probed(-10*time.Second, false)}
	for sec := 0; sec <= 50; sec += 5 {
		snaps = append(snaps, probed(time.Duration(sec)*time.Second, sec >= 20))
	}
	// The default standing time and hold-down: the button opens at once
	// all the same, and falls 30 s after it is back.
	got := only(runWith(capacity.DefaultThresholds(), snaps...), KindButton)
	want := []string{
		"0s crit: purchase button missing during the sale, as probed",
		"50s info: purchase button back on the sale page (resolved after 50s; worst: purchase button missing during the sale, as probed)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("button events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAButtonTheConfigRequiresBeforeT0WarnsWhenMissing(t *testing.T) {
	th := quick()
	th.ButtonBeforeLaunch = true
	got := only(runWith(th, probed(-20*time.Second, false), probed(-10*time.Second, true), probed(0, true)), KindButton)
	want := []string{
		"-20s warn: purchase button missing before T0, as probed (required)",
		"0s info: purchase button back on the sale page (resolved after 20s; worst: purchase button missing before T0, as probed (required))",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("button events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTheButtonsProblemStandsWhileMissingAndClosesAtSellOutWithoutABack(t *testing.T) {
	var st State
	p, th := plan(), quick()
	step := func(s snapshot.Snapshot) []Event {
		evs, next := Detect(st, s, p.Assess(s, nil), th)
		st = next
		return evs
	}
	step(probed(time.Second, false))
	probs := st.Problems()
	if len(probs) != 1 || probs[0].Kind != KindButton || probs[0].Severity != Crit {
		t.Fatalf("problems = %+v, want the button, critical", probs)
	}
	sold := probed(2*time.Second, false)
	sold.Stock = snapshot.Some(0)
	evs := step(sold)
	if len(only(evs, KindButton)) != 0 || len(st.Problems()) != 0 {
		t.Errorf("at sell-out: events %+v, problems %+v; want the problem closed quietly", evs, st.Problems())
	}
}

func TestAProbeThatMeasuredNothingRaisesNothing(t *testing.T) {
	evs := run(at(-time.Second, 10), at(time.Second, 10), at(2*time.Second, 10))
	for _, k := range []Kind{KindButton, KindResource} {
		if got := only(evs, k); len(got) != 0 {
			t.Errorf("%s events without a probe: %q", k, got)
		}
	}
}

// The probed page is judged by what it does to the link at the planned
// peak: 100 PV/s of a 3 MB page (no CDN) is 300 MB/s of a 400 MB/s link.
func TestTheProbedPageIsJudgedByTheLinkAtThePeak(t *testing.T) {
	heavy := func(d time.Duration, bytes float64) snapshot.Snapshot {
		s := probed(d, true)
		s.Probe.PageBytes = snapshot.Some(bytes)
		return s
	}
	evs := run(heavy(time.Second, 3e6), heavy(2*time.Second, 3.3e6), heavy(3*time.Second, 10e6), heavy(4*time.Second, 3.1e6), heavy(14*time.Second, 3.1e6))
	var got []string
	for _, e := range evs {
		if e.Kind == KindPageWeight && e.Subject == capacity.SubjectSalePage {
			got = append(got, e.Time.Sub(t0).String()+" "+e.Severity.String()+": "+e.Message)
		}
	}
	want := []string{
		// 330 MB/s of 400 at the peak: 82.5%.
		"2s warn: sale page 3.3 MB as probed: link full at 121 PV/s, plan 100",
		"3s crit: sale page 10 MB as probed: link full at 40 PV/s, plan 100",
		"14s info: the probed sale page back within the link at the planned peak (resolved after 12s; " +
			"worst: sale page 10 MB as probed: link full at 40 PV/s, plan 100)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("page weight events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFailingResourcesWarnAndClear(t *testing.T) {
	failing := func(d time.Duration, n float64) snapshot.Snapshot {
		s := probed(d, true)
		s.Probe.FailedResources = snapshot.Some(n)
		return s
	}
	got := only(run(failing(time.Second, 0), failing(2*time.Second, 3), failing(3*time.Second, 1), failing(4*time.Second, 0), failing(14*time.Second, 0)), KindResource)
	want := []string{
		"2s warn: 3 resources of the sale page fail to load, as probed",
		"14s info: every resource of the sale page loads again (resolved after 12s; worst: 3 resources of the sale page fail to load, as probed)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("resource events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A page probed during the countdown, still the newest result just after
// T0, says nothing of the sale yet: the button is not critical until a
// probe taken after T0 misses it. A shop whose button appears at T0 does
// not ring at every launch.
func TestAPageProbedBeforeT0IsNoCriticalMissingButton(t *testing.T) {
	stale := func(d, age time.Duration, button bool) snapshot.Snapshot {
		s := probed(d, button)
		s.Probe.Age = snapshot.Some(age.Seconds())
		return s
	}
	got := only(run(
		stale(-5*time.Second, 0, false),
		stale(3*time.Second, 8*time.Second, false), // taken at T-5s
		stale(6*time.Second, 0, true),              // the first probe after T0: the button is there
	), KindButton)
	for _, e := range got {
		if strings.Contains(e, "crit") {
			t.Errorf("a probe from before T0 was judged as the sale's: %v", got)
		}
	}
	got = only(run(stale(-5*time.Second, 0, false), stale(3*time.Second, 2*time.Second, false)), KindButton)
	if len(got) != 1 || !strings.Contains(got[0], "3s crit") {
		t.Errorf("a probe taken after T0 without the button: %v, want critical at T+3s", got)
	}
}
