package tui

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Cutting a line to a width without cutting a figure. A prefix of a
// figure is another number ("10,0" of "10,000", "1" of "10m", "1.24 MB"
// of "1.24 MB/s"), and read across a room it is believed. So a line too
// wide for its cell loses precision first: its figures are shown with
// two significant digits ("15.6 MB/s" as "16 MB/s", "10,000" as "10k"),
// the last first. If that is not enough, whole words go from the end, a
// "…" saying so; a figure and its unit go together. A line of one word
// shows a shorter figure, a name's first letters, or "…" alone.

// cutLine returns s, one line, styled or not, in at most w cells.
func cutLine(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if cellWidth(s) <= w {
		return s
	}
	ws := scanWords(s)
	if len(ws) == 0 || ws[len(ws)-1].to <= w {
		return ansi.Truncate(s, w, "") // only blanks are past w
	}
	out, ok := shortenFigures(s, ws, w)
	if !ok {
		out, ok = dropWords(s, ws, w)
	}
	if !ok {
		out = firstWord(s, ws, w)
	}
	if cellWidth(out) > w {
		// A glyph measured otherwise than ansi does (a wide or joined
		// one): the width is what matters.
		out = ansi.Truncate(out, w, "")
	}
	return out
}

// word is a run of visible characters between spaces in a line that may
// hold escape sequences.
type word struct {
	start, end int // bytes of the line: its first character, after its last
	from, to   int // cells of the line: where it starts and where it ends
	// num, numEnd are the bytes of the number of a figure, a word that is
	// a number with a suffix holding no digit ("15.6", "90.6%", "1,130!!",
	// "0.055/s", "(1"); num == numEnd for any other word ("12:01:28",
	// "1m59s", "127.0.0.1:9400" hold more digits than their number).
	num, numEnd int
	// unit says the word is a unit ("MB/s", "KB,") that belongs to the
	// number before it: the two are kept or dropped together.
	unit bool
	// letters says the word holds a letter or a digit: a word of
	// punctuation alone ("·", "│") does not end a cut line.
	letters bool
}

func (w word) figure() bool { return w.numEnd > w.num }

// scanWords splits a line into words, escape sequences taking no cells.
func scanWords(s string) []word {
	var ws []word
	cell, in := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		if c == 0x1b {
			j, ok := skipEscape(s, i)
			if !ok {
				j = i + 1
			}
			i = j
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		rw := runeCells(r)
		switch {
		case r == ' ':
			in = false
		case !in:
			ws = append(ws, word{start: i, from: cell})
			in = true
		}
		if in {
			k := &ws[len(ws)-1]
			k.end, k.to = i+size, cell+rw
			if isLetterOrDigit(r) {
				k.letters = true
			}
		}
		cell += rw
		i += size
	}
	for i := range ws {
		ws[i].num, ws[i].numEnd = figureNumber(s, ws[i].start, ws[i].end)
		ws[i].unit = i > 0 && startsNumber(s, ws[i-1]) && isUnit(ansi.Strip(s[ws[i].start:ws[i].end]))
	}
	return ws
}

// runeCells is how many cells r takes.
func runeCells(r rune) int {
	switch {
	case r < 0x20 || r == 0x7f:
		return 0
	case r < utf8.RuneSelf || narrow(r):
		return 1
	}
	return ansi.StringWidth(string(r))
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// numberStart is where the number of a word starting at start would
// begin: after an opening bracket and a sign.
func numberStart(s string, start, end int) int {
	i := start
	if i < end && s[i] == '(' {
		i++
	}
	if i < end && (s[i] == '-' || s[i] == '+') {
		i++
	}
	return i
}

// startsNumber reports whether a word begins with a number.
func startsNumber(s string, w word) bool {
	i := numberStart(s, w.start, w.end)
	return i < w.end && isDigit(s[i])
}

// figureNumber finds the number of a figure in s[start:end]: digits with
// thousands separators and a decimal part, followed by a suffix without
// digits. It returns an empty range for any other word.
func figureNumber(s string, start, end int) (int, int) {
	i := numberStart(s, start, end)
	from := i
	for i < end && isDigit(s[i]) {
		i++
	}
	if i == from {
		return 0, 0
	}
	for i+3 < end && s[i] == ',' && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
		i += 4
	}
	if i+1 < end && s[i] == '.' && isDigit(s[i+1]) {
		i++
		for i < end && isDigit(s[i]) {
			i++
		}
	}
	for j := i; j < end; {
		if s[j] == 0x1b { // a level mark's colour after the number
			if k, ok := skipEscape(s, j); ok {
				j = k
				continue
			}
		}
		if isDigit(s[j]) {
			return 0, 0 // a time, a duration, an address: no figure to round
		}
		j++
	}
	return from, i
}

// isUnit reports whether a word is a unit of bytes or bits, as the
// figures are formatted ("B", "MB/s", "Gbit/s", "KiB"), with the
// punctuation or the level mark that may follow it.
func isUnit(w string) bool {
	w = strings.TrimRight(w, ",;:)!")
	if w != "" && strings.ContainsRune("kKMGTPE", rune(w[0])) {
		w = strings.TrimPrefix(w[1:], "i")
	}
	w, _ = strings.CutSuffix(w, "/s")
	return w == "B" || w == "bit"
}

