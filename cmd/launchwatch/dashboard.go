package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
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
	err = runScreen(p, opts)
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

// oneProcessor runs the Go scheduler on one processor for a screen: its
// work is a few milliseconds a second, mostly serial (a poll's queries
// wait on the network), and with more processors the scheduler spins
// looking for work at every wake-up. Measured with scripts/measure.sh
// watching Prometheus at 200x60: 0.6% of a core down to 0.5%. A GOMAXPROCS
// set in the environment is left alone.
func oneProcessor() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}

// screenFPS is how often Bubble Tea looks for a changed view to write.
// Each look copies the whole view to compare it with the last one written
// (v1's renderer), a cost paid even when nothing changed: at 10 a second a
// key still answers within 100 ms, and an idle screen costs a third of
// what it did at 30.
const screenFPS = 10

// runScreen runs a pipeline and a screen subscribed to it until the user
// quits (q, ctrl-c) or a signal ends it, with any background work that
// lives as long; when it returns the pipeline and its sinks have stopped.
// Bubble Tea turns SIGINT/SIGTERM into a quit and restores the terminal,
// and catches a panic and restores the terminal before printing it.
//
// The program deliberately gets no context: main's context is cancelled by
// the same SIGTERM, and a cancelled program context ends the event loop
// while Bubble Tea's signal handler is still sending its QuitMsg to it;
// Run then waits for that handler forever (seen in the tmux e2e test).
func runScreen(p *pipeline.Pipeline, opts tui.Options, background ...func(context.Context)) error {
	oneProcessor()
	opts.Frames, opts.Clock = p.Subscribe(), p.Now
	opts.Renderer = lipgloss.NewRenderer(os.Stdout)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait() // background work reads what the caller closes after
	defer cancel()
	for _, work := range background {
		wg.Go(func() { work(ctx) })
	}
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()
	prog := tea.NewProgram(tui.New(opts), tea.WithAltScreen(), tea.WithFPS(screenFPS))
	stopSignals := quitOnHangup(prog)
	defer stopSignals()
	_, runErr := prog.Run()
	if errors.Is(runErr, tea.ErrInterrupted) {
		// SIGINT from kill: Bubble Tea reports it as an interruption, but
		// it is the ctrl-c of a terminal that is not in raw mode, and ends
		// the screen the same way.
		runErr = nil
	}
	cancel()
	pipeErr := <-ran
	if runErr != nil {
		return errors.Join(fmt.Errorf("screen: %w", runErr), pipeErr)
	}
	return pipeErr
}

// quitOnHangup quits the program on SIGHUP (a closed terminal or SSH
// connection) and SIGQUIT, which Bubble Tea v1 leaves to Go's default
// action: the process would die with the terminal raw and the recording
// unclosed (FIELD-NOTES). SIGINT and SIGTERM Bubble Tea handles itself.
func quitOnHangup(prog *tea.Program) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP, syscall.SIGQUIT)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			prog.Quit()
		case <-done:
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}
