package tui

import (
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

func TestChartsShadeWhatAWarmStartFilledFromHistory(t *testing.T) {
	snaps := launchSnapshots(120)
	hist, live := snaps[:100], snaps[100:]
	tests := []struct {
		name        string
		warm        bool
		wantHistory bool
	}{
		{"a warm start's history is shaded and labelled", true, true},
		{"a cold start has no history label", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			feed := newFeed(live, demoPlan())
			if tt.warm {
				feed.an.Warm(hist, live[0].Time)
			}
			m := drive(testModel(feed, termenv.TrueColor), tea.WindowSizeMsg{Width: 200, Height: 60})
			for range live {
				m = drive(m, feed.next())
			}
			view := m.View()
			plain := ansi.Strip(view)
			if got := strings.Count(plain, "⠁⠁ history"); (got == 3) != tt.wantHistory || (got != 0) != tt.wantHistory {
				t.Errorf("%d charts label history, want all three: %v", got, tt.wantHistory)
			}
			// The history line is drawn in the faint colour, apart from the
			// measured line's accent: braille cells in that colour beyond the
			// three legends'.
			sgr, _, _ := strings.Cut(m.styles.Faint.Render("x"), "x")
			cells := regexp.MustCompile(regexp.QuoteMeta(sgr)+`[\x{2801}-\x{28FF}]`).FindAllString(view, -1)
			if got := len(cells) - 3; tt.wantHistory && got <= 0 {
				t.Errorf("no braille cell of the charts is in the faint style of history")
			} else if !tt.wantHistory && len(cells) > 0 {
				t.Errorf("a cold start draws %d braille cells in the faint style of history", len(cells))
			}
		})
	}
}
