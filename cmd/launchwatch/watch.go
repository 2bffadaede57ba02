package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
)

type watchFlags struct {
	record     recordFlags
	bell       bellFlags
	configFile string
	once       bool
	asJSON     bool
	logFile    string
	warm       time.Duration
	wall       bool
	// planFromProbe sets plan.from_probe.
	planFromProbe bool
}

// maxWarm is the longest chart window: history beyond it is never drawn.
const maxWarm = 3 * time.Hour

// checkWarm checks a --warm window (watch, serve).
func checkWarm(d time.Duration) error {
	if d < 0 || d > maxWarm {
		return fmt.Errorf("--warm %s: must be from 0 (none) to %s, the longest chart window", d, maxWarm)
	}
	return nil
}

// registerWarm adds --warm to a live screen's command.
func registerWarm(cmd *cobra.Command, d *time.Duration) {
	cmd.Flags().DurationVar(d, "warm", 5*time.Minute, "fill this much of the charts from Prometheus history at the start (0: none; at most 3h)")
}

func newWatchCmd() *cobra.Command {
	var f watchFlags
	cmd := &cobra.Command{
		Use:   "watch --config FILE",
		Short: "Watch a launch live against its capacity plan",
		Long: `Watch a launch live: poll the configured sources every interval and show
PV/s, connections, bandwidth, error rate, stock, the endpoints against their
ceilings and the host, each beside what the capacity plan predicts.

Every snapshot is recorded for the post-mortem (launchwatch replay FILE):
by default to a new file in $XDG_STATE_HOME/launchwatch/ (else
~/.local/state/launchwatch/), or to --record FILE; --no-record does not
record. Quitting prints the file and how many snapshots it holds. The exit
status is 1 when writing the recording failed, or when an alert was lost
or was not delivered by exit (stderr says how many, to which sink).

With --wall the screen starts on the wall, for a screen across the room:
the five headline figures in block digits sized to the terminal (the
countdown before T0), each with its plan comparison and its level in words,
the sell-out bar and the worst problem now, in the high-contrast theme.
The w key switches between the wall and the dashboard.

With --once, take one snapshot, print its frame (the snapshot, what the
plan makes of it, the problems standing) and exit: 0 when every source
answered, 1 when some failed (the output says which and why), 2 when none
did. Sources that compute rates from two readings (scrape, host) are read
twice, one interval apart.

With a Prometheus source, the screen starts warm: the last --warm (5m, the
chart window in view) is filled from the server's history with range
queries, so what happened before the start is on the charts at once,
drawn dotted and labelled history. Events found in it are listed as "before
start", never alerted on; tiles show live figures only. --warm 0 starts
cold.`,
		Example: `  launchwatch watch --config launchwatch.yaml
  launchwatch watch --config launchwatch.yaml --wall
  launchwatch watch --config launchwatch.yaml --once --json | jq .snapshot.pv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.configFile == "" {
				return errors.New("watch needs --config FILE (or try: launchwatch demo)")
			}
			if f.asJSON && !f.once {
				return errors.New("--json needs --once: it prints one look as JSON (the screen has no JSON)")
			}
			if err := checkWarm(f.warm); err != nil {
				return err
			}
			cfg, err := config.Load(f.configFile)
			if err != nil {
				return err
			}
			if f.planFromProbe {
				if cfg.Sources.Probe == nil || !cfg.HasPlan() {
					return errors.New("--plan-from-probe needs a plan section and sources.probe in the config")
				}
				cfg.Plan.FromProbe = true
			}
			if f.once {
				return once(cmd.Context(), cmd.OutOrStdout(), cfg, f.logFile, f.asJSON)
			}
			if err := needTerminal("watch", ", or record without a screen: launchwatch record --config "+f.configFile, f.record); err != nil {
				return err
			}
			w, err := f.record.start(launch.Options{Config: cfg, LogFile: f.logFile, History: true, Warm: f.warm, Origin: recording.OriginLive})
			if err != nil {
				return err
			}
			return runDashboard(w, screen{bell: f.bell.bell(), wall: f.wall}, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.configFile, "config", "c", "", "the launchwatch.yaml to watch")
	fl.BoolVar(&f.once, "once", false, "take one snapshot, print it and exit")
	fl.BoolVar(&f.asJSON, "json", false, "with --once, print JSON")
	fl.StringVar(&f.logFile, "log-file", "", "write logs here (never to the screen)")
	registerWarm(cmd, &f.warm)
	fl.BoolVar(&f.wall, "wall", false, "start on the wall screen: the headline figures in block digits, for a screen across the room (w toggles)")
	fl.BoolVar(&f.planFromProbe, "plan-from-probe", false, "take resources per page and their size from the sale-page probe (plan.from_probe)")
	f.record.register(cmd)
	f.bell.register(cmd)
	return cmd
}

// once prints one frame (launch.Once): the snapshot, its assessment and
// the problems, as on the screen, and exits by how many sources answered.
func once(ctx context.Context, w io.Writer, cfg *config.Config, logFile string, asJSON bool) error {
	f, err := launch.Once(ctx, cfg, logFile)
	if err != nil {
		return err
	}
	s := f.Snapshot
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(f); err != nil {
			return err
		}
	} else if err := f.WriteText(w, cfg.HasPlan()); err != nil {
		return err
	}
	// A source that answered part of its signals has failed (exit 1) but
	// answered: 2 is for a snapshot with nothing measured in it.
	answered, failed := s.SourcesAnswered()
	switch {
	case answered == 0:
		return &exitError{code: 2, msg: fmt.Sprintf("no source answered (%d failed)", failed)}
	case failed > 0:
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %d sources failed", failed, len(s.Sources))}
	}
	return nil
}
