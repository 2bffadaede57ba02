package tui

import (
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

// A body written into its box line by line, whole or in pieces, draws the
// box its text draws: lines cut or padded to the inside, those past its
// height dropped, missing ones blank.
func TestABodyWrittenInPiecesDrawsTheBoxItsTextDraws(t *testing.T) {
	m, _ := fed(3, 120, 40, termenv.TrueColor)
	st := m.styles
	accent := st.Accent.Render("accent")
	for _, tt := range []struct {
		name  string
		lines []string
		w, h  int
	}{
		{"lines narrower than the inside are padded", []string{"a", accent + " b"}, 20, 6},
		{"a line wider than the inside is cut", []string{"abcdefghijklmnopqrstuvwxyz", accent + strings.Repeat("⣿", 30)}, 16, 5},
		{"lines past the inside's height are dropped", []string{"1", "2", "3", "4", "5"}, 12, 4},
		{"no lines leave the inside blank", nil, 10, 4},
		{"a box too small for a border is blank", []string{"x"}, 3, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := st.box("Title", strings.Join(tt.lines, "\n"), tt.w, tt.h, false)
			for _, reserve := range []int{-1, 0, 1 << 10} {
				got := st.drawBox(st.edgeColour(false), "Title", tt.w, tt.h, func(in *boxWriter) {
					if reserve >= 0 {
						in.reserve(reserve)
					}
					for i, l := range tt.lines {
						if i%2 == 0 {
							in.line(l)
							continue
						}
						b := in.startLine()
						half := len(l) / 2
						b.WriteString(l[:half])
						b.WriteString(l[half:])
						in.endLine()
					}
				})
				if got != want {
					t.Errorf("size %d:\n%s\nwant\n%s", reserve, got, want)
				}
				if tt.w >= 4 && tt.h >= 2 && !exactly(got, tt.w, tt.h) {
					t.Errorf("size %d: not %dx%d:\n%s", reserve, tt.w, tt.h, got)
				}
			}
		})
	}
}

// A chart's lines are counted before they are written: the count is
// what it writes (so its box is allocated once, at its size).
func TestAChartCountsTheBytesItWrites(t *testing.T) {
	m, _ := fed(120, 200, 60, termenv.TrueColor)
	f := m.frame()
	var lines textLines
	chartPV(&f, &lines, 60, 20)
	c := lines.String()
	if c == "" {
		t.Fatal("no chart drawn")
	}
	// The count pads every line to the chart's width; the text does not.
	want := 0
	for _, l := range strings.Split(c, "\n") {
		want += len(l) + max(60-cellWidth(l), 0)
	}
	var counted countingLines
	chartPV(&f, &counted, 60, 20)
	if counted.reserved != want {
		t.Errorf("counted %d bytes, the chart writes %d", counted.reserved, want)
	}
}

// countingLines is a textLines that remembers what was reserved.
type countingLines struct {
	textLines
	reserved int
}

func (c *countingLines) reserve(size int) { c.reserved += size }
