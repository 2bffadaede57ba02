package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// TestReportComparesTwoLaunches runs the README's example on the two demo
// launches: report first --compare second writes the Markdown and the
// page, both naming the two launches in two columns, the same bytes twice.
func TestReportComparesTwoLaunches(t *testing.T) {
	if testing.Short() {
		t.Skip("records two demo launches against the simulator over HTTP")
	}
	first, second := recordDemo(t, "first-launch", 20*time.Minute), recordDemo(t, "second-launch", 20*time.Minute)
	dir := t.TempDir()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, n := range []string{"1", "2"} {
		out, errOut, code := execute(t, "report", first, "--compare", second, "-o", filepath.Join(dir, n+".html"), "--md", filepath.Join(dir, n+".md"))
		if code != 0 || out != "" {
			t.Fatalf("report --compare exit %d, stdout %q: %s", code, out, errOut)
		}
	}
	if read("1.html") != read("2.html") || read("1.md") != read("2.md") {
		t.Error("two comparisons of the same recordings differ")
	}
	md := read("1.md")
	for _, want := range []string{
		"# Two launches: demo first-launch 1x and demo second-launch 1x",
		"| failure mode | A: demo first-launch 1x | B: demo second-launch 1x |",
		"| Purchase path dead | shown from T+", "| not shown |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the comparison's Markdown lacks %q:\n%s", want, md)
		}
	}
	if html := read("1.html"); strings.Count(html, "<svg") < 6 || !strings.Contains(html, `<span class="sw-b"></span>B: demo second-launch 1x`) {
		t.Error("the comparison's page lacks its overlaid charts or B's name in their legends")
	}
	_, errOut, code := execute(t, "report", first, "--compare", second, "-o", second)
	if code != 1 || !strings.Contains(errOut, "the recording itself") {
		t.Errorf("-o onto the compared recording: exit %d, stderr %q; want it refused", code, errOut)
	}
}

// TestReplayCompareLaysTheOtherLaunchOnThisOnesTime: replay --compare
// reads the other recording's charted figures and how far its base stands
// from this one's: T0 from T0, or its first snapshot when it knows none.
func TestReplayCompareLaysTheOtherLaunchOnThisOnesTime(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	rec := func(name string, launchAt, first time.Time) *recording.Recording {
		var snaps []snapshot.Snapshot
		for i := range 10 {
			snaps = append(snaps, snapshot.Snapshot{Time: first.Add(time.Duration(i) * time.Second), PV: snapshot.Some(float64(i))})
		}
		return launchtest.Record(t, recording.Header{Launch: recording.Launch{Name: name, StartsAt: launchAt},
			Interval: recording.Duration(time.Second), Started: first}, snaps)
	}
	this := rec("first", t0, t0.Add(-5*time.Second))
	tests := []struct {
		name   string
		other  *recording.Recording
		offset time.Duration
	}{
		{"a launch a week later stands at its T0", rec("second", t0.Add(7*24*time.Hour), t0.Add(7*24*time.Hour-time.Minute)), 7 * 24 * time.Hour},
		{"a launch without T0 stands at its first snapshot", rec("undated", time.Time{}, t0.Add(time.Hour)), time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadCompare(&cobra.Command{}, this, tt.other.Path(), false)
			if err != nil {
				t.Fatal(err)
			}
			if c.Offset != tt.offset || c.Name != tt.other.Header().Launch.Name || len(c.Points) != 10 || c.Points[9].PV.Or(-1) != 9 {
				t.Errorf("compare %q offset %v with %d points, want %q offset %v with its 10", c.Name, c.Offset, len(c.Points),
					tt.other.Header().Launch.Name, tt.offset)
			}
		})
	}
}

// TestReplayCompareInARealTerminal replays one scripted launch beside
// another whose T0 is a day later and whose traffic is three times its
// own: the header names the other, and every chart's legend.
func TestReplayCompareInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	write := func(name string, shift time.Duration, scale float64) string {
		snaps := launchtest.Snapshots(120, time.Second)
		for i := range snaps {
			snaps[i].Time = snaps[i].Time.Add(shift)
			snaps[i].PV = snapshot.Some(snaps[i].PV.Or(0) * scale)
		}
		return launchtest.Record(t, recording.Header{Launch: recording.Launch{Name: name, StartsAt: launchtest.T0.Add(shift)},
			Interval: recording.Duration(time.Second), Started: snaps[0].Time}, snaps).Path()
	}
	first, second := write("first", 0, 1), write("second", 24*time.Hour, 3)
	p := startTmux(t, 140, 40, bin+" replay "+first+" --compare "+second+" --speed 100")
	p.waitFor("the other launch in the header", 20*time.Second, func(sc string) bool {
		return strings.Contains(header(sc), "beside second")
	})
	screen := p.waitFor("the other launch on the charts", 20*time.Second, func(sc string) bool {
		return strings.Count(sc, "⠁⠁ second") == 3
	})
	if strings.Contains(header(screen), "LIVE") {
		t.Errorf("a replay must not say LIVE: %q", header(screen))
	}
	p.tmux("send-keys", "-t", p.name, "q")
	if status := p.exitStatus(10 * time.Second); status != "0" {
		t.Fatalf("replay exit status %s", status)
	}
}
