package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/launchwatch/launchwatch/pipeline"
)

// Frames is where the dashboard's frames come from: a subscription to the
// pipeline (pipeline.Subscription). Next blocks until a frame newer than
// the last one taken is ready.
type Frames interface {
	Next(ctx context.Context) (pipeline.Frame, error)
}

// frameMsg carries the next frame, or the error that ended the stream.
type frameMsg struct {
	frame pipeline.Frame
	err   error
}

// waitFrame waits for the next frame. It closes over the subscription
// only, never the model, and is re-armed only in the frame handler, so
// exactly one wait is ever out.
func waitFrame(frames Frames) tea.Cmd {
	return func() tea.Msg {
		f, err := frames.Next(context.Background())
		return frameMsg{frame: f, err: err}
	}
}

// clockMsg re-renders the header between frames, so the countdown, the
// data ages and the time to the next poll move on their own (on the wall,
// the whole screen: its countdown is the screen).
type clockMsg struct{}

// clockEvery is the clock's refresh: twice a second keeps a seconds
// countdown smooth without fast ticks (FIELD-NOTES: the cost is in
// building the view, and on the dashboard this rebuilds one line).
const clockEvery = 500 * time.Millisecond

func clockCmd() tea.Cmd {
	return tea.Tick(clockEvery, func(time.Time) tea.Msg { return clockMsg{} })
}
