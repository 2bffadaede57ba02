package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

func TestTheDashboardAtItsTwoReferenceSizes(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			snaps := launchSnapshots(120)
			feed := newFeed(snaps, demoPlan())
			m := testModel(feed, termenv.Ascii)
			feed.ch <- feed.next().frame // Init's wait takes the first frame; the test sends the rest
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "BEFORE LAUNCH") },
				teatest.WithDuration(15*time.Second))
			feed.setClock(snaps[len(snaps)-1].Time)
			for _, s := range snaps[1:] {
				tm.Send(feed.msg(s))
			}
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(15*time.Second)).(Model)
			view := final.View()
			for _, want := range []string{"LIVE", "T+01:29", "PV/s", "Connections", "Bandwidth", "Error rate", "Stock", "867 / 1,000", "◆buy", "Against the plan", "10x the plan: DRIFT"} {
				if !strings.Contains(view, want) {
					t.Errorf("view lacks %q", want)
				}
			}
			golden.RequireEqual(t, []byte(view))
		})
	}
}

func TestNoSizeMakesTheLayoutPanicOrOverflow(t *testing.T) {
	m, _ := fed(90, 120, 40, termenv.Ascii)
	widths := []int{0, 1, 2, 5, 10, 20, 40, 59, 60, 61, 79, 80, 99, 100, 119, 120, 121, 160, 200, 300}
	heights := []int{0, 1, 3, 5, 10, 15, 16, 17, 20, 24, 30, 39, 40, 41, 60, 100}
	for _, mode := range []string{"normal", "full", "help", "sources"} {
		for _, w := range widths {
			for _, h := range heights {
				mm := drive(m, tea.WindowSizeMsg{Width: w, Height: h})
				switch mode {
				case "full":
					mm = drive(mm, tea.KeyMsg{Type: tea.KeyTab}, tea.KeyMsg{Type: tea.KeyEnter})
				case "help":
					mm = drive(mm, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")})
				case "sources":
					mm = drive(mm, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")})
				}
				view := mm.View()
				lines := strings.Split(view, "\n")
				if view != "" && len(lines) > h {
					t.Errorf("%s %dx%d: %d lines", mode, w, h, len(lines))
				}
				for i, l := range lines {
					if lw := ansi.StringWidth(l); lw > w {
						t.Errorf("%s %dx%d: line %d is %d wide: %q", mode, w, h, i, lw, l)
						break
					}
				}
			}
		}
	}
}

// A client may report any size (serve takes it from the SSH client): the
// screen drawn is at most maxWidth x maxHeight, not gigabytes.
func TestAHugeTerminalGetsTheLargestScreenNotGigabytes(t *testing.T) {
	m, _ := fed(30, 120, 40, termenv.TrueColor)
	m = drive(m, tea.WindowSizeMsg{Width: 65535, Height: 65535})
	lines := strings.Split(m.View(), "\n")
	if len(lines) != maxHeight {
		t.Errorf("%d lines, want %d", len(lines), maxHeight)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw != maxWidth {
			t.Fatalf("line %d is %d wide, want %d", i, lw, maxWidth)
		}
	}
}

func TestASmallTerminalAsksToBeEnlarged(t *testing.T) {
	m, _ := fed(5, 50, 12, termenv.Ascii)
	if v := m.View(); !strings.Contains(v, "Terminal too small: 50x12") || !strings.Contains(v, "60x16") {
		t.Errorf("view = %q", v)
	}
}

func TestACompactLayoutBelowTheFullSize(t *testing.T) {
	m, _ := fed(90, 100, 30, termenv.Ascii)
	v := m.View()
	if strings.Contains(v, "PV/s · plan peak") {
		t.Error("the compact layout must drop the charts")
	}
	for _, want := range []string{"PV/s", "Stock", "Endpoints", "Host", "Events"} {
		if !strings.Contains(v, want) {
			t.Errorf("compact view lacks %q", want)
		}
	}
}

func TestAFrameIsTakenAndTheWaitReArmedInItsHandler(t *testing.T) {
	feed := newFeed(launchSnapshots(3), demoPlan())
	m := testModel(feed, termenv.Ascii)
	next, cmd := m.Update(feed.next())
	if next.(Model).latest.Seq != 1 {
		t.Error("the frame was not taken")
	}
	if cmd == nil {
		t.Fatal("the wait for the next frame must be re-armed")
	}
	// The command is the wait: it returns the next frame served.
	feed.ch <- feed.next().frame
	if msg, ok := cmd().(frameMsg); !ok || msg.frame.Seq != 2 {
		t.Errorf("the re-armed command produced %+v, want frame 2", msg)
	}
}

func TestWhenThePipelineStopsTheScreenSaysSoAndStopsWaiting(t *testing.T) {
	m, _ := fed(5, 120, 40, termenv.Ascii)
	next, cmd := m.Update(frameMsg{err: pipeline.ErrClosed})
	if cmd != nil {
		t.Error("no wait may be re-armed after the pipeline closed")
	}
	if v := next.(Model).View(); !strings.Contains(v, "STOPPED") || !strings.Contains(v, "PV/s") {
		t.Errorf("the last frame stays on screen, marked stopped:\n%s", v)
	}
}

func TestKeysMoveFocusFullScreenWindowAndTheme(t *testing.T) {
	m, _ := fed(40, 120, 40, termenv.Ascii)
	key := keyMsg
	m = drive(m, key("tab"), key("tab"))
	if m.focus != panelConnChart {
		t.Errorf("focus after two tabs = %v", m.focus)
	}
	m = drive(m, key("shift+tab"))
	if m.focus != panelPVChart {
		t.Errorf("focus after shift+tab = %v", m.focus)
	}
	m = drive(m, key("enter"))
	if !m.full || !strings.Contains(m.View(), "PV/s · plan peak") || strings.Contains(m.View(), "Against the plan") {
		t.Error("enter must put the focused chart full screen, alone")
	}
	m = drive(m, key("esc"))
	if m.full {
		t.Error("esc must leave full screen")
	}
	m = drive(m, key("+"))
	if m.window != 15*time.Minute {
		t.Errorf("+ from 5m = %v, want 15m", m.window)
	}
	m = drive(m, key("-"), key("-"), key("-"), key("-"))
	if m.window != time.Minute {
		t.Errorf("- clamps at the shortest window: %v", m.window)
	}
	m = drive(m, key("t"))
	if m.styles.Theme.Name != "high-contrast" {
		t.Errorf("t = %q, want the high-contrast theme", m.styles.Theme.Name)
	}
	m = drive(m, key("?"))
	if !strings.Contains(m.View(), "next panel") || !strings.Contains(m.View(), "longer window") {
		t.Error("? must show the full help")
	}
	_, cmd := m.Update(key("q"))
	if cmd == nil || cmd() != tea.Quit() {
		t.Error("q must quit")
	}
}

func TestPauseFreezesTheScreenButNotTheData(t *testing.T) {
	m, feed := fed(40, 120, 40, termenv.Ascii)
	m = drive(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("p")})
	frozen := m.View()
	if !strings.Contains(frozen, "PAUSED") {
		t.Fatal("the screen must say it is paused")
	}
	feed.snaps = launchSnapshots(60)
	m = drive(m, feed.msg(feed.snaps[50]))
	if m.View() != frozen {
		t.Error("a paused screen changed")
	}
	if n := m.latest.History.Len(); n != 41 {
		t.Errorf("history = %d snapshots, want 41: frames go on arriving while paused", n)
	}
	// Keys and resizes re-render, but from the data of the moment of pausing.
	m = drive(m, tea.KeyMsg{Type: tea.KeyTab}, tea.WindowSizeMsg{Width: 121, Height: 40}, tea.WindowSizeMsg{Width: 120, Height: 40},
		tea.KeyMsg{Type: tea.KeyShiftTab})
	if m.View() != frozen {
		t.Error("a key or a resize while paused showed newer data")
	}
	m = drive(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("p")})
	if strings.Contains(frozen, "970 / 1,000") || !strings.Contains(m.View(), "970 / 1,000") {
		t.Error("unpausing must show the newest data (stock 970 at T+20s)")
	}
}

