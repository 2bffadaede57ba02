package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// frame is everything the panes draw from, gathered once per render.
type frame struct {
	st *Styles
	// now is the producer's clock when the frame is drawn: the countdown
	// runs on it. nextPoll is the wall time to the next poll.
	now      time.Time
	nextPoll time.Duration
	snap     snapshot.Snapshot
	assess   capacity.Assessment
	plan     capacity.Plan
	hasPlan  bool
	th       capacity.Thresholds
	hist     histView // the chart window, oldest first
	window   time.Duration
	events   []events.Event
	// problems are what is wrong now, grouped by cause, the worst group
	// first (events.State.Problems); depths how deep each stands under its
	// cause; acked the keys of the
	// ones acknowledged, selected the index of the one the cursor is on
	// (-1: none, the panel is not focused).
	problems []events.Problem
	theirs   []snapshot.TeamAlert // the team's own alerts, after the problems (snapshot.TeamAlerts)
	depths   []int
	acked    map[string]bool
	selected int
	flash    bool // a new critical problem: the problems panel's border flashes
	// liveFrom is where the watch started watching live (its warm start's
	// marker), else where the pipeline's history starts when older history
	// was fetched for a widened window: before it the charts draw history.
	// Zero: all of the window is live.
	liveFrom time.Time
	// other is the second launch's chart window, moved onto this one's
	// launch-relative time (with the drilled-into server's figures where it
	// had that server), and otherName names it (Options.Compare); ownName
	// names this launch beside it.
	other     histView
	otherName string
	ownName   string
	// The event log's view: scrolled past the newest logOffset, showing
	// events at least logMin severe.
	logOffset int
	logMin    events.Severity
	data      bool
	// stale lists the signals whose figure is not fresh, with its age.
	stale map[string]staleMark
	// simulated says the host figures are the demo's, not this machine's.
	simulated bool
	// fleet is the snapshot's fleet worst first (fleetRows), fleetSel the
	// selected server's index in it (-1: the panel is not focused).
	fleet    []fleetRow
	fleetSel int
	fleetTop float64 // the largest share of the requests, once asked
}

// isStale reports whether a signal's figure is stale, and how old it is.
func (f *frame) isStale(signal string) (staleMark, bool) {
	a, ok := f.stale[signal]
	return a, ok
}

// anyStale is the worst mark of the signals a figure rests on.
func (f *frame) anyStale(signals ...string) (staleMark, bool) {
	var worst staleMark
	found := false
	for _, sig := range signals {
		if a, ok := f.stale[sig]; ok {
			if !found {
				worst = a
			} else {
				worst = worst.older(a)
			}
			found = true
		}
	}
	return worst, found
}

// series returns one signal's newest values over the window, as many as
// a sparkline of width cells draws (a value a cell), and at most 200.
func (f *frame) series(signal string, width int) []snapshot.Value {
	const most = 200 // wider than any tile: the cap, whatever width a caller passes
	n := f.hist.Len()
	out := make([]snapshot.Value, max(min(n, most, width), 0))
	for i := range out {
		s := f.hist.At(n - len(out) + i)
		out[i] = s.Get(signal)
	}
	return out
}

