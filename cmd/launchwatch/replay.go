package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
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
	var logFile, compare string
	var wall, strict bool
	cmd := &cobra.Command{
		Use:   "replay FILE [--compare OTHER]",
		Short: "Replay a recorded launch on the dashboard",
		Long: `Replay a recording on the same dashboard, for the post-mortem. Every snapshot
is held against the plan again and every event raised again, at any speed,
so a replay shows what the live screen showed.

Keys: space plays and pauses; < and > change speed (1x 2x 5x 10x 30x 100x
300x 1000x); left and right seek 10 s, shift with them 1 min; home and end;
g goes to a time (T+05:00, T-30s, 14:03); n and N jump to the next and the
previous event; m marks the moment shown with a note, appended to the
recording (see launchwatch annotate). The timeline at the bottom shows the
position, T0 (┃), the events and the annotations (✎). --wall starts on the wall screen (see watch --help); w
switches between it and the dashboard.

A line in the middle of the recording that holds no record (torn, or
edited) is read past: the footer says so at the start, and the log names
each line. --strict refuses such a file instead.

--compare OTHER draws another recording's launch beside this one, a faint
dotted line at the same launch-relative time (each from its own T0, or its
first snapshot without one) on every chart where it has the figure: PV,
connections and bandwidth, and a drilled-into server's requests, error rate
and p95 when it had a server of that name. The header names it, and each
chart's legend names both launches.`,
		Example: `  launchwatch replay ~/.local/state/launchwatch/flash-sale-20261127T115500Z.lwrec.jsonl
  launchwatch replay launch.lwrec.jsonl --speed 30
  launchwatch replay second.lwrec.jsonl --compare first.lwrec.jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validSpeed(speed) {
				return fmt.Errorf("--speed %g: want one of %v", speed, replay.Speeds)
			}
			rec, err := readRecording(cmd, args[0], strict)
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
			logSkipped(log, rec)
			var other *tui.Compare
			if compare != "" {
				if other, err = loadCompare(cmd, rec, compare, strict); err != nil {
					return err
				}
			}
			return runReplay(rec, speed, wall, other, log)
		},
	}
	cmd.Flags().Float64Var(&speed, "speed", 1, "starting speed")
	cmd.Flags().StringVar(&logFile, "log-file", "", "write logs here (never to the screen)")
	cmd.Flags().BoolVar(&strict, "strict", false, strictUsage)
	cmd.Flags().StringVar(&compare, "compare", "", "draw FILE's launch beside this one, a faint line on the charts")
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

func runReplay(rec *recording.Recording, speed float64, wall bool, other *tui.Compare, log *slog.Logger) error {
	h := rec.Header()
	plan, hasPlan, th, err := launch.RecordingPlan(rec)
	if err != nil {
		return err
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
		Notice: skippedNotice(rec), Compare: other, Annotations: rec.Annotations(), Annotate: annotateFile(rec.Path(), log),
	}, index)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

// annotateFile appends a replay's notes (the m key) to its recording, by
// this terminal's user.
func annotateFile(path string, log *slog.Logger) func(time.Time, string) error {
	who := serve.LocalUser()
	return func(at time.Time, text string) error {
		err := recording.Annotate(path, snapshot.Annotation{At: at, Text: text, By: who})
		if err != nil {
			log.Warn("annotation not saved", "file", path, "err", err)
		} else {
			log.Info("annotation appended", "file", path, "at", at)
		}
		return err
	}
}

// strictUsage is the --strict flag's help, alike on every command that
// reads a recording.
const strictUsage = "refuse a recording with a line in the middle that holds no record (torn, or edited), rather than read past it"

// readRecording opens a recording for a command that reads one (replay,
// export, report), saying on standard error what the reader repaired or
// skipped (a torn tail, a missing part, the lines read past with their
// count), once each. strict refuses a line in the middle that holds no
// record.
func readRecording(cmd *cobra.Command, path string, strict bool) (*recording.Recording, error) {
	rec, err := recording.OpenWith(path, recording.OpenOptions{Strict: strict})
	if err != nil {
		return nil, err
	}
	for _, w := range rec.Warnings() {
		fmt.Fprintln(cmd.ErrOrStderr(), "launchwatch: warning:", w)
	}
	return rec, nil
}

// logSkipped logs each line the recording was read past, by file and line.
func logSkipped(log *slog.Logger, rec *recording.Recording) {
	for _, s := range rec.Skipped() {
		log.Warn("recording line read past: it holds no record", "file", s.Path, "line", s.Line, "reason", s.Reason)
	}
}

// skippedNotice is the replay footer's first line when lines were read
// past: how many, and the first one's place; "" when none was. The file's
// name is cleaned: it is text on a terminal.
func skippedNotice(rec *recording.Recording) string {
	skipped := rec.Skipped()
	var s string
	switch len(skipped) {
	case 0:
		return ""
	case 1:
		s = fmt.Sprintf("read past line %d of %s: it holds no record (torn, or edited?)", skipped[0].Line, filepath.Base(skipped[0].Path))
	default:
		s = fmt.Sprintf("read past %d lines that hold no record, the first line %d of %s (the log names each)",
			len(skipped), skipped[0].Line, filepath.Base(skipped[0].Path))
	}
	return snapshot.CleanText(s, 200)
}

// loadCompare reads the recording at path as the launch a replay of rec
// draws beside its own: its charted figures, and how far its base (its
// T0, or its first snapshot) stands from rec's.
func loadCompare(cmd *cobra.Command, rec *recording.Recording, path string, strict bool) (*tui.Compare, error) {
	other, err := readRecording(cmd, path, strict)
	if err != nil {
		return nil, err
	}
	defer other.Close()
	if other.Len() == 0 {
		return nil, fmt.Errorf("%s holds no snapshots", path)
	}
	c := &tui.Compare{Name: other.Header().Launch.Name, Points: make([]tui.ComparePoint, 0, other.Len())}
	if c.Name == "" {
		c.Name = filepath.Base(path)
	}
	err = other.Scan(0, other.Len(), func(_ int, s snapshot.Snapshot) error {
		c.Add(s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	base, err := launchBase(rec)
	if err != nil {
		return nil, err
	}
	otherBase, err := launchBase(other)
	if err != nil {
		return nil, err
	}
	c.Offset = otherBase.Sub(base)
	return c, nil
}

// launchBase is the moment a recording's launch-relative time counts
// from: its T0 (the plan's, else the header's), or its first snapshot
// when it knows none.
func launchBase(rec *recording.Recording) (time.Time, error) {
	plan, _, _, err := launch.RecordingPlan(rec)
	if err != nil {
		return time.Time{}, err
	}
	if !plan.LaunchAt.IsZero() {
		return plan.LaunchAt, nil
	}
	if t := rec.Header().Launch.StartsAt; !t.IsZero() {
		return t, nil
	}
	var first time.Time
	err = rec.Scan(0, 1, func(_ int, s snapshot.Snapshot) error { first = s.Time; return nil })
	return first, err
}
