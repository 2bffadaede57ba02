package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// panelID names a focusable panel, in tab order.
type panelID int

const (
	panelTiles panelID = iota
	panelPVChart
	panelConnChart
	panelBWChart
	panelEndpoints
	panelHost
	panelPlan
	panelProblems
	panelEvents
	numPanels
)

func (p panelID) next(dir int) panelID {
	return panelID((int(p) + dir + int(numPanels)) % int(numPanels))
}

// Sizes: the full layout from fullW x fullH, the compact one down to
// minW x minH, and below that a message to enlarge the terminal.
const (
	fullW, fullH = 120, 40
	minW, minH   = 60, 16
)

// box draws a bordered panel of exactly w x h cells, with the title set
// into the top border (as "╭─ Title ──╮"), so the whole inside is the
// body's. Every line of the body is cut to fit and missing lines are
// padded, so panels line up in rows.
func (s Styles) box(title, body string, w, h int, focused bool) string {
	st, edge := s.Panel, s.Theme.Border
	if focused {
		st, edge = s.PanelFocused, s.Theme.Focus
	}
	return s.boxIn(st, edge, title, body, w, h)
}

// alertBox is box with its border in the critical colour: the problems
// panel flashing for a new critical problem.
func (s Styles) alertBox(title, body string, w, h int) string {
	return s.boxIn(s.Panel.BorderForeground(s.Theme.Crit), s.Theme.Crit, title, body, w, h)
}

func (s Styles) boxIn(st lipgloss.Style, edge lipgloss.TerminalColor, title, body string, w, h int) string {
	if w < 4 || h < 2 {
		return fit("", w, h)
	}
	innerW, innerH := w-4, h-2 // border 2, padding 2
	border := s.Text.Foreground(edge)
	top := "╭" + strings.Repeat("─", w-2) + "╮"
	if title != "" && w >= 8 {
		t := ansi.Truncate(title, w-6, "…")
		top = border.Render("╭─ ") + s.PanelTitle.Render(t) + border.Render(" "+strings.Repeat("─", max(w-5-ansi.StringWidth(t), 0))+"╮")
	} else {
		top = border.Render(top)
	}
	return top + "\n" + st.BorderTop(false).Render(fit(body, innerW, innerH))
}

// fit cuts or pads s to exactly w x h cells.
func fit(s string, w, h int) string {
	w, h = max(w, 0), max(h, 0)
	if h == 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		l = ansi.Truncate(l, w, "")
		if pad := w - ansi.StringWidth(l); pad > 0 {
			l += strings.Repeat(" ", pad)
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// split divides total into n parts that add up to total exactly.
func split(total, n int) []int {
	total, n = max(total, 0), max(n, 1)
	out := make([]int, n)
	for i := range out {
		out[i] = total / n
		if i < total%n {
			out[i]++
		}
	}
	return out
}

// joinRow puts panels side by side.
func joinRow(parts ...string) string { return lipgloss.JoinHorizontal(lipgloss.Top, parts...) }

// keyMatches is key.Matches for one binding.
func keyMatches(msg tea.KeyMsg, b key.Binding) bool { return key.Matches(msg, b) }
