package events

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// detectAll feeds snapshots through Detect with th and returns every event
// and the state after the last.
func detectAll(th capacity.Thresholds, snaps []snapshot.Snapshot) ([]Event, State) {
	var st State
	var all []Event
	p := plan()
	for i, s := range snaps {
		evs, next := Detect(st, s, p.Assess(s, snaps[:i]), th)
		all = append(all, evs...)
		st = next
	}
	return all, st
}

// opened counts the problems that opened, by kind/subject.
func opened(evs []Event) map[string]int {
	out := make(map[string]int)
	for _, e := range evs {
		if e.Severity >= Warn {
			out[Key(e.Kind, e.Subject)]++
		}
	}
	return out
}

func TestAFigureOverItsLineForLessThanOpenAfterOpensNothing(t *testing.T) {
	th := capacity.DefaultThresholds() // OpenAfter 5s
	var snaps []snapshot.Snapshot
	for sec := 0; sec <= 20; sec++ {
		s := at(time.Duration(sec)*time.Second, 50)
		s.Requests = snapshot.Some(100)
		if sec >= 5 && sec < 9 { // 4 s of 30% failing
			s.ErrorRate = snapshot.Some(0.3)
		}
		snaps = append(snaps, s)
	}
	if evs, _ := detectAll(th, snaps); len(opened(evs)) != 0 {
		t.Errorf("a 4 s blip opened %v", only(evs, KindErrors))
	}
	for sec := 9; sec <= 12; sec++ { // now 8 s
		snaps[sec].ErrorRate = snapshot.Some(0.3)
	}
	evs, _ := detectAll(th, snaps)
	if got := only(evs, KindErrors); len(got) == 0 || !strings.HasPrefix(got[0], "10s crit: error burst: 30% of requests failing (30/s), measured") {
		t.Errorf("error events %q, want a burst opening 5 s after it began at T+5s", got)
	}
}

func TestAFewFailedRequestsAreNoBurst(t *testing.T) {
	var snaps []snapshot.Snapshot
	for sec := 0; sec <= 20; sec++ {
		s := at(time.Duration(sec)*time.Second, 0.5)
		s.Requests, s.ErrorRate = snapshot.Some(3), snapshot.Some(0.3) // 0.9 failed a second
		snaps = append(snaps, s)
	}
	if evs, _ := detectAll(capacity.DefaultThresholds(), snaps); len(opened(evs)) != 0 {
		t.Errorf("0.9 failed requests a second opened %v", evs)
	}
}

// A load that steps up and down, and a figure that dances around its line
// for five minutes: no problem opens and closes more than once a minute.
func TestNoProblemFlapsOnAStepOrADance(t *testing.T) {
	th := capacity.DefaultThresholds()
	var snaps []snapshot.Snapshot
	for sec := 0; sec < 300; sec++ {
		s := at(time.Duration(sec)*time.Second, 100)
		// Connections limit 4,000: 81% and 79% in turn, 7 s each.
		if (sec/7)%2 == 0 {
			s.Connections = snapshot.Some(3240)
		} else {
			s.Connections = snapshot.Some(3160)
		}
		snaps = append(snaps, s)
	}
	evs, _ := detectAll(th, snaps)
	perMinute := make(map[string]map[int]int)
	for _, e := range evs {
		if e.Severity < Warn {
			continue
		}
		k := Key(e.Kind, e.Subject)
		if perMinute[k] == nil {
			perMinute[k] = make(map[int]int)
		}
		perMinute[k][int(e.Time.Sub(t0)/time.Minute)]++
	}
	for k, m := range perMinute {
		for minute, n := range m {
			if n > 1 {
				t.Errorf("%s opened %d times in minute %d", k, n, minute)
			}
		}
	}
	if len(perMinute) == 0 {
		t.Errorf("a figure over its warning line half the time never opened: %v", evs)
	}
}

// While a figure eases under its level, the problem keeps the words that
// were true at it: it never reads "crit: bandwidth at 20% of its limit".
func TestAHoldDownKeepsTheWordsTrueAtItsSeverity(t *testing.T) {
	th := quick()
	hot := at(time.Second, 100)
	hot.Connections = snapshot.Some(3950) // 98.75%
	cool := at(2*time.Second, 100)
	cool.Connections = snapshot.Some(800) // 20%
	_, st := detectAll(th, []snapshot.Snapshot{at(0, 100), hot, cool})
	var p Problem
	for _, q := range st.Problems() {
		if q.Key() == Key(KindLimit, "connections") {
			p = q
		}
	}
	if p.Severity != Crit || p.Message != "connections at 98.8% of its 4,000 limit, measured" || !p.Easing.Equal(t0.Add(2*time.Second)) {
		t.Errorf("held problem %+v, want its crit words and easing since T+2s", p)
	}
}

