package main

import (
	"strings"
	"testing"
	"time"
)

// blockRun is the longest run of consecutive screen lines drawing block
// digits: a figure or the countdown in the wall's font is five lines high
// at the least.
func blockRun(screen string) int {
	best, run := 0, 0
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "█") {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func TestTheDemoOnTheWallInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	// Ten simulated minutes at 10x: a minute of countdown to watch.
	s := startTmux(t, 80, 24, bin+" demo --wall --speed 10 --start-in 10m")
	bigCountdown := func(sc string) bool {
		return strings.Contains(sc, "BEFORE LAUNCH · T0 at") && blockRun(sc) >= 5 && strings.Contains(sc, "SOLD 0%")
	}
	first := s.waitFor("the countdown in block digits", 30*time.Second, bigCountdown)
	t.Logf("the wall at 80x24:\n%s", first)
	if strings.Contains(first, "Endpoints") {
		t.Error("the wall shows the dashboard's panels")
	}
	s.waitFor("the countdown to move", 10*time.Second, func(sc string) bool {
		return bigCountdown(sc) && sc != first
	})

	s.tmux("send-keys", "-t", s.name, "w")
	// At 80x24 the dashboard gives its lines to the problems and the
	// events; endpoints | host, with none left to show a line, is left out.
	s.waitFor("w to bring the dashboard", 10*time.Second, func(sc string) bool {
		return strings.Contains(sc, "╭─ Problems") && strings.Contains(sc, "╭─ Events") && blockRun(sc) < 5
	})
	s.tmux("send-keys", "-t", s.name, "w")
	s.waitFor("w to bring the wall back", 10*time.Second, bigCountdown)

	s.tmux("send-keys", "-t", s.name, "q")
	if status := s.exitStatus(10 * time.Second); status != "0" {
		t.Errorf("exit status %s, want 0", status)
	}
	s.requireRestored()
	if after := s.capture(); blockRun(after) > 0 {
		t.Errorf("the wall is still on the screen after exit:\n%s", after)
	}
	s.requireRecordingWhole()
}
