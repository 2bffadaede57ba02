package events

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// server is one server's figures for a test: requests a second, error
// rate, p95 in seconds.
func server(name string, req, errRate, p95 float64) snapshot.Server {
	return snapshot.Server{Name: name, Requests: snapshot.Some(req), ErrorRate: snapshot.Some(errRate), LatencyP95: snapshot.Some(p95)}
}

// withFleet is at(d, 10) with the fleet's servers, sorted by name, and
// no stock: no sale to pace.
func withFleet(d time.Duration, fleet ...snapshot.Server) snapshot.Snapshot {
	s := at(d, 10)
	s.Stock = snapshot.Value{}
	s.Fleet = append([]snapshot.Server(nil), fleet...)
	snapshot.SortFleet(s.Fleet)
	return s
}

// steady repeats a fleet for n seconds from T+0.
func steady(n int, fleet ...snapshot.Server) []snapshot.Snapshot {
	var out []snapshot.Snapshot
	for sec := range n {
		out = append(out, withFleet(time.Duration(sec)*time.Second, fleet...))
	}
	return out
}

// problemsOf words the problems as "severity key <- cause: message".
func problemsOf(st State) []string {
	var out []string
	for _, p := range st.Problems() {
		out = append(out, fmt.Sprintf("%s %s <- %s: %s", p.Severity, p.Key(), p.Cause, p.Message))
	}
	return out
}

// Differences that harm nothing open nothing, with the default thresholds
// and twenty seconds to stand.
func TestAFleetsHarmlessDifferencesAreNoProblems(t *testing.T) {
	tests := []struct {
		name  string
		fleet []snapshot.Server
		gone  string // the one problem expected: a server gone
	}{
		{"a server at 80 ms in a fleet at 20 ms", []snapshot.Server{
			server("web-1", 100, 0, 0.02), server("web-2", 100, 0, 0.02), server("web-3", 100, 0, 0.08), server("web-4", 100, 0, 0.02)}, ""},
		{"a server carrying 3x the mean at 2 requests a second", []snapshot.Server{
			server("web-1", 0.5, 0, 0.02), server("web-2", 0.5, 0, 0.02), server("web-3", 5, 0, 0.02)}, ""},
		{"a fleet failing alike: the site's burst, no one server's", []snapshot.Server{
			server("web-1", 100, 0.12, 0.02), server("web-2", 100, 0.11, 0.02), server("web-3", 100, 0.13, 0.02)}, ""},
		{"a fleet slow alike", []snapshot.Server{
			server("web-1", 100, 0, 2.1), server("web-2", 100, 0, 1.9), server("web-3", 100, 0, 2.5)}, ""},
		{"a server at 3% errors and 0.9 failures a second", []snapshot.Server{
			server("web-1", 30, 0.03, 0.02), server("web-2", 30, 0, 0.02), server("web-3", 30, 0, 0.02)}, ""},
		{"a server past twice the rest but under the error line", []snapshot.Server{
			server("web-1", 100, 0.008, 0.02), server("web-2", 100, 0.002, 0.02), server("web-3", 100, 0.001, 0.02)}, ""},
		{"one server answering: a fleet of one stands out from nothing", []snapshot.Server{
			server("web-1", 900, 0.2, 4), {Name: "web-2", Gone: true, GoneSince: t0.Add(-time.Hour)}}, "gone/web-2"},
		{"a fleet where one server alone carries its figures", []snapshot.Server{
			server("web-1", 900, 0.2, 4), {Name: "web-2", Requests: snapshot.Some(900)}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, st := detectAll(capacity.DefaultThresholds(), steady(20, tt.fleet...))
			o := opened(evs)
			if tt.gone != "" && o[tt.gone] == 1 {
				delete(o, tt.gone)
			}
			if len(o) != 0 {
				t.Errorf("opened %v: %v", o, problemsOf(st))
			}
		})
	}
}

func TestOneServerFailingWhileTheFleetIsFineIsAProblem(t *testing.T) {
	snaps := steady(20, server("web-1", 100, 0.005, 0.02), server("web-2", 100, 0.004, 0.02),
		server("web-3", 100, 0.12, 0.02), server("web-4", 100, 0.006, 0.02))
	evs, st := detectAll(capacity.DefaultThresholds(), snaps)
	if o := opened(evs); len(o) != 1 || o["server-errors/web-3"] != 1 {
		t.Errorf("opened %v, want web-3's errors once", o)
	}
	want := "crit server-errors/web-3 <- : web-3: 12% of its requests failing (12/s), the other servers' median 0.5%, measured"
	if got := strings.Join(problemsOf(st), "\n"); got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
}

