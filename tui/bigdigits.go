package tui

import "strings"

// The wall's block font: glyphs five pixels high and one to five wide, for
// the figures and the countdown (0-9 . , % / : + - – and the letters of
// their units). A pixel is drawn as sx x sy cells of █, so the figures grow
// with the terminal; a one-pixel gap separates glyphs.

// glyphRows is the font's height in pixels.
const glyphRows = 5

// glyph is a rune's pixels, row by row, '#' lit; false when the font lacks it.
func glyph(r rune) ([glyphRows]string, bool) {
	g, ok := [glyphRows]string{}, true
	switch r {
	case '0':
		g = [glyphRows]string{"###", "# #", "# #", "# #", "###"}
	case '1':
		g = [glyphRows]string{" # ", "## ", " # ", " # ", "###"}
	case '2':
		g = [glyphRows]string{"###", "  #", "###", "#  ", "###"}
	case '3':
		g = [glyphRows]string{"###", "  #", " ##", "  #", "###"}
	case '4':
		g = [glyphRows]string{"# #", "# #", "###", "  #", "  #"}
	case '5':
		g = [glyphRows]string{"###", "#  ", "###", "  #", "###"}
	case '6':
		g = [glyphRows]string{"###", "#  ", "###", "# #", "###"}
	case '7':
		g = [glyphRows]string{"###", "  #", "  #", "  #", "  #"}
	case '8':
		g = [glyphRows]string{"###", "# #", "###", "# #", "###"}
	case '9':
		g = [glyphRows]string{"###", "# #", "###", "  #", "###"}
	case '.':
		g = [glyphRows]string{" ", " ", " ", " ", "#"}
	case ',':
		g = [glyphRows]string{" ", " ", " ", "#", "#"}
	case ':':
		g = [glyphRows]string{" ", "#", " ", "#", " "}
	case '%':
		g = [glyphRows]string{"# #", "  #", " # ", "#  ", "# #"}
	case '/':
		g = [glyphRows]string{"  #", "  #", " # ", "#  ", "#  "}
	case '+':
		g = [glyphRows]string{"   ", " # ", "###", " # ", "   "}
	case '-', '–':
		g = [glyphRows]string{"   ", "   ", "###", "   ", "   "}
	case ' ':
		g = [glyphRows]string{" ", " ", " ", " ", " "}
	case 'B':
		g = [glyphRows]string{"## ", "# #", "## ", "# #", "## "}
	case 'E':
		g = [glyphRows]string{"###", "#  ", "###", "#  ", "###"}
	case 'G':
		g = [glyphRows]string{"###", "#  ", "# #", "# #", "###"}
	case 'K':
		g = [glyphRows]string{"# #", "# #", "## ", "# #", "# #"}
	case 'M':
		g = [glyphRows]string{"#   #", "## ##", "# # #", "#   #", "#   #"}
	case 'P':
		g = [glyphRows]string{"###", "# #", "###", "#  ", "#  "}
	case 'T':
		g = [glyphRows]string{"###", " # ", " # ", " # ", " # "}
	case 'd':
		g = [glyphRows]string{"  #", "  #", "###", "# #", "###"}
	case 'h':
		g = [glyphRows]string{"#  ", "#  ", "###", "# #", "# #"}
	case 'm':
		g = [glyphRows]string{"     ", "#### ", "# # #", "# # #", "# # #"}
	case 's':
		g = [glyphRows]string{" ##", "#  ", " # ", "  #", "## "}
	default:
		ok = false
	}
	return g, ok
}

// bigWidth is the width of s in cells at a horizontal scale of sx; false
// when the font lacks one of its runes.
func bigWidth(s string, sx int) (int, bool) {
	px, n := 0, 0
	for _, r := range s {
		g, ok := glyph(r)
		if !ok {
			return 0, false
		}
		px += len(g[0])
		n++
	}
	if n == 0 {
		return 0, true
	}
	return (px + n - 1) * max(sx, 1), true
}

// bigText draws s in the block font at a scale of sx x sy cells per
// pixel: glyphRows x sy lines, all of the same width. A rune the font
// lacks draws as a space (callers check bigWidth first).
func bigText(s string, sx, sy int) []string {
	sx, sy = max(sx, 1), max(sy, 1)
	glyphs := make([][glyphRows]string, 0, len(s))
	for _, r := range s {
		g, ok := glyph(r)
		if !ok {
			g, _ = glyph(' ')
		}
		glyphs = append(glyphs, g)
	}
	on, off, gap := strings.Repeat("█", sx), strings.Repeat(" ", sx), strings.Repeat(" ", sx)
	out := make([]string, 0, glyphRows*sy)
	var b strings.Builder
	for row := range glyphRows {
		b.Reset()
		for i, g := range glyphs {
			if i > 0 {
				b.WriteString(gap)
			}
			for _, px := range g[row] {
				if px == '#' {
					b.WriteString(on)
				} else {
					b.WriteString(off)
				}
			}
		}
		line := b.String()
		for range sy {
			out = append(out, line)
		}
	}
	return out
}

// bigScale is the largest scale at which every text fits w x h cells,
// false when even one cell per pixel does not. A terminal cell is about
// twice as tall as wide, so a pixel is kept between square (sx = 2 sy)
// and twice as tall as wide (sx = sy), growing in height first: figures
// read from across a room by their height.
func bigScale(texts []string, w, h int) (sx, sy int, ok bool) {
	maxSx := w
	for _, t := range texts {
		tw, known := bigWidth(t, 1)
		if !known {
			return 0, 0, false
		}
		if tw > 0 {
			maxSx = min(maxSx, w/tw)
		}
	}
	maxSy := h / glyphRows
	if maxSx < 1 || maxSy < 1 {
		return 0, 0, false
	}
	sy = min(maxSy, maxSx)
	return min(maxSx, 2*sy), sy, true
}