func TestAStaleSourceShowsItsFiguresStaleWithTheirAge(t *testing.T) {
	m, feed := fed(40, 120, 40, termenv.Ascii)
	s := feed.snaps[39].Clone()
	s.Time = s.Time.Add(12 * time.Second)
	src := s.Sources["scrape"]
	src.OK, src.Error = false, "scrape http://127.0.0.1:9400/metrics: connection refused"
	s.Sources["scrape"] = src
	h := s.Sources["host"]
	h.LastSuccess = s.Time
	s.Sources["host"] = h
	m = drive(m, feed.msg(s))
	v := m.View()
	// Why: whole on the status line; the event log, 40 columns wide at
	// 120 beside the problems, names the event.
	for _, want := range []string{"✕ scrape 12s", "stale 12s", "✕!! scrape: scrape http://127.0.0.1:9400/metrics: connection refused", "✕ source scrape down: …"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if !strings.Contains(v, "● host") {
		t.Error("the host source is fresh and must say so")
	}
}

func TestUntrustedTextNeverReachesTheTerminalRaw(t *testing.T) {
	// Without a plan the endpoints table lists what the snapshot measured,
	// so the hostile endpoint name is drawn.
	feed := newFeed(launchSnapshots(2), capacity.Plan{LaunchAt: t0})
	m := testModel(feed, termenv.Ascii)
	m.opts.HasPlan, m.opts.Plan = false, capacity.Plan{LaunchAt: t0}
	m.opts.LaunchName = "sale\x1b]0;pwned\x07\x1b[2J\u202e"
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	s := feed.snaps[1].Clone()
	src := s.Sources["scrape"]
	src.OK, src.Error = false, "boom\x1b[31m\r\u009b2J"
	s.Sources["scrape"] = src
	s.Endpoints = map[string]snapshot.Endpoint{"\x1b[5mevil\u202e": {QPS: snapshot.Some(1)}}
	m = drive(m, feed.msg(feed.snaps[0]), feed.msg(s))
	v := m.View()
	if strings.ContainsAny(v, "\x1b\r\x07\u009b\u202e") {
		t.Errorf("control characters reached the view: %q", v)
	}
	for _, want := range []string{"evil", "source scrape failing in part: boom"} {
		if !strings.Contains(v, want) {
			t.Errorf("the cleaned text %q is not on screen: the test did not exercise it", want)
		}
	}
}

func TestAPartialFailureMarksOnlyTheCarriedFigureStale(t *testing.T) {
	m, feed := fed(40, 120, 40, termenv.Ascii)
	s := feed.snaps[39].Clone()
	s.Time = s.Time.Add(time.Second)
	src := s.Sources["scrape"]
	src.OK, src.Error, src.LastSuccess = false, "query stock: empty result", s.Time
	src.Carried = map[string]time.Time{"stock": s.Time.Add(-5 * time.Second)}
	s.Sources["scrape"] = src
	h := s.Sources["host"]
	h.LastSuccess = s.Time
	s.Sources["host"] = h
	m = drive(m, feed.msg(s))
	v := m.View()
	if !strings.Contains(v, "◐ scrape") {
		t.Error("the header must show the scrape source answering in part")
	}
	if n := strings.Count(v, "stale 5.0s"); n != 1 {
		t.Errorf("%d figures marked 'stale 5.0s', want only the stock tile\n%s", n, v)
	}
}

func TestColourProfilesAreHonoured(t *testing.T) {
	ascii, _ := fed(40, 120, 40, termenv.Ascii)
	if strings.Contains(ascii.View(), "\x1b[") {
		t.Error("the Ascii profile (NO_COLOR) must emit no escape sequences")
	}
	for _, p := range []struct {
		profile termenv.Profile
		marker  string
	}{{termenv.TrueColor, "38;2;"}, {termenv.ANSI256, "38;5;"}, {termenv.ANSI, "\x1b[9"}} {
		m, _ := fed(40, 120, 40, p.profile)
		if !strings.Contains(m.View(), p.marker) {
			t.Errorf("profile %v: no %q colour sequences", p.profile, p.marker)
		}
	}
}

func TestTheCountdownRunsOnTheFeedsClock(t *testing.T) {
	m, _ := fed(10, 120, 40, termenv.Ascii) // the 10th snapshot is at T-21s
	if !strings.Contains(m.View(), "T-00:21") || !strings.Contains(m.View(), "BEFORE LAUNCH") {
		t.Errorf("header: %q", strings.SplitN(m.View(), "\n", 2)[0])
	}
}

func TestWithoutAPlanTheMeasurementsStillShow(t *testing.T) {
	feed := newFeed(launchSnapshots(40), capacity.Plan{LaunchAt: t0})
	m := testModel(feed, termenv.Ascii)
	m.opts.HasPlan = false
	m.opts.Plan = capacity.Plan{LaunchAt: t0}
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	for range 40 {
		m = drive(m, feed.next())
	}
	v := m.View()
	if !strings.Contains(v, "no plan configured") || !strings.Contains(v, "PV/s") {
		t.Errorf("view without plan:\n%s", v)
	}
}

func BenchmarkView(b *testing.B) {
	m, _ := fed(300, 200, 60, termenv.TrueColor)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkRender is the cost of taking one frame at 1 Hz: a whole
// re-render with charts at 200x60 in true colour (and the pipeline's
// assessment and events, which the benchmark derives per frame too); and
// at 200x60 with a fleet of 500 servers, the latency tile and the codes.
func BenchmarkRender(b *testing.B) {
	for _, size := range [][3]int{{200, 60, 0}, {400, 120, 0}, {200, 60, 500}} {
		name := fmt.Sprintf("%dx%d", size[0], size[1])
		if size[2] > 0 {
			name += fmt.Sprintf("_fleet%d", size[2])
		}
		b.Run(name, func(b *testing.B) {
			m, feed := fed(300, size[0], size[1], termenv.TrueColor)
			if size[2] > 0 {
				m, feed = fedFleet(300, size[2], size[0], size[1], termenv.TrueColor)
			}
			s := feed.snaps[len(feed.snaps)-1]
			b.ReportAllocs()
			for b.Loop() {
				s.Time = s.Time.Add(time.Second)
				next, _ := m.Update(feed.msg(s))
				m = next.(Model)
			}
		})
	}
}

func TestDownsampleAveragesGroupsAndSkipsGaps(t *testing.T) {
	hist := make([]snapshot.Snapshot, 7)
	for i := range hist {
		hist[i] = snapshot.Snapshot{Time: t0.Add(time.Duration(i) * time.Second), PV: snapshot.Some(float64(i))}
	}
	hist[4].PV = snapshot.Value{} // a gap
	pts := downsample(histView{older: hist}, func(s snapshot.Snapshot) snapshot.Value { return s.PV }, 3)
	// Groups {0,1,2} {3,_,5} {6}: means 1, 4, 6 at the groups' last times.
	want := []struct {
		sec int
		v   float64
	}{{2, 1}, {5, 4}, {6, 6}}
	if len(pts) != len(want) {
		t.Fatalf("points = %+v", pts)
	}
	for i, w := range want {
		if !pts[i].t.Equal(t0.Add(time.Duration(w.sec)*time.Second)) || pts[i].v != w.v {
			t.Errorf("point %d = %+v, want %v at +%ds", i, pts[i], w.v, w.sec)
		}
	}
}

func TestARecordingThatFailsSaysSoInPlaceOfREC(t *testing.T) {
	feed := newFeed(launchSnapshots(3), demoPlan())
	m := testModel(feed, termenv.Ascii)
	m.opts.Recording = "/state/launch.lwrec.jsonl"
	m = drive(m, tea.WindowSizeMsg{Width: 160, Height: 40}, feed.next())
	if h := strings.SplitN(m.View(), "\n", 2)[0]; !strings.Contains(h, "● REC /state/launch.lwrec.jsonl") {
		t.Fatalf("header while recording: %q", h)
	}
	msg := feed.next()
	msg.frame.RecordErr = "write /state/launch.lwrec.jsonl: no space left on device"
	m = drive(m, msg)
	if h := strings.SplitN(m.View(), "\n", 2)[0]; !strings.Contains(h, "✕ REC FAILED: write /state/launch.lwrec.jsonl: no space") || strings.Contains(h, "● REC") {
		t.Errorf("header after a failed write: %q", h)
	}
}

// A header too wide leaves its last parts out whole, but never that the
// screen records: a war room must see it is being recorded.
func TestTheHeaderKeepsRECWhenItsFileDoesNotFit(t *testing.T) {
	feed := newFeed(launchSnapshots(3), demoPlan())
	m := testModel(feed, termenv.Ascii)
	m.opts.Recording = "/tmp/TestRecordThenReplayInARealTerminal123/001/crash.lwrec.jsonl"
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40}, feed.next())
	h := strings.SplitN(m.View(), "\n", 2)[0]
	if !strings.Contains(h, "● REC …") || strings.Contains(h, "/tmp") || strings.Contains(h, "next poll") {
		t.Errorf("header: %q, want ● REC without its file and the next poll", h)
	}
	if !strings.Contains(h, "● scrape 0.0s") {
		t.Errorf("header: %q, want the sources, which fit beside ● REC", h)
	}
}

