package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// An ink draws exactly what lipgloss draws, in every colour profile.
func TestAnInkDrawsWhatLipglossDraws(t *testing.T) {
	for _, p := range []termenv.Profile{termenv.Ascii, termenv.ANSI, termenv.ANSI256, termenv.TrueColor} {
		r := lipgloss.NewRenderer(nil)
		r.SetColorProfile(p)
		styles := []lipgloss.Style{
			r.NewStyle(),
			r.NewStyle().Foreground(lipgloss.Color("#ff5f5f")).Bold(true),
			r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#767676", Dark: "#8a8a8a"}).Italic(true),
		}
		for _, st := range styles {
			k := newInk(st)
			for _, s := range []string{"", "x", "4,295 !!", "⠉⠉ ⣤", "two\nlines", "a\ttab", "  spaced  "} {
				if got, want := k.Render(s), st.Render(s); got != want {
					t.Errorf("profile %v: ink %q, lipgloss %q", p, got, want)
				}
			}
		}
	}
}

// cellWidth agrees with ansi.StringWidth on every line the screen draws.
func TestCellWidthAgreesWithANSI(t *testing.T) {
	for _, profile := range []termenv.Profile{termenv.Ascii, termenv.TrueColor} {
		m, _ := fed(120, 200, 60, profile)
		for _, v := range []string{m.View(), drive(m, keyMsg("w")).View(), drive(m, keyMsg("?")).View()} {
			for _, l := range strings.Split(v, "\n") {
				if got, want := cellWidth(l), ansi.StringWidth(l); got != want {
					t.Fatalf("cellWidth %d, ansi %d: %q", got, want, l)
				}
			}
		}
	}
	for _, s := range []string{"日本語", "◽◾ squares", "e\u0301", "👍🏽", "a\x1b]8;;http://x\x07link\x1b]8;;\x07", "\x1b[31mred\x1b[0m"} {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, ansi %d", s, got, want)
		}
	}
}

// write puts into a buffer exactly what Render returns.
func TestAnInkWritesWhatItRenders(t *testing.T) {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.TrueColor)
	k := newInk(r.NewStyle().Foreground(lipgloss.Color("#ff5f5f")).Bold(true))
	for _, s := range []string{"", "x", "⠉⠉ ⣤", "two\nlines", "a\ttab"} {
		var b strings.Builder
		k.write(&b, s)
		if b.String() != k.Render(s) {
			t.Errorf("write %q = %q, Render %q", s, b.String(), k.Render(s))
		}
	}
}
