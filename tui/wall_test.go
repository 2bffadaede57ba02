package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/events"
)

// fedWall is fed, started on the wall as --wall starts it.
func fedWall(n, w, h int, profile termenv.Profile) (Model, *fakeFeed) {
	feed := newFeed(launchSnapshots(n), demoPlan())
	r := pinned(profile)
	m := New(Options{
		Frames: feed, Clock: feed.Now, Plan: demoPlan(), HasPlan: true, Thresholds: testThresholds(),
		LaunchName: "Flash sale (test)", Renderer: r, Wall: func() time.Time { return t0 }, WallLayout: true,
	})
	m = drive(m, tea.WindowSizeMsg{Width: w, Height: h})
	for range n {
		m = drive(m, feed.next())
	}
	return m, feed
}

// containsBig reports whether the view shows s in block digits at some
// scale up to 12 rows a pixel: every line of it, one under the other.
func containsBig(view, s string) bool {
	for sy := 1; sy <= 12; sy++ {
		for sx := sy; sx <= 2*sy; sx++ { // the shapes bigScale draws
			if findBig(view, s, sx, sy, false) {
				return true
			}
		}
	}
	return false
}

// containsExactly reports whether the view shows s at exactly sx x sy:
// no lit cell on either side makes it part of a larger drawing.
func containsExactly(view, s string, sx, sy int) bool { return findBig(view, s, sx, sy, true) }

func findBig(view, s string, sx, sy int, exact bool) bool {
	var lines [][]rune
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		lines = append(lines, []rune(l))
	}
	var big [][]rune
	for _, l := range bigText(s, sx, sy) {
		big = append(big, []rune(l))
	}
	at := func(i, col int) bool {
		for j, b := range big {
			l := lines[i+j]
			if col+len(b) > len(l) || string(l[col:col+len(b)]) != string(b) {
				return false
			}
			if exact && ((col > 0 && l[col-1] == '█') || (col+len(b) < len(l) && l[col+len(b)] == '█')) {
				return false
			}
		}
		return true
	}
	first := string(big[0])
	for i := 0; i+len(big) <= len(lines); i++ {
		if !strings.Contains(string(lines[i]), first) {
			continue
		}
		for col := 0; col+len(big[0]) <= len(lines[i]); col++ {
			if at(i, col) {
				return true
			}
		}
	}
	return false
}

