package events

import (
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func plan() capacity.Plan {
	return capacity.Plan{
		PeakPV: 100, ResourcesPerPage: 30, ResourceSize: 100e3, DownloadSpeed: 100e3, ConnMemory: 10e3,
		Limits:    capacity.Limits{Link: 400e6, MaxConns: 4000, Memory: 1e9},
		Endpoints: []capacity.Endpoint{{Name: "buy", MaxQPS: 100}},
		Stock:     capacity.Stock{Total: 1000, SellOut: 10 * time.Minute},
		LaunchAt:  t0,
	}
}

// run feeds snapshots through Detect and returns every event in order.
func run(snaps ...snapshot.Snapshot) []Event {
	var st State
	var all []Event
	p, th := plan(), quick()
	for i, s := range snaps {
		var recent []snapshot.Snapshot
		if i > 0 {
			recent = snaps[:i]
		}
		evs, next := Detect(st, s, p.Assess(s, recent), th)
		all = append(all, evs...)
		st = next
	}
	return all
}

func at(d time.Duration, pv float64) snapshot.Snapshot {
	return snapshot.Snapshot{
		Time: t0.Add(d), PV: snapshot.Some(pv), Stock: snapshot.Some(1000),
		Sources: map[string]snapshot.Source{"scrape": {OK: true, LastSuccess: t0.Add(d)}},
	}
}

func kinds(evs []Event) string {
	var b []string
	for _, e := range evs {
		b = append(b, string(e.Kind)+":"+e.Severity.String())
	}
	return strings.Join(b, " ")
}

func TestAQuietLaunchRaisesOnlyThePhaseChange(t *testing.T) {
	evs := run(at(-2*time.Second, 10), at(-time.Second, 10), at(time.Second, 20))
	if got := kinds(evs); got != "phase:info" {
		t.Errorf("events = %q (%+v), want only the launch starting", got, evs)
	}
}

func TestALimitFiresOnceWhenCrossedAndOnceWhenRecovered(t *testing.T) {
	// Connections limit 4,000; 100 PV predicts 3,000 (75%): ok.
	ok := at(time.Second, 100)
	hot := at(2*time.Second, 100)
	hot.Connections = snapshot.Some(3900) // 97.5%: critical
	hotter := at(3*time.Second, 100)
	hotter.Connections = snapshot.Some(3950)
	cool := func(d time.Duration) snapshot.Snapshot {
		s := at(d, 100)
		s.Connections = snapshot.Some(2000)
		return s
	}
	// Back under at T+4s, it recovers once it has stayed under for Hold.
	evs := run(at(-time.Second, 10), ok, hot, hotter, cool(4*time.Second), cool(4*time.Second+quick().CloseAfter))
	var limit []Event
	for _, e := range evs {
		if e.Kind == KindLimit {
			limit = append(limit, e)
		}
	}
	if len(limit) != 2 || limit[0].Severity != Crit || limit[1].Severity != Info {
		t.Fatalf("limit events = %+v, want one crit then one recovery", limit)
	}
	if !strings.Contains(limit[0].Message, "connections at 97.5% of its 4,000 limit, measured") {
		t.Errorf("message = %q", limit[0].Message)
	}
	if !limit[1].Time.Equal(t0.Add(4*time.Second+quick().CloseAfter)) ||
		!strings.Contains(limit[1].Message, "(resolved after 12s; worst: connections at 98.8% of its 4,000 limit, measured)") {
		t.Errorf("recovery %+v, want at T+14s, resolved after 12s", limit[1])
	}
}

// A figure dancing on its threshold raises its problem once and clears it
// once, after it has stayed under for Hold: no flapping.
func TestAFigureDancingOnAThresholdDoesNotFlap(t *testing.T) {
	var snaps []snapshot.Snapshot
	snaps = append(snaps, at(-time.Second, 10))
	for sec := 1; sec <= 30; sec++ {
		s := at(time.Duration(sec)*time.Second, 100)
		s.Connections = snapshot.Some(3150) // 78.75%: just under the 80% warning line
		if sec%2 == 0 {
			s.Connections = snapshot.Some(3250) // 81.25%: just over
		}
		snaps = append(snaps, s)
	}
	for sec := 31; sec <= 45; sec++ {
		s := at(time.Duration(sec)*time.Second, 100)
		s.Connections = snapshot.Some(3000)
		snaps = append(snaps, s)
	}
	var limit []string
	for _, e := range run(snaps...) {
		if e.Kind == KindLimit {
			limit = append(limit, e.Time.Sub(t0).String()+" "+e.Severity.String())
		}
	}
	// Over at T+2s; the last time over is T+30s; under from T+31s, so it
	// falls at T+41s.
	if want := []string{"2s warn", "41s info"}; strings.Join(limit, ", ") != strings.Join(want, ", ") {
		t.Errorf("limit events %v, want %v", limit, want)
	}
}

func TestAnErrorBurstIsNamed(t *testing.T) {
	bad := at(time.Second, 50)
	bad.ErrorRate = snapshot.Some(0.3)
	evs := run(at(0, 50), bad)
	found := false
	for _, e := range evs {
		if e.Kind == KindErrors && e.Severity == Crit && strings.Contains(e.Message, "30% of requests failing") {
			found = true
		}
	}
	if !found {
		t.Errorf("no error burst in %+v", evs)
	}
}

func TestADeadSourceIsReportedOnceAndItsReturnToo(t *testing.T) {
	// The source last answered at T+1s; from T+2s every query fails.
	silent := func(d time.Duration) snapshot.Snapshot {
		s := at(d, 10)
		s.Sources = map[string]snapshot.Source{"scrape": {OK: false, Error: "connection refused", LastSuccess: t0.Add(time.Second)}}
		return s
	}
	inPart := func(d time.Duration) snapshot.Snapshot {
		s := at(d, 10)
		s.Sources = map[string]snapshot.Source{"scrape": {OK: false, Error: "query stock: empty result", LastSuccess: t0.Add(d)}}
		return s
	}
	evs := run(at(time.Second, 10), silent(2*time.Second), silent(5*time.Second), silent(6*time.Second), at(7*time.Second, 10),
		at(17*time.Second, 10), inPart(18*time.Second), at(19*time.Second, 10), at(29*time.Second, 10))
	var src []string
	for _, e := range evs {
		if e.Kind == KindSource {
			src = append(src, e.Severity.String()+": "+e.Message)
		}
	}
	want := []string{
		"crit: source scrape down: connection refused",                                                 // T+2s: every query failed
		"info: source scrape back (resolved after 15s; worst: source scrape down: connection refused)", // T+17s: back since T+7s, for close_after
		"warn: source scrape failing in part: query stock: empty result",                               // T+18s: answered, but not all of it
		"info: source scrape back (resolved after 11s; worst: source scrape failing in part: query stock: empty result)",
	}
	if strings.Join(src, "\n") != strings.Join(want, "\n") {
		t.Errorf("source events:\n%s\nwant:\n%s", strings.Join(src, "\n"), strings.Join(want, "\n"))
	}
}

func TestAPartialFailureIsAWarningNotAnOutage(t *testing.T) {
	partial := at(2*time.Second, 10)
	partial.Sources = map[string]snapshot.Source{"scrape": {OK: false, Error: "stock: empty result", LastSuccess: t0.Add(2 * time.Second),
		Carried: map[string]time.Time{"stock": t0.Add(time.Second)}}}
	evs := run(at(time.Second, 10), partial)
	for _, e := range evs {
		if e.Kind == KindSource && (e.Severity != Warn || e.Message != "source scrape failing in part: stock: empty result") {
			t.Errorf("event = %+v", e)
		}
	}
}

func TestTheRefreshAvalancheAtT0IsDetected(t *testing.T) {
	evs := run(at(-3*time.Second, 10), at(-2*time.Second, 12), at(-time.Second, 11), at(2*time.Second, 90), at(3*time.Second, 95))
	var av []Event
	for _, e := range evs {
		if e.Kind == KindAvalanche {
			av = append(av, e)
		}
	}
	if len(av) != 1 || !strings.Contains(av[0].Message, "90 PV/s at T+2s") {
		t.Errorf("avalanche events = %+v, want one at T+2s", av)
	}
}

func TestAnAvalancheTheOriginCannotServeShowsInRequests(t *testing.T) {
	// The story's first launch: the link is saturated, served page views
	// stay flat, and the refreshes come back as 502s.
	snap := func(d time.Duration, pv, req float64) snapshot.Snapshot {
		s := at(d, pv)
		s.Requests = snapshot.Some(req)
		return s
	}
	evs := run(snap(-2*time.Second, 10, 40), snap(-time.Second, 11, 42), snap(3*time.Second, 12, 900))
	var av []Event
	for _, e := range evs {
		if e.Kind == KindAvalanche {
			av = append(av, e)
		}
	}
	if len(av) != 1 || !strings.Contains(av[0].Message, "900 requests/s at T+3s") {
		t.Errorf("avalanche events = %+v, want one in requests at T+3s", av)
	}
}

func TestPageWeightDriftIsNamedByTheLinkItFills(t *testing.T) {
	heavy := at(time.Second, 10)
	heavy.Bandwidth = snapshot.Some(10 * 30e6) // 30 MB a view: 10x the 3 MB plan
	evs := run(at(0, 10), heavy)
	for _, e := range evs {
		if e.Kind == KindPageWeight {
			if e.Severity != Crit || e.Message != "page weight 30 MB/view, measured: link full at 13.3 PV/s, plan 100" {
				t.Errorf("page weight event = %+v", e)
			}
			return
		}
	}
	t.Errorf("no page weight event in %+v", evs)
}

func TestMissingDataIsNotARecovery(t *testing.T) {
	bad := at(time.Second, 50)
	bad.ErrorRate = snapshot.Some(0.3)
	gap := at(2*time.Second, 50) // error rate missing
	evs := run(at(0, 50), bad, gap)
	for _, e := range evs {
		if e.Kind == KindErrors && e.Severity == Info {
			t.Errorf("a gap in the data was reported as a recovery: %+v", e)
		}
	}
}

func TestProblemsStayWhileTheyLastAndClearWhenTheyDo(t *testing.T) {
	p, th := plan(), quick()
	var st State
	step := func(d time.Duration, buyQPS float64) []Problem {
		s := at(d, 10)
		s.Endpoints = map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(buyQPS)}}
		_, st = Detect(st, s, p.Assess(s, nil), th)
		return st.Problems()
	}
	if got := step(time.Second, 10); len(got) != 0 {
		t.Fatalf("a quiet endpoint is no problem: %+v", got)
	}
	got := step(2*time.Second, 90)
	if len(got) != 1 || got[0].Subject != "buy" || got[0].Severity != Warn || !got[0].Since.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("buy at 90%% of its ceiling: %+v", got)
	}
	// Worse: the message follows the figure, the problem keeps its start.
	got = step(3*time.Second, 186)
	if len(got) != 1 || got[0].Severity != Crit || !strings.Contains(got[0].Message, "186%") || !got[0].Since.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("buy at 186%%: %+v", got)
	}
	// A gap in the data is not a recovery.
	s := at(4*time.Second, 10)
	_, st = Detect(st, s, p.Assess(s, nil), th)
	if len(st.Problems()) != 1 {
		t.Errorf("a snapshot without the endpoint cleared its problem: %+v", st.Problems())
	}
	// Back under its warning line, it stays listed for Hold (no flapping),
	// then clears.
	if got := step(5*time.Second, 10); len(got) != 1 {
		t.Errorf("back under its warning line for a moment, no longer listed: %+v", got)
	}
	if got := step(5*time.Second+quick().CloseAfter, 10); len(got) != 0 {
		t.Errorf("under its warning line for %v, still listed: %+v", quick().CloseAfter, got)
	}
}