// BenchmarkFocusMove is a key that moves the focus between two frames:
// the two panels whose border changes are drawn, the others are kept.
func BenchmarkFocusMove(b *testing.B) {
	m, _ := fed(300, 200, 60, termenv.TrueColor)
	tab := keyMsg("tab")
	b.ReportAllocs()
	for b.Loop() {
		next, _ := m.Update(tab)
		m = next.(Model)
	}
}

// downsample is downsampleInto into a new slice (the screens draw into
// pooled ones).
func downsample(hist histView, value func(snapshot.Snapshot) snapshot.Value, n int) []point {
	return downsampleInto(make([]point, 0, hist.Len()/max(n, 1)+1), hist, value, n)
}

// The footer is kept between frames: it must change with what it shows.
func TestTheFooterFollowsTheWidthTheThemeAndTheNote(t *testing.T) {
	m, _ := fed(40, 200, 60, termenv.TrueColor)
	wide := lastLine(m.View())
	m = drive(m, tea.WindowSizeMsg{Width: 80, Height: 60})
	if narrow := lastLine(m.View()); ansi.StringWidth(narrow) != 80 || narrow == wide {
		t.Errorf("at 80 columns the footer is %q", narrow)
	}
	m = drive(m, tea.WindowSizeMsg{Width: 200, Height: 60})
	if lastLine(m.View()) != wide {
		t.Error("back at 200 columns the footer is not what it was")
	}
	m = drive(m, keyMsg("t"))
	if lastLine(m.View()) == wide {
		t.Error("a theme change left the footer in the old theme's colours")
	}
	m.note = "older history: the server answered 500"
	m.render()
	if !strings.Contains(lastLine(m.View()), m.note) {
		t.Errorf("the note is not in the footer: %q", lastLine(m.View()))
	}
}