func TestTheWallAtThreeSizesBeforeAndAfterT0(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}, {300, 80}} {
		for _, when := range []struct {
			name  string
			n     int
			wants []string
			big   []string
		}{
			// The 10th snapshot is at T-21s: the countdown fills the figures' place.
			{"before T0", 10, []string{"BEFORE LAUNCH · T0 at 12:00:00", "PV/s 20", "Stock 1,000 / 1,000", "SOLD 0%"}, []string{"T-00:21"}},
			// The 120th is at T+1:29: the five figures, their levels, the worst problem.
			{"after T0", 120, []string{"PV/s", "Connections", "Bandwidth", "Error rate", "Stock", "✕ CRIT", "● OK",
				"plan peak 200", "SOLD 13.4%", "more problems",
				// The worst by harm, users failing (its causes after it where
				// the width has room).
				"error burst: 5.1% of requests failing (25.4/s)"},
				[]string{"156", "935", "5.1%"}},
		} {
			t.Run(fmt.Sprintf("%dx%d %s", size.w, size.h, when.name), func(t *testing.T) {
				m, _ := fedWall(when.n, size.w, size.h, termenv.Ascii)
				v := m.View()
				wantAll(t, v, when.wants...)
				if size.w >= 120 && when.n == 120 {
					wantAll(t, v, "error burst: 5.1% of requests failing (25.4/s), measured ← bandwidth limit ← page weight")
				}
				for _, b := range when.big {
					if !containsBig(v, b) {
						t.Errorf("%q is not on the wall in block digits", b)
					}
				}
				if strings.Contains(v, "Against the plan") || strings.Contains(v, "Endpoints") {
					t.Error("the wall shows the desk's panels")
				}
				if m.styles.Theme.Name != "high-contrast" {
					t.Errorf("the wall's theme is %q, want high-contrast", m.styles.Theme.Name)
				}
				requireFits(t, v, size.w, size.h)
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// The digits grow with the terminal: at 300x80 every figure is drawn at a
// larger scale than at 80x24, and fills most of the screen's height.
func TestTheWallsDigitsGrowWithTheTerminal(t *testing.T) {
	scale := func(v, s string) int {
		for sy := 12; sy >= 1; sy-- {
			for sx := 2 * sy; sx >= sy; sx-- {
				if containsExactly(v, s, sx, sy) {
					return sx * sy
				}
			}
		}
		return 0
	}
	small, _ := fedWall(120, 80, 24, termenv.Ascii)
	large, _ := fedWall(120, 300, 80, termenv.Ascii)
	for _, fig := range []string{"156", "935", "5.1%", "867"} {
		s, l := scale(small.View(), fig), scale(large.View(), fig)
		if s == 0 || l <= s {
			t.Errorf("%s: scale %d at 80x24, %d at 300x80", fig, s, l)
		}
	}
	blockLines := 0
	for _, line := range strings.Split(large.View(), "\n") {
		if strings.Contains(line, "███") {
			blockLines++
		}
	}
	if blockLines < 40 {
		t.Errorf("%d of 80 lines carry digits at 300x80: the figures do not fill the wall", blockLines)
	}
}

func requireFits(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if v != "" && len(lines) > h {
		t.Errorf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%dx%d: line %d is %d wide", w, h, i, lw)
			return
		}
	}
}

func TestTheWallNeverPanicsOrOverflowsAtAnySize(t *testing.T) {
	for _, n := range []int{0, 10, 120} {
		m, _ := fedWall(max(n, 1), 120, 40, termenv.TrueColor)
		if n == 0 {
			m, _ = fedWall(1, 120, 40, termenv.TrueColor)
			m.latest = m.frozen // no frame yet
		}
		for _, w := range []int{0, 1, 10, 40, 59, 60, 61, 79, 80, 99, 120, 200, 300} {
			for _, h := range []int{0, 1, 5, 15, 16, 17, 20, 24, 30, 40, 80} {
				mm := drive(m, tea.WindowSizeMsg{Width: w, Height: h})
				requireFits(t, mm.View(), w, h)
			}
		}
	}
}

func TestTabFollowsEachLayoutsFocusOrderAndSkipsHiddenPanels(t *testing.T) {
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			m, _ := fed(40, l.minW, l.minH, termenv.Ascii)
			m = drive(m, tea.WindowSizeMsg{Width: l.minW, Height: l.minH})
			if l.wall {
				m = drive(m, runes("w"))
			}
			if got := m.layout().name; got != l.name {
				t.Fatalf("at %dx%d the layout is %q", l.minW, l.minH, got)
			}
			// The panels the screen shows: the fleet panel only with a
			// fleet (TestTabVisitsTheFleetPanelOnlyWithAFleet).
			order := m.focusOrder()
			if len(order) == 0 {
				before := m.focus
				m = drive(m, tea.KeyMsg{Type: tea.KeyTab}, tea.KeyMsg{Type: tea.KeyShiftTab}, tea.KeyMsg{Type: tea.KeyTab})
				if m.focus != before {
					t.Errorf("tab moved the focus on a layout with nothing to focus: %v", m.focus)
				}
				return
			}
			// From wherever the focus is, tab reaches the first panel, then
			// every panel in order and back to the first.
			for m.focus != order[0] {
				m = drive(m, tea.KeyMsg{Type: tea.KeyTab})
			}
			var seen []panelID
			for range len(order) + 1 {
				seen = append(seen, m.focus)
				m = drive(m, tea.KeyMsg{Type: tea.KeyTab})
			}
			if want := append(slices.Clone(order), order[0]); !slices.Equal(seen, want) {
				t.Errorf("tab visits %v, want %v", seen, want)
			}
			for m.focus != order[0] {
				m = drive(m, tea.KeyMsg{Type: tea.KeyTab})
			}
			var back []panelID
			for range len(order) {
				m = drive(m, tea.KeyMsg{Type: tea.KeyShiftTab})
				back = append(back, m.focus)
			}
			want := slices.Clone(order)
			slices.Reverse(want)
			if !slices.Equal(back, want) {
				t.Errorf("shift+tab visits %v, want %v", back, want)
			}
		})
	}
}

