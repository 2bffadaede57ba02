package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// withFleet gives each scripted snapshot a fleet of n servers sharing its
// requests unevenly, web-007 failing (502s and 504s), web-003 slow, the
// last gone since T0, and the site's latency percentiles, measured by the
// scrape source.
func withFleet(snaps []snapshot.Snapshot, n int) []snapshot.Snapshot {
	for i := range snaps {
		s := &snaps[i]
		req := s.Requests.Or(0)
		weights, total := make([]float64, n), 0.0
		for k := range weights {
			weights[k] = 1 + 0.5*math.Sin(float64(k)*1.7)
			total += weights[k]
		}
		s.Fleet = make([]snapshot.Server, n)
		for k := range n {
			share := weights[k] / total
			srv := snapshot.Server{
				Name: fmt.Sprintf("web-%03d", k+1), Requests: snapshot.Some(req * share), PV: snapshot.Some(s.PV.Or(0) * share),
				Connections: snapshot.Some(math.Round(s.Connections.Or(0) * share)), Bandwidth: snapshot.Some(s.Bandwidth.Or(0) * share),
				ErrorRate: snapshot.Some(0.002), LatencyP50: snapshot.Some(0.08), LatencyP95: snapshot.Some(0.21), LatencyP99: snapshot.Some(0.4),
			}
			switch {
			case k == 6:
				srv.ErrorRate = snapshot.Some(0.31)
			case k == 9:
				srv.LatencyP95 = snapshot.Some(2.4)
			case k == n-1 && !s.Time.Before(t0):
				srv = snapshot.Server{Name: srv.Name, Gone: true, GoneSince: t0}
			}
			s.Fleet[k] = srv
		}
		s.LatencyP50, s.LatencyP95, s.LatencyP99 = snapshot.Some(0.09), snapshot.Some(0.32), snapshot.Some(1.4)
		s.ErrorCodes = map[string]snapshot.Value{"502": snapshot.Some(req * 0.03), "504": snapshot.Some(req * 0.006), "500": snapshot.Some(req * 0.001)}
		src := s.Sources["scrape"]
		src.Signals = append(append([]string(nil), src.Signals...), snapshot.SignalLatencyP50, snapshot.SignalLatencyP95, snapshot.SignalLatencyP99)
		s.Sources["scrape"] = src
	}
	return snaps
}

// fedFleet is fed with a fleet of n servers.
func fedFleet(frames, n, w, h int, profile termenv.Profile) (Model, *fakeFeed) {
	feed := newFeed(withFleet(launchSnapshots(frames), n), demoPlan())
	m := testModel(feed, profile)
	m = drive(m, tea.WindowSizeMsg{Width: w, Height: h})
	for range frames {
		m = drive(m, feed.next())
	}
	return m, feed
}

// serverProblems are hand-made problems of a server's kinds, as the
// judgement of the fleet will open them: web-010 slow (a warning), web-007
// failing (critical, users harmed), web-500 gone (critical, sight).
func serverProblems(at time.Time) []events.Problem {
	return []events.Problem{
		{Kind: capacity.KindServerLatency, Subject: "web-010", Severity: events.Warn, Harm: events.HarmUsers, Size: 2.4,
			Title: "web-010 slow", Message: "web-010 answers in 2.4s at p95, 11x the fleet's", Since: at},
		{Kind: capacity.KindGone, Subject: "web-500", Severity: events.Crit, Harm: events.HarmSight, Size: 1,
			Title: "web-500 gone", Message: "web-500 stopped answering", Since: at},
		{Kind: capacity.KindServerErrors, Subject: "web-007", Severity: events.Crit, Harm: events.HarmUsers, Size: 0.31,
			Title: "web-007 failing", Message: "web-007: 31% of its requests failing", Since: at},
		// Not a server's kind: its subject is no server, whatever it is called.
		{Kind: capacity.KindErrors, Subject: "web-002", Severity: events.Crit, Harm: events.HarmUsers, Size: 0.9, Title: "error burst", Message: "error burst on web-002 (not a server's kind)", Since: at},
	}
}

