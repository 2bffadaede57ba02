package launch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// ErrNoSteps is PlanBackfill's error when From to To holds no step.
var ErrNoSteps = errors.New("nothing to fetch")

// BackfillOptions say what a backfill reads and where it writes.
type BackfillOptions struct {
	From, To time.Time
	Step     time.Duration
	Parallel int
	// Out is the recording to create; it must not exist.
	Out     string
	Started time.Time
	Build   recording.Build
}

// Backfill is a recording rebuilt from Prometheus history, planned and
// opened: Chunks say what Run will fetch, NotHeld the signals Prometheus
// does not hold (missing in every snapshot).
type Backfill struct {
	Header  recording.Header
	Chunks  []prom.Chunk
	Points  int
	NotHeld []string

	hist *prom.History
	w    *recording.Writer
	from time.Time
	to   time.Time
}

// PlanBackfill plans the chunks of a backfill over cfg's Prometheus and
// creates its recording.
func PlanBackfill(cfg *config.Config, log *slog.Logger, o BackfillOptions) (*Backfill, error) {
	hist, notHeld, err := collectors.HistoryFromConfig(cfg, log, prom.HistoryStep(o.Step), prom.HistoryParallel(o.Parallel))
	if err != nil {
		return nil, err
	}
	chunks := hist.Plan(o.From, o.To)
	if len(chunks) == 0 {
		return nil, fmt.Errorf("%w: no step of %s between them", ErrNoSteps, o.Step)
	}
	h, err := Header(cfg, recording.OriginBackfill, o.Started, o.Build)
	if err != nil {
		return nil, err
	}
	h.Interval = recording.Duration(o.Step)
	h.Origin.From = config.RedactURL(cfg.Sources.Prometheus.URL)
	h.Origin.Step = recording.Duration(o.Step)
	w, err := recording.Create(o.Out, h, recording.Options{})
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	b := &Backfill{Header: h, Chunks: chunks, NotHeld: notHeld, hist: hist, w: w, from: o.From, to: o.To}
	for _, c := range chunks {
		b.Points += c.Points
	}
	return b, nil
}

// Path is the recording's file.
func (b *Backfill) Path() string { return b.w.Path() }

// BackfillResult is what a backfill wrote: Count snapshots, the newest at
// Last (zero when none).
type BackfillResult struct {
	Count int
	Last  time.Time
}

// Run fetches the chunks in order and appends their snapshots, telling
// onChunk how many are written after each, then closes the recording. A
// failure or an interruption leaves a valid recording of what came
// before it; the error says which.
func (b *Backfill) Run(ctx context.Context, onChunk func(c prom.Chunk, written int)) (BackfillResult, error) {
	var last time.Time
	fetchErr := b.hist.Fetch(ctx, b.from, b.to, func(c prom.Chunk, snaps []snapshot.Snapshot) error {
		for _, s := range snaps {
			if err := b.w.Append(s); err != nil {
				return fmt.Errorf("recording: %w", err)
			}
			last = s.Time
		}
		onChunk(c, b.w.Count())
		return nil
	})
	closeErr := b.w.Close()
	res := BackfillResult{Count: b.w.Count(), Last: last}
	if closeErr != nil {
		closeErr = fmt.Errorf("recording: %w", closeErr)
	}
	return res, errors.Join(fetchErr, closeErr)
}
