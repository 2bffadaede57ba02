package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/launchwatch/launchwatch/alerts"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/tui"
)

// startAlerts builds the config's alert sinks and has p feed them every
// frame; nil when the config has none. The pipeline closes the dispatcher
// when its Run returns, after the last frame.
func startAlerts(p *pipeline.Pipeline, cfg *config.Config, log *slog.Logger) (*alerts.Dispatcher, error) {
	routes, err := alertRoutes(cfg.Alerts)
	if err != nil || len(routes) == 0 {
		return nil, err
	}
	d, err := alerts.New(alerts.Options{Launch: launchName(cfg), Routes: routes, Log: log.With("component", "alerts")})
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	p.AddFrameSink(alertFrames{d})
	for _, r := range routes {
		log.Info("alerts to", "sink", r.Sink.Name(), "min_severity", r.MinSeverity)
	}
	return d, nil
}

// alertRoutes turns the config's alerts block into sinks. What can only be
// checked on this machine (a program on PATH, a secret file) fails here,
// placed like the config's own errors.
func alertRoutes(a config.Alerts) ([]alerts.Route, error) {
	var routes []alerts.Route
	for i, c := range a.Commands {
		sink, err := alerts.NewCommand(c.Run, c.Timeout)
		if err != nil {
			return nil, &config.Error{Pos: c.Pos, Field: fmt.Sprintf("alerts.commands[%d].run", i), Msg: err.Error()}
		}
		routes = append(routes, alerts.Route{Sink: sink, MinSeverity: severity(c.MinSeverity), Concurrency: c.MaxConcurrent})
	}
	for i, w := range a.Webhooks {
		sink, err := alerts.NewWebhook(alerts.WebhookOptions{
			URL: string(w.URL), URLFile: w.URLFile, Headers: w.Headers, HeaderFiles: w.HeaderFiles,
			Timeout: w.Timeout, Retries: w.Retries, Backoff: w.Backoff,
		})
		if err != nil {
			return nil, &config.Error{Pos: w.Pos, Field: fmt.Sprintf("alerts.webhooks[%d]", i), Msg: err.Error()}
		}
		routes = append(routes, alerts.Route{Sink: sink, MinSeverity: severity(w.MinSeverity)}) // one send at a time (the default)
	}
	return routes, nil
}

func severity(s string) events.Severity {
	if s == "crit" {
		return events.Crit
	}
	return events.Warn
}

// alertFrames feeds a dispatcher the problems of every frame.
type alertFrames struct{ d *alerts.Dispatcher }

func (a alertFrames) TakeFrame(f pipeline.Frame) { a.d.Observe(f.Snapshot.Time, f.Problems) }
func (a alertFrames) Close()                     { a.d.Close() }

// reportAlerts says, after the run, which alert sinks failed: the screen
// is gone by then, and a failure must not pass unseen.
func reportAlerts(w io.Writer, d *alerts.Dispatcher) {
	for _, s := range d.Status() {
		if s.Failed == 0 && s.Dropped == 0 {
			continue
		}
		fmt.Fprintf(w, "alerts: %s: %d sent, %d failed, %d dropped; last error: %s\n", s.Name, s.Sent, s.Failed, s.Dropped, s.LastError)
	}
}

// alertsFrom puts the alerts block of the config at path into cfg: the
// demo's config is built in, and its alerts come from the user's file.
func alertsFrom(cfg *config.Config, path string) error {
	if path == "" {
		return nil
	}
	from, err := config.Load(path)
	if err != nil {
		return err
	}
	if len(from.Alerts.Commands) == 0 && len(from.Alerts.Webhooks) == 0 {
		return fmt.Errorf("--alerts-from %s: the file has no alerts block", path)
	}
	cfg.Alerts = from.Alerts
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
				out = append(out, tui.AlertFailure{Sink: s.Name, Error: s.LastError, Failed: s.Failed + s.Dropped})
			}
		}
		return out
	}
}
