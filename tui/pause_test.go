package tui

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/pipeline"
)

// clocked is the scripted launch's dashboard fed n frames, its producer's
// clock and its wall clock moved by hand (*now, *wall), so a test can
// tick the clock between frames.
func clocked(n, w, h int, profile termenv.Profile, wallScreen bool) (m Model, feed *fakeFeed, now, wall *time.Time) {
	feed = newFeed(launchSnapshots(n), demoPlan())
	r := pinned(profile)
	now, wall = new(time.Time), new(time.Time)
	m = New(Options{
		Frames: feed, Clock: func() time.Time { return *now }, Wall: func() time.Time { return *wall },
		Plan: demoPlan(), HasPlan: true, Thresholds: testThresholds(), LaunchName: "Flash sale (test)",
		Renderer: r, WallLayout: wallScreen,
	})
	m = drive(m, tea.WindowSizeMsg{Width: w, Height: h})
	for range n {
		msg := feed.next()
		// A frame comes a little after its snapshot was taken.
		*now = msg.frame.Snapshot.Time.Add(300 * time.Millisecond)
		*wall = *now
		m = drive(m, msg)
	}
	return m, feed, now, wall
}

func TestAPausedScreenSaysSoAcrossItsWidth(t *testing.T) {
	for _, tt := range []struct {
		name  string
		wall  bool
		w, h  int
		after int // frames: before T0 the wall counts down
	}{
		{"desk 80x24", false, 80, 24, 120}, {"desk 120x40", false, 120, 40, 120},
		{"wall 80x24", true, 80, 24, 120}, {"wall 120x40 before T0", true, 120, 40, 10},
		{"too small 40x12", false, 40, 12, 120}, {"too small 30x12", false, 30, 12, 120}, {"too small 12x6", true, 12, 6, 120},
	} {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			m, _, _, _ := clocked(tt.after, tt.w, tt.h, termenv.Ascii, tt.wall)
			m = drive(m, keyMsg("p"))
			v := m.View()
			lines := strings.Split(v, "\n")
			banner := lines[0]
			if _, fits := pickLayout(tt.wall, tt.w, tt.h); fits {
				banner = lines[1] // under the header
			}
			if got := ansi.StringWidth(banner); got != tt.w || !strings.Contains(banner, "PAUSED") {
				t.Errorf("the banner is %q (%d wide), want PAUSED across %d", banner, got, tt.w)
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func TestTheBannerSaysWhenInWholeWordsAtAnyWidth(t *testing.T) {
	m, _, _, _ := clocked(120, 120, 40, termenv.Ascii, false)
	m = drive(m, keyMsg("p"))
	forms := []string{"PAUSED at 12:01:29 (p to resume)", "PAUSED 12:01:29", "PAUSED", ""}
	for w := 0; w <= 40; w++ {
		b := m.pauseBanner(w)
		text := strings.TrimSpace(b)
		if !slices.Contains(forms, text) {
			t.Errorf("at %d columns the banner says %q", w, text)
		}
		if text != "" && ansi.StringWidth(b) != w {
			t.Errorf("at %d columns the banner is %d wide", w, ansi.StringWidth(b))
		}
		// The longest form that fits.
		for _, f := range forms {
			if len(f) <= w {
				if text != f {
					t.Errorf("at %d columns the banner says %q, want %q", w, text, f)
				}
				break
			}
		}
	}
	m = drive(m, keyMsg("p"))
	if b := m.pauseBanner(120); b != "" {
		t.Errorf("unpaused, the banner is %q", b)
	}
}

func TestTheBannerIsInReverseVideo(t *testing.T) {
	m, _, _, _ := clocked(120, 120, 40, termenv.TrueColor, false)
	m = drive(m, keyMsg("p"))
	// SGR 7 among the banner's parameters.
	if b := m.pauseBanner(120); !regexp.MustCompile(`\x1b\[(\d+;)*7(;\d+)*m`).MatchString(b) {
		t.Errorf("the banner %q is not in reverse video", b)
	}
}

// On a paused screen nothing moves with the clock: not the header's clock,
// countdown, ages or next poll, not the wall's countdown; and a frame that
// comes shows nowhere. Unpaused, the same ticks move the header: the test
// would see a paused header that moved.
func TestNothingOnAPausedScreenMovesWithTheClock(t *testing.T) {
	for _, tt := range []struct {
		name   string
		wall   bool
		frames int
	}{
		{"desk", false, 120}, {"wall after T0", true, 120}, {"wall before T0", true, 10},
	} {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			m, feed, now, wall := clocked(tt.frames, 120, 40, termenv.Ascii, tt.wall)
			tick := func(m Model) Model {
				*now, *wall = now.Add(700*time.Millisecond), wall.Add(700*time.Millisecond)
				return drive(m, clockMsg{})
			}
			if moved := tick(m); header(moved) == header(m) {
				t.Fatalf("unpaused, a tick did not move the header: %q", header(m))
			}
			m = drive(m, keyMsg("p"))
			frozen, frozenHeader := m.View(), header(m)
			for i := range 4 {
				m = tick(m)
				if i == 1 {
					feed.snaps = launchSnapshots(tt.frames + 2)
					m = drive(m, feed.msg(feed.snaps[tt.frames]))
				}
				if header(m) != frozenHeader {
					t.Fatalf("tick %d moved the paused header:\n%q\n%q", i, frozenHeader, header(m))
				}
				if m.View() != frozen {
					t.Fatalf("tick %d moved the paused screen:\n%s\nwas\n%s", i, m.View(), frozen)
				}
			}
			m = drive(m, keyMsg("p"))
			if m.View() == frozen || strings.Contains(m.View(), "PAUSED") {
				t.Error("unpaused, the screen must show the newest frame and the clock, no banner")
			}
		})
	}
}

// header is the first line of a model's view.
func header(m Model) string { return strings.SplitN(m.View(), "\n", 2)[0] }

func TestAReplayPausedSaysSoAndWhere(t *testing.T) {
	m, _, feed := replayModel(t, 40)
	if strings.Contains(m.View(), "PAUSED") {
		t.Fatal("a replay playing says PAUSED")
	}
	msg := feed.msg(feed.snaps[len(feed.snaps)-1])
	msg.frame.Playback = &pipeline.Playback{Start: feed.snaps[0].Time, End: feed.snaps[0].Time.Add(10 * time.Minute),
		Position: msg.frame.Snapshot.Time, Speed: 10, Index: 40, Len: 600, Paused: true}
	for _, wall := range []bool{false, true} {
		mm := drive(m, msg)
		if wall {
			mm = drive(mm, keyMsg("w"))
		}
		want := fmt.Sprintf("PAUSED at %s (space to resume)", msg.frame.Snapshot.Time.Format("15:04:05"))
		if banner := strings.Split(mm.View(), "\n")[1]; strings.TrimSpace(banner) != want {
			t.Errorf("wall %v: the banner is %q, want %q", wall, banner, want)
		}
	}
}
