package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/replay"
	"github.com/launchwatch/launchwatch/snapshot"
	"github.com/launchwatch/launchwatch/tui"
)

func newReplayCmd() *cobra.Command {
	var speed float64
	var logFile string
	cmd := &cobra.Command{
		Use:   "replay FILE",
		Short: "Replay a recorded launch on the dashboard",
		Long: `Replay a recording on the same dashboard, for the post-mortem. Every snapshot
is held against the plan again and every event raised again, at any speed,
so a replay shows what the live screen showed.

Keys: space plays and pauses; < and > change speed (1x 2x 5x 10x 30x 100x
300x 1000x); left and right seek 10 s, shift with them 1 min; home and end;
g goes to a time (T+05:00, T-30s, 14:03); n and N jump to the next and the
previous event. The timeline at the bottom shows the position, T0 (┃) and
the events.`,
		Example: `  launchwatch replay ~/.local/state/launchwatch/flash-sale-20261127T115500Z.lwrec.jsonl
  launchwatch replay launch.lwrec.jsonl --speed 30`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validSpeed(speed) {
				return fmt.Errorf("--speed %g: want one of %v", speed, replay.Speeds)
			}
			rec, err := recording.Open(args[0])
			if err != nil {
				return err
			}
			defer rec.Close()
			for _, w := range rec.Warnings() {
				fmt.Fprintln(cmd.ErrOrStderr(), "launchwatch: warning:", w)
			}
			if rec.Len() == 0 {
				return fmt.Errorf("%s holds no snapshots yet", args[0])
			}
			log, closeLog, err := openLog(logFile)
			if err != nil {
				return err
			}
			defer closeLog()
			return runReplay(rec, speed, log)
		},
	}
	cmd.Flags().Float64Var(&speed, "speed", 1, "starting speed")
	cmd.Flags().StringVar(&logFile, "log-file", "", "write logs here (never to the screen)")
	return cmd
}

func validSpeed(s float64) bool {
	for _, v := range replay.Speeds {
		if v == s {
			return true
		}
	}
	return false
}

func runReplay(rec *recording.Recording, speed float64, log interface{ Info(string, ...any) }) error {
	h := rec.Header()
	plan, hasPlan, th, err := planOf(h)
	if err != nil {
		return fmt.Errorf("%s: %w", rec.Path(), err)
	}
	player := replay.New(rec, replay.Options{Plan: plan, Thresholds: th, Speed: speed})
	p := pipeline.New(pipeline.Options{Player: player, Interval: time.Duration(h.Interval), Plan: plan, Thresholds: th})
	sub := p.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = player.Index(ctx) }()
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()

	name := h.Launch.Name
	if name == "" {
		name = rec.Path()
	}
	m := tui.New(tui.Options{
		Frames: sub, Clock: player.Now, Interval: time.Duration(h.Interval), Plan: plan, HasPlan: hasPlan, Thresholds: th,
		LaunchName: snapshot.CleanText(name, 60), Replay: player, Renderer: lipgloss.NewRenderer(os.Stdout),
	})
	log.Info("replay start", "file", rec.Path(), "snapshots", rec.Len())
	prog := tea.NewProgram(m, tea.WithAltScreen(), tea.WithFPS(30))
	stopSignals := quitOnHangup(prog)
	defer stopSignals()
	_, runErr := prog.Run()
	cancel()
	pipeErr := <-ran
	if runErr != nil {
		return fmt.Errorf("replay: %w", runErr)
	}
	if pipeErr != nil && !errors.Is(pipeErr, context.Canceled) {
		return fmt.Errorf("replay: %w", pipeErr)
	}
	return nil
}
