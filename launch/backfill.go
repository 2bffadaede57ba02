package launch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/collectors/grafana"
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

	hist    *prom.History
	w       *recording.Writer
	from    time.Time
	to      time.Time
	notes   []snapshot.Annotation // read by ReadNotes, laid by Run
	cfg     *config.Config
	grafana *grafana.Reader // annotations.grafana's; nil without
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
	// The Grafana reader is built before the recording is: a token file
	// that cannot be read leaves no file behind.
	var g *grafana.Reader
	if a := cfg.Annotations; a != nil && a.Grafana != nil {
		if g, err = grafana.New(a.Grafana, nil); err != nil {
			return nil, err
		}
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
	b := &Backfill{Header: h, Chunks: chunks, NotHeld: notHeld, hist: hist, w: w, from: o.From, to: o.To, cfg: cfg, grafana: g}
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
	notes := b.notes
	fetchErr := b.hist.Fetch(ctx, b.from, b.to, func(c prom.Chunk, snaps []snapshot.Snapshot) error {
		for _, s := range snaps {
			// A note rides in the first snapshot whose data is at or after
			// it (snapshot.DataTime): with latency_offset a snapshot's data
			// is older than its step, and the note, stamped at the data's
			// time, stands beside the figures of its moment.
			n, at := 0, s.DataTime()
			for n < len(notes) && !notes[n].At.After(at) {
				n++
			}
			s.Annotations, notes = notes[:n:n], notes[n:]
			if err := b.w.Append(s); err != nil {
				return fmt.Errorf("recording: %w", err)
			}
			last = s.Time
		}
		onChunk(c, b.w.Count())
		return nil
	})
	// Notes after the last snapshot's data (the window's last moments,
	// past the data a lagged source's last step holds) are written
	// after it, as annotation lines: read and counted, none left out.
	var lateErr error
	if fetchErr == nil {
		for _, n := range notes {
			if err := b.w.Annotate(n); err != nil {
				lateErr = fmt.Errorf("recording: %w", err)
				break
			}
		}
	}
	closeErr := b.w.Close()
	res := BackfillResult{Count: b.w.Count(), Last: last}
	if closeErr != nil {
		closeErr = fmt.Errorf("recording: %w", closeErr)
	}
	return res, errors.Join(fetchErr, lateErr, closeErr)
}

// NotesRead says what ReadNotes found: how many annotations from each
// reader of the config, and what went wrong (a reader that failed, or was
// cut short, and what it left).
type NotesRead struct {
	Prometheus, Grafana int
	Warnings            []string
}

// ReadNotes reads the annotations of the backfill's window from the
// config's annotation readers (annotations.prometheus over the steps the
// backfill takes, annotations.grafana from the first step's time to the
// last's) for Run to lay into the recording, each in the first snapshot
// whose data time (snapshot.DataTime) is at or after its own. A reader that fails
// is a warning: the snapshots are the backfill's work, and the recording
// carries every note the other readers, or a cut read, gave.
func (b *Backfill) ReadNotes(ctx context.Context) NotesRead {
	var res NotesRead
	a := b.cfg.Annotations
	if a == nil || len(b.Chunks) == 0 {
		return res
	}
	from, to := b.from, b.Chunks[len(b.Chunks)-1].To
	if a.Prometheus != nil {
		notes, err := b.hist.Notes(ctx, a.Prometheus.Query, a.Prometheus.TextLabel, from, to)
		if err != nil {
			res.Warnings = append(res.Warnings, "annotations.prometheus: "+err.Error())
		}
		res.Prometheus = len(notes)
		b.notes = append(b.notes, notes...)
	}
	if b.grafana != nil {
		// The snapshots' data spans the window latency_offset back, as
		// the Prometheus reader's steps do.
		var offset time.Duration
		if p := b.cfg.Sources.Prometheus; p != nil {
			offset = p.LatencyOffset
		}
		notes, err := b.grafana.Window(ctx, from.Add(-offset), to.Add(-offset))
		if err != nil {
			res.Warnings = append(res.Warnings, err.Error()) // says "grafana annotations"
		}
		res.Grafana = len(notes)
		b.notes = append(b.notes, notes...)
	}
	slices.SortStableFunc(b.notes, func(x, y snapshot.Annotation) int { return x.At.Compare(y.At) })
	return res
}