func TestTheFleetIsOrderedWorstFirstByItsServersProblemsThenByShare(t *testing.T) {
	s := withFleet(launchSnapshots(40), 12)[39]
	rows := fleetOrder(s.Fleet, serverProblems(s.Time))
	var names []string
	for _, r := range rows[:5] {
		names = append(names, r.srv.Name)
	}
	// Critical before warning; then a gone server without a problem (at
	// 12 servers the gone one is web-012: web-500's problem names no
	// server here); then the largest share of the requests.
	if names[0] != "web-007" {
		t.Errorf("worst first: %v, want web-007 (critical, users failing) first", names)
	}
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		if a.ok || b.ok || a.srv.Gone || b.srv.Gone {
			continue
		}
		if a.share.Or(0) < b.share.Or(0) {
			t.Errorf("%s (%v) before %s (%v): not by share of requests", a.srv.Name, a.share, b.srv.Name, b.share)
		}
	}
	if rows[1].srv.Name != "web-010" {
		t.Errorf("second: %s, want web-010 (its warning); order %v", rows[1].srv.Name, names)
	}
	if !rows[2].srv.Gone {
		t.Errorf("third: %s, want the gone server, before the servers that answer", rows[2].srv.Name)
	}
	for _, r := range rows {
		if r.srv.Name == "web-002" && r.ok {
			t.Error("web-002 took a problem whose kind is not a server's")
		}
	}
}

func TestOfTwoCriticalServersTheHarmOrderDecides(t *testing.T) {
	s := withFleet(launchSnapshots(40), 500)[39]
	rows := fleetOrder(s.Fleet, serverProblems(s.Time))
	if rows[0].srv.Name != "web-007" || rows[1].srv.Name != "web-500" || rows[2].srv.Name != "web-010" {
		t.Errorf("order %s, %s, %s: want web-007 (users), web-500 (sight), web-010 (a warning)", rows[0].srv.Name, rows[1].srv.Name, rows[2].srv.Name)
	}
}

// fleetFrames feeds a model the scripted launch with a fleet of n servers
// and the hand-made server problems on every frame that the judgement of
// the frame has not opened itself.
func fleetFrames(frames, n, w, h int, profile termenv.Profile) Model {
	feed := newFeed(withFleet(launchSnapshots(frames), n), demoPlan())
	m := testModel(feed, profile)
	m = drive(m, tea.WindowSizeMsg{Width: w, Height: h})
	for range frames {
		msg := feed.next()
		for _, p := range serverProblems(t0) {
			if !slices.ContainsFunc(msg.frame.Problems, func(q events.Problem) bool { return q.Kind == p.Kind && q.Subject == p.Subject }) {
				msg.frame.Problems = append(msg.frame.Problems, p)
			}
		}
		m = drive(m, msg)
	}
	return m
}

