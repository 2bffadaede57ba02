package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// recordFlags are the recording flags of watch, demo and serve; record
// names its file with -o.
type recordFlags struct {
	file string
	off  bool
	flag string // the flag that names file, for errors: --record unless set
}

func (f *recordFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.file, "record", "", "record to this file (default: a new file in $XDG_STATE_HOME/launchwatch/)")
	fl.BoolVar(&f.off, "no-record", false, "do not record")
}

// check refuses flags that contradict each other and a recording named in
// a directory that is not there.
func (f *recordFlags) check() error {
	if f.off && f.file != "" {
		return errors.New("--record and --no-record contradict each other")
	}
	if f.file != "" {
		return existingDir(cmp.Or(f.flag, "--record"), f.file)
	}
	return nil
}

// start starts the watch of o.Config, recorded as the flags say.
func (f *recordFlags) start(o launch.Options) (*launch.Watch, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	o.Record, o.NoRecord, o.Build = f.file, f.off, build()
	return launch.Start(o)
}

// existingDir refuses a file named by a flag whose directory is missing or
// is not a directory: a mistyped path must not quietly create
// directories. Only the default place, the state directory, is created.
func existingDir(flag, path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: directory %s does not exist: create it first, or name a file in one that does", flag, path, dir)
	case err != nil:
		return fmt.Errorf("%s %s: %w", flag, path, err)
	case !fi.IsDir():
		return fmt.Errorf("%s %s: %s is not a directory", flag, path, dir)
	}
	return nil
}

// sayRecorded says where a closed recording is and what it holds.
func sayRecorded(w *recording.Writer, out io.Writer) {
	if w == nil {
		return
	}
	first := w.Paths()[0]
	fmt.Fprintf(out, "recorded %s snapshots to %s\n", capacity.FormatCount(float64(w.Count())), first)
	if n := len(w.Paths()); n > 1 {
		fmt.Fprintf(out, "  (in %d parts, the last %s; replay and export read on through them)\n", n, w.Path())
	}
	fmt.Fprintf(out, "replay it with: launchwatch replay %s\n", first)
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
			rf := recordFlags{file: out, flag: "-o"}
			w, err := rf.start(launch.Options{Config: cfg, LogFile: logFile, Origin: recording.OriginLive})
			if err != nil {
				return err
			}
			return record(cmd.Context(), cmd.ErrOrStderr(), w)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&configFile, "config", "c", "", "the launchwatch.yaml to watch")
	fl.StringVarP(&out, "output", "o", "", "the recording (default: a new file in $XDG_STATE_HOME/launchwatch/)")
	fl.StringVar(&logFile, "log-file", "", "write logs here")
	return cmd
}

// record runs a watch headless into its recording until ctx ends.
func record(ctx context.Context, stderr io.Writer, w *launch.Watch) error {
	fmt.Fprintf(stderr, "launchwatch record: recording %s to %s every %s; stop with ctrl-c\n",
		snapshot.CleanText(launch.Name(w.Config), 60), w.Recording.Path(), w.Config.Interval)
	start := time.Now()
	runErr := w.Pipeline.Run(ctx) // until a signal; the recorder is drained when it returns
	closeErr := w.Close()
	last, _ := w.Pipeline.Last()
	answered, _ := last.Snapshot.SourcesAnswered()
	fmt.Fprintf(stderr, "launchwatch record: %s snapshots in %s to %s; at the end %d of %d sources answered\n",
		capacity.FormatCount(float64(w.Recording.Count())), time.Since(start).Round(time.Second), w.Recording.Path(), answered, len(last.Snapshot.Sources))
	alertErr := reportAlerts(stderr, w.Alerts)
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
