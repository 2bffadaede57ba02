package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// cellWidth is the number of terminal cells s takes, escape sequences
// excluded: ansi.StringWidth's answer, found without segmenting graphemes
// when s holds only text whose width is plain (ASCII, Latin, the box,
// block, braille and geometric glyphs the screen draws with), which is
// nearly every line of a frame. Anything else goes to ansi.StringWidth.
func cellWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			j, ok := skipEscape(s, i)
			if !ok {
				return ansi.StringWidth(s)
			}
			i = j
		case c < 0x20 || c == 0x7f:
			return ansi.StringWidth(s) // a control character: let ansi decide
		case c < utf8.RuneSelf:
			n++
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrow(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		}
	}
	return n
}

// narrow reports whether r is one cell wide and starts no grapheme
// cluster with what follows: the glyphs a frame is drawn with.
func narrow(r rune) bool {
	switch {
	case r >= 0xa0 && r <= 0x2ff: // Latin-1 and Latin Extended
		return true
	case r >= 0x2010 && r <= 0x2027, r >= 0x2030 && r <= 0x205e: // punctuation: – — … · ‹ ›
		return true
	case r >= 0x2190 && r <= 0x21ff: // arrows
		return true
	case r >= 0x2500 && r <= 0x25ff: // box drawing, blocks, geometric shapes
		return r != 0x25fd && r != 0x25fe // but ◽ and ◾ are wide
	case r >= 0x2800 && r <= 0x28ff: // braille
		return true
	case r == 0x2715 || r == 0x2713 || r == 0x2714: // ✕ ✓ ✔
		return true
	}
	return false
}

// skipEscape returns the index after the escape sequence at s[i] (CSI or
// OSC), and false for one it does not know.
func skipEscape(s string, i int) (int, bool) {
	if i+1 >= len(s) {
		return 0, false
	}
	switch s[i+1] {
	case '[': // CSI: parameters and intermediates, then a final byte 0x40-0x7e
		for j := i + 2; j < len(s); j++ {
			if s[j] >= 0x40 && s[j] <= 0x7e {
				return j + 1, true
			}
		}
	case ']': // OSC: up to BEL or ST
		for j := i + 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1, true
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2, true
			}
		}
	}
	return 0, false
}

// joinCells puts blocks side by side. Every block is a rectangle of lines
// of one width (what box and fit draw), so lines are joined as they are,
// without measuring them again; a shorter block is padded with blank
// lines of its width.
func joinCells(parts ...string) string {
	var b strings.Builder
	writeJoined(&b, parts)
	return b.String()
}

// writeJoined writes blocks side by side into b (see joinCells); one block
// is written as it is.
func writeJoined(b *strings.Builder, parts []string) {
	switch len(parts) {
	case 0:
		return
	case 1:
		b.WriteString(parts[0])
		return
	}
	split := make([][]string, len(parts))
	widths := make([]int, len(parts))
	rows, size := 0, 0
	for i, p := range parts {
		split[i] = strings.Split(p, "\n")
		widths[i] = cellWidth(split[i][0])
		rows = max(rows, len(split[i]))
		size += len(p)
	}
	b.Grow(size + rows)
	for r := range rows {
		if r > 0 {
			b.WriteByte('\n')
		}
		for i, lines := range split {
			if r < len(lines) {
				b.WriteString(lines[r])
			} else {
				writeSpaces(b, widths[i])
			}
		}
	}
}
