package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/replay"
	"github.com/launchwatch/launchwatch/snapshot"
)

type backfillFlags struct {
	configFile string
	from, to   string
	step       time.Duration
	out        string
	logFile    string
	parallel   int
}

func newBackfillCmd() *cobra.Command {
	var f backfillFlags
	cmd := &cobra.Command{
		Use:   "backfill --config FILE --from T --to T [--step D] -o FILE",
		Short: "Build a recording from Prometheus history, for a launch nobody recorded",
		Long: `Build a recording from what the config's Prometheus server holds: the same
queries a live watch runs, asked with range queries for every step from
--from to --to, assembled into the snapshots a live watch would have
recorded. Replay and export read it like a live recording; its header
says it was backfilled, from which server (password redacted) and at
which step.

Times are RFC 3339 (2026-11-27T12:00:00Z), now or now-2h, or relative to
the launch's T0 (launch.starts_at): T-10m, T+90m, T+1:30:00. The end is held
at now; --to defaults to now. --step defaults to the config's interval.

Range queries are cut into chunks of at most 11,000 steps (Prometheus'
limit per series; VictoriaMetrics allows 30,000), aligned to the step,
--parallel chunks at once (2). The recording is written chunk by chunk in
time order; a progress bar shows on a terminal, a line per chunk
otherwise. Interrupted (ctrl-c, SIGTERM) or stopped by a failing server, it
exits 1, leaving a valid recording of every chunk fetched before, and says
what failed.

Signals the server does not hold (the local host when the config reads it
directly, scrape expressions) are missing from every snapshot, never zero.

With annotations.prometheus or annotations.grafana in the config, the
recording carries the annotations of its window as a live one does: the
Prometheus query is asked over the same steps (a series that rises at a
step marks that moment, as a watch polling it would have seen it), and
Grafana for every annotation from --from to the last step, page by page.
Each rides in the first snapshot at or after its time. A reader that fails
is a warning, and the backfill goes on without its notes.`,
		Example: `  launchwatch backfill --config launchwatch.yaml --from T-10m --to T+90m -o launch.lwrec.jsonl
  launchwatch backfill --config launchwatch.yaml --from now-2h --step 15s -o last-2h.lwrec.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBackfill(cmd.Context(), cmd.ErrOrStderr(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.configFile, "config", "c", "", "the launchwatch.yaml whose Prometheus source and signals to read")
	fl.StringVar(&f.from, "from", "", "the first moment: RFC 3339, now-2h, or T-10m (relative to launch.starts_at)")
	fl.StringVar(&f.to, "to", "now", "the last moment, as --from")
	fl.DurationVar(&f.step, "step", 0, "time between snapshots (default: the config's interval)")
	fl.StringVarP(&f.out, "output", "o", "", "the recording to write (a new file)")
	fl.StringVar(&f.logFile, "log-file", "", "write logs here")
	fl.IntVar(&f.parallel, "parallel", prom.DefaultHistoryParallel, "chunks fetched at once (each runs one range query per signal)")
	return cmd
}

// backfillRange is what the flags ask for, checked.
type backfillRange struct {
	from, to time.Time
	step     time.Duration
}

// parseBackfillFlags checks the flags against the config, naming the flag
// that is wrong.
func parseBackfillFlags(f backfillFlags, cfg *config.Config, now time.Time) (backfillRange, error) {
	var r backfillRange
	t0 := cfg.Launch.StartsAt
	var err error
	if r.from, err = parseBackfillTime("--from", f.from, t0, now); err != nil {
		return r, err
	}
	if r.to, err = parseBackfillTime("--to", f.to, t0, now); err != nil {
		return r, err
	}
	if r.from.After(now) {
		return r, fmt.Errorf("--from %s: %s is in the future", f.from, r.from.Format(time.RFC3339))
	}
	if !r.from.Before(r.to) {
		return r, fmt.Errorf("--from %s (%s) is not before --to %s (%s)", f.from, r.from.Format(time.RFC3339), f.to, r.to.Format(time.RFC3339))
	}
	if f.parallel < 1 || f.parallel > 16 {
		return r, fmt.Errorf("--parallel %d: must be from 1 to 16", f.parallel)
	}
	r.step = f.step
	switch {
	case f.step < 0:
		return r, fmt.Errorf("--step %s: must be positive", f.step)
	case f.step == 0:
		r.step = cfg.Interval
	case f.step < time.Millisecond:
		return r, fmt.Errorf("--step %s: under a millisecond, finer than Prometheus stores samples", f.step)
	}
	return r, nil
}

// parseBackfillTime reads a time as --from and --to take it.
func parseBackfillTime(flag, s string, t0, now time.Time) (time.Time, error) {
	t, err := replay.ParsePastTime(s, t0, now)
	if err != nil {
		return t, fmt.Errorf("%s %w", flag, err)
	}
	return t, nil
}

func runBackfill(ctx context.Context, stderr io.Writer, f backfillFlags) error {
	if f.configFile == "" {
		return errors.New("backfill needs --config FILE")
	}
	if f.out == "" {
		return errors.New("backfill needs -o FILE, the recording to write")
	}
	if _, err := os.Stat(f.out); err == nil {
		return fmt.Errorf("-o %s: the file exists; backfill writes a new recording", f.out)
	}
	if err := existingDir("-o", f.out); err != nil {
		return err
	}
	cfg, err := config.Load(f.configFile)
	if err != nil {
		return err
	}
	started := time.Now()
	r, err := parseBackfillFlags(f, cfg, started)
	if err != nil {
		return err
	}
	log, closeLog, err := launch.OpenLog(f.logFile)
	if err != nil {
		return err
	}
	defer closeLog()
	b, err := launch.PlanBackfill(cfg, log, launch.BackfillOptions{From: r.from, To: r.to, Step: r.step, Parallel: f.parallel,
		Out: f.out, Started: started, Build: build()})
	if errors.Is(err, launch.ErrNoSteps) {
		return fmt.Errorf("--from %s --to %s: no step of %s between them", f.from, f.to, r.step)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "launchwatch backfill: %s from %s: %s to %s at a %s step, %s snapshots in %d chunks, to %s\n",
		snapshot.CleanText(launch.Name(cfg), 60), b.Header.Origin.From, b.Chunks[0].From.Format(time.RFC3339),
		b.Chunks[len(b.Chunks)-1].To.Format(time.RFC3339), r.step, capacity.FormatCount(float64(b.Points)), len(b.Chunks), b.Path())
	if len(b.NotHeld) > 0 {
		fmt.Fprintf(stderr, "launchwatch backfill: not held by Prometheus, so missing: %s\n", strings.Join(b.NotHeld, ", "))
	}
	if cfg.Annotations != nil {
		notes := b.ReadNotes(ctx)
		fmt.Fprintf(stderr, "launchwatch backfill: annotations of the window: %d from Prometheus, %d from Grafana\n", notes.Prometheus, notes.Grafana)
		for _, w := range notes.Warnings {
			fmt.Fprintf(stderr, "launchwatch backfill: warning: %s\n", snapshot.CleanText(w, 2000))
		}
	}
	prog := newBackfillProgress(stderr, isTerminal(stderr), b.Points)
	res, runErr := b.Run(ctx, prog.chunk)
	prog.done()

	held := fmt.Sprintf("%s snapshots", capacity.FormatCount(float64(res.Count)))
	if !res.Last.IsZero() {
		held += ", up to " + res.Last.Format(time.RFC3339)
	}
	switch {
	case runErr != nil && ctx.Err() != nil:
		return &exitError{code: 1, msg: fmt.Sprintf("backfill interrupted: %s holds %s", b.Path(), held)}
	case runErr != nil:
		return &exitError{code: 1, msg: fmt.Sprintf("backfill stopped: %s; %s holds what came before: %s",
			snapshot.CleanText(runErr.Error(), 2000), b.Path(), held)}
	}
	fmt.Fprintf(stderr, "launchwatch backfill: %s in %s to %s\nreplay it with: launchwatch replay %s\n",
		held, time.Since(started).Round(100*time.Millisecond), b.Path(), b.Path())
	return nil
}

// isTerminal reports whether w is a terminal: a progress bar redrawn in
// place there, a line per chunk in a log.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// backfillProgress reports chunks as they are written.
type backfillProgress struct {
	w     io.Writer
	tty   bool
	total int
	drawn bool
}

func newBackfillProgress(w io.Writer, tty bool, total int) *backfillProgress {
	return &backfillProgress{w: w, tty: tty, total: total}
}

// progressWidth is the bar's width in cells.
const progressWidth = 30

func (p *backfillProgress) chunk(c prom.Chunk, written int) {
	if !p.tty {
		fmt.Fprintf(p.w, "launchwatch backfill: chunk %d of %d: %s to %s, %s snapshots (%s of %s)\n",
			c.Index, c.Of, c.From.Format(time.RFC3339), c.To.Format(time.RFC3339),
			capacity.FormatCount(float64(c.Points)), capacity.FormatCount(float64(written)), capacity.FormatCount(float64(p.total)))
		return
	}
	share := float64(written) / float64(max(p.total, 1))
	filled := min(int(share*progressWidth+0.5), progressWidth)
	fmt.Fprintf(p.w, "\r%s%s %3.0f%%  chunk %d/%d  %s snapshots, up to %s",
		strings.Repeat("█", filled), strings.Repeat("░", progressWidth-filled), share*100,
		c.Index, c.Of, capacity.FormatCount(float64(written)), c.To.Format(time.RFC3339))
	p.drawn = true
}

// done ends the bar's line.
func (p *backfillProgress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
