package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"

	"github.com/launchwatch/launchwatch/alerts"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/serve"
	"github.com/launchwatch/launchwatch/tui"
)

// screen is what a live screen adds to a watch.
type screen struct {
	// simulated names the sources whose figures are simulated (the demo's
	// shop), so the screen tells them from the real host.
	simulated []string
	// bell rings the terminal for a new critical problem; nil: no bell.
	bell func()
	// wall starts the screen on the wall layout (--wall).
	wall bool
}

// screenOptions are what every screen of a watch shares: the plan, the
// thresholds, the launch, the recording, the failing alerts. Each screen
// adds its own subscription and renderer.
func screenOptions(w *launch.Watch, s screen) tui.Options {
	opts := tui.Options{
		Interval:   w.Config.Interval,
		Plan:       w.Plan,
		HasPlan:    w.Config.HasPlan(),
		Thresholds: w.Config.CapacityThresholds(),
		LaunchName: launch.Name(w.Config),
		Simulated:  s.simulated,
		Bell:       s.bell,
		WallLayout: s.wall,
		History:    w.History,
		Alerts:     alertFailures(w.Alerts),
		// A problem opened on screen links to the runbook and the
		// dashboard its alerts carry.
		Runbook:      alerts.Options{Runbooks: w.Config.Alerts.Runbooks}.Runbook,
		DashboardURL: w.Config.Alerts.DashboardURL,
	}
	if w.Recording != nil {
		opts.Recording = w.Recording.Path()
	}
	return opts
}

// needTerminal refuses a recorded screen where there is no terminal to
// draw it on, before anything is started: a watch started first would
// leave a recording of nothing behind, and say how to replay it. Without a
// recording nothing is left behind, and the screen's own error says it.
// Bubble Tea reads keys from stdin when it is a terminal, else from
// /dev/tty, so that is what is tried.
func needTerminal(command, otherwise string, rf recordFlags) error {
	if err := rf.check(); err != nil {
		return err // the flags' own errors first
	}
	if rf.off || term.IsTerminal(os.Stdin.Fd()) {
		return nil
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return fmt.Errorf("%s needs a terminal for its screen, and there is none (%w): run it in one (tmux, ssh -t)%s", command, err, otherwise)
	}
	return tty.Close()
}

// runDashboard runs a watch and its screen on this terminal until q,
// ctrl-c or a signal, then closes the watch and says what it recorded.
func runDashboard(w *launch.Watch, s screen, out io.Writer) error {
	w.Log.Info("dashboard start", "config", w.Config.File, "interval", w.Config.Interval)
	err := serve.Terminal(w.Pipeline, screenOptions(w, s))
	w.Log.Info("dashboard stop")
	return errors.Join(err, finish(w, out))
}

// finish closes a watch whose pipeline has stopped, says where the
// recording is and which alert sinks failed, and returns exit errors of
// status 1 for a recording that failed and for alerts lost or kept.
func finish(w *launch.Watch, out io.Writer) error {
	recErr := w.Close()
	sayRecorded(w.Recording, out)
	alertErr := reportAlerts(out, w.Alerts)
	if last, _ := w.Pipeline.Last(); last.RecordErr != "" {
		recErr = errors.Join(recErr, &exitError{code: 1, msg: "writing the recording failed: " + last.RecordErr})
	}
	return errors.Join(recErr, alertErr)
}