// The fleet panel fits each reference size beside what was there: the
// problems stay on screen, the worst servers first, the count of the rest
// and the spread of the requests.
func TestTheFleetAtItsThreeReferenceSizes(t *testing.T) {
	for _, sz := range []struct{ w, h, servers int }{{80, 24, 1}, {120, 40, 2}, {200, 60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := fleetFrames(120, 500, sz.w, sz.h, termenv.Ascii)
			v := m.View()
			wantAll(t, v, "Fleet · 500 servers · 3 with problems · 1 gone", "web-007", "Problems · 7 now", "page weight 1 MB/view, measured")
			if !strings.Contains(v, fmt.Sprintf("and %d more", 500-sz.servers)) {
				t.Errorf("no count of the servers not shown (%d shown):\n%s", sz.servers, v)
			}
			if sz.w >= 120 && !strings.Contains(v, "share of req min 0.1% med 0.2% p90 0.3% max 0.3%") {
				t.Errorf("no spread of the requests:\n%s", v)
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

// Without a fleet the screen is the one before fleets: the goldens of the
// dashboard and the wall are unchanged; here, no fleet panel, and tab
// never lands on it.
func TestWithoutAFleetThereIsNoFleetPanelToSeeOrFocus(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		m, _ := fed(120, sz[0], sz[1], termenv.Ascii)
		if strings.Contains(m.View(), "Fleet") {
			t.Errorf("%dx%d: a fleet panel without a fleet", sz[0], sz[1])
		}
		for range 12 {
			if m = drive(m, keyMsg("tab")); m.focus == panelFleet {
				t.Fatalf("%dx%d: tab focused the hidden fleet panel", sz[0], sz[1])
			}
		}
	}
}

func TestTabVisitsTheFleetPanelOnlyWithAFleet(t *testing.T) {
	m := fleetFrames(60, 20, 120, 40, termenv.Ascii)
	if !slices.Contains(m.focusOrder(), panelFleet) {
		t.Fatalf("focus order %v lacks the fleet panel", m.focusOrder())
	}
	for range 20 {
		if m = drive(m, keyMsg("tab")); m.focus == panelFleet {
			return
		}
	}
	t.Error("tab never reached the fleet panel")
}

// focusFleet tabs to the fleet panel.
func focusFleet(t *testing.T, m Model) Model {
	t.Helper()
	for range 20 {
		if m.focus == panelFleet {
			return m
		}
		m = drive(m, keyMsg("tab"))
	}
	t.Fatal("tab never reached the fleet panel")
	return m
}

func TestEnterOnTheFleetDrillsIntoTheSelectedServerAndEscGoesBack(t *testing.T) {
	m := focusFleet(t, fleetFrames(120, 500, 120, 40, termenv.Ascii))
	if !strings.Contains(m.View(), "›✕!! web-007") {
		t.Fatalf("the cursor is not on the worst server:\n%s", m.View())
	}
	// The fleet's servers carry 1.5 req/s each: too little for their
	// latency or their absence to be judged (capacity.LatencyMinRequests,
	// ImbalanceMinRequests), so the hand-made problems stand: web-500
	// gone (critical, sight), then web-010 slow (a warning).
	m = drive(m, keyMsg("down"), keyMsg("enter"))
	v := m.View()
	wantAll(t, v, "Server web-500 · esc back", "gone: not answering for 1m29s, last seen 12:00:00", "✕ CRIT web-500 stopped answering",
		"Requests/s", "Error rate", "Latency p95", "window 5m")
	v = drive(m, keyMsg("down")).View()
	wantAll(t, v, "Server web-010 · esc back", "p95 2.4s", "▲ WARN web-010 answers in 2.4s at p95, 11x the fleet's")
	m = drive(m, keyMsg("up"))
	v = m.View()
	wantAll(t, v, "Server web-007 · esc back", "errors 31%", "p95 210ms", "✕ CRIT web-007: 31% of its requests failing")
	// Its charts are its own: web-007's error rate, 31% all along.
	if !strings.Contains(v, "28.2%│") {
		t.Errorf("the error chart is not scaled to web-007's 31%%:\n%s", v)
	}
	m = drive(m, keyMsg("esc"))
	if v := m.View(); strings.Contains(v, "esc back") || !strings.Contains(v, "Fleet · 500 servers") {
		t.Errorf("esc did not go back to the dashboard:\n%s", v)
	}
	// Enter on a panel with nothing to open is full screen, as before
	// (the problems panel opens its problem: problem_detail_test.go).
	m = focusOn(t, m, panelEvents)
	m = drive(m, keyMsg("enter"))
	if strings.Contains(m.View(), "esc back") || !m.full {
		t.Error("enter outside the fleet panel drilled in")
	}
}

func TestAServerNameIsCleanedBeforeTheTerminal(t *testing.T) {
	feed := newFeed(withFleet(launchSnapshots(40), 3), demoPlan())
	for i := range feed.snaps {
		feed.snaps[i].Fleet[0].Name = "web\x1b]0;pwned\x07\u202e-1"
		snapshot.SortFleet(feed.snaps[i].Fleet)
	}
	m := testModel(feed, termenv.Ascii)
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	for range 40 {
		m = drive(m, feed.next())
	}
	m = drive(focusFleet(t, m), keyMsg("enter"))
	for _, v := range []string{m.View()} {
		if strings.ContainsAny(v, "\x1b\x07\u202e") {
			t.Errorf("a control from a server name reached the screen: %q", v)
		}
	}
}

func TestTheLatencyTileShowsOnlyWhenASourceAnswersLatency(t *testing.T) {
	without, _ := fed(120, 120, 40, termenv.Ascii)
	if strings.Contains(without.View(), "Latency") {
		t.Error("a latency tile without latency")
	}
	m, _ := fedFleet(120, 3, 200, 60, termenv.Ascii)
	wantAll(t, m.View(), "Latency p95", "320ms", "p50 90ms", "p99 1.4s", "warn 1s crit 3s")
	// p95 past latency_p95_warn: the tile says warn ("!" without colour).
	feed := newFeed(withFleet(launchSnapshots(40), 3), demoPlan())
	for i := range feed.snaps {
		feed.snaps[i].LatencyP95 = snapshot.Some(1.7)
	}
	m = testModel(feed, termenv.Ascii)
	m = drive(m, tea.WindowSizeMsg{Width: 200, Height: 60})
	for range 40 {
		m = drive(m, feed.next())
	}
	wantAll(t, m.View(), "1.7s !")
	// Answered but not measured yet: the tile stands, with a dash.
	feed = newFeed(withFleet(launchSnapshots(3), 3), demoPlan())
	for i := range feed.snaps {
		feed.snaps[i].LatencyP95, feed.snaps[i].LatencyP50, feed.snaps[i].LatencyP99 = snapshot.Value{}, snapshot.Value{}, snapshot.Value{}
	}
	m = testModel(feed, termenv.Ascii)
	m = drive(m, tea.WindowSizeMsg{Width: 200, Height: 60}, feed.next())
	wantAll(t, m.View(), "Latency p95", "p50 –")
}

func TestTheErrorTileBreaksTheFailuresDownByCodeLargestFirst(t *testing.T) {
	m, _ := fedFleet(120, 3, 200, 60, termenv.Ascii)
	// 3%, 0.6% and 0.1% of the requests: 81%, 16% and 3% of the failures.
	wantAll(t, m.View(), "502 81% · 504 16%")
	// A code the server wrote with an escape sequence reaches the screen
	// cleaned.
	feed := newFeed(withFleet(launchSnapshots(120), 3), demoPlan())
	m = drive(testModel(feed, termenv.Ascii), tea.WindowSizeMsg{Width: 200, Height: 60})
	for i := range 120 {
		msg := feed.next()
		if i == 119 {
			msg.frame.Snapshot.ErrorCodes = map[string]snapshot.Value{"5\x1b[31m03": snapshot.Some(1), "500": snapshot.Some(3), "404": {}}
		}
		m = drive(m, msg)
	}
	v := m.View()
	wantAll(t, v, "500 75% · 503 25%")
	if strings.Contains(v, "\x1b") {
		t.Error("a code's escape sequence reached the screen")
	}
}

func TestTheWallTakesTurnsWithTheWorstServers(t *testing.T) {
	feed := newFeed(withFleet(launchSnapshots(120), 500), demoPlan())
	m := testModel(feed, termenv.Ascii)
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40}, keyMsg("w"))
	for range 120 {
		msg := feed.next()
		for _, p := range serverProblems(t0) {
			if !slices.ContainsFunc(msg.frame.Problems, func(q events.Problem) bool { return q.Kind == p.Kind && q.Subject == p.Subject }) {
				msg.frame.Problems = append(msg.frame.Problems, p)
			}
		}
		m = drive(m, msg)
	}
	pages := map[bool]int{}
	for sec := 0; sec < 30; sec++ {
		feed.setClock(t0.Add(2*time.Minute + time.Duration(sec)*time.Second))
		m = drive(m, clockMsg{})
		v := m.View()
		fleet := strings.Contains(v, "FLEET · the worst 5 of 500 servers · 1 gone")
		pages[fleet]++
		if fleet {
			wantAll(t, v, "web-007", "web-500", "web-010", "✕ CRIT", "▲ WARN", "31%", "gone")
		} else if !strings.Contains(v, "PV/s") {
			t.Errorf("at +%ds neither page:\n%s", sec, v)
		}
	}
	if pages[true] != 10 || pages[false] != 20 {
		t.Errorf("in 30 s the fleet stood %d s and the figures %d s, want 10 and 20", pages[true], pages[false])
	}
}

// The fleet, the latency tile and the codes on screen hold the figure
// check of TestNoFigureOnScreenIsCutIntoAnotherNumber: at the reference
// sizes and around them, every figure is whole or written shorter.
func TestNoFigureOfTheFleetIsCutIntoAnotherNumber(t *testing.T) {
	snaps := withFleet(launchSnapshots(120), 500)
	an := pipeline.NewAnalyst(demoPlan(), testThresholds(), 10_000)
	d := demoLaunch{scenario: "fleet", plan: demoPlan(), th: testThresholds(), name: "Flash sale (test)"}
	for i, s := range snaps {
		fr := an.Add(s)
		if i%20 == 19 {
			fr.Problems = append(fr.Problems, serverProblems(t0)...)
			d.frames = append(d.frames, fr)
		}
	}
	c := figureCheck{t: t, refs: map[refKey]figureSet{}}
	sizes := [][2]int{{80, 24}, {120, 40}, {200, 60}, {60, 16}, {100, 30}, {99, 30}, {150, 45}, {300, 80}}
	for i, sz := range sizes {
		for fi := range d.frames {
			for _, profile := range []termenv.Profile{termenv.TrueColor, termenv.Ascii} {
				c.screen(d, fi, sz[0], sz[1], profile, i%3 == 0)
			}
		}
	}
	if !t.Failed() && c.seen < 100*len(sizes) {
		t.Errorf("%d figures seen: the drawings hold no figures?", c.seen)
	}
}

// A fleet row sized to fit is as tall as its servers: the need is the
// lines the panel draws, its border included.
func TestTheFleetPanelsNeedIsTheLinesItDraws(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 8} {
		m, _ := fedFleet(40, n, 200, 60, termenv.Ascii)
		f := m.frame()
		need := fleetNeed(&f)
		innerW, innerH := inner(200, need)
		body := fleetPanel(&f, innerW, innerH)
		if got := strings.Count(body, "\n") + 1 + 2; got != need {
			t.Errorf("%d servers: need %d lines, draws %d:\n%s", n, need, got, body)
		}
		if strings.Contains(body, "more") {
			t.Errorf("%d servers, every one shown, yet: %s", n, body)
		}
	}
}

