package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

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
}

// newPipeline builds the loop over a producer with the config's plan,
// thresholds, interval and poll deadline.
func newPipeline(cfg *config.Config, producer pipeline.Producer, log *slog.Logger) (*pipeline.Pipeline, error) {
	plan, err := cfg.CapacityPlan()
	if err != nil {
		return nil, err
	}
	return pipeline.New(pipeline.Options{
		Producer:   producer,
		Interval:   cfg.Interval,
		Deadline:   config.PollDeadline(cfg.Interval),
		Plan:       plan,
		Thresholds: cfg.CapacityThresholds(),
		Log:        log,
	}), nil
}

// runDashboard runs the pipeline and the screen until q, ctrl-c or
// SIGTERM. Bubble Tea turns SIGINT/SIGTERM into a quit and restores the
// terminal, and catches a panic and restores the terminal before printing
// it.
//
// The program deliberately gets no context: main's context is cancelled by
// the same SIGTERM, and a cancelled program context ends the event loop
// while Bubble Tea's signal handler is still sending its QuitMsg to it;
// Run then waits for that handler forever (seen in the tmux e2e test).
func runDashboard(d dashboard) error {
	p, err := newPipeline(d.cfg, d.producer, d.log)
	if err != nil {
		return err
	}
	plan, _ := d.cfg.CapacityPlan() // checked by newPipeline
	name := d.cfg.Launch.Name
	if name == "" {
		name = d.cfg.File
	}
	recPath := ""
	if d.rec != nil {
		p.AddSink(d.rec)
		recPath = d.rec.Path()
	}
	sub := p.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()

	m := tui.New(tui.Options{
		Frames:     sub,
		Clock:      p.Now,
		Interval:   d.cfg.Interval,
		Plan:       plan,
		HasPlan:    d.cfg.HasPlan(),
		Thresholds: d.cfg.CapacityThresholds(),
		LaunchName: name,
		Recording:  recPath,
		Simulated:  d.simulated,
		Renderer:   lipgloss.NewRenderer(os.Stdout),
	})
	d.log.Info("dashboard start", "config", d.cfg.File, "interval", d.cfg.Interval)
	// 30 FPS is plenty for data that changes once a second (FIELD-NOTES).
	prog := tea.NewProgram(m, tea.WithAltScreen(), tea.WithFPS(30))
	stopSignals := quitOnHangup(prog)
	defer stopSignals()
	_, runErr := prog.Run()
	cancel()
	pipeErr := <-ran // the recorder is drained when Run returns
	recErr := closeRecording(d.rec, d.out)
	d.log.Info("dashboard stop")
	if runErr != nil {
		return errors.Join(fmt.Errorf("dashboard: %w", runErr), recErr)
	}
	return errors.Join(pipeErr, recErr)
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
