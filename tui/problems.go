package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
)

// problemsTitle counts what is wrong now in the panel's border.
func problemsTitle(f *frame) string {
	if len(f.problems) == 0 {
		return "Problems"
	}
	return fmt.Sprintf("Problems · %d now", len(f.problems))
}

// problemsPanel lists what is wrong now, grouped by cause and worst first,
// each with its live figure (the message is rewritten every snapshot) and
// how long it has stood; a problem caused by another stands under it,
// marked └ (page weight, └ the link full, └ the 502s). One easing under
// its line says so. The selected one (the panel focused) is marked ›; an
// acknowledged one says ack and rings no more.
func problemsPanel(f *frame, w, h int) string {
	st := f.st
	if len(f.problems) == 0 {
		if !f.data {
			return st.Faint.Render("waiting for data")
		}
		return st.level(LevelOK).Render("nothing wrong now")
	}
	// When the list is longer than the panel, the last row says how many
	// more there are, and the rows above keep the selected problem in view.
	rows := h
	if len(f.problems) > h {
		rows = max(h-1, 1)
	}
	first := 0
	if f.selected >= rows {
		first = f.selected - rows + 1
	}
	var lines []string
	for i := first; i < len(f.problems) && len(lines) < rows; i++ {
		p := f.problems[i]
		mark, l := "▲", LevelWarn
		if p.Severity == events.Crit {
			mark, l = "✕", LevelCrit
		}
		cursor := " "
		if i == f.selected {
			cursor = "›"
		}
		since := capacity.FormatDuration(f.snap.Time.Sub(p.Since))
		head := cursor + st.level(l).Render(mark+st.levelMark(l)) + " " + st.Faint.Render(fmt.Sprintf("%6s", since)) + " "
		if d := f.depthOf(i); d > 0 {
			head += st.Faint.Render(strings.Repeat("  ", d-1) + "└ ")
		}
		tail := ""
		if !p.Easing.IsZero() {
			tail += st.Faint.Render(" easing " + capacity.FormatDuration(f.snap.Time.Sub(p.Easing)))
		}
		switch {
		case p.Ack != nil:
			tail += st.Faint.Render(" ack " + p.Ack.By)
		case f.acked[p.Key()]:
			tail += st.Faint.Render(" ack")
		}
		room := max(w-ansi.StringWidth(head)-ansi.StringWidth(tail), 0)
		lines = append(lines, head+st.level(l).Render(cleanCut(p.Message, room))+tail)
	}
	if hidden := len(f.problems) - len(lines); hidden > 0 && len(lines) < h {
		lines = append(lines, st.Faint.Render(fmt.Sprintf("  … %d more (focus this panel, ↑/↓)", hidden)))
	}
	return strings.Join(lines, "\n")
}

// depthOf is how deep the i-th problem stands under its causes.
func (f *frame) depthOf(i int) int {
	if i < len(f.depths) {
		return f.depths[i]
	}
	return 0
}

// problemCursor is the selected problem's index while the problems panel
// has the focus; -1 otherwise. The selection follows its problem (kind and
// subject) as the list is sorted anew every frame; when that problem has
// cleared, the row it stood on.
func (m *Model) problemCursor() int {
	ps := m.shown().Problems
	if m.focus != panelProblems || len(ps) == 0 {
		return -1
	}
	for i, p := range ps {
		if p.Key() == m.selected {
			return i
		}
	}
	return min(max(m.cursor, 0), len(ps)-1)
}

// selectProblem puts the cursor on the i-th problem now.
func (m *Model) selectProblem(i int) {
	ps := m.shown().Problems
	if len(ps) == 0 {
		return
	}
	m.cursor = min(max(i, 0), len(ps)-1)
	m.selected = ps[m.cursor].Key()
}

// flashFor is how long the problems panel's border flashes after a new
// critical problem.
const flashFor = 3 * time.Second

// alarm is how the screen calls for attention: a new critical problem,
// not acknowledged, rings the bell once and flashes the problems panel's
// border for flashFor.
type alarm struct {
	started  bool            // a frame has come: what stood at the first is not news
	seen     map[string]bool // the problems critical in the last frame
	until    time.Time       // the flash ends (wall time)
	flashing bool
}

func (a alarm) flashOn(now time.Time) bool { return now.Before(a.until) }