// The crash's problems all at once: users failing first, each symptom
// under its cause (page weight → link full → 502s → pace).
func TestProblemsAreGroupedByCauseAndOrderedByHarm(t *testing.T) {
	th := quick()
	s := at(time.Second, 10)
	s.Bandwidth = snapshot.Some(420e6)  // 42 MB a view: the link (400 MB/s) over, and pages 14x the plan
	s.Requests = snapshot.Some(2400)    //
	s.ErrorRate = snapshot.Some(0.73)   // 502s
	s.Connections = snapshot.Some(3000) // 75%: no problem
	s.Endpoints = map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(85)}}
	s.Sources["scrape"] = snapshot.Source{OK: false, Error: "query stock: empty result", LastSuccess: t0.Add(time.Second)}
	_, st := detectAll(th, []snapshot.Snapshot{at(0, 10), s})
	var got []string
	for _, p := range st.Problems() {
		got = append(got, fmt.Sprintf("%s %s <- %s", p.Severity, p.Key(), p.Cause))
	}
	want := []string{
		"crit page-weight/page <- ",
		"crit limit/bandwidth <- page-weight/page",
		"crit errors/error_rate <- limit/bandwidth",
		// 300 connections a view: 30,000 of 4,000 at the peak.
		"crit drift/connections <- page-weight/page",
		"warn source/scrape <- ",
		"warn endpoint/buy <- ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if w, _ := Worst(st.Problems()); w.Key() != "errors/error_rate" {
		t.Errorf("worst %s, want the error burst: users failing come first", w.Key())
	}
}

func TestTheHarmOrderWithinASeverity(t *testing.T) {
	ps := []Problem{
		{Kind: KindPace, Severity: Crit, Harm: HarmPace, Subject: capacity.SubjectSellOut},
		{Kind: KindPageWeight, Severity: Crit, Harm: HarmCost, Subject: capacity.SubjectPage},
		{Kind: KindLimit, Severity: Crit, Harm: HarmCapacity, Subject: "bandwidth", Size: 1.01},
		{Kind: KindLimit, Severity: Crit, Harm: HarmCapacity, Subject: "connections", Size: 1.2},
		{Kind: KindSource, Severity: Crit, Harm: HarmSight, Subject: "prometheus"},
		{Kind: KindErrors, Severity: Crit, Harm: HarmUsers, Subject: capacity.SubjectErrorRate, Size: 0.4},
		{Kind: KindErrors, Severity: Warn, Harm: HarmUsers, Subject: "x"},
	}
	var got []string
	for len(ps) > 0 {
		w, _ := Worst(ps)
		got = append(got, w.Key())
		for i := range ps {
			if ps[i].Key() == w.Key() {
				ps = append(ps[:i], ps[i+1:]...)
				break
			}
		}
	}
	want := "errors/error_rate source/prometheus limit/connections limit/bandwidth page-weight/page pace/sell-out errors/x"
	if strings.Join(got, " ") != want {
		t.Errorf("order %s\nwant  %s", strings.Join(got, " "), want)
	}
}

// Under the plan, or far from any limit at the peak, a departure from the
// formula is information, never a problem; with no limit set it is never
// one either.
func TestADriftThatMovesNoLimitIsNoProblem(t *testing.T) {
	// plan(): 100 PV/s at the peak; connections 4,000.
	tests := []struct {
		name      string
		plan      func() capacity.Plan
		pv, conns float64
	}{
		{"under the plan", plan, 100, 970},
		{"3.66x the plan at idle", plan, 0.5, 55},
		{"no limit", func() capacity.Plan { q := plan(); q.Limits = capacity.Limits{}; return q }, 10, 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st State
			pl := tt.plan()
			var evs []Event
			for i := range 20 {
				s := at(time.Duration(i)*time.Second, tt.pv)
				s.Connections = snapshot.Some(tt.conns)
				var e []Event
				e, st = Detect(st, s, pl.Assess(s, nil), capacity.DefaultThresholds())
				evs = append(evs, e...)
			}
			if o := opened(evs); len(o) != 0 {
				t.Errorf("opened %v: %v", o, evs)
			}
		})
	}
}