// shorterNumber is num ("15.6", "10,000") with sig significant digits,
// "" when that is no shorter. Numbers from 1,000 are written with k, M
// or G when perK allows (no letter follows them already); below, a
// number keeps its whole part.
func shorterNumber(num string, sig int, perK bool) string {
	v, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
	if err != nil {
		return ""
	}
	out := ""
	if abs := max(v, -v); abs >= 999.5 {
		if !perK {
			return ""
		}
		for _, u := range []string{"k", "M", "G", "T"} {
			v /= 1000
			// A whole part is written whole, and every digit written is
			// a true one: 120,623 reads 121k, never 120k (which says
			// 120,000 give or take 500).
			digits := len(strconv.FormatFloat(math.Trunc(max(v, -v)), 'f', 0, 64))
			r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', max(sig, digits), 64), 64)
			if max(r, -r) < 999.5 || u == "T" {
				out = strconv.FormatFloat(r, 'f', -1, 64) + u
				break
			}
		}
	} else {
		whole, frac, ok := strings.Cut(num, ".")
		if !ok {
			return ""
		}
		// The decimals that keep sig significant digits: after the
		// leading zeros of a number under 1.
		decimals := max(sig-len(strings.TrimLeft(strings.TrimLeft(whole, "-+"), "0")), 0)
		if strings.Trim(whole, "-+0") == "" {
			decimals = len(frac) - len(strings.TrimLeft(frac, "0")) + sig
		}
		if decimals >= len(frac) {
			return ""
		}
		out = strconv.FormatFloat(v, 'f', decimals, 64)
		if strings.Contains(out, ".") {
			out = strings.TrimRight(strings.TrimRight(out, "0"), ".")
		}
	}
	if len(out) >= len(num) {
		return ""
	}
	return out
}

// shortened is s with the number of figure word w written with sig
// significant digits; false when that is no shorter.
func shortened(s string, w word, sig int) (string, int, bool) {
	perK := w.numEnd >= w.end || !isLetterOrDigit(rune(s[w.numEnd]))
	short := shorterNumber(s[w.num:w.numEnd], sig, perK)
	if short == "" {
		return s, 0, false
	}
	return s[:w.num] + short + s[w.numEnd:], w.numEnd - w.num - len(short), true
}

// shortenFigures writes the line's figures with two significant digits,
// the last first, until it fits in w cells; false if it never does.
func shortenFigures(s string, ws []word, w int) (string, bool) {
	width := cellWidth(s)
	out := s
	for i := len(ws) - 1; i >= 0; i-- {
		if !ws[i].figure() {
			continue
		}
		next, saved, ok := shortened(out, ws[i], 2)
		if !ok {
			continue
		}
		out, width = next, width-saved
		if width <= w {
			return out, true
		}
	}
	return s, false
}

// dropWords keeps the most whole words of the line that fit in w cells
// with " …" after them; false when not even the first does. A figure is
// not kept without its unit, nor a line ended on punctuation alone.
func dropWords(s string, ws []word, w int) (string, bool) {
	for k := len(ws) - 2; k >= 0; k-- {
		if ws[k+1].unit || !ws[k].letters || ws[k].to+2 > w {
			continue
		}
		return ansi.Truncate(s, ws[k].to, "") + " …", true
	}
	return "", false
}

// firstWord is the line's first word, as much as fits in w cells: the
// word's figure with fewer digits, the word itself followed by "…" when
// more words follow, the start of a word that is no figure, or "…".
func firstWord(s string, ws []word, w int) string {
	first := ws[0]
	last := 0 // the first word's unit, when it has one
	if len(ws) > 1 && ws[1].unit {
		last = 1
	}
	more := len(ws) > last+1
	tail := 0
	if more {
		tail = 1 // "…" glued to what is kept
	}
	if first.figure() {
		for _, sig := range []int{2, 1} {
			if next, saved, ok := shortened(s, first, sig); ok && ws[last].to-saved+tail <= w {
				return finishFirst(next, ws[last].to-saved, more)
			}
		}
		if ws[last].to+tail <= w {
			return finishFirst(s, ws[last].to, more)
		}
		return "…"
	}
	if first.to+tail <= w {
		return finishFirst(s, first.to, more)
	}
	// The start of a name, never ending inside a run of digits.
	vis := ansi.Strip(s)
	p, cells := 0, 0
	for p < len(vis) {
		r, size := utf8.DecodeRuneInString(vis[p:])
		if cells+runeCells(r) > w-1 {
			break
		}
		cells += runeCells(r)
		p += size
	}
	for p > 0 && p < len(vis) && isDigit(vis[p-1]) && isDigit(vis[p]) {
		p--
	}
	if strings.TrimSpace(vis[:p]) == "" {
		return "…"
	}
	return ansi.Truncate(s, cellWidth(vis[:p]), "") + "…"
}

// finishFirst cuts s after cells and marks that more followed.
func finishFirst(s string, cells int, more bool) string {
	out := ansi.Truncate(s, cells, "")
	if more {
		out += "…"
	}
	return out
}

// cleanCut is untrusted text (a label, a message) cleaned as every such
// text is (snapshot.CleanText) and cut to w cells as cutLine does.
func cleanCut(s string, w int) string { return cutLine(snapshot.CleanText(s, 0), w) }