// takeProblems follows a new frame's problems: forgets acknowledgements of
// problems that cleared, and rings and flashes for a problem that became
// critical since the last frame (not at the first, not acknowledged). It
// returns the bell's command, or nil.
func (m *Model) takeProblems(f pipeline.Frame) tea.Cmd {
	now := make(map[string]bool, len(f.Problems))
	for _, p := range f.Problems {
		now[p.Key()] = true
	}
	for k := range m.acked {
		if !now[k] {
			delete(m.acked, k)
		}
	}
	first := !m.alarm.started
	m.alarm.started = true
	fresh := false
	seen := make(map[string]bool, len(f.Problems))
	for _, p := range f.Problems {
		k := p.Key()
		if p.Severity != events.Crit {
			continue
		}
		seen[k] = true
		// What is critical at the first frame is on the screen already;
		// a replay shows the past: nothing in it is news.
		if !first && !m.alarm.seen[k] && !m.acked[k] && p.Ack == nil && m.opts.Replay == nil {
			fresh = true
		}
	}
	// A problem rings when it becomes critical: when it opens so, when a
	// warning turns critical, and again if it clears and comes back.
	m.alarm.seen = seen
	if !fresh {
		return nil
	}
	m.alarm.until, m.alarm.flashing = m.opts.Wall().Add(flashFor), true
	if bell := m.opts.Bell; bell != nil {
		return func() tea.Msg { bell(); return nil }
	}
	return nil
}

// acknowledge acknowledges the selected problem (the worst when the panel
// is not focused: events.Worst, not the first row, which is its group's
// root) until it clears, for every screen when the pipeline takes it
// (Options.Acknowledge), and stops the flash.
func (m *Model) acknowledge() {
	ps := m.shown().Problems
	if len(ps) == 0 {
		return
	}
	p, _ := events.Worst(ps)
	if i := m.problemCursor(); i >= 0 {
		p = ps[i]
	}
	m.alarm.until, m.alarm.flashing = time.Time{}, false
	if ack := m.opts.Acknowledge; ack != nil {
		if err := ack(p.Key()); err != nil {
			m.note = cleanCut(err.Error(), 120)
		}
		return
	}
	if m.acked == nil {
		m.acked = make(map[string]bool)
	}
	m.acked[p.Key()] = true
	m.alarm.until, m.alarm.flashing = time.Time{}, false
}

// scroll moves the problems panel's cursor or the event log, whichever
// has the focus; false when neither has it.
func (m *Model) scroll(msg tea.KeyMsg) bool {
	k := m.keys
	step := 1
	if keyMatches(msg, k.PageUp) || keyMatches(msg, k.PageDown) {
		step = max(m.height/2, 1)
	}
	if keyMatches(msg, k.Down) || keyMatches(msg, k.PageDown) {
		step = -step
	}
	if m.drill != "" {
		// Drilled into a server: up and down go to the one above or below
		// it in the fleet's order.
		rows := m.shownFleet()
		i := slices.IndexFunc(rows, func(r fleetRow) bool { return r.srv.Name == m.drill })
		m.selectServer(rows, i-step)
		if len(rows) > 0 {
			m.drill = m.fleetSelected
		}
		return true
	}
	switch m.focus {
	case panelFleet:
		rows := m.shownFleet()
		m.selectServer(rows, m.fleetCursor(rows)-step)
	case panelProblems:
		// Up is towards the worst, at the top.
		m.selectProblem(m.problemCursor() - step)
	case panelEvents:
		// The newest is at the top: down goes to older events, no further
		// than a panel's worth before the oldest.
		n := 0
		for _, e := range m.shown().Log.All() {
			if e.Severity >= m.logMin {
				n++
			}
		}
		m.logOffset = min(max(m.logOffset-step, 0), max(n-1, 0))
	default:
		return false
	}
	return true
}

// keepLogInPlace keeps a scrolled event log on the events it showed: the
// events that came since the last frame push the offset down by as many
// as the filter shows, so reading back is not undone by the next event.
func (m *Model) keepLogInPlace() {
	all := m.latest.Log.All()
	if len(all) == 0 {
		return
	}
	if m.logOffset > 0 {
		newer := 0
		for i := len(all) - 1; i >= 0; i-- {
			if all[i] == m.logAnchor {
				m.logOffset += newer // else the anchor has left the log: leave it
				break
			}
			if all[i].Severity >= m.logMin {
				newer++
			}
		}
	}
	m.logAnchor = all[len(all)-1]
}
