package tui

import (
	"strings"
	"time"
)

// Pausing. A paused screen keeps the frame it froze on, and everything on
// it stands still: the clock, the countdown, the sources' ages, the time
// to the next poll, the flash of a new problem. A line across the top
// says so, on the desk and on the wall, so that nobody takes old figures
// for live ones; a replay paused says so the same way.

// pause freezes the screen on the newest frame, or lets it go.
func (m *Model) pause(on bool) {
	if !on {
		m.paused = false
		return
	}
	f := m.headerFrame() // the values on screen now, before freezing
	m.paused = true
	m.frozen = m.latest
	m.frozenNext = f.nextPoll
	m.frozenAt = f.now
	if t := m.frozen.Snapshot.Time; !t.IsZero() {
		m.frozenAt = t.In(f.now.Location()) // the frame's time, as the header shows the clock
	}
}

// pausedAt reports whether the screen stands still, paused by p or by a
// replay's pause, and the time it shows; a replay's is its position.
func (m *Model) pausedAt() (time.Time, bool) {
	if m.paused {
		return m.frozenAt, true
	}
	if pb := m.shown().Playback; m.opts.Replay != nil && pb != nil && pb.Paused && !pb.Ended {
		return pb.Position.In(m.opts.Clock().Location()), true
	}
	return time.Time{}, false
}

// pauseBanner is the paused screen's line, across its width w: "PAUSED at
// 15:47:29 (p to resume)", or as much of it as fits in whole words
// ("PAUSED 15:47:29", "PAUSED"); "" when the screen is not paused.
func (m *Model) pauseBanner(w int) string {
	at, paused := m.pausedAt()
	if !paused || w <= 0 {
		return ""
	}
	key := m.keys.Pause.Help().Key
	if m.opts.Replay != nil {
		key = m.keys.PlayPause.Help().Key
	}
	clock := at.Format("15:04:05")
	text := ""
	for _, s := range []string{"PAUSED at " + clock + " (" + key + " to resume)", "PAUSED " + clock, "PAUSED"} {
		if cellWidth(s) <= w {
			text = s
			break
		}
	}
	// Centred in the bar, so that it reads across the room on the wall.
	left := (w - cellWidth(text)) / 2
	return m.styles.Banner.Render(strings.Repeat(" ", left) + text + strings.Repeat(" ", w-left-cellWidth(text)))
}
