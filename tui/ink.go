package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// ink is a style of colours and attributes alone (no width, padding,
// border or alignment), rendered once when it is built: drawing a line in
// it is its escape sequences around the text. lipgloss measures and lays
// out every string it renders, most of a frame's cost when a frame draws
// a few thousand small coloured pieces; the output is the same.
type ink struct {
	lipgloss.Style
	pre, post string
}

// newInk renders st once around a marker to learn its escape sequences.
func newInk(st lipgloss.Style) ink {
	const marker = "X" // no SGR sequence holds it
	out := st.Render(marker)
	i := strings.Index(out, marker)
	return ink{Style: st, pre: out[:i], post: out[i+len(marker):]}
}

// Render draws the text in the ink. Text lipgloss would change (several
// lines, tabs, carriage returns, nothing at all) goes through lipgloss.
func (k ink) Render(strs ...string) string {
	s := strings.Join(strs, " ")
	if s == "" || strings.ContainsAny(s, "\n\t\r") {
		return k.Style.Render(s)
	}
	if k.pre == "" && k.post == "" {
		return s
	}
	return k.pre + s + k.post
}

// write is Render written into b, without building the string first.
func (k ink) write(b *strings.Builder, s string) {
	if s == "" || strings.ContainsAny(s, "\n\t\r") {
		b.WriteString(k.Style.Render(s))
		return
	}
	b.WriteString(k.pre)
	b.WriteString(s)
	b.WriteString(k.post)
}
