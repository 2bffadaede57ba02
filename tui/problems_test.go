package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/snapshot"
)

// focusOn tabs until the panel has the focus.
func focusOn(t testing.TB, m Model, p panelID) Model {
	t.Helper()
	for range numPanels {
		if m.focus == p {
			return m
		}
		m = drive(m, keyMsg("tab"))
	}
	t.Fatalf("tab never reached panel %v", p)
	return m
}

// quietThenBurst is the scripted launch with its error rate flat until
// T+20s, then an error burst (a new critical problem).
func quietThenBurst(n int) []snapshot.Snapshot {
	snaps := launchSnapshots(n)
	for i := range snaps {
		rate := 0.002
		if i >= 49 { // the 50th frame
			rate = 0.3
		}
		snaps[i].ErrorRate = snapshot.Some(rate)
	}
	return snaps
}

func TestANewCriticalProblemRingsOnceAndFlashes(t *testing.T) {
	feed := newFeed(quietThenBurst(60), demoPlan())
	feed.noWait = true
	rings := 0
	wall := t0
	m := testModel(feed, termenv.Ascii)
	m.opts.Bell = func() { rings++ }
	m.opts.Wall = func() time.Time { return wall }
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	run := func(n int) {
		for range n {
			next, cmd := m.Update(feed.next())
			m = next.(Model)
			runCmds(cmd)
		}
	}
	run(49)
	// What stood at the first frame, or opened before the burst, may have
	// rung; count from here.
	before := rings
	run(1) // the 50th frame: the error burst opens
	if rings != before+1 {
		t.Fatalf("the error burst rang %d times, want once", rings-before)
	}
	if !strings.Contains(m.View(), "✕ NEW · Problems") {
		t.Errorf("the problems panel does not flash:\n%s", m.View())
	}
	run(5)
	if rings != before+1 {
		t.Errorf("a standing problem rang again: %d", rings-before)
	}
	// The flash ends after flashFor, at the clock's next tick.
	wall = wall.Add(flashFor + time.Second)
	m = drive(m, clockMsg{})
	if strings.Contains(m.View(), "✕ NEW") {
		t.Error("the flash outlived flashFor")
	}
}

func TestAcknowledgingSilencesTheSelectedProblem(t *testing.T) {
	m, _ := fed(60, 120, 40, termenv.Ascii)
	m = focusOn(t, m, panelProblems)
	ps := m.shown().Problems
	if len(ps) < 2 {
		t.Fatalf("want two problems or more, have %+v", ps)
	}
	m = drive(m, keyMsg("down"), keyMsg("a"))
	if !m.acked[ps[1].Key()] || m.acked[ps[0].Key()] {
		t.Fatalf("acked %v, want the second problem (%s) alone", m.acked, ps[1].Key())
	}
	lines := strings.Split(m.View(), "\n")
	found := false
	for _, l := range lines {
		if strings.Contains(l, "›") && strings.Contains(l, " ack") {
			found = true
		}
	}
	if !found {
		t.Errorf("the selected problem is not marked ack:\n%s", m.View())
	}
	m = drive(m, keyMsg("up"))
	if m.problemCursor() != 0 {
		t.Errorf("up from the second problem selects %d, want 0", m.problemCursor())
	}
}