// render rebuilds the screen string. It runs when data, size, focus, theme
// or help change, never from View.
func (m *Model) render() {
	w, h := m.width, m.height
	m.body = ""
	l, fits := pickLayout(m.wall, w, h)
	switch {
	case w == 0 || h == 0:
		m.view = ""
		return
	case !fits:
		m.view = m.tooSmall()
		return
	}
	f := m.frame()
	var footer string
	switch {
	case m.opts.Replay != nil:
		footer = m.timeline(w) + "\n" + m.replayFooter(w)
	case m.noteIn.Focused():
		footer = m.noteFooter(w)
	default:
		footer = m.footer(w, l.wall)
	}
	status := ""
	if f.data {
		status = statusLine(*m.styles, m.problemsOfInputs(f.snap), w)
	}
	bodyH := max(h-1-lineCount(footer), 0) // the header is one line
	banner := m.pauseBanner(w)
	if banner != "" && bodyH > 1 {
		bodyH--
	} else {
		banner = ""
	}
	if status != "" && bodyH > 1 {
		bodyH--
	} else {
		status = ""
	}
	header := m.header(&f, m.width)
	// The body's panels are drawn first, so that the screen's buffer is
	// allocated once at its size: header, status, body, footer, the
	// layouts' rows written straight into it.
	var rows [][]string // rows of panels side by side
	size := 0           // their bytes on screen
	switch {
	case m.showHelp:
		rows, size = one(m.styles.box("Keys", m.fullHelp()+"\n\n"+legend(*m.styles), w, bodyH, true))
	case m.showSrcs:
		rows, size = one(m.styles.box("Sources · errors, warnings, infos (s or esc to close)", m.sourcesView(&f, max(w-4, 0)), w, bodyH, true))
	case m.drill != "" && !l.wall:
		rows, size = m.drillView(&f, w, bodyH)
	case m.detail != "" && !l.wall:
		rows, size = one(m.detailView(&f, w, bodyH))
	case m.full && !l.wall: // nothing on the wall takes the focus
		rows, size = one(m.panel(&f, m.focus, w, bodyH))
	default:
		rows, size = m.draw(&f, l, w, bodyH)
	}
	var b strings.Builder
	b.Grow(len(header) + 1 + len(banner) + 1 + len(status) + 1 + size + 1 + len(footer))
	b.WriteString(header)
	b.WriteByte('\n')
	if banner != "" {
		b.WriteString(banner)
		b.WriteByte('\n')
	}
	if status != "" {
		b.WriteString(status)
		b.WriteByte('\n')
	}
	start := b.Len()
	writeRows(&b, rows)
	// The body is w x bodyH when every line has the width and the count
	// (what the layouts draw); else fit makes it so.
	if body := b.String()[start:]; !exactly(body, w, bodyH) {
		head := b.String()[:start]
		fixed := fit(body, w, bodyH)
		b.Reset()
		b.WriteString(head)
		b.WriteString(fixed)
	}
	b.WriteByte('\n')
	b.WriteString(footer)
	m.view = b.String()
	m.body = m.view[len(header)+1:] // what the clock's header-only redraw keeps: all but the header
}

// exactly reports whether s is w x h cells: h lines of width w.
func exactly(s string, w, h int) bool {
	n := 0
	for line := range strings.SplitSeq(s, "\n") {
		if n++; n > h || cellWidth(line) != w {
			return false
		}
	}
	return n == h
}

// renderHeader re-renders the header line alone, on the clock between
// polls as well as with everything else.
func (m *Model) renderHeader() {
	if m.body == "" {
		return
	}
	f := m.headerFrame()
	m.view = m.header(&f, m.width) + "\n" + m.body
}

// liveFrom finds where the charts' history ends (frame.liveFrom), once a
// frame: the event log is scanned back for the warm start's marker.
func (m *Model) liveFrom(f *frame) time.Time {
	for i := len(f.events) - 1; i >= 0; i-- {
		if f.events[i].Kind == events.KindWarm {
			return f.events[i].Time
		}
	}
	if len(f.hist.older) > 0 {
		return m.shown().History.At(0).Time
	}
	return time.Time{}
}

// frame gathers everything the panes draw from.
func (m *Model) frame() frame {
	f := m.headerFrame()
	// The fleet is sorted once a frame drawn, not for the clock's header.
	f.fleetSel = m.fleetCursor(f.fleetRows())
	if f.data {
		start := f.snap.Time.Add(-m.window)
		f.hist = histView{older: m.older.olderIn(start), live: m.shown().History.Window(start, f.snap.Time)}
		if c := m.opts.Compare; c != nil {
			f.other, f.otherName = histView{older: c.window(start, f.snap.Time, m.drill)}, c.Name
			f.ownName = m.opts.LaunchName
		}
		f.liveFrom = m.liveFrom(&f)
		for _, name := range f.snap.SourceNames() {
			src := f.snap.Sources[name]
			for _, sig := range src.Signals {
				if mark, stale := signalStale(src, sig, f.snap.Time, m.opts.Thresholds.StaleAfter); stale {
					f.stale[sig] = mark
				}
			}
		}
	}
	return f
}

// headerFrame is the part of the frame the header needs: no history, no
// staleness map, so the clock can redraw the header cheaply.
func (m *Model) headerFrame() frame {
	fr := m.shown()
	f := frame{
		st: m.styles, now: m.opts.Clock(), nextPoll: max(m.opts.Interval-m.opts.Wall().Sub(m.received), 0), snap: fr.Snapshot, assess: fr.Assessment, plan: m.opts.Plan, hasPlan: m.opts.HasPlan,
		th: m.opts.Thresholds, window: m.window, events: fr.Log.All(), data: !fr.Snapshot.Time.IsZero(),
		problems: fr.Problems, theirs: fr.Snapshot.TeamAlerts, depths: events.Depths(fr.Problems), acked: m.acked, selected: m.problemCursor(), flash: m.alarm.flashOn(m.opts.Wall()),
		logOffset: m.logOffset, logMin: m.logMin,
		stale: map[string]staleMark{}, simulated: slices.Contains(m.opts.Simulated, "host"), fleetSel: -1,
	}
	if m.paused {
		// Nothing on a paused screen moves: its clocks stand at the pause,
		// and a flash neither starts nor ends on it.
		f.now, f.nextPoll, f.flash = m.frozenAt, m.frozenNext, false
	}
	return f
}

