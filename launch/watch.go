package launch

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/launchwatch/launchwatch/alerts"
	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Options say how to watch a launch.
type Options struct {
	// Config is the launch; required.
	Config *config.Config
	// LogFile takes the logs (sources, pipeline, alerts); "" drops them.
	// Never the screen's terminal.
	LogFile string
	// Clock is the poller's clock: the wall clock when nil; the demo's
	// shop's, whose counters advance in simulated time.
	Clock func() time.Time
	// History reads the Prometheus source's history, for Warm and for a
	// screen that widens its charts past what it has seen.
	History bool
	// Warm fills the charts with this much history before the first
	// frame; 0: none. It needs History.
	Warm time.Duration
	// Record is the recording's path; "" is a new file in the state
	// directory. NoRecord records nothing. The webhooks' queue files go
	// beside a recording named here (see QueueAt).
	Record   string
	NoRecord bool
	// Origin is the recording's kind: recording.OriginLive or OriginDemo.
	Origin string
	// Build names the launchwatch that records.
	Build recording.Build
}

// Watch is a launch watched: its pipeline, with the alerts and the
// recorder among its sinks. The caller runs the pipeline (or a screen or
// server that runs it), then closes the watch.
type Watch struct {
	Config *config.Config
	// Plan is the config's capacity plan.
	Plan capacity.Plan
	// Log is the log the watch writes to.
	Log *slog.Logger
	// Pipeline polls the sources and feeds the sinks and the screens.
	Pipeline *pipeline.Pipeline
	// History reads the Prometheus source's history from from to to, as a
	// live poll would have taken it; nil without Options.History or a
	// Prometheus source.
	History func(ctx context.Context, from, to time.Time) ([]snapshot.Snapshot, error)
	// Recording is the recording; nil when not recording.
	Recording *recording.Writer
	// Alerts sends the problems to the config's sinks; nil without any.
	Alerts *alerts.Dispatcher

	closeLog func()
}

// Start builds a watch of opts.Config: the log, the poller over its
// sources, the history, the pipeline, the alert sinks, and last the
// recording, so a launch that cannot be watched leaves no empty recording
// behind.
func Start(opts Options) (*Watch, error) {
	log, closeLog, err := OpenLog(opts.LogFile)
	if err != nil {
		return nil, err
	}
	w := &Watch{Config: opts.Config, Log: log, closeLog: closeLog}
	if err := w.start(opts); err != nil {
		if w.Alerts != nil {
			w.Alerts.Close() // its workers would send a recovered queue for no one
		}
		closeLog()
		return nil, err
	}
	return w, nil
}

func (w *Watch) start(opts Options) error {
	cfg, log := w.Config, w.Log
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	poller, err := NewPoller(cfg, log, clock)
	if err != nil {
		return err
	}
	if opts.History {
		w.History = history(cfg, log)
	}
	if w.Plan, err = cfg.CapacityPlan(); err != nil {
		return err
	}
	w.Pipeline = pipeline.New(pipeline.Options{
		Producer:   poller,
		Interval:   cfg.Interval,
		Deadline:   config.PollDeadline(cfg.Interval),
		Plan:       w.Plan,
		Thresholds: cfg.CapacityThresholds(),
		Log:        log,
		Warm:       warm(w.History, opts.Warm),
	})
	if w.Alerts, err = startAlerts(w.Pipeline, cfg, log, QueueAt(cfg, opts.Record, log)); err != nil {
		return err
	}
	if err := startNotes(w.Pipeline, cfg, log); err != nil {
		return err
	}
	if opts.NoRecord {
		return nil
	}
	if w.Recording, err = NewRecording(cfg, opts.Record, opts.Origin, opts.Build); err != nil {
		return err
	}
	w.Pipeline.AddSink(w.Recording)
	return nil
}

// Close closes the alerts (the pipeline closed them already if it ran:
// closing is idempotent), the recording and the log once the pipeline has
// stopped (its Run has returned, so the recorder is drained), and returns
// the recording's error.
func (w *Watch) Close() error {
	if w.Alerts != nil {
		w.Alerts.Close()
	}
	var err error
	if w.Recording != nil {
		err = w.Recording.Close()
	}
	w.closeLog()
	return err
}

// NewPoller builds the config's sources and a poller over them on clock,
// with the config's poll deadline.
func NewPoller(cfg *config.Config, log *slog.Logger, clock func() time.Time) (*collectors.Poller, error) {
	sources, err := collectors.FromConfig(cfg, log)
	if err != nil {
		return nil, err
	}
	return collectors.NewPoller(sources, collectors.WithClock(clock), collectors.WithTimeout(config.PollDeadline(cfg.Interval))), nil
}

// OpenLog opens the log file, or a logger that drops everything: once the
// screen owns the terminal nothing may write to it. The caller calls
// close when done.
func OpenLog(path string) (log *slog.Logger, close func(), err error) {
	if path == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("log file: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { f.Close() }, nil
}

// history reads the config's Prometheus source's history with range
// queries, as backfill does. nil without a Prometheus source with queries.
func history(cfg *config.Config, log *slog.Logger) func(ctx context.Context, from, to time.Time) ([]snapshot.Snapshot, error) {
	if cfg.Sources.Prometheus == nil {
		return nil
	}
	hist, _, err := collectors.HistoryFromConfig(cfg, log)
	if err != nil {
		log.Info("no history", "err", err)
		return nil
	}
	return func(ctx context.Context, from, to time.Time) ([]snapshot.Snapshot, error) {
		var out []snapshot.Snapshot
		err := hist.Fetch(ctx, from, to, func(_ prom.Chunk, snaps []snapshot.Snapshot) error {
			out = append(out, snaps...)
			return nil
		})
		return out, err
	}
}

// warm reads the last window of history for the first frame; nil without
// history or a window.
func warm(read func(ctx context.Context, from, to time.Time) ([]snapshot.Snapshot, error), window time.Duration) pipeline.WarmFunc {
	if window <= 0 || read == nil {
		return nil
	}
	return func(ctx context.Context, until time.Time) ([]snapshot.Snapshot, error) {
		return read(ctx, until.Add(-window), until)
	}
}