// In a fleet of two, the other server is the measure: a median over both
// would sit halfway and never let one stand out.
func TestInAFleetOfTwoTheOtherServerIsTheMeasure(t *testing.T) {
	_, st := detectAll(quick(), steady(2, server("a", 100, 0.12, 0.02), server("b", 100, 0.01, 0.02)))
	if got := problemsOf(st); len(got) != 1 || !strings.HasPrefix(got[0], "crit server-errors/a <- : a: 12% of its requests failing (12/s), the other servers' median 1%") {
		t.Errorf("problems %q", got)
	}
}

func TestAServerCarryingTwiceItsShareIsImbalanced(t *testing.T) {
	_, st := detectAll(quick(), steady(2, server("web-1", 100, 0, 0.02), server("web-2", 100, 0, 0.02),
		server("web-3", 100, 0, 0.02), server("web-4", 300, 0, 0.02)))
	want := "crit imbalance/web-4 <- : web-4 carries 2x the mean share of requests (50% of 600 req/s), measured"
	if got := strings.Join(problemsOf(st), "\n"); got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
	// 170 of a mean 123: 1.38x, under the warning's 1.5x.
	_, st = detectAll(quick(), steady(2, server("web-1", 100, 0, 0.02), server("web-2", 100, 0, 0.02), server("web-3", 170, 0, 0.02)))
	if got := problemsOf(st); len(got) != 0 {
		t.Errorf("1.38x the mean opened %q", got)
	}
	_, st = detectAll(quick(), steady(2, server("web-1", 100, 0, 0.02), server("web-2", 100, 0, 0.02), server("web-3", 250, 0, 0.02)))
	want = "warn imbalance/web-3 <- : web-3 carries 1.67x the mean share of requests (55.6% of 450 req/s), measured"
	if got := strings.Join(problemsOf(st), "\n"); got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
}

func TestASlowServerFarPastTheRestIsAProblem(t *testing.T) {
	_, st := detectAll(quick(), steady(2, server("web-1", 100, 0, 0.18), server("web-2", 100, 0, 0.2),
		server("web-3", 100, 0, 2.4), server("web-4", 100, 0, 0.22)))
	want := "warn server-latency/web-3 <- : web-3: p95 latency 2.4s, the other servers' median 200ms, measured"
	if got := strings.Join(problemsOf(st), "\n"); got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
}

