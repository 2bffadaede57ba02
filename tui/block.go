package tui

import (
	"strings"
)

// block builds a panel of exactly w x h cells line by line, with a column
// of margin either side. A line's width is measured only when the caller
// does not know it: block digits are long, and measuring them was most of
// the wall's cost. Lines are kept as their pieces (the margins, the text
// and its ink's sequences) and written once, by String or writeLine.
type block struct {
	w, h  int
	lines []blockLine
}

// blockLine is a line of a block: left blanks, the text between its ink's
// sequences, right blanks.
type blockLine struct {
	left, right  int
	pre, s, post string
}

func newBlock(w, h int) *block {
	return &block{w: max(w, 0), h: max(h, 0), lines: make([]blockLine, 0, max(h, 0))}
}

// skip adds n empty lines.
func (b *block) skip(n int) {
	for range max(n, 0) {
		b.add("", 0, false)
	}
}

// add adds a line of width cells (-1: measure it), cut to fit, centred or
// from the margin; lines past the block's height are dropped.
func (b *block) add(s string, width int, centred bool) {
	b.put("", s, "", width, centred)
}

// addIn is add for a line drawn in an ink (k.Render(s)), its sequences
// written around the text rather than joined to it first.
func (b *block) addIn(k ink, s string, width int, centred bool) {
	if s == "" || strings.ContainsAny(s, "\n\t\r") {
		b.put("", k.Render(s), "", width, centred) // what lipgloss draws, as Render does
		return
	}
	b.put(k.pre, s, k.post, width, centred)
}

// put adds the line s between an ink's sequences pre and post, which take
// no cells.
func (b *block) put(pre, s, post string, width int, centred bool) {
	if len(b.lines) >= b.h {
		return
	}
	inner := max(b.w-2, 0)
	if width < 0 {
		width = cellWidth(s)
	}
	if width > inner {
		s = cutLine(pre+s+post, inner)
		pre, post = "", ""
		width = cellWidth(s)
	}
	left := min(1, b.w)
	if centred {
		left += (inner - width) / 2
	}
	b.lines = append(b.lines, blockLine{left: left, right: max(b.w-left-width, 0), pre: pre, s: s, post: post})
}

// size is how many bytes String writes.
func (b *block) size() int {
	n := max(b.h-1, 0) + max(b.h-len(b.lines), 0)*b.w // the newlines, the blank lines
	for _, l := range b.lines {
		n += l.left + len(l.pre) + len(l.s) + len(l.post) + l.right
	}
	return n
}

// writeLine writes line i of the block: blank past the lines added.
func (b *block) writeLine(out *strings.Builder, i int) {
	if i >= len(b.lines) {
		writeSpaces(out, b.w)
		return
	}
	l := b.lines[i]
	writeSpaces(out, l.left)
	out.WriteString(l.pre)
	out.WriteString(l.s)
	out.WriteString(l.post)
	writeSpaces(out, l.right)
}

// String is the block, padded with empty lines to its height.
func (b *block) String() string {
	var out strings.Builder
	out.Grow(b.size())
	for i := range b.h {
		if i > 0 {
			out.WriteByte('\n')
		}
		b.writeLine(&out, i)
	}
	return out.String()
}
