package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
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
