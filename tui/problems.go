package tui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// problemKey names a problem across frames: its kind and subject.
func problemKey(p events.Problem) string { return string(p.Kind) + "/" + p.Subject }

// problemsTitle counts what is wrong now in the panel's border.
func problemsTitle(f *frame) string {
	if len(f.problems) == 0 {
		return "Problems"
	}
	return fmt.Sprintf("Problems · %d now", len(f.problems))
}

// problemsPanel lists what is wrong now, worst first, each with its live
// figure (the message is rewritten every snapshot) and how long it has
// stood. The selected one (the panel focused) is marked ›; an
// acknowledged one says ack and rings no more.
func problemsPanel(f *frame, w, h int) string {
	st := f.st
	if len(f.problems) == 0 {
		if !f.data {
			return st.Faint.Render("waiting for data")
		}
		return st.level(LevelOK).Render("nothing wrong now")
	}
	// Keep the selected problem in view when the list is longer than the
	// panel.
	first := 0
	if f.selected >= h {
		first = f.selected - h + 1
	}
	var lines []string
	for i := first; i < len(f.problems) && len(lines) < h; i++ {
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
		tail := ""
		if f.acked[problemKey(p)] {
			tail = st.Faint.Render(" ack")
		}
		room := max(w-ansi.StringWidth(head)-ansi.StringWidth(tail), 0)
		lines = append(lines, head+st.level(l).Render(snapshot.CleanText(p.Message, room))+tail)
	}
	if hidden := len(f.problems) - first - len(lines); hidden > 0 && len(lines) > 0 {
		lines[len(lines)-1] = st.Faint.Render(fmt.Sprintf("  … %d more (focus this panel, ↑/↓)", hidden+1))
	}
	return strings.Join(lines, "\n")
}

// problemCursor is the selected problem's index while the problems panel
// has the focus, kept within the list; -1 otherwise.
func (m *Model) problemCursor() int {
	n := len(m.shown().Problems)
	if m.focus != panelProblems || n == 0 {
		return -1
	}
	return min(max(m.cursor, 0), n-1)
}

// flashFor is how long the problems panel's border flashes after a new
// critical problem.
const flashFor = 3 * time.Second

// alarm is how the screen calls for attention: a new critical problem,
// not acknowledged, rings the bell once and flashes the problems panel's
// border for flashFor.
type alarm struct {
	start    time.Time       // the first frame's time: what stood then is not new
	seen     map[string]bool // critical problems already rung for
	until    time.Time       // the flash ends (wall time)
	flashing bool
}

func (a alarm) flashOn(now time.Time) bool { return now.Before(a.until) }

// takeProblems follows a new frame's problems: forgets acknowledgements of
// problems that cleared, and rings and flashes for a critical problem that
// opened since the watch began and was not rung for. It returns the bell's
// command, or nil.
func (m *Model) takeProblems(f pipeline.Frame) tea.Cmd {
	now := make(map[string]bool, len(f.Problems))
	for _, p := range f.Problems {
		now[problemKey(p)] = true
	}
	for k := range m.acked {
		if !now[k] {
			delete(m.acked, k)
		}
	}
	if m.alarm.start.IsZero() {
		m.alarm.start = f.Snapshot.Time
	}
	fresh := false
	seen := make(map[string]bool, len(f.Problems))
	for _, p := range f.Problems {
		k := problemKey(p)
		if p.Severity != events.Crit {
			continue
		}
		seen[k] = true
		// A replay shows the past: nothing in it is news.
		if !m.alarm.seen[k] && !m.acked[k] && p.Since.After(m.alarm.start) && m.opts.Replay == nil {
			fresh = true
		}
	}
	m.alarm.seen = seen // a problem that clears and opens again rings again
	if !fresh {
		return nil
	}
	m.alarm.until, m.alarm.flashing = m.opts.Wall().Add(flashFor), true
	if bell := m.opts.Bell; bell != nil {
		return func() tea.Msg { bell(); return nil }
	}
	return nil
}

// acknowledge silences the selected problem (the worst when the panel is
// not focused) until it clears, and stops the flash.
func (m *Model) acknowledge() {
	ps := m.shown().Problems
	if len(ps) == 0 {
		return
	}
	i := max(m.problemCursor(), 0)
	if m.acked == nil {
		m.acked = make(map[string]bool)
	}
	m.acked[problemKey(ps[i])] = true
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
	switch m.focus {
	case panelProblems:
		// Up is towards the worst, at the top.
		m.cursor = min(max(m.problemCursor()-step, 0), max(len(m.shown().Problems)-1, 0))
	case panelEvents:
		// The newest is at the top: down goes to older events.
		m.logOffset = max(m.logOffset-step, 0)
	default:
		return false
	}
	return true
}