func TestTheAvalancheWithinThePlanIsInformation(t *testing.T) {
	evs := run(at(-2*time.Second, 10), at(-time.Second, 10), at(time.Second, 60))
	if got := only(evs, KindAvalanche); len(got) != 1 || !strings.HasPrefix(got[0], "1s info: refresh avalanche: 60 PV/s") {
		t.Errorf("avalanche %q, want information: 60 PV/s is within the planned 100", got)
	}
	evs = run(at(-2*time.Second, 10), at(-time.Second, 10), at(time.Second, 150))
	if got := only(evs, KindAvalanche); len(got) != 1 || !strings.HasPrefix(got[0], "1s warn: refresh avalanche: 150 PV/s") {
		t.Errorf("avalanche %q, want a warning: 150 PV/s is past the planned 100", got)
	}
}

func TestDepthsFollowTheCauses(t *testing.T) {
	ps := []Problem{
		{Kind: KindPageWeight, Subject: capacity.SubjectPage},
		{Kind: KindLimit, Subject: "bandwidth", Cause: "page-weight/page"},
		{Kind: KindErrors, Subject: capacity.SubjectErrorRate, Cause: "limit/bandwidth"},
		{Kind: KindDrift, Subject: "connections", Cause: "page-weight/page"},
		{Kind: KindSource, Subject: "scrape"},
		{Kind: KindPace, Subject: capacity.SubjectSellOut, Cause: "button/purchase"}, // its cause is not listed
	}
	if got := fmt.Sprint(Depths(ps)); got != "[0 1 2 1 0 0]" {
		t.Errorf("depths %s, want [0 1 2 1 0 0]", got)
	}
}

func TestCausesWalkTheChainUp(t *testing.T) {
	// The crash's chain as Detect names it.
	s := at(time.Second, 10)
	s.Bandwidth, s.Requests, s.ErrorRate = snapshot.Some(420e6), snapshot.Some(2400), snapshot.Some(0.73)
	_, st := detectAll(quick(), []snapshot.Snapshot{at(0, 10), s})
	var ps []Problem
	for _, p := range st.Problems() {
		if p.Kind != KindDrift {
			ps = append(ps, p)
		}
	}
	var names []string
	burst := ps[len(ps)-1]
	for _, c := range Causes(burst, ps) {
		names = append(names, c.Name())
	}
	if got := strings.Join(names, " ← "); got != "bandwidth limit ← page weight" {
		t.Errorf("causes %q", got)
	}
	if len(Causes(ps[0], ps)) != 0 {
		t.Error("a root has causes")
	}
}

// A crash's page weight problem closes when the traffic ends: no page
// views, no cost per view over the link.
func TestACostPerViewProblemClosesWhenTrafficEnds(t *testing.T) {
	th := quick()
	var snaps []snapshot.Snapshot
	for sec := 0; sec < 60; sec++ {
		s := at(time.Duration(sec)*time.Second, 10)
		s.Bandwidth = snapshot.Some(10 * 30e6) // 30 MB a view
		if sec >= 20 {
			s.PV, s.Bandwidth = snapshot.Some(0), snapshot.Some(0)
		}
		snaps = append(snaps, s)
	}
	evs, st := detectAll(th, snaps)
	if got := only(evs, KindPageWeight); len(got) != 2 || !strings.HasPrefix(got[1], "30s info: page weight back within the link") {
		t.Errorf("page weight events %q, want it opened and closed 10 s after the views stopped", got)
	}
	for _, p := range st.Problems() {
		t.Errorf("still open after the traffic ended: %+v", p)
	}
}

// A step in traffic: the connections gauge jumps at once while PV, a rate
// over a 4 s window, climbs over the window. Like with like (the gauge
// averaged over the window) opens nothing, even with no standing time:
// held against the live gauge, 2,400 connections over 35 PV/s would read
// 6,857 of 4,000 at the peak.
func TestAStepInTrafficOpensNothing(t *testing.T) {
	var snaps []snapshot.Snapshot
	for sec := 0; sec < 120; sec++ {
		// 20 PV/s, then 80 from T+30s; a view holds 30 connections.
		now, pv := 20.0, 20.0
		if sec >= 30 {
			now = 80
			pv = 20 + 60*min(float64(sec-30+1)/4, 1) // the rate's window catching up
		}
		s := at(time.Duration(sec-200)*time.Second, pv) // before T0: no sale to pace
		s.Connections = snapshot.Some(now * 30)
		s.Sources["scrape"] = snapshot.Source{OK: true, LastSuccess: s.Time, Signals: []string{snapshot.SignalPV}, RateWindow: 4}
		snaps = append(snaps, s)
	}
	th := capacity.DefaultThresholds()
	th.OpenAfter = 0
	if evs, _ := detectAll(th, snaps); len(opened(evs)) != 0 {
		t.Errorf("a step opened %v", opened(evs))
	}
}