func TestAShrunkTerminalMovesTheFocusOnlyToPanelsItShows(t *testing.T) {
	m, _ := fed(40, 120, 40, termenv.Ascii)
	m = drive(m, tea.KeyMsg{Type: tea.KeyTab}, tea.KeyMsg{Type: tea.KeyTab})
	if m.focus != panelConnChart {
		t.Fatalf("focus = %v, want the connections chart", m.focus)
	}
	m = drive(m, tea.WindowSizeMsg{Width: 100, Height: 30}) // compact: no charts
	for _, k := range []tea.KeyMsg{{Type: tea.KeyTab}, {Type: tea.KeyShiftTab}} {
		mm := drive(m, k)
		if !slices.Contains(mm.layout().focusOrder(), mm.focus) {
			t.Errorf("%v from a hidden chart landed on %v, which the compact layout hides", k, mm.focus)
		}
	}
}

func TestEveryPanelDrawsAndEveryLayoutFits(t *testing.T) {
	ps := panels()
	shown := map[panelID]bool{}
	for _, l := range layouts() {
		var drawn []panelID
		for _, r := range l.rows {
			for _, c := range r.cells {
				shown[c.panel] = true
				drawn = append(drawn, c.panel)
			}
		}
		for _, p := range l.focusOrder() {
			if !slices.Contains(drawn, p) {
				t.Errorf("layout %s focuses %v, which it does not show", l.name, p)
			}
		}
	}
	for id := range numPanels {
		if ps[id].draw == nil {
			t.Errorf("panel %d has no body", id)
		}
		if !shown[id] {
			t.Errorf("panel %d is in no layout", id)
		}
	}
}

func TestWTogglesTheWallAndEachKeepsItsTheme(t *testing.T) {
	m, _ := fed(120, 120, 40, termenv.Ascii)
	desk := m.View()
	m = drive(m, runes("w"))
	if !m.wall || !strings.Contains(m.View(), "SOLD 13.4%") || strings.Contains(m.View(), "Against the plan") {
		t.Fatalf("w must put the wall on screen:\n%s", m.View())
	}
	if m.styles.Theme.Name != "high-contrast" {
		t.Errorf("the wall starts high-contrast, not %q", m.styles.Theme.Name)
	}
	if !strings.Contains(m.View(), "w wall screen / dashboard") {
		t.Error("the wall's footer must say how to leave it")
	}
	m = drive(m, runes("t"))
	wallTheme := m.styles.Theme.Name
	m = drive(m, runes("w"))
	if m.wall || m.View() != desk {
		t.Errorf("w again must bring the dashboard back as it was:\n%s", m.View())
	}
	m = drive(m, runes("w"))
	if m.styles.Theme.Name != wallTheme {
		t.Errorf("the wall's theme is %q, want the one t chose on it (%q)", m.styles.Theme.Name, wallTheme)
	}
}