func TestProblemsComeWorstFirst(t *testing.T) {
	p, th := plan(), quick()
	s := at(time.Second, 10)
	s.Endpoints = map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(85)}}
	var st State
	_, st = Detect(st, s, p.Assess(s, nil), th)
	s = at(2*time.Second, 10)
	s.Endpoints = map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(85)}}
	s.ErrorRate = snapshot.Some(0.3)
	_, st = Detect(st, s, p.Assess(s, nil), th)
	got := st.Problems()
	if len(got) != 2 || got[0].Kind != KindErrors || got[1].Subject != "buy" {
		t.Errorf("want the error burst (crit) before buy (warn, older): %+v", got)
	}
}

func TestASourceDownIsAProblemUntilItIsBack(t *testing.T) {
	p, th := plan(), quick()
	var st State
	s := at(time.Second, 10)
	_, st = Detect(st, s, p.Assess(s, nil), th)
	s = at(10*time.Second, 10)
	s.Sources["scrape"] = snapshot.Source{OK: false, Error: "connection refused", LastSuccess: t0.Add(time.Second)}
	_, st = Detect(st, s, p.Assess(s, nil), th)
	if got := st.Problems(); len(got) != 1 || got[0].Severity != Crit || !strings.Contains(got[0].Message, "connection refused") {
		t.Fatalf("a source down: %+v", got)
	}
	s = at(11*time.Second, 10)
	_, st = Detect(st, s, p.Assess(s, nil), th)
	if got := st.Problems(); len(got) != 1 || got[0].Easing.IsZero() {
		t.Errorf("back for a moment, the source's problem eases, it does not close: %+v", got)
	}
	s = at(11*time.Second+th.CloseAfter, 10)
	_, st = Detect(st, s, p.Assess(s, nil), th)
	if got := st.Problems(); len(got) != 0 {
		t.Errorf("the source is back: %+v", got)
	}
}

