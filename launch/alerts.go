package launch

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/launchwatch/launchwatch/alerts"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
)

// startAlerts builds the config's alert sinks and has p feed them every
// frame; nil when the config has none (Alertmanagers count). Webhook
// queues are kept in files named from queueAt (see QueueAt); "" keeps them
// in memory. The pipeline closes the dispatcher when its Run returns,
// after the last frame.
func startAlerts(p *pipeline.Pipeline, cfg *config.Config, log *slog.Logger, queueAt string) (*alerts.Dispatcher, error) {
	routes, err := alertRoutes(cfg.Alerts, queueAt)
	if err != nil {
		return nil, err
	}
	ams, err := alertmanagers(cfg.Alerts)
	if err != nil || len(routes) == 0 && len(ams) == 0 {
		return nil, err
	}
	log = log.With("component", "alerts")
	d, err := alerts.New(alerts.Options{Launch: Name(cfg), Routes: routes, Log: log, Alertmanagers: ams,
		Runbooks: cfg.Alerts.Runbooks, DashboardURL: cfg.Alerts.DashboardURL, Labels: cfg.Alerts.Labels})
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	p.AddFrameSink(alertFrames{d})
	for _, r := range routes {
		attrs := []any{"sink", r.Sink.Name(), "min_severity", r.MinSeverity}
		if c, ok := r.Sink.(*alerts.Command); ok {
			attrs = append(attrs, "killed_with", c.Containment())
		}
		if r.QueueFile != "" {
			attrs = append(attrs, "queue_file", r.QueueFile, "queue", r.Queue)
		}
		log.Info("alerts to", attrs...)
	}
	for _, am := range ams {
		log.Info("alerts to", "sink", am.Name(), "min_severity", am.MinSeverity(), "resend", am.Resend(), "ends_after", alerts.EndsAtResends*am.Resend())
	}
	return d, nil
}

// alertmanagers turns the config's Alertmanagers into sinks; a client
// block that cannot be used here (a CA file missing) fails, placed.
func alertmanagers(a config.Alerts) ([]*alerts.Alertmanager, error) {
	var out []*alerts.Alertmanager
	for i, c := range a.Alertmanagers {
		am, err := alerts.NewAlertmanager(alerts.AlertmanagerOptions{
			URL: c.URL, Timeout: c.Timeout, Resend: c.Resend, MinSeverity: severity(c.MinSeverity), HTTPClientConfig: c.HTTPClientConfig,
		})
		if err != nil {
			return nil, &config.Error{Pos: c.Pos, Field: fmt.Sprintf("alerts.alertmanager[%d]", i), Msg: err.Error()}
		}
		out = append(out, am)
	}
	return out, nil
}

// QueueAt is where the webhooks' queue files go: beside a recording
// named on the command line, so a restart with the same recording file
// sends what the last run left; else, when the recording has a new name
// each run or there is none, in the state directory recordings go to by
// default, named by the launch, so a restart of the same launch finds
// them. "" (queues in memory) when there is no state directory.
func QueueAt(cfg *config.Config, recordingFile string, log *slog.Logger) string {
	if recordingFile != "" {
		return recordingFile
	}
	dir, err := recording.DefaultDir()
	if err != nil {
		log.Warn("alert queues are kept in memory", "err", err)
		return ""
	}
	return filepath.Join(dir, "alerts", recording.Slug(Name(cfg)))
}

// alertRoutes turns the config's alerts block into sinks. What can only be
// checked on this machine (a program on PATH, a secret file) fails here,
// placed like the config's own errors. A webhook holds what it failed to
// deliver until its receiver answers, in the file queueAt plus
// ".webhook-<ID>.queue"; a command gives up on a failed run.
func alertRoutes(a config.Alerts, queueAt string) ([]alerts.Route, error) {
	var routes []alerts.Route
	for i, c := range a.Commands {
		sink, err := alerts.NewCommand(c.Run, c.Timeout)
		if err != nil {
			return nil, &config.Error{Pos: c.Pos, Field: fmt.Sprintf("alerts.commands[%d].run", i), Msg: err.Error()}
		}
		routes = append(routes, alerts.Route{Sink: sink, MinSeverity: severity(c.MinSeverity), Concurrency: c.MaxConcurrent})
	}
	files := map[string]bool{}
	for i, w := range a.Webhooks {
		sink, err := alerts.NewWebhook(alerts.WebhookOptions{
			URL: string(w.URL), URLFile: w.URLFile, Headers: w.Headers, HeaderFiles: w.HeaderFiles,
			Timeout: w.Timeout, Retries: w.Retries, Backoff: w.Backoff,
			Format: alerts.Format(w.Format), RoutingKeyFile: w.RoutingKeyFile,
		})
		if err != nil {
			return nil, &config.Error{Pos: w.Pos, Field: fmt.Sprintf("alerts.webhooks[%d]", i), Msg: err.Error()}
		}
		file := ""
		if queueAt != "" {
			// Two webhooks to one URL (another min_severity) each have
			// their own queue.
			file = queueAt + ".webhook-" + sink.ID() + ".queue"
			for n := 2; files[file]; n++ {
				file = fmt.Sprintf("%s.webhook-%s-%d.queue", queueAt, sink.ID(), n)
			}
			files[file] = true
		}
		routes = append(routes, alerts.Route{ // one send at a time (the default): the receiver gets them in order
			Sink: sink, MinSeverity: severity(w.MinSeverity), Queue: w.Queue,
			Hold: true, HoldWait: w.Backoff, QueueFile: file,
		})
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