func TestWithoutColourTheWallSaysEveryLevelInWords(t *testing.T) {
	m, _ := fedWall(120, 120, 40, termenv.Ascii)
	v := m.View()
	if strings.Contains(v, "\x1b[") {
		t.Error("NO_COLOR: the wall emits escape sequences")
	}
	// Connections, bandwidth and the error rate are critical in the
	// scripted launch, PV and the sell-out pace fine.
	f := m.frame()
	want := map[string]int{}
	for _, fig := range f.wallFigures() {
		if w := levelWord(fig.level); w != "" {
			want[w]++
		}
	}
	if want["✕ CRIT"] != 3 || want["● OK"] != 2 {
		t.Fatalf("the scripted launch's levels changed: %v", want)
	}
	for word, n := range want {
		if got := strings.Count(v, word); got < n {
			t.Errorf("%q %d times on the wall, want at least %d (one a figure)", word, got, n)
		}
	}
	// Colour adds to the words; it does not replace them.
	c, _ := fedWall(120, 120, 40, termenv.TrueColor)
	if s := ansi.Strip(c.View()); strings.Count(s, "✕ CRIT") < 3 || !strings.Contains(c.View(), "\x1b[") {
		t.Error("in colour the wall must still say its levels in words")
	}
}

func TestStaleFiguresOnTheWallAreMarkedWithTheirAge(t *testing.T) {
	m, feed := fedWall(40, 120, 40, termenv.Ascii)
	s := feed.snaps[39].Clone()
	s.Time = s.Time.Add(12 * time.Second)
	src := s.Sources["scrape"]
	src.OK, src.Error = false, "connection refused"
	s.Sources["scrape"] = src
	h := s.Sources["host"]
	h.LastSuccess = s.Time
	s.Sources["host"] = h
	m = drive(m, feed.msg(s))
	// The five figures and the sell-out bar rest on the scrape.
	if n := strings.Count(m.View(), "stale 12s"); n != 6 {
		t.Errorf("'stale 12s' %d times, want 6 (five figures, the sell-out)\n%s", n, m.View())
	}
}

func TestTheWallsProblemIsThePipelinesWorstCleaned(t *testing.T) {
	m, feed := fedWall(120, 120, 40, termenv.Ascii)
	msg := feed.msg(feed.snaps[119])
	msg.frame.Problems = append([]events.Problem{{
		Kind: "bandwidth", Severity: events.Crit, Harm: events.HarmUsers, Size: 4.1, Subject: "page", Since: msg.frame.Snapshot.Time.Add(-4 * time.Minute),
		Message: "Bandwidth 4.1x plan:\x1b[2J 10 MB per page view,\u202e plan 1 MB\r",
	}}, msg.frame.Problems...)
	m = drive(m, msg)
	v := m.View()
	if strings.ContainsAny(v, "\x1b\r\u202e") {
		t.Errorf("control characters reached the wall: %q", v)
	}
	wantAll(t, v, "✕ CRIT  Bandwidth 4.1x plan: 10 MB per page view, plan 1 MB  for 4m")
	if strings.Index(v, "Bandwidth 4.1x") > strings.Index(v, "more problems") {
		t.Error("the worst problem must come first")
	}
}

func TestTheWallsCountdownMovesOnTheClock(t *testing.T) {
	m, feed := fedWall(10, 80, 24, termenv.Ascii) // T-21s
	if !containsBig(m.View(), "T-00:21") {
		t.Fatalf("no countdown:\n%s", m.View())
	}
	feed.setClock(t0.Add(-5 * time.Second))
	m = drive(m, clockMsg{})
	if !containsBig(m.View(), "T-00:05") {
		t.Errorf("the clock's tick did not move the wall's countdown:\n%s", m.View())
	}
}