// One poll that fails whole is no outage: a source down opens, like any
// problem, once it has stood for open_after.
func TestOneFailedPollPagesNobody(t *testing.T) {
	failed := at(2*time.Second, 10)
	failed.Sources = map[string]snapshot.Source{"scrape": {OK: false, Error: "context deadline exceeded", LastSuccess: t0.Add(time.Second)}}
	snaps := []snapshot.Snapshot{at(time.Second, 10), failed}
	for sec := 3; sec < 60; sec++ {
		snaps = append(snaps, at(time.Duration(sec)*time.Second, 10))
	}
	evs, _ := detectAll(capacity.DefaultThresholds(), snaps)
	if got := only(evs, KindSource); len(got) != 0 {
		t.Errorf("one failed poll raised %q", got)
	}
}

// A Prometheus scraping every 15 s holds samples up to 15 s old between
// scrapes: that is not behind.
func TestASourceIsBehindOnlyPastItsScrapeInterval(t *testing.T) {
	var snaps []snapshot.Snapshot
	for sec := 0; sec < 120; sec++ {
		s := at(time.Duration(sec)*time.Second, 10)
		newest := t0.Add(time.Duration(sec-sec%15) * time.Second) // a scrape every 15 s
		s.Sources = map[string]snapshot.Source{"prometheus": {OK: true, LastSuccess: s.Time, NewestSample: newest, ScrapeInterval: 15}}
		snaps = append(snaps, s)
	}
	evs, _ := detectAll(capacity.DefaultThresholds(), snaps)
	if got := only(evs, KindSource); len(got) != 0 {
		t.Errorf("a 15 s scrape read as behind: %q", got)
	}
}

