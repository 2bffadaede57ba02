package main

import (
	"errors"
	"io"
	"log/slog"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/serve"
	"github.com/launchwatch/launchwatch/tui"
)

// dashboard is what the screen needs from the command that starts it.
type dashboard struct {
	cfg      *config.Config
	producer pipeline.Producer
	log      *slog.Logger
	rec      *recording.Writer // nil: not recording
	out      io.Writer         // where the recording's summary goes after the screen closes
	// simulated names the sources whose figures are simulated (the demo's
	// shop), so the screen tells them from the real host.
	simulated []string
	// bell rings the terminal for a new critical problem; nil: no bell.
	bell func()
	// warm fills the charts from history before the first frame (watch
	// with a Prometheus source); nil: none.
	warm pipeline.WarmFunc
	// history reads older history when + widens the charts past what the
	// screen has seen; nil: none.
	history tui.HistoryFunc
	// wall starts the screen on the wall layout (--wall).
	wall bool
	// alertQueue is where the webhooks' queue files go (alertQueueAt).
	alertQueue string
}

// newPipeline builds the loop over a producer with the config's plan,
// thresholds, interval and poll deadline, and returns the plan with it.
func newPipeline(cfg *config.Config, producer pipeline.Producer, log *slog.Logger, warm ...pipeline.WarmFunc) (*pipeline.Pipeline, capacity.Plan, error) {
	plan, err := cfg.CapacityPlan()
	if err != nil {
		return nil, plan, err
	}
	opts := pipeline.Options{
		Producer:   producer,
		Interval:   cfg.Interval,
		Deadline:   config.PollDeadline(cfg.Interval),
		Plan:       plan,
		Thresholds: cfg.CapacityThresholds(),
		Log:        log,
	}
	if len(warm) > 0 {
		opts.Warm = warm[0]
	}
	return pipeline.New(opts), plan, nil
}

// runDashboard runs the pipeline, the recorder and the screen until q,
// ctrl-c or a signal, then closes the recording and says where it is.
func runDashboard(d dashboard) error {
	p, plan, err := newPipeline(d.cfg, d.producer, d.log, d.warm)
	if err != nil {
		return errors.Join(err, closeRecording(d.rec, d.out))
	}
	al, err := startAlerts(p, d.cfg, d.log, d.alertQueue)
	if err != nil {
		return errors.Join(err, closeRecording(d.rec, d.out))
	}
	opts := screenOptions(d, plan)
	opts.Alerts = alertFailures(al)
	if d.rec != nil {
		p.AddSink(d.rec)
	}
	d.log.Info("dashboard start", "config", d.cfg.File, "interval", d.cfg.Interval)
	err = serve.Terminal(p, opts)
	recErr := closeRecording(d.rec, d.out) // the pipeline has drained the recorder
	alertErr := reportAlerts(d.out, al)
	d.log.Info("dashboard stop")
	if last, _ := p.Last(); last.RecordErr != "" {
		recErr = errors.Join(recErr, &exitError{code: 1, msg: "writing the recording failed: " + last.RecordErr})
	}
	return errors.Join(err, recErr, alertErr)
}

// screenOptions are what every screen of a dashboard's pipeline shares:
// the plan, the thresholds, the launch, the recording. Each screen adds
// its own subscription and renderer.
func screenOptions(d dashboard, plan capacity.Plan) tui.Options {
	opts := tui.Options{
		Interval:   d.cfg.Interval,
		Plan:       plan,
		HasPlan:    d.cfg.HasPlan(),
		Thresholds: d.cfg.CapacityThresholds(),
		LaunchName: launchName(d.cfg),
		Simulated:  d.simulated,
		Bell:       d.bell,
		WallLayout: d.wall,
		History:    d.history,
	}
	if d.rec != nil {
		opts.Recording = d.rec.Path()
	}
	return opts
}
