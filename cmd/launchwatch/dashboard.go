package main

import (
	"errors"
	"io"

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
