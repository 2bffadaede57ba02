package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Feed produces snapshots on demand. collectors.Poller is one; a replay of
// a recording is another. Poll must return by ctx's deadline.
type Feed interface {
	Poll(ctx context.Context) snapshot.Snapshot
	// Now is the feed's clock: wall time live, simulated time in the demo,
	// the recording's time in a replay. The countdown runs on it.
	Now() time.Time
}

// tickMsg asks for the next poll. gen is the poll loop's generation: a
// tick from an older loop (before a restart) is dropped.
type tickMsg struct{ gen int }

// snapshotMsg carries a poll's result back to Update.
type snapshotMsg struct {
	gen  int
	snap snapshot.Snapshot
}

// pollCmd polls the feed under a deadline shorter than the interval. It
// closes over the feed and values only, never the model.
func pollCmd(feed Feed, gen int, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return snapshotMsg{gen: gen, snap: feed.Poll(ctx)}
	}
}

// tickCmd arms the next poll tick.
func tickCmd(gen int, after time.Duration) tea.Cmd {
	return tea.Tick(after, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// clockMsg re-renders the header between polls, so the countdown, the data
// ages and the time to the next poll move on their own.
type clockMsg struct{}

// clockEvery is the header's refresh: twice a second keeps a seconds
// countdown smooth without fast ticks (FIELD-NOTES: the cost is in
// building the view, and this rebuilds one line).
const clockEvery = 500 * time.Millisecond

func clockCmd() tea.Cmd {
	return tea.Tick(clockEvery, func(time.Time) tea.Msg { return clockMsg{} })
}
