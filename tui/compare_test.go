package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/snapshot"
)

// otherLaunch is a second launch whose T0 stands offset after the
// scripted one's: 400 PV/s (twice the scripted launch's highest) from
// its T0+from to its T0+to, one snapshot a second.
func otherLaunch(offset, from, to time.Duration) *Compare {
	c := &Compare{Name: "Second launch", Offset: offset}
	for d := from; d <= to; d += time.Second {
		c.Points = append(c.Points, ComparePoint{Time: t0.Add(offset + d), PV: snapshot.Some(400),
			Connections: snapshot.Some(2400), Bandwidth: snapshot.Some(400e6)})
	}
	return c
}

// TestAReplayDrawsTheOtherLaunchAtTheSameLaunchRelativeTime: the second
// launch's figures from its own T0 stand on the charts over the replay's
// own T0, whatever their clock (its T0 is an hour later): the PV chart's
// axis runs to its 400 PV/s, and each chart's legend names it; its
// figures from long after the replay's window are not drawn.
func TestAReplayDrawsTheOtherLaunchAtTheSameLaunchRelativeTime(t *testing.T) {
	tests := []struct {
		name     string
		from, to time.Duration // the second launch's figures, from its T0
		drawn    bool
	}{
		{"its figures over the replay's window are drawn", -30 * time.Second, 2 * time.Minute, true},
		{"its figures an hour past the window are not", time.Hour, time.Hour + time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := replayModel(t, 60)
			m.opts.Compare = otherLaunch(time.Hour, tt.from, tt.to)
			m = drive(m, tea.WindowSizeMsg{Width: 200, Height: 60})
			plain := ansi.Strip(m.View())
			header, _, _ := strings.Cut(plain, "\n")
			if !strings.Contains(header, "beside Second launch") {
				t.Errorf("the header does not name the second launch: %q", header)
			}
			if got := strings.Count(plain, "⠁⠁ Second launch"); (got == 3) != tt.drawn || (got != 0) != tt.drawn {
				t.Errorf("%d charts name the second launch in their legend, want all three: %v", got, tt.drawn)
			}
			// 400 PV/s with the axis' tenth of headroom.
			if got := strings.Contains(plain, "440│"); got != tt.drawn {
				t.Errorf("the PV axis runs to the second launch's 440: %v, want %v", got, tt.drawn)
			}
		})
	}
}
