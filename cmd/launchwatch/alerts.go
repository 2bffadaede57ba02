package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/alerts"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/tui"
)

// reportAlerts says, after the run, which alert sinks failed or kept
// alerts for the next start, and what each Alertmanager is left holding:
// the screen is gone by then, and a failure must not pass unseen. It
// returns an exit error of status 1 when an alert was lost or is not
// delivered, naming how many and to which sink. An alert left standing in
// an Alertmanager is neither: it resolves there at its endsAt.
func reportAlerts(w io.Writer, d *alerts.Dispatcher) error {
	for _, l := range d.AlertmanagersLeft() {
		if l.Standing > 0 {
			fmt.Fprintf(w, "alerts: %s: %d alerts stand there until %s (their endsAt): nothing posts them again, so it resolves them then\n",
				l.Name, l.Standing, l.Until.Local().Format(time.TimeOnly))
		}
		if l.Resolves > 0 {
			fmt.Fprintf(w, "alerts: %s: %d resolves not delivered by exit: it resolves those alerts by %s (their endsAt)\n",
				l.Name, l.Resolves, l.ResolvesBy.Local().Format(time.TimeOnly))
		}
		if l.Silences > 0 {
			fmt.Fprintf(w, "alerts: %s: %d silences of acknowledged problems not removed by exit: they end at %s; expire them in Alertmanager\n",
				l.Name, l.Silences, l.SilencesUntil.Local().Format(time.DateTime))
		}
	}
	var lost, kept []string
	for _, s := range d.Status() {
		if s.Lost() == 0 && s.Kept == 0 {
			continue
		}
		line := fmt.Sprintf("alerts: %s: %d sent, %d failed, %d dropped", s.Name, s.Sent, s.Failed, s.Dropped)
		if s.Kept > 0 {
			line += fmt.Sprintf(", %d kept in %s for the next start", s.Kept, s.QueueFile)
		}
		fmt.Fprintf(w, "%s; last error: %s\n", line, s.LastError)
		if s.Lost() > 0 {
			lost = append(lost, fmt.Sprintf("%d to %s (%d failed or refused, %d dropped from a full queue)", s.Lost(), s.Name, s.Failed, s.Dropped))
		}
		if s.Kept > 0 {
			kept = append(kept, fmt.Sprintf("%d to %s, kept in %s: a start with the same queue file sends them", s.Kept, s.Name, s.QueueFile))
		}
	}
	var msg []string
	if len(lost) > 0 {
		msg = append(msg, "alerts lost: "+strings.Join(lost, "; "))
	}
	if len(kept) > 0 {
		msg = append(msg, "alerts not delivered by exit: "+strings.Join(kept, "; "))
	}
	if len(msg) == 0 {
		return nil
	}
	return &exitError{code: 1, msg: strings.Join(msg, "\nlaunchwatch: ")}
}

// alertsFrom puts the alerts block of the file at path (a whole config, or
// one holding only an alerts block) into cfg: the demo's config is built
// in, and its alerts come from the user's file.
func alertsFrom(cfg *config.Config, path string) error {
	if path == "" {
		return nil
	}
	from, err := config.LoadAlerts(path)
	if err != nil {
		return err
	}
	if len(from.Commands) == 0 && len(from.Webhooks) == 0 && len(from.Alertmanagers) == 0 {
		return fmt.Errorf("--alerts-from %s: the file has no alerts block", path)
	}
	cfg.Alerts = from
	return nil
}

// alertFailures is the screen's view of the alert sinks: the failing ones;
// nil without alerts.
func alertFailures(d *alerts.Dispatcher) func() []tui.AlertFailure {
	if d == nil {
		return nil
	}
	return func() []tui.AlertFailure {
		var out []tui.AlertFailure
		for _, s := range d.Status() {
			if s.Failing() {
				// Not sent: lost, or waiting behind a failure.
				out = append(out, tui.AlertFailure{Sink: s.Name, Error: s.LastError, Failed: s.Lost() + s.Pending})
			}
		}
		return out
	}
}
