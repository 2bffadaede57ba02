package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"runtime"
	"sync"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/tui"
)

// FPS is how often Bubble Tea looks for a changed view to write, on every
// screen. Each look copies the whole view to compare it with the last one
// written (v1's renderer), a cost paid even when nothing changed: at 10 a
// second a key still answers within 100 ms, and an idle screen costs a
// third of what it did at 30.
const FPS = 10

// oneProcessor runs the Go scheduler on one processor for screens: their
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

// Terminal runs p and a screen subscribed to it on this process's
// terminal until the user quits (q, ctrl-c) or a signal ends it, with any
// background work that lives as long; when it returns the pipeline and its
// sinks have stopped. Bubble Tea turns SIGINT/SIGTERM into a quit and
// restores the terminal, and catches a panic and restores the terminal
// before printing it.
//
// The program deliberately gets no context: main's context is cancelled by
// the same SIGTERM, and a cancelled program context ends the event loop
// while Bubble Tea's signal handler is still sending its QuitMsg to it;
// Run then waits for that handler forever (seen in the tmux e2e test).
func Terminal(p *pipeline.Pipeline, opts tui.Options, background ...func(context.Context)) error {
	oneProcessor()
	opts.Frames, opts.Clock = p.Subscribe(), p.Now
	opts.Renderer = lipgloss.NewRenderer(os.Stdout)
	if opts.Replay == nil { // a replay acknowledges on its own screen only
		who := LocalUser()
		opts.Acknowledge = func(key string) error { return p.Acknowledge(key, who) }
		opts.Annotate = func(at time.Time, text string) error { return p.Annotate(at, text, who) }
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait() // background work reads what the caller closes after
	defer cancel()
	for _, work := range background {
		wg.Go(func() { work(ctx) })
	}
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()
	prog := tea.NewProgram(tui.New(opts), tea.WithAltScreen(), tea.WithFPS(FPS))
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

// Bell rings the local terminal: BEL written to standard output, the
// terminal the local screen draws on.
func Bell() { _, _ = io.WriteString(os.Stdout, "\a") }

// LocalUser names the person at this terminal for an acknowledgement or
// an annotation: user@host.
func LocalUser() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, _ := os.Hostname()
	if host == "" {
		return name
	}
	return name + "@" + host
}
