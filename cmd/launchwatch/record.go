package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// recordFlags are the recording flags of watch and demo.
type recordFlags struct {
	file string
	off  bool
}

func (f *recordFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.file, "record", "", "record to this file (default: a new file in $XDG_STATE_HOME/launchwatch/)")
	fl.BoolVar(&f.off, "no-record", false, "do not record")
}

// open starts the recording, or returns nil when told not to record.
func (f *recordFlags) open(cfg *config.Config, origin string) (*recording.Writer, error) {
	if f.off {
		if f.file != "" {
			return nil, errors.New("--record and --no-record contradict each other")
		}
		return nil, nil
	}
	return openRecording(cfg, f.file, origin)
}

// openRecording creates (or appends to) a recording of cfg's launch at
// path, or at the default place when path is empty.
func openRecording(cfg *config.Config, path, origin string) (*recording.Writer, error) {
	started := time.Now()
	if path == "" {
		dir, err := recording.DefaultDir()
		if err != nil {
			return nil, fmt.Errorf("recording: %w (or pass --record FILE, or --no-record)", err)
		}
		path = filepath.Join(dir, recording.FileName(launchName(cfg), started))
	}
	h, err := recordingHeader(cfg, origin, started)
	if err != nil {
		return nil, err
	}
	w, err := recording.Create(path, h, recording.Options{})
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	return w, nil
}

// recordingHeader describes a launch for its recording: the plan and the
// thresholds it was held against, the config with secrets redacted, the
// build and the host.
func recordingHeader(cfg *config.Config, origin string, started time.Time) (recording.Header, error) {
	h := recording.Header{
		Launch:      recording.Launch{Name: launchName(cfg), StartsAt: cfg.Launch.StartsAt},
		Interval:    recording.Duration(cfg.Interval),
		Launchwatch: recording.Build{Version: version, Commit: commit},
		Started:     started,
		Origin:      recording.Origin{Kind: origin},
	}
	h.Host, _ = os.Hostname()
	if cfg.HasPlan() {
		plan, err := cfg.CapacityPlan()
		if err != nil {
			return h, err
		}
		if h.Plan, err = json.Marshal(plan); err != nil {
			return h, err
		}
	}
	var err error
	if h.Thresholds, err = json.Marshal(cfg.CapacityThresholds()); err != nil {
		return h, err
	}
	y, err := cfg.YAML()
	if err != nil {
		return h, err
	}
	h.Config = string(y)
	return h, nil
}

// launchName is what the screen and the recording call the launch.
func launchName(cfg *config.Config) string {
	if cfg.Launch.Name != "" {
		return cfg.Launch.Name
	}
	return cfg.File
}

// planOf reads back what a recording was held against. A recording without
// a plan gives the launch time alone and hasPlan false.
func planOf(h recording.Header) (plan capacity.Plan, hasPlan bool, th capacity.Thresholds, err error) {
	th = capacity.DefaultThresholds()
	if len(h.Thresholds) > 0 {
		if err := json.Unmarshal(h.Thresholds, &th); err != nil {
			return plan, false, th, fmt.Errorf("the recording's thresholds: %w", err)
		}
	}
	if len(h.Plan) > 0 {
		if err := json.Unmarshal(h.Plan, &plan); err != nil {
			return plan, false, th, fmt.Errorf("the recording's plan: %w", err)
		}
		hasPlan = true
	}
	if plan.LaunchAt.IsZero() {
		plan.LaunchAt = h.Launch.StartsAt
	}
	return plan, hasPlan, th, nil
}

// closeRecording closes the recording and says where it is and what it
// holds.
func closeRecording(w *recording.Writer, out io.Writer) error {
	if w == nil {
		return nil
	}
	err := w.Close()
	first := w.Paths()[0]
	fmt.Fprintf(out, "recorded %s snapshots to %s\n", capacity.FormatCount(float64(w.Count())), first)
	if n := len(w.Paths()); n > 1 {
		fmt.Fprintf(out, "  (in %d parts, the last %s; replay and export read on through them)\n", n, w.Path())
	}
	fmt.Fprintf(out, "replay it with: launchwatch replay %s\n", first)
	return err
}

func newRecordCmd() *cobra.Command {
	var configFile, out, logFile string
	cmd := &cobra.Command{
		Use:   "record --config FILE [-o FILE]",
		Short: "Record a launch with no screen, for the post-mortem",
		Long: `Record a launch headless: the same pipeline as watch, with no screen, for a
box that records the launch whoever is watching. Every snapshot is written
to the recording as it is taken and synced to disk at least once a second.

SIGINT and SIGTERM (and SIGHUP) flush and close the recording and print a
one-line summary. Exit status: 0 when the recording closed cleanly and
every alert was delivered, 1 when writing the recording failed or an alert
was lost or not delivered by exit (stderr says how many, to which sink).`,
		Example: `  launchwatch record --config launchwatch.yaml -o launch.lwrec.jsonl`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configFile == "" {
				return errors.New("record needs --config FILE")
			}
			cfg, err := config.Load(configFile)
			if err != nil {
				return err
			}
			log, closeLog, err := openLog(logFile)
			if err != nil {
				return err
			}
			defer closeLog()
			poller, err := newPoller(cfg, log, time.Now)
			if err != nil {
				return err
			}
			return record(cmd.Context(), cmd.ErrOrStderr(), cfg, poller, out, log)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&configFile, "config", "c", "", "the launchwatch.yaml to watch")
	fl.StringVarP(&out, "output", "o", "", "the recording (default: a new file in $XDG_STATE_HOME/launchwatch/)")
	fl.StringVar(&logFile, "log-file", "", "write logs here")
	return cmd
}

// record runs the pipeline headless into a recording until ctx ends.
func record(ctx context.Context, stderr io.Writer, cfg *config.Config, producer pipeline.Producer, out string, log *slog.Logger) error {
	w, err := openRecording(cfg, out, recording.OriginLive)
	if err != nil {
		return err
	}
	p, _, err := newPipeline(cfg, producer, log)
	if err != nil {
		return errors.Join(err, w.Close())
	}
	p.AddSink(w)
	al, err := startAlerts(p, cfg, log, alertQueueAt(cfg, out, log))
	if err != nil {
		return errors.Join(err, w.Close())
	}
	fmt.Fprintf(stderr, "launchwatch record: recording %s to %s every %s; stop with ctrl-c\n",
		snapshot.CleanText(launchName(cfg), 60), w.Path(), cfg.Interval)
	start := time.Now()
	runErr := p.Run(ctx) // until a signal; the recorder is drained when it returns
	closeErr := w.Close()
	last, _ := p.Last()
	answered := 0
	for _, src := range last.Snapshot.Sources {
		if src.Answered(last.Snapshot.Time) {
			answered++
		}
	}
	fmt.Fprintf(stderr, "launchwatch record: %s snapshots in %s to %s; at the end %d of %d sources answered\n",
		capacity.FormatCount(float64(w.Count())), time.Since(start).Round(time.Second), w.Path(), answered, len(last.Snapshot.Sources))
	alertErr := reportAlerts(stderr, al)
	switch {
	case runErr != nil:
		return errors.Join(runErr, alertErr)
	case closeErr != nil:
		return errors.Join(fmt.Errorf("recording: %w", closeErr), alertErr)
	case last.RecordErr != "":
		return errors.Join(&exitError{code: 1, msg: "writing the recording failed: " + last.RecordErr}, alertErr)
	}
	return alertErr
}
