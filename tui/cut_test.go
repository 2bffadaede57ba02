package tui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestCutLineNeverShowsAPrefixOfAFigure(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    string
		w    int
		want string
	}{
		{"a line that fits is kept", "room 90.6% of 10,000", 20, "room 90.6% of 10,000"},
		{"blanks past the width go, no word", "room 90.6% of 10,000    ", 22, "room 90.6% of 10,000  "},
		{"figures lose a digit before words go, the last first", "room 90.6% of 10,000", 16, "room 91% of 10k"},
		{"a figure keeps its unit when it loses a digit", "plan now 15.6 MB/s", 16, "plan now 16 MB/s"},
		{"a rate keeps its unit rather than become a size", "plan now 1.24 MB/s", 15, "plan now …"},
		{"a plan figure is rounded, not cut", "0.055/s plan 1.67", 16, "0.055/s plan 1.7"},
		{"a duration is never rounded: words go", "ETA 4h59m plan 10m", 16, "ETA 4h59m plan …"},
		{"words go until what is left fits with the ellipsis", "ETA 4h59m plan 10m", 14, "ETA 4h59m …"},
		{"a figure goes with its unit", "TCP    935 est. 3.83 MB", 20, "TCP    935 est. …"},
		{"punctuation alone does not end a line", "SOLD 13.4% · 134 of 1,000 · 1.5/s", 27, "SOLD 13.4% · 134 of 1,000 …"},
		{"a message loses its last words", "buy back under its ceiling's warning level (resolved after 21s)", 40, "buy back under its ceiling's warning …"},
		{"a figure alone is written shorter", "10,000", 5, "10k"},
		{"a figure keeps every digit of its whole part true", "120,623", 5, "121k"},
		{"a figure alone loses digits down to one", "1,234,567", 3, "1M"},
		{"a decimal alone is rounded", "156.25", 4, "156"},
		{"a figure too wide in every form is an ellipsis", "1,234", 1, "…"},
		{"a name shows its start", "checkout-flow", 6, "check…"},
		{"a name is not cut inside its digits", "api-v12345", 8, "api-v…"},
		{"an address is no figure to round", "dial 127.0.0.1:9400 refused", 21, "dial 127.0.0.1:9400 …"},
		{"nothing fits in no cells", "156", 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := cutLine(tt.s, tt.w)
			if got != tt.want {
				t.Errorf("cutLine(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
			}
			if ansi.StringWidth(got) > tt.w {
				t.Errorf("cutLine(%q, %d) = %q is %d wide", tt.s, tt.w, got, ansi.StringWidth(got))
			}
		})
	}
}

func TestCutLineKeepsTheStylesOfWhatItKeeps(t *testing.T) {
	const red, faint, reset = "\x1b[31m", "\x1b[2m", "\x1b[0m"
	s := red + "15.6 MB/s" + reset + faint + " plan 1.67" + reset
	for _, tt := range []struct {
		w    int
		want string
	}{
		{17, red + "16 MB/s" + reset + faint + " plan 1.7" + reset},
		{13, red + "15.6 MB/s" + reset + faint + reset + " …"},
	} {
		if got := cutLine(s, tt.w); got != tt.want {
			t.Errorf("cutLine(%d) = %q, want %q", tt.w, got, tt.want)
		}
	}
}
