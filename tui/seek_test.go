package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/pipeline"
)

// While a seek derives its frame the old figures stay up, so the footer
// says a seek is under way and to where, until the sought frame comes.
func TestASeekSaysSoInTheFooterUntilItsFrameComes(t *testing.T) {
	m, _, feed := replayModel(t, 40)
	old := m.latest
	seeking := old
	pb := *old.Playback
	pb.Seeking, pb.Position = true, t0.Add(5*time.Minute)
	seeking.Playback = &pb
	m = drive(m, frameMsg{frame: seeking})
	if f := lastLine(m.View()); !strings.Contains(f, "seeking to T+05:00…") {
		t.Errorf("while seeking the footer says %q", f)
	}
	msg := feed.next()
	done := pb
	done.Seeking, done.Position = false, msg.frame.Snapshot.Time
	msg.frame.Playback = &done
	m = drive(m, msg)
	if f := lastLine(m.View()); strings.Contains(f, "seeking") {
		t.Errorf("the seek's frame came, and the footer still says %q", f)
	}
}

// A recording without T0 names the moment sought by the clock.
func TestASeekWithoutT0NamesTheClockTime(t *testing.T) {
	m, _, _ := replayModel(t, 10)
	m.opts.Plan.LaunchAt = time.Time{}
	f := m.latest
	pb := pipeline.Playback{Start: t0, End: t0.Add(time.Hour), Position: t0.Add(90 * time.Second), Seeking: true, Len: 10}
	f.Playback = &pb
	m = drive(m, frameMsg{frame: f})
	if want := "seeking to " + t0.Add(90*time.Second).Format("15:04:05") + "…"; !strings.Contains(lastLine(m.View()), want) {
		t.Errorf("footer %q lacks %q", lastLine(m.View()), want)
	}
}