func TestTheEventLogScrollsAndFilters(t *testing.T) {
	m, _ := fed(120, 120, 40, termenv.Ascii)
	m = focusOn(t, m, panelEvents)
	all := m.shown().Log.All()
	if len(all) < 4 {
		t.Fatalf("want a few events, have %d", len(all))
	}
	// The first words: the log is 40 columns beside the problems.
	newest := all[len(all)-1].Message[:15]
	if !strings.Contains(m.View(), newest) {
		t.Fatalf("the newest event is not shown: %q", newest)
	}
	m = drive(m, keyMsg("down"))
	if v := m.View(); strings.Contains(v, newest) || !strings.Contains(v, "Events · 1 newer above") {
		t.Errorf("down must scroll to older events and say so:\n%s", v)
	}
	for range 500 {
		m = drive(m, keyMsg("down"))
	}
	if m.logOffset >= len(all) {
		t.Errorf("scrolled %d past the newest of %d events: up would do nothing for a while", m.logOffset, len(all))
	}
	for range 500 {
		m = drive(m, keyMsg("up"))
	}
	m = drive(m, keyMsg("up"), keyMsg("v"))
	v := m.View()
	if !strings.Contains(v, "Events · warn+") {
		t.Errorf("v must filter to warn and worse:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, ":") && strings.Contains(l, " · launch started") {
			t.Errorf("an info event shows under warn+: %q", l)
		}
	}
	m = drive(m, keyMsg("v"), keyMsg("v"))
	if !strings.Contains(m.View(), "╭─ Events ─") {
		t.Error("three presses of v come back to every event")
	}
}

// runCmds runs a command and any batch it holds, for their side effects
// (the feed must not block: noWait).
func runCmds(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	if batch, ok := cmd().(tea.BatchMsg); ok {
		for _, c := range batch {
			runCmds(c)
		}
	}
}

// An alert that does not go out is on screen: the status line names the
// failing sink, the sources screen lists it whole.
func TestAFailingAlertSinkIsOnScreen(t *testing.T) {
	feed := newFeed(launchSnapshots(40), demoPlan())
	m := testModel(feed, termenv.Ascii)
	m.opts.Alerts = func() []AlertFailure {
		return []AlertFailure{{Sink: "webhook slack", Error: "POST https://hooks.example/…: 500 Internal Server Error after 3 tries\x1b[2J", Failed: 2}}
	}
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	for range 40 {
		m = drive(m, feed.next())
	}
	v := m.View()
	wantAll(t, v, "▲! alert webhook slack: POST https://hooks.example/…: 500 Internal Server Error after 3 tries (2 not sent)")
	if strings.Contains(v, "\x1b[2J") {
		t.Error("a server's text reached the terminal raw")
	}
	m = drive(m, keyMsg("s"))
	wantAll(t, m.View(), "alert webhook slack · failing", "500 Internal Server Error after 3 tries (2 not sent)")
}

// On the wall a new critical problem flashes in the problem band, and
// desk keys (tab, enter, +) change nothing the wall does not show.
func TestTheWallFlashesAndIgnoresDeskKeys(t *testing.T) {
	feed := newFeed(quietThenBurst(60), demoPlan())
	m := testModel(feed, termenv.Ascii)
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40}, keyMsg("w"))
	for range 50 {
		m = drive(m, feed.next())
	}
	if !strings.Contains(m.View(), "✕ NEW") {
		t.Errorf("the wall does not flash a new critical problem:\n%s", m.View())
	}
	focus, full, window := m.focus, m.full, m.window
	m = drive(m, keyMsg("tab"), keyMsg("enter"), keyMsg("+"))
	if m.focus != focus || m.full != full || m.window != window {
		t.Errorf("desk keys changed the hidden desk: focus %v→%v full %v→%v window %v→%v", focus, m.focus, full, m.full, window, m.window)
	}
}

// A warning standing at the first frame that turns critical later rings:
// it became critical on this screen's watch (the missing button at T0).
func TestAWarningThatTurnsCriticalRings(t *testing.T) {
	snaps := quietThenBurst(30)
	for i := range snaps {
		snaps[i].ErrorRate = snapshot.Some(0.02) // warn from the first frame
		if i >= 20 {
			snaps[i].ErrorRate = snapshot.Some(0.3) // crit
		}
	}
	feed := newFeed(snaps, demoPlan())
	feed.noWait = true
	rings := 0
	m := testModel(feed, termenv.Ascii)
	m.opts.Bell = func() { rings++ }
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	count := func(n int) int {
		before := rings
		for range n {
			next, cmd := m.Update(feed.next())
			m = next.(Model)
			runCmds(cmd)
		}
		return rings - before
	}
	count(1) // the first frame: what stands is on screen, not news
	count(19)
	if got := count(1); got != 1 {
		t.Errorf("the error rate turning critical rang %d times, want once", got)
	}
}