// shown is the frame on screen: the newest, or the one the screen was
// paused on.
func (m *Model) shown() pipeline.Frame {
	if m.paused {
		return m.frozen
	}
	return m.latest
}

// panel draws one panel at a size, focused or not; a frame-only panel
// whose inputs have not changed since it was last drawn is not drawn again.
func (m *Model) panel(f *frame, id panelID, w, h int) string {
	if w <= 0 || h <= 0 || id < 0 || id >= numPanels {
		return ""
	}
	def := &panelDefs[id]
	focused := id == m.focus
	if !def.frameOnly {
		return def.draw(f, w, h, focused)
	}
	key := panelKey{seq: m.shown().Seq, w: w, h: h, focused: focused, theme: f.st.Theme.Name, noColor: f.st.NoColor,
		window: f.window, older: len(f.hist.older), liveFrom: f.liveFrom}
	if c := m.drawn[id]; c.ok && c.key == key {
		return c.out
	}
	out := def.draw(f, w, h, focused)
	m.drawn[id] = drawnPanel{key: key, out: out, ok: true}
	return out
}

// panelKey is everything a frame-only panel's drawing depends on.
type panelKey struct {
	seq      uint64
	w, h     int
	focused  bool
	theme    string
	noColor  bool
	window   time.Duration
	older    int // fetched snapshots in the chart window
	liveFrom time.Time
}

// drawnPanel is a panel as last drawn.
type drawnPanel struct {
	key panelKey
	out string
	ok  bool
}

// tooSmall asks for a larger terminal, under the pause's banner when the
// screen is paused: a paused screen says so at any size.
func (m *Model) tooSmall() string {
	w, h := m.width, m.height
	msg := m.styles.Message.Render(tooSmallText(w, h))
	if banner := m.pauseBanner(w); banner != "" && h > 1 {
		return banner + "\n" + fit(msg, w, h-1)
	}
	return fit(msg, w, h)
}

// tooSmallText asks for a larger terminal than w x h.
func tooSmallText(w, h int) string {
	minW, minH, fullW, fullH := layoutBounds()
	return fmt.Sprintf("Terminal too small: %dx%d.\nlaunchwatch needs at least %dx%d\n(%dx%d shows everything).\nEnlarge the terminal, or press q to quit.",
		w, h, minW, minH, fullW, fullH)
}

// footer is the keys' line, with the note of the moment before it.
// bubbles' help rebuilds the line at every call (a few dozen allocations):
// it is kept until what it is drawn from changes.
func (m *Model) footer(w int, wall bool) string {
	memo := footerMemo{w: w, wall: wall, fetching: m.older.fetching, note: m.note, styles: m.styles}
	if last := m.footers; last != nil && last.same(memo) {
		return last.out
	}
	memo.out = m.drawFooter(w, wall)
	if m.footers != nil {
		*m.footers = memo
	}
	return memo.out
}

// footerMemo is the footer as last drawn and what it was drawn from.
type footerMemo struct {
	w              int
	wall, fetching bool
	note           string
	styles         *Styles // a theme change replaces them
	out            string
}

func (a footerMemo) same(b footerMemo) bool {
	return a.out != "" && a.w == b.w && a.wall == b.wall && a.fetching == b.fetching && a.note == b.note && a.styles == b.styles
}

func (m *Model) drawFooter(w int, wall bool) string {
	m.help.Width = w
	keys := m.keys.ShortHelp()
	if wall {
		keys = m.keys.WallShortHelp()
	}
	help := m.help.ShortHelpView(keys)
	switch {
	case m.older.fetching:
		help = m.styles.Faint.Render("fetching older history… • ") + help
	case m.note != "":
		help = m.styles.level(LevelWarn).Render(m.note) + m.styles.Faint.Render(" • ") + help
	}
	return fit(help, w, 1)
}

func (m *Model) fullHelp() string {
	if m.opts.Replay != nil {
		return m.help.FullHelpView(m.keys.ReplayFullHelp())
	}
	return m.help.FullHelpView(m.keys.FullHelp())
}

func lineCount(s string) int { return strings.Count(s, "\n") + 1 }

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
