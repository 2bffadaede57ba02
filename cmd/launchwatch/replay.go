package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/replay"
	"github.com/launchwatch/launchwatch/serve"
	"github.com/launchwatch/launchwatch/snapshot"
	"github.com/launchwatch/launchwatch/tui"
)

func newReplayCmd() *cobra.Command {
	var speed float64
	var logFile string
	var wall bool
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
the events. --wall starts on the wall screen (see watch --help); w
switches between it and the dashboard.`,
		Example: `  launchwatch replay ~/.local/state/launchwatch/flash-sale-20261127T115500Z.lwrec.jsonl
  launchwatch replay launch.lwrec.jsonl --speed 30`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validSpeed(speed) {
				return fmt.Errorf("--speed %g: want one of %v", speed, replay.Speeds)
			}
			rec, err := readRecording(cmd, args[0])
			if err != nil {
				return err
			}
			defer rec.Close()
			if rec.Len() == 0 {
				return fmt.Errorf("%s holds no snapshots yet", args[0])
			}
			log, closeLog, err := launch.OpenLog(logFile)
			if err != nil {
				return err
			}
			defer closeLog()
			return runReplay(rec, speed, wall, log)
		},
	}
	cmd.Flags().Float64Var(&speed, "speed", 1, "starting speed")
	cmd.Flags().StringVar(&logFile, "log-file", "", "write logs here (never to the screen)")
	cmd.Flags().BoolVar(&wall, "wall", false, "start on the wall screen: the headline figures in block digits, for a screen across the room (w toggles)")
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

func runReplay(rec *recording.Recording, speed float64, wall bool, log *slog.Logger) error {
	h := rec.Header()
	plan, hasPlan, th, err := launch.PlanOf(h)
	if err != nil {
		return fmt.Errorf("%s: %w", rec.Path(), err)
	}
	player := replay.New(rec, replay.Options{Plan: plan, Thresholds: th, Speed: speed})
	interval := time.Duration(h.Interval)
	p := pipeline.New(pipeline.Options{Player: player, Interval: interval, Plan: plan, Thresholds: th, Log: log})
	name := h.Launch.Name
	if name == "" {
		name = rec.Path()
	}
	log.Info("replay start", "file", rec.Path(), "snapshots", rec.Len())
	index := func(ctx context.Context) {
		if err := player.Index(ctx); err != nil && ctx.Err() == nil {
			log.Warn("indexing the recording's events", "err", err)
		}
	}
	err = serve.Terminal(p, tui.Options{
		Interval: interval, Plan: plan, HasPlan: hasPlan, Thresholds: th,
		LaunchName: snapshot.CleanText(name, 60), Replay: player, WallLayout: wall,
	}, index)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

// readRecording opens a recording for a command that reads one (replay,
// export, report), saying on standard error what the reader repaired or
// skipped (a torn tail, a missing part).
func readRecording(cmd *cobra.Command, path string) (*recording.Recording, error) {
	rec, err := recording.Open(path)
	if err != nil {
		return nil, err
	}
	for _, w := range rec.Warnings() {
		fmt.Fprintln(cmd.ErrOrStderr(), "launchwatch: warning:", w)
	}
	return rec, nil
}
