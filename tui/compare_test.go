package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/pipeline"

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

// compareFleetReplay is a replay of the scripted launch with a fleet of 20
// servers, 90 frames (to T+59s), beside a second launch whose T0 stands an
// hour later with 1.6 times the traffic on a fleet of 20 (without web-007
// when lacks007) erring half as often and 1.5 times slower, added a
// snapshot at a time, at w x h.
func compareFleetReplay(t *testing.T, w, h int, lacks007 bool, maxValues int) Model {
	t.Helper()
	const n = 90
	feed := newFeed(withFleet(launchSnapshots(n), 20), demoPlan())
	m := testModel(feed, termenv.Ascii)
	m.opts.Replay = &fakeReplay{}
	c := &Compare{Name: "Second launch", Offset: time.Hour, maxValues: maxValues}
	second := launchSnapshots(120)
	for i := range second {
		s := &second[i]
		s.Time = s.Time.Add(time.Hour)
		s.PV, s.Requests = snapshot.Some(s.PV.Or(0)*1.6), snapshot.Some(s.Requests.Or(0)*1.6)
		s.Connections, s.Bandwidth = snapshot.Some(s.Connections.Or(0)*1.6), snapshot.Some(s.Bandwidth.Or(0)*1.6)
	}
	for _, s := range withFleet(second, 20) {
		for k := range s.Fleet { // its servers erred half as often, and answered slower
			srv := &s.Fleet[k]
			srv.ErrorRate, srv.LatencyP95 = snapshot.Some(srv.ErrorRate.Or(0)*0.5), snapshot.Some(srv.LatencyP95.Or(0)*1.5)
		}
		if lacks007 {
			s.Fleet = slices.DeleteFunc(s.Fleet, func(srv snapshot.Server) bool { return srv.Name == "web-007" })
		}
		c.Add(s)
	}
	m.opts.Compare = c
	m = drive(m, tea.WindowSizeMsg{Width: w, Height: h})
	for i := range n {
		msg := feed.next()
		if i == n-1 {
			msg.frame.Playback = &pipeline.Playback{Start: feed.snaps[0].Time, End: feed.snaps[n-1].Time, Position: msg.frame.Snapshot.Time,
				Speed: 10, Index: n, Len: n}
		}
		m = drive(m, msg)
	}
	return m
}

// drillInto focuses the fleet panel and opens its worst server (web-007,
// 31% errors).
func drillInto(t *testing.T, m Model) Model {
	t.Helper()
	for range 12 {
		if m.focus == panelFleet {
			break
		}
		m = drive(m, keyMsg("tab"))
	}
	m = drive(m, keyMsg("enter"))
	if m.drill != "web-007" {
		t.Fatalf("drilled into %q, want web-007", m.drill)
	}
	return m
}

// TestAReplayBesideASecondLaunchDrawsItOnEveryChart: at 120x40, the
// dashboard's three charts and, drilled into web-007, its three charts
// each draw the second launch and name both launches in the legend, this
// one's name cut to share the narrow chart (the goldens hold the screens;
// at 200x60 both names stand whole, with the plan's mark); drilled into a
// server the second launch did not have, its charts draw this launch
// alone, as "measured"; and a second launch whose servers were more
// figures than a comparison holds says so on the drilled screen.
func TestAReplayBesideASecondLaunchDrawsItOnEveryChart(t *testing.T) {
	const both = "⣿ Flash sale …  ⠁⠁ Second launch"
	count := func(v, s string) int { return strings.Count(ansi.Strip(v), s) }
	t.Run("dashboard", func(t *testing.T) {
		v := compareFleetReplay(t, 120, 40, false, 0).View()
		if n := count(v, both); n != 3 {
			t.Errorf("%d legends name both launches, want 3:\n%s", n, v)
		}
		golden.RequireEqual(t, []byte(v))
		wide := compareFleetReplay(t, 200, 60, false, 0).View()
		if n := count(wide, "⣿ Flash sale (test)  ⠁⠁ Second launch  ⠉ ⠉ plan"); n != 3 {
			t.Errorf("at 200x60 %d legends name both launches whole and the plan, want 3:\n%s", n, wide)
		}
	})
	t.Run("drilled into a server both launches had", func(t *testing.T) {
		v := drillInto(t, compareFleetReplay(t, 120, 40, false, 0)).View()
		if n := count(v, both); n != 3 {
			t.Errorf("%d legends name both launches, want 3:\n%s", n, v)
		}
		golden.RequireEqual(t, []byte(v))
	})
	t.Run("drilled into a server the second launch lacked", func(t *testing.T) {
		v := drillInto(t, compareFleetReplay(t, 120, 40, true, 0)).View()
		if a, b := count(v, "⣿ measured"), count(v, "Second launch"); a != 3 || b != 1 {
			t.Errorf("%d legends say measured and %d mentions of the second launch (the header's), want 3 and 1:\n%s", a, b, v)
		}
	})
	t.Run("a second launch's servers past the cap", func(t *testing.T) {
		m := compareFleetReplay(t, 120, 40, false, 3*20*50)
		if !m.opts.Compare.ServersCut() {
			t.Fatal("120 snapshots of 20 servers held under a cap of 50 snapshots' worth")
		}
		v := drillInto(t, m).View()
		if !strings.Contains(ansi.Strip(v), "Second launch's servers are not drawn: more figures than a comparison holds") || count(v, "⠁⠁ Second launch") != 0 {
			t.Errorf("the drilled screen does not say the second launch's servers are let go:\n%s", v)
		}
		if v := m.View(); count(v, "⠁⠁ Second launch") != 3 {
			t.Errorf("the dashboard's charts lost the second launch with its servers:\n%s", v)
		}
	})
}