// The selection follows its problem when a worse one sorts above it, so
// a acknowledges what the cursor showed.
func TestTheSelectionFollowsItsProblem(t *testing.T) {
	m, feed := fed(40, 120, 40, termenv.Ascii)
	m = focusOn(t, m, panelProblems)
	ps := m.shown().Problems
	if len(ps) < 2 {
		t.Fatalf("want two problems, have %d", len(ps))
	}
	m = drive(m, keyMsg("down"))
	want := m.shown().Problems[1].Key()
	// A new critical problem sorts to the top.
	s := feed.snaps[39].Clone()
	s.Time = s.Time.Add(time.Second)
	s.ErrorRate = snapshot.Some(0.5)
	m = drive(m, feed.msg(s))
	if got := m.shown().Problems[m.problemCursor()].Key(); got != want {
		t.Fatalf("the cursor moved from %s to %s", want, got)
	}
	m = drive(m, keyMsg("a"))
	if !m.acked[want] || len(m.acked) != 1 {
		t.Errorf("acked %v, want %s alone", m.acked, want)
	}
}

// With more problems than rows the last row counts the rest, and the
// selected problem is always on screen.
func TestTheSelectedProblemStaysInView(t *testing.T) {
	m, feed := fed(60, 100, 30, termenv.Ascii)
	// Every endpoint near or over its ceiling and an error burst, beside
	// the heavy page and the link: more problems than the panel's rows.
	s := feed.snaps[59].Clone()
	s.Time = s.Time.Add(time.Second)
	s.ErrorRate = snapshot.Some(0.3)
	s.Endpoints = map[string]snapshot.Endpoint{"login": {QPS: snapshot.Some(290)}, "cart": {QPS: snapshot.Some(170)}, "buy": {QPS: snapshot.Some(99)}}
	m = drive(m, feed.msg(s))
	m = focusOn(t, m, panelProblems)
	n := len(m.shown().Problems)
	if rows := strings.Count(m.View(), "more (focus this panel"); n < 6 || rows != 1 {
		t.Fatalf("want more problems than the panel's rows, have %d (a line counting the rest: %d)", n, rows)
	}
	for i := 0; i < n; i++ {
		sel := m.shown().Problems[m.problemCursor()]
		found := false
		for _, l := range strings.Split(m.View(), "\n") {
			if strings.Contains(l, "›") && strings.Contains(l, sel.Message[:min(20, len(sel.Message))]) {
				found = true
			}
		}
		if !found {
			t.Fatalf("problem %d (%s) selected but not on screen:\n%s", i, sel.Message, m.View())
		}
		m = drive(m, keyMsg("down"))
	}
}

// Reading back through the log, new events do not move what is shown.
func TestAScrolledLogStaysOnItsEvents(t *testing.T) {
	m, feed := fed(100, 120, 40, termenv.Ascii)
	m = focusOn(t, m, panelEvents)
	m = drive(m, keyMsg("down"), keyMsg("down"))
	before := m.logOffset
	shown := m.shown().Log.All()
	top := shown[len(shown)-1-before].Message
	// A burst of errors: new events arrive.
	s := feed.snaps[99].Clone()
	s.Time = s.Time.Add(time.Second)
	s.ErrorRate = snapshot.Some(0.5)
	m = drive(m, feed.msg(s))
	all := m.shown().Log.All()
	if len(all) == len(shown) {
		t.Fatal("the burst raised no event")
	}
	if got := all[len(all)-1-m.logOffset].Message; got != top {
		t.Errorf("the log moved: the top event was %q, now %q", top, got)
	}
}
