package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// box draws a bordered panel of exactly w x h cells, with the title set
// into the top border (as "╭─ Title ──╮"), so the whole inside is the
// body's. Every line of the body is cut to fit and missing lines are
// padded, so panels line up in rows.
func (s Styles) box(title, body string, w, h int, focused bool) string {
	return s.drawBox(s.edgeColour(focused), title, w, h, len(body), func(in *boxWriter) { in.text(body) })
}

// alertBox is box with its border in the critical colour: the problems
// panel flashing for a new critical problem.
func (s Styles) alertBox(title, body string, w, h int) string {
	return s.drawBox(s.Theme.Crit, title, w, h, len(body), func(in *boxWriter) { in.text(body) })
}

// edgeColour is a box's border colour, focused or not.
func (s Styles) edgeColour(focused bool) lipgloss.TerminalColor {
	if focused {
		return s.Theme.Focus
	}
	return s.Theme.Border
}

// drawBox draws a box of exactly w x h cells whose body writes its lines
// straight into the box (a chart, a tile), rather than into a string of
// its own that the box would copy. size is about how many bytes the body
// writes, to size the buffer once.
func (s Styles) drawBox(edge lipgloss.TerminalColor, title string, w, h, size int, body func(in *boxWriter)) string {
	if w < 4 || h < 2 {
		return fit("", w, h)
	}
	in := s.openBox(edge, title, w, h, size)
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
	border         ink
	left, right    string // the sides, the padding with them
	innerW, innerH int    // the inside: the border and the padding taken
	w              int
	rows           int // body lines written
	lineStart      int // where the open line's text starts in b
	spill          strings.Builder
}

// openBox writes a box's top border, the title set into it. The sides
// are drawn by hand, each styled once: lipgloss would measure every line
// of the body again to lay out the same border.
func (s Styles) openBox(edge lipgloss.TerminalColor, title string, w, h, size int) *boxWriter {
	border := s.edge(edge)
	in := &boxWriter{border: border, innerW: w - 4, innerH: h - 2, w: w} // border 2, padding 2
	in.left, in.right = border.Render("│")+" ", " "+border.Render("│")
	edges := 2 * (3*w + len(border.pre) + len(border.post)) // top and bottom; a border cell is 3 bytes
	b := &in.b
	b.Grow(size + h*(len(in.left)+len(in.right)+in.innerW+1) + edges + len(title) + len(s.PanelTitle.pre) + len(s.PanelTitle.post))
	if title != "" && w >= 8 {
		t := ansi.Truncate(title, w-6, "…")
		border.write(b, "╭─ ")
		s.PanelTitle.write(b, t)
		b.WriteString(border.pre)
		b.WriteByte(' ')
		writeRepeat(b, "─", max(w-5-cellWidth(t), 0))
		b.WriteString("╮")
		b.WriteString(border.post)
	} else {
		border.writeEdge(b, "╭", w-2, "╮")
	}
	return in
}

// text writes a body's lines from a string.
func (in *boxWriter) text(body string) {
	for rest := body; in.rows < in.innerH && rest != ""; {
		l, after, _ := strings.Cut(rest, "\n")
		rest = after
		in.line(l)
	}
}

// line writes one line of the body, cut or padded to the inside's width.
func (in *boxWriter) line(l string) {
	if in.rows >= in.innerH {
		return
	}
	lw := cellWidth(l)
	if lw > in.innerW {
		l = ansi.Truncate(l, in.innerW, "")
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
		l = ansi.Truncate(l, in.innerW, "")
		lw = cellWidth(l)
		in.b = strings.Builder{}
		in.b.Grow(len(kept) + len(l) + (in.innerH-in.rows)*(len(in.left)+len(in.right)+3*in.innerW+1) + 3*in.w + len(in.border.pre) + len(in.border.post))
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
	for ; in.rows < in.innerH; in.rows++ {
		in.b.WriteByte('\n')
		in.b.WriteString(in.left)
		writeSpaces(&in.b, in.innerW)
		in.b.WriteString(in.right)
	}
	in.b.WriteByte('\n')
	in.border.writeEdge(&in.b, "╰", in.w-2, "╯")
	return in.b.String()
}

// lineWriter takes a block's lines: a box's inside (boxWriter) or a block
// of text of its own (textLines). A line is written whole with line, or
// in pieces into the buffer startLine returns, closed by endLine.
type lineWriter interface {
	line(s string)
	startLine() *strings.Builder
	endLine()
}

// textLines is a block of lines as a string: its lines joined by
// newlines, written as they are.
type textLines struct {
	b strings.Builder
	n int // lines started
}

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
// corner, n lines, a corner, in the ink.
func (k ink) writeEdge(b *strings.Builder, first string, n int, last string) {
	b.WriteString(k.pre)
	b.WriteString(first)
	writeRepeat(b, "─", n)
	b.WriteString(last)
	b.WriteString(k.post)
}
