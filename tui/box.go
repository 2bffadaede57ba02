package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// box draws a bordered panel of exactly w x h cells, with the title set
// into the top border (as "╭─ Title ──╮"), so the whole inside is the
// body's. Every line of the body is cut to fit and missing lines are
// padded, so panels line up in rows.
func (s *Styles) box(title, body string, w, h int, focused bool) string {
	return s.drawBox(s.edgeColour(focused), title, w, h, func(in *boxWriter) { in.text(body) })
}

// alertBox is box with its border in the critical colour: the problems
// panel flashing for a new critical problem.
func (s *Styles) alertBox(title, body string, w, h int) string {
	return s.drawBox(s.Theme.Crit, title, w, h, func(in *boxWriter) { in.text(body) })
}

// edgeColour is a box's border colour, focused or not.
func (s *Styles) edgeColour(focused bool) lipgloss.TerminalColor {
	if focused {
		return s.Theme.Focus
	}
	return s.Theme.Border
}

// drawBox draws a box of exactly w x h cells whose body writes its lines
// straight into the box (box's text, a chart's rows), rather than into a
// string of its own that the box would copy. A body that knows how many
// bytes its lines take says so with reserve before it writes, so that the
// box is allocated once at its size.
func (s *Styles) drawBox(edge lipgloss.TerminalColor, title string, w, h int, body func(in *boxWriter)) string {
	if w < 4 || h < 2 {
		return fit("", w, h)
	}
	border := s.edge(edge)
	in := &boxWriter{st: s, pre: border.pre, post: border.post, title: title, innerW: w - 4, innerH: h - 2, w: w} // border 2, padding 2
	// The sides are drawn by hand, each styled once: lipgloss would
	// measure every line of the body again to lay out the same border.
	in.left, in.right = border.Render("│")+" ", " "+border.Render("│")
	body(in)
	return in.close()
}

// boxWriter is a box being drawn into one buffer: the top border with its
// title, then the body's lines between the sides as the body writes them
// (each cut or padded to the inside's width, those past its height
// dropped), then blank lines for what the body left and the bottom
// border. It is a lineWriter.
type boxWriter struct {
	b              strings.Builder
	st             *Styles
	pre, post      string // the border's colour
	title          string
	left, right    string // the sides, the padding with them
	innerW, innerH int    // the inside: the border and the padding taken
	w              int
	opened         bool            // the top border is written
	rows           int             // body lines written
	lineStart      int             // where the open line's text starts in b
	spill          strings.Builder // takes a line written past the inside's height
}

// reserve sizes the box's buffer for a body of size bytes (its lines
// padded to the inside's width; at least one byte a cell, what blank
// lines take) and writes the top border, the title set into it. A body
// that writes without reserving gets that least size; a reserve after the
// top border is written grows the buffer by size.
func (in *boxWriter) reserve(size int) {
	if in.opened {
		in.b.Grow(max(size, 0))
		return
	}
	in.opened = true
	pre, post, w := in.pre, in.post, in.w
	t, tw := "", 0
	if in.title != "" && w >= 8 {
		t = cutLine(in.title, w-6)
		tw = cellWidth(t)
	}
	top := len(pre) + 3*w + len(post) // the corners and the line, 3 bytes a cell
	if t != "" {
		top = 2*(len(pre)+len(post)) + len("╭─ ") + len(in.st.PanelTitle.pre) + len(t) + len(in.st.PanelTitle.post) + 1 + 3*max(w-5-tw, 0) + len("╮")
	}
	sides := in.innerH * (1 + len(in.left) + len(in.right)) // a newline and the sides a line
	bottom := 1 + len(pre) + 3*w + len(post)
	b := &in.b
	b.Grow(top + max(size, in.innerH*in.innerW) + sides + bottom)
	if t == "" {
		writeEdge(b, pre, post, "╭", w-2, "╮")
		return
	}
	b.WriteString(pre)
	b.WriteString("╭─ ")
	b.WriteString(post)
	in.st.PanelTitle.write(b, t)
	b.WriteString(pre)
	b.WriteByte(' ')
	writeRepeat(b, "─", max(w-5-tw, 0))
	b.WriteString("╮")
	b.WriteString(post)
}

// text writes a body's lines from a string, cut or padded to the
// inside's width. Each line is measured once: the widths size the box,
// then pad the lines.
func (in *boxWriter) text(body string) {
	var room [64]int
	widths, size := room[:0], 0
	for rest := body; len(widths) < in.innerH && rest != ""; {
		l, after, _ := strings.Cut(rest, "\n")
		rest = after
		lw := cellWidth(l)
		widths = append(widths, lw)
		size += len(l) + max(in.innerW-lw, 0) // a cut line counted whole
	}
	in.reserve(size + (in.innerH-len(widths))*in.innerW)
	rest := body
	for _, lw := range widths {
		l, after, _ := strings.Cut(rest, "\n")
		rest = after
		in.measured(l, lw)
	}
}