func TestASourceAnsweringWithOldDataIsBehind(t *testing.T) {
	behindBy := func(d, lag time.Duration) snapshot.Snapshot {
		s := at(d, 10)
		s.Sources = map[string]snapshot.Source{"prometheus": {OK: true, LastSuccess: t0.Add(d), NewestSample: t0.Add(d - lag)}}
		return s
	}
	evs := run(behindBy(time.Second, time.Second), behindBy(2*time.Second, 30*time.Second), behindBy(3*time.Second, 31*time.Second),
		behindBy(4*time.Second, time.Second), behindBy(14*time.Second, time.Second))
	var got []string
	for _, e := range evs {
		if e.Kind == KindSource {
			got = append(got, e.Severity.String()+": "+e.Message)
		}
	}
	want := "warn: source prometheus behind: its newest data is 30s old\ninfo: source prometheus back (resolved after 12s; worst: source prometheus behind: its newest data is 31s old)"
	if strings.Join(got, "\n") != want {
		t.Errorf("source events:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

func TestASlowSaleStopsBeingAProblemWhenItSellsOut(t *testing.T) {
	p, th := plan(), quick()
	var st State
	var recent []snapshot.Snapshot
	step := func(d time.Duration, stock float64) {
		s := at(d, 10)
		s.Stock, s.Sold = snapshot.Some(stock), snapshot.Some(0.1)
		_, st = Detect(st, s, p.Assess(s, recent), th)
		recent = append(recent, s)
	}
	step(-time.Second, 1000)
	step(2*time.Minute, 990) // live, selling at 0.1/s against a planned 1.67/s
	if got := st.Problems(); len(got) != 1 || got[0].Kind != KindPace {
		t.Fatalf("a sale far behind pace: %+v", got)
	}
	step(3*time.Minute, 0)
	if got := st.Problems(); len(got) != 0 {
		t.Errorf("sold out, still a problem: %+v", got)
	}
}

// quick are the thresholds of the tests that are not about standing
// times: a level rises at once and falls after 10 s under.
func quick() capacity.Thresholds {
	th := capacity.DefaultThresholds()
	th.OpenAfter, th.CloseAfter = 0, 10*time.Second
	return th
}
