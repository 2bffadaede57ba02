package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/recording"
)

// A day's recording replayed in a real terminal: a time outside it is
// refused in the footer with where the recording runs and the playback
// stays; End lands on the last snapshot, and a go-to after it on its time,
// from the checkpoints the replay keeps as it opens.
func TestSeekingInADayInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	plan, err := json.Marshal(launchtest.Plan())
	if err != nil {
		t.Fatal(err)
	}
	h := recording.Header{Interval: recording.Duration(time.Second), Plan: plan,
		Launch: recording.Launch{Name: "a day", StartsAt: launchtest.T0}}
	rec := launchtest.RecordDay(t, h, 0, 86_400, 0)
	p := startTmux(t, 160, 45, bin+" replay "+rec.Path())
	p.waitFor("the replay header", 20*time.Second, func(sc string) bool { return replayHeaderRE.MatchString(header(sc)) })
	p.tmux("send-keys", "-t", p.name, "Space")
	at := countdownRE.FindString(header(p.waitFor("the pause", 10*time.Second, func(sc string) bool { return strings.Contains(header(sc), "⏸") })))

	p.tmux("send-keys", "-t", p.name, "g")
	p.waitFor("the go-to prompt", 10*time.Second, func(sc string) bool { return strings.Contains(sc, "enter to go") })
	p.tmux("send-keys", "-t", p.name, "T+13:00:00", "Enter")
	sc := p.waitFor("the refusal", 10*time.Second, func(sc string) bool { return strings.Contains(sc, "after the recording ends") })
	if !strings.Contains(sc, "T+13:00:00 is after the recording ends: it runs from T-12:00:00 to T+11:59:59") {
		t.Errorf("the refusal does not say where the recording runs:\n%s", sc)
	}
	if got := countdownRE.FindString(header(sc)); got != at {
		t.Errorf("a refused go-to moved the playback from %s to %s", at, got)
	}

	p.tmux("send-keys", "-t", p.name, "End")
	p.waitFor("the last snapshot", 30*time.Second, func(sc string) bool {
		return strings.Contains(header(sc), "■ end") && strings.Contains(header(sc), "T+11:59:59") && !strings.Contains(sc, "seeking to")
	})
	p.tmux("send-keys", "-t", p.name, "g")
	p.waitFor("the go-to prompt", 10*time.Second, func(sc string) bool { return strings.Contains(sc, "enter to go") })
	p.tmux("send-keys", "-t", p.name, "T+05:00", "Enter")
	p.waitFor("T+05:00", 30*time.Second, func(sc string) bool {
		return strings.Contains(header(sc), "T+05:00") && strings.Contains(header(sc), "live") && !strings.Contains(sc, "seeking to")
	})
	p.tmux("send-keys", "-t", p.name, "q")
	if status := p.exitStatus(10 * time.Second); status != "0" {
		t.Errorf("replay exit status %s", status)
	}
}