// line writes one line of the body, cut or padded to the inside's width.
func (in *boxWriter) line(l string) { in.measured(l, cellWidth(l)) }

// measured is line for a line whose width, lw cells, is known.
func (in *boxWriter) measured(l string, lw int) {
	in.reserve(0)
	if in.rows >= in.innerH {
		return
	}
	if lw > in.innerW {
		l = cutLine(l, in.innerW)
		lw = cellWidth(l)
	}
	in.b.WriteByte('\n')
	in.b.WriteString(in.left)
	in.b.WriteString(l)
	writeSpaces(&in.b, in.innerW-lw)
	in.b.WriteString(in.right)
	in.rows++
}

// startLine opens a line of the body written in pieces into the buffer
// it returns; endLine closes it.
func (in *boxWriter) startLine() *strings.Builder {
	in.reserve(0)
	if in.rows >= in.innerH {
		in.spill.Reset()
		return &in.spill // past the inside's height: dropped
	}
	in.b.WriteByte('\n')
	in.b.WriteString(in.left)
	in.lineStart = in.b.Len()
	return &in.b
}

// endLine pads the line opened by startLine to the inside's width and
// closes it with the right side. A line written too wide is cut: a
// strings.Builder only grows, so what comes before the line is copied
// into a new buffer and the line written again, cut (no chart draws such
// a line; the copy keeps the box exact if one does).
func (in *boxWriter) endLine() {
	if in.rows >= in.innerH {
		return
	}
	l := in.b.String()[in.lineStart:]
	lw := cellWidth(l)
	if lw > in.innerW {
		kept := in.b.String()[:in.lineStart]
		l = cutLine(l, in.innerW)
		lw = cellWidth(l)
		in.b = strings.Builder{}
		in.b.Grow(len(kept) + len(l) + (in.innerH-in.rows)*(len(in.left)+len(in.right)+3*in.innerW+1) + 3*in.w + len(in.pre) + len(in.post))
		in.b.WriteString(kept)
		in.b.WriteString(l)
	}
	writeSpaces(&in.b, in.innerW-lw)
	in.b.WriteString(in.right)
	in.rows++
}

// close fills the lines the body left blank, writes the bottom border and
// returns the box.
func (in *boxWriter) close() string {
	in.reserve(0)
	for ; in.rows < in.innerH; in.rows++ {
		in.b.WriteByte('\n')
		in.b.WriteString(in.left)
		writeSpaces(&in.b, in.innerW)
		in.b.WriteString(in.right)
	}
	in.b.WriteByte('\n')
	writeEdge(&in.b, in.pre, in.post, "╰", in.w-2, "╯")
	return in.b.String()
}

// lineWriter takes a block's lines: a box's inside (boxWriter) or a block
// of text of its own (textLines). A line is written whole with line, or
// in pieces into the buffer startLine returns, closed by endLine; reserve
// first says how many bytes the lines take, each padded to the width.
type lineWriter interface {
	reserve(size int)
	line(s string)
	startLine() *strings.Builder
	endLine()
}

// textLines is a block of lines as a string: its lines joined by
// newlines, written as they are (a chart drawn on its own, render).
type textLines struct {
	b strings.Builder
	n int // lines started
}

func (t *textLines) reserve(size int) { t.b.Grow(size) }

func (t *textLines) line(s string) { t.startLine().WriteString(s) }

func (t *textLines) startLine() *strings.Builder {
	if t.n > 0 {
		t.b.WriteByte('\n')
	}
	t.n++
	return &t.b
}

func (t *textLines) endLine() {}

// String returns the block.
func (t *textLines) String() string { return t.b.String() }

// spaces is a run of blanks to pad lines from without allocating.
var spaces = strings.Repeat(" ", 256)

// writeSpaces writes n blanks.
func writeSpaces(b *strings.Builder, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		b.WriteString(spaces[:k])
		n -= k
	}
}

// writeRepeat writes s n times.
func writeRepeat(b *strings.Builder, s string, n int) {
	for range n {
		b.WriteString(s)
	}
}

// writeEdge writes a box's top or bottom border without a title: a
// corner, n lines, a corner, between the border's colour sequences.
func writeEdge(b *strings.Builder, pre, post, first string, n int, last string) {
	b.WriteString(pre)
	b.WriteString(first)
	writeRepeat(b, "─", n)
	b.WriteString(last)
	b.WriteString(post)
}