// A replay beside a second launch, drilled in or not, draws at tiny sizes
// without a panic.
func TestAComparedReplayDrawsAtTinySizes(t *testing.T) {
	m := drillInto(t, compareFleetReplay(t, 120, 40, false, 0))
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {10, 3}, {20, 5}, {40, 12}, {60, 20}} {
		m = drive(m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		_ = m.View()
		m = drive(m, keyMsg("esc"), tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		_ = m.View()
		m.drill = "web-007"
	}
}

// TestACompareHoldsNoMoreCellsThanItsCap: a second launch of 2,000
// snapshots whose 4 pods are each replaced every 10 snapshots (800
// servers, each standing 10), one coming back after a gap of 1,000, holds
// every server's figures under a cap of 30,000 cells: the cells its
// columns hold are what it counted and within the cap, a late server
// holds nothing before it first stood, and each draws its own figures at
// its own points, missing in its gap.
func TestACompareHoldsNoMoreCellsThanItsCap(t *testing.T) {
	const n, pods, life, maxCells = 2000, 4, 10, 30_000
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	c := &Compare{Name: "pods", maxValues: maxCells}
	for i := range n {
		s := snapshot.Snapshot{Time: base.Add(time.Duration(i) * time.Second)}
		for p := range pods {
			name := fmt.Sprintf("pod-%d-%d", p, i/life)
			s.Fleet = append(s.Fleet, snapshot.Server{Name: name, Requests: snapshot.Some(float64(i))})
		}
		if i < life || i >= life+1000 && i < 2*life+1000 { // back after a gap
			s.Fleet = append(s.Fleet, snapshot.Server{Name: "returning", Requests: snapshot.Some(float64(i))})
		}
		c.Add(s)
	}
	if c.ServersCut() {
		t.Fatalf("the servers were let go at %d cells counted, under a cap of %d for %d held", c.values, maxCells, 3*(n*pods+1000+2*life))
	}
	cells := 0
	for _, cs := range c.servers {
		cells += len(cs.requests) + len(cs.errorRate) + len(cs.latencyP95)
	}
	if want := 3 * (n*pods + 1000 + 2*life); cells != want || c.values != cells {
		t.Errorf("%d cells held and %d counted, want %d both", cells, c.values, want)
	}
	if cells > maxCells {
		t.Errorf("%d cells held past the cap of %d", cells, maxCells)
	}
	for _, tt := range []struct {
		server string
		at     int
		want   snapshot.Value
	}{
		{"pod-2-150", 1500, snapshot.Some(1500)},
		{"pod-2-150", 1509, snapshot.Some(1509)},
		{"pod-2-150", 1499, snapshot.Value{}},
		{"returning", 9, snapshot.Some(9)},
		{"returning", 500, snapshot.Value{}},
		{"returning", 1010, snapshot.Some(1010)},
	} {
		at := base.Add(time.Duration(tt.at) * time.Second)
		w := c.window(at, at, tt.server)
		var got snapshot.Value
		if len(w) == 1 && len(w[0].Fleet) == 1 {
			got = w[0].Fleet[0].Requests
		}
		if got != tt.want {
			t.Errorf("%s at point %d draws %v, want %v", tt.server, tt.at, got, tt.want)
		}
	}
}