func TestTheFontDrawsEveryGlyphItHas(t *testing.T) {
	const font = "0123456789.,:%/+-– BEGKMPTdhms"
	seen := map[string]rune{}
	for _, r := range font {
		g, ok := glyph(r)
		if !ok {
			t.Fatalf("%q is missing", r)
		}
		for i, row := range g {
			if len(row) != len(g[0]) {
				t.Errorf("%q row %d is %d wide, row 0 %d", r, i, len(row), len(g[0]))
			}
		}
		key := strings.Join(g[:], "/")
		if other, dup := seen[key]; dup && (other != '-' || r != '–') {
			t.Errorf("%q and %q look the same", other, r)
		}
		seen[key] = r
	}
	if _, ok := glyph('x'); ok {
		t.Error("x is not in the font")
	}
	if _, ok := bigWidth("12x", 1); ok {
		t.Error("a text with a rune the font lacks must not claim a width")
	}
	for _, tt := range []struct {
		text   string
		sx, sy int
	}{{"1,250", 1, 1}, {"156 MB/s", 2, 1}, {"T-3d 01:02:03", 3, 2}} {
		lines := bigText(tt.text, tt.sx, tt.sy)
		w, _ := bigWidth(tt.text, tt.sx)
		if len(lines) != glyphRows*tt.sy {
			t.Errorf("%q at %dx%d: %d lines", tt.text, tt.sx, tt.sy, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) != w {
				t.Errorf("%q at %dx%d: a line %d wide, bigWidth %d", tt.text, tt.sx, tt.sy, ansi.StringWidth(l), w)
			}
		}
	}
}

func TestBigScaleIsTheLargestThatFits(t *testing.T) {
	for _, tt := range []struct {
		name   string
		texts  []string
		w, h   int
		sx, sy int
		fits   bool
	}{
		{"one cell a pixel at the smallest", []string{"156"}, 11, 5, 1, 1, true},
		{"a cell too narrow draws no digits", []string{"156"}, 10, 5, 0, 0, false},
		{"pixels grow square when height allows", []string{"156"}, 44, 10, 4, 2, true},
		{"pixels at most twice as tall as wide", []string{"156"}, 22, 50, 2, 2, true},
		{"the widest text sets the scale", []string{"1", "1,250"}, 34, 25, 2, 2, true},
		{"a rune the font lacks draws no digits", []string{"12x"}, 100, 100, 0, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sx, sy, ok := bigScale(tt.texts, tt.w, tt.h)
			if sx != tt.sx || sy != tt.sy || ok != tt.fits {
				t.Errorf("bigScale(%q, %d, %d) = %d, %d, %v; want %d, %d, %v", tt.texts, tt.w, tt.h, sx, sy, ok, tt.sx, tt.sy, tt.fits)
			}
		})
	}
}

// BenchmarkRenderWall is BenchmarkRender on the wall: taking one frame at
// 1 Hz with the block digits redrawn, at the smallest and the largest
// reference sizes.
func BenchmarkRenderWall(b *testing.B) {
	for _, size := range []struct{ w, h int }{{80, 24}, {300, 80}} {
		b.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(b *testing.B) {
			m, feed := fedWall(300, size.w, size.h, termenv.TrueColor)
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

// A block line drawn in an ink is the line of the ink's Render: the
// sequences are written around the text, not joined to it first.
func TestABlockLineInAnInkIsItsRender(t *testing.T) {
	for _, p := range []struct {
		name    string
		profile termenv.Profile
	}{{"true colour", termenv.TrueColor}, {"no colour", termenv.Ascii}} {
		m, _ := fed(3, 120, 40, p.profile)
		k := m.styles.Bold
		for _, tt := range []struct {
			name    string
			s       string
			width   int
			centred bool
			w, h    int
		}{
			{"centred with its width given", "███  ███", 8, true, 20, 3},
			{"measured from the margin", "SOLD 12%", -1, false, 20, 3},
			{"too wide, cut", strings.Repeat("█", 30), 30, true, 12, 2},
			{"empty", "", 0, true, 10, 2},
			{"a tab, which lipgloss expands", "a\tb", -1, true, 14, 2},
			{"past the height, dropped", "x", 1, false, 10, 0},
		} {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				want, got := newBlock(tt.w, tt.h), newBlock(tt.w, tt.h)
				want.add(k.Render(tt.s), tt.width, tt.centred)
				got.addIn(k, tt.s, tt.width, tt.centred)
				if got.String() != want.String() {
					t.Errorf("addIn:\n%q\nadd of Render:\n%q", got.String(), want.String())
				}
				if got.size() != len(got.String()) {
					t.Errorf("size %d, String is %d bytes", got.size(), len(got.String()))
				}
			})
		}
	}
}