// A server carrying twice its share fails and answers slowly: its errors
// and its latency stand under its imbalance, and its errors, users
// failing, are the worst of them.
func TestAServersErrorsStandUnderItsImbalanceAndAboveIt(t *testing.T) {
	_, st := detectAll(quick(), steady(2, server("web-1", 100, 0.002, 0.2), server("web-2", 100, 0.003, 0.2),
		server("web-3", 100, 0.001, 0.2), server("web-4", 300, 0.09, 3.5)))
	var got []string
	for _, p := range st.Problems() {
		got = append(got, fmt.Sprintf("%s %s <- %s", p.Severity, p.Key(), p.Cause))
	}
	want := []string{
		"crit imbalance/web-4 <- ",
		"crit server-errors/web-4 <- imbalance/web-4",
		"crit server-latency/web-4 <- imbalance/web-4",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if w, _ := Worst(st.Problems()); w.Key() != "server-errors/web-4" {
		t.Errorf("worst %s, want web-4's errors: users failing come before a server's share", w.Key())
	}
}

// A launch's problems at once, the fleet's among them: the link full, the
// site's 502s and waits under it, one server failing, one gone, one hot.
func TestTheWorstComeFirstInAMixedSet(t *testing.T) {
	s := withFleet(time.Second, server("web-1", 600, 0.01, 0.4), server("web-2", 600, 0.012, 0.5),
		server("web-3", 600, 0.4, 0.5), server("web-4", 1500, 0.02, 0.6), snapshot.Server{Name: "web-5", Gone: true, GoneSince: t0})
	s.PV, s.Bandwidth = snapshot.Some(10), snapshot.Some(420e6) // 42 MB a view: the link over
	s.Requests, s.ErrorRate, s.LatencyP95 = snapshot.Some(3300), snapshot.Some(0.09), snapshot.Some(3.4)
	_, st := detectAll(quick(), []snapshot.Snapshot{withFleet(0, s.Fleet...), s})
	var got []string
	for _, p := range st.Problems() {
		got = append(got, fmt.Sprintf("%s %s <- %s", p.Severity, p.Key(), p.Cause))
	}
	want := []string{
		"crit page-weight/page <- ",
		"crit limit/bandwidth <- page-weight/page",
		"crit errors/error_rate <- limit/bandwidth",
		"crit latency/p95 <- limit/bandwidth",
		"crit server-errors/web-3 <- ",
		"warn gone/web-5 <- ",
		"warn imbalance/web-4 <- ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range st.Problems() {
		if p.Key() == "latency/p95" && p.Message != "p95 latency 3.4s (crit 3s), measured" {
			t.Errorf("latency words %q", p.Message)
		}
		if p.Key() == "gone/web-5" && p.Message != "web-5 stopped answering at 12:00:00" {
			t.Errorf("gone words %q", p.Message)
		}
	}
}

// One server's errors are the cause of the site's burst when no limit is.
func TestOneServersErrorsCauseTheSitesBurst(t *testing.T) {
	s := withFleet(time.Second, server("web-1", 100, 0, 0.02), server("web-2", 100, 0, 0.02), server("web-3", 100, 0.3, 0.02))
	s.Requests, s.ErrorRate = snapshot.Some(300), snapshot.Some(0.1)
	_, st := detectAll(quick(), []snapshot.Snapshot{withFleet(0, s.Fleet...), s})
	want := []string{
		"crit server-errors/web-3 <- : web-3: 30% of its requests failing (30/s), the other servers' median 0%, measured",
		"crit errors/error_rate <- server-errors/web-3: error burst: 10% of requests failing (30/s), measured",
	}
	if got := problemsOf(st); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A server that stops answering for less than open_after opens nothing;
// longer, it opens once, and closes once it has answered for close_after.
func TestAServerGoneStandsLikeAnyFigure(t *testing.T) {
	th := capacity.DefaultThresholds() // open 5 s, close 30 s
	run := func(goneFor int) ([]Event, State) {
		var snaps []snapshot.Snapshot
		for sec := range 120 {
			b := server("web-2", 100, 0, 0.02)
			if sec >= 10 && sec < 10+goneFor {
				b = snapshot.Server{Name: "web-2", Gone: true, GoneSince: t0.Add(9 * time.Second)}
			}
			snaps = append(snaps, withFleet(time.Duration(sec)*time.Second, server("web-1", 100, 0, 0.02), b, server("web-3", 100, 0, 0.02)))
		}
		return detectAll(th, snaps)
	}
	if evs, _ := run(3); len(only(evs, KindGone)) != 0 {
		t.Errorf("3 s without an answer: %q", only(evs, KindGone))
	}
	evs, st := run(40)
	want := []string{
		"15s warn: web-2 stopped answering at 12:00:09",
		"1m20s info: web-2 answering again (resolved after 1m05s; worst: web-2 stopped answering at 12:00:09)",
	}
	if got := only(evs, KindGone); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("gone events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(st.Problems()) != 0 {
		t.Errorf("still open: %q", problemsOf(st))
	}
}

// A server that fails, then stops answering: its errors say nothing more
// and close without a "back"; once the fleet forgets it, its gone closes.
func TestAGoneServersFiguresCloseAndItsGoneClosesWhenDropped(t *testing.T) {
	a, c := server("web-1", 100, 0, 0.02), server("web-3", 100, 0, 0.02)
	snaps := []snapshot.Snapshot{
		withFleet(0, a, server("web-2", 100, 0.3, 0.02), c),
		withFleet(time.Second, a, snapshot.Server{Name: "web-2", Gone: true, GoneSince: t0}, c),
	}
	_, st := detectAll(quick(), snaps)
	if got := problemsOf(st); len(got) != 1 || got[0] != "warn gone/web-2 <- : web-2 stopped answering at 12:00:00" {
		t.Errorf("problems of a gone server %q, want its gone alone", got)
	}
	evs, st := detectAll(quick(), append(snaps, withFleet(2*time.Second, a, c)))
	if got := only(evs, KindServerErrors); len(got) != 1 {
		t.Errorf("web-2's errors %q, want opened and closed without a back", got)
	}
	if got := only(evs, KindGone); len(got) != 2 || !strings.HasPrefix(got[1], "2s info: web-2 dropped from the fleet (resolved after 1s") {
		t.Errorf("gone events %q", got)
	}
	if len(st.Problems()) != 0 || len(st.levels) != 0 {
		t.Errorf("still standing: %q, levels %v", problemsOf(st), st.levels)
	}
	// A frame without a fleet is a gap: the gone problem stands.
	_, st = detectAll(quick(), append(snaps, at(2*time.Second, 10)))
	if len(st.Problems()) != 1 {
		t.Errorf("a frame without a fleet closed %q", problemsOf(st))
	}
}

func TestTheSitesLatencyIsJudgedByItsLines(t *testing.T) {
	th := capacity.DefaultThresholds()
	var snaps []snapshot.Snapshot
	for sec := range 90 {
		s := at(time.Duration(sec)*time.Second, 10)
		switch {
		case sec >= 10 && sec < 12: // a 2 s spike: nothing
			s.LatencyP95 = snapshot.Some(5)
		case sec >= 20 && sec < 40:
			s.LatencyP95 = snapshot.Some(2.4)
		default:
			s.LatencyP95 = snapshot.Some(0.3)
		}
		snaps = append(snaps, s)
	}
	evs, _ := detectAll(th, snaps)
	want := []string{
		"25s warn: p95 latency 2.4s (warn 1s), measured",
		// 30 s under its line from T+40s.
		"1m10s info: latency back under its warning line (resolved after 45s; worst: p95 latency 2.4s (warn 1s), measured)",
	}
	if got := only(evs, KindLatency); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("latency events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAnEndpointsLatencyIsHeldAgainstItsStressTest(t *testing.T) {
	p := plan()
	p.Endpoints[0].MaxP95 = time.Second
	s := at(time.Second, 10)
	s.Endpoints = map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(20), P95: snapshot.Some(0.85)}}
	evs, _ := Detect(State{}, s, p.Assess(s, nil), quick())
	if got := only(evs, KindEndpointLatency); len(got) != 1 ||
		got[0] != "1s warn: buy p95 latency 850ms, 85% of the 1s its stress test found at its ceiling, measured" {
		t.Errorf("endpoint latency events %q", got)
	}
	// Without a ceiling for its latency, an endpoint's p95 is no problem
	// of its own.
	evs, _ = Detect(State{}, s, plan().Assess(s, nil), quick())
	if got := only(evs, KindEndpointLatency); len(got) != 0 {
		t.Errorf("no max_p95, yet %q", got)
	}
}

// A hot server dancing around its line for five minutes opens once.
func TestAServerDancingOnItsLineDoesNotFlap(t *testing.T) {
	var snaps []snapshot.Snapshot
	for sec := range 300 {
		hot := 160.0 // 1.6x the mean of 100, 100, 160... near enough: dances over and under 1.5x
		if (sec/7)%2 == 1 {
			hot = 130
		}
		snaps = append(snaps, withFleet(time.Duration(sec)*time.Second,
			server("web-1", 80, 0, 0.02), server("web-2", 80, 0, 0.02), server("web-3", hot, 0, 0.02)))
	}
	evs, _ := detectAll(capacity.DefaultThresholds(), snaps)
	if o := opened(evs); len(o) != 1 || o["imbalance/web-3"] != 1 {
		t.Errorf("opened %v, want web-3's imbalance once", o)
	}
}

// Judging a frame and following its problems, with no fleet and with
// 500 servers (one hot, failing and slow, one gone): the fleet's rows
// are built and passed over one at a time, and only the few that stand
// out cost a key, a name or words.
func BenchmarkJudgeAndDetect(b *testing.B) {
	for _, n := range []int{0, 500} {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			fleet := make([]snapshot.Server, n)
			for i := range fleet {
				fleet[i] = server(fmt.Sprintf("web-%03d", i), 100, 0.002, 0.05)
			}
			want := 0
			if n > 0 {
				fleet[7] = server("web-007", 400, 0.3, 2.5)
				fleet[9] = snapshot.Server{Name: "web-009", Gone: true, GoneSince: t0}
				want = 4
			}
			p, th := plan(), quick()
			var st State
			s := withFleet(0, fleet...)
			_, st = Detect(st, s, p.Assess(s, nil), th)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				s.Time = t0.Add(time.Duration(i+1) * time.Second)
				s.Sources["scrape"] = snapshot.Source{OK: true, LastSuccess: s.Time}
				_, st = Detect(st, s, p.Assess(s, nil), th)
			}
			if len(st.Problems()) != want {
				b.Fatalf("problems %q", problemsOf(st))
			}
		})
	}
}

// The table as a list, as the report and the levels read it.
func BenchmarkJudgementsOfA500ServerFleet(b *testing.B) {
	fleet := make([]snapshot.Server, 500)
	for i := range fleet {
		fleet[i] = server(fmt.Sprintf("web-%03d", i), 100, 0.002, 0.05)
	}
	p, th := plan(), quick()
	s := withFleet(0, fleet...)
	a := p.Assess(s, nil)
	b.ReportAllocs()
	for b.Loop() {
		if js := th.Judgements(a, s); len(js) < 2000 {
			b.Fatal(len(js))
		}
	}
}