// The fleet panel, a server drilled into and the wall's fleet page at any
// size: no panic, no line past the width, no more lines than the height.
func TestNoSizeMakesTheFleetPanicOrOverflow(t *testing.T) {
	m := fleetFrames(90, 500, 120, 40, termenv.Ascii)
	widths := []int{0, 1, 2, 5, 10, 20, 40, 59, 60, 61, 79, 80, 99, 100, 119, 120, 121, 160, 200, 300}
	heights := []int{0, 1, 3, 5, 10, 15, 16, 17, 20, 24, 30, 39, 40, 41, 60, 100}
	drilled := drive(focusFleet(t, m), keyMsg("enter"))
	full := drive(focusFleet(t, m), keyMsg("f"))
	wall := drive(m, keyMsg("w"))
	// 12:00:25 on the clock: the wall's fleet page (every third 10 s).
	wall.opts.Clock = func() time.Time { return t0.Add(25 * time.Second) }
	wall.render()
	if !strings.Contains(wall.View(), "FLEET · the worst 5") {
		t.Fatalf("not the wall's fleet page:\n%s", wall.View())
	}
	for name, mode := range map[string]Model{"desk": m, "drilled": drilled, "full": full, "wall": wall} {
		for _, w := range widths {
			for _, h := range heights {
				mm := drive(mode, tea.WindowSizeMsg{Width: w, Height: h})
				view := mm.View()
				lines := strings.Split(view, "\n")
				if view != "" && len(lines) > h {
					t.Errorf("%s %dx%d: %d lines", name, w, h, len(lines))
				}
				for i, l := range lines {
					if lw := ansi.StringWidth(l); lw > w {
						t.Errorf("%s %dx%d: line %d is %d wide: %q", name, w, h, i, lw, l)
						break
					}
				}
			}
		}
	}
}
