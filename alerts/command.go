package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Command runs a program once per alert, with the alert's JSON on its
// standard input and no shell in between. At its timeout the program is
// killed with everything it started: on Linux each run has a cgroup of
// its own (see cgroup_linux.go), which a process that calls setsid or
// forks twice cannot leave, and what a run leaves behind when it exits is
// killed at the same timeout. Where that cannot be had (another system, a
// cgroup we may not manage, Linux before 5.14) each run has a process
// group of its own, killed whole at the timeout, which a process that
// calls setsid leaves: Containment says which.
type Command struct {
	path    string
	args    []string
	timeout time.Duration

	mu     sync.Mutex
	cgroup string // the cgroup the runs' cgroups are made in; "" for the process group alone
	why    error  // why there is no cgroup

	leftovers sync.WaitGroup // runs' cgroups with processes left in them, until they are killed
	stop      chan struct{}  // closed by Close: kill the leftovers now
	stopOnce  sync.Once
	errs      []error // cleaning up a run's cgroup failed
}

// NewCommand finds argv[0] (on PATH unless it has a slash) and returns a
// sink running it under timeout.
func NewCommand(argv []string, timeout time.Duration) (*Command, error) {
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New("no program given")
	}
	if timeout <= 0 {
		return nil, fmt.Errorf("timeout must be positive, got %s", timeout)
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("program %q: %w", argv[0], err)
	}
	c := &Command{path: path, args: argv[1:], timeout: timeout, stop: make(chan struct{})}
	c.cgroup, c.why = cgroupBase()
	return c, nil
}

// Name is the program's path.
func (c *Command) Name() string { return "command " + c.path }

// Containment says how a run is killed with what it started: "cgroup
// (under DIR)", or "process group" and why there is no cgroup.
func (c *Command) Containment() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cgroup != "" {
		return "cgroup (under " + c.cgroup + ")"
	}
	return fmt.Sprintf("%s (no cgroup: %v)", groupKill, c.why)
}

// noCgroup makes the runs from now on use the process group alone.
func (c *Command) noCgroup(why error) {
	c.mu.Lock()
	c.cgroup, c.why = "", why
	c.mu.Unlock()
}

// outputCap bounds what a command's output keeps for the error message.
const outputCap = 4 << 10

// Send runs the program. It fails on a non-zero exit, naming the status
// and the end of the program's output, and on the timeout, when the
// program and every process it started are killed.
func (c *Command) Send(ctx context.Context, a Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode alert: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	out := &tailBuffer{max: outputCap}
	cmd := c.command(ctx, body, out)
	g := c.contain(cmd)
	err = cmd.Start()
	if err != nil && g != nil {
		// clone3 may refuse the cgroup (seccomp, a cgroup we may not
		// enter): when the process group alone starts, it was the
		// cgroup's fault, and the runs from now on do without.
		_ = g.remove()
		g = nil
		retry := c.command(ctx, body, out)
		processGroup(retry)
		if retry.Start() == nil {
			c.noCgroup(fmt.Errorf("starting in a cgroup failed: %w", err))
			cmd, err = retry, nil
		}
	}
	if err == nil {
		if g != nil {
			g.started()
		}
		err = cmd.Wait()
		if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
			// The program took the alert and exited 0; a child it left
			// holding its output is no failure of the alert (the cgroup,
			// or the process group, ends it at the timeout).
			err = nil
		}
	}
	if g != nil {
		c.settle(g, deadline)
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: killed at its %s timeout%s", c.path, c.timeout, out.suffix())
	case ctx.Err() != nil:
		return fmt.Errorf("%s: cancelled at exit%s", c.path, out.suffix())
	case err != nil:
		return fmt.Errorf("%s: %w%s", c.path, err, out.suffix())
	}
	return nil
}

// command is one run of the program, not started.
func (c *Command) command(ctx context.Context, body []byte, out io.Writer) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.path, c.args...)
	cmd.Stdin = bytes.NewReader(append(body, '\n'))
	cmd.Stdout, cmd.Stderr = out, out
	// A grandchild holding the output pipe open must not hold Send.
	cmd.WaitDelay = time.Second
	return cmd
}

// settle deals with a run's cgroup once its program has exited: processes
// it left behind may run until its timeout, then are killed with the
// cgroup, which is then removed.
func (c *Command) settle(g *cgroupRun, deadline time.Time) {
	if g.populated() && time.Now().Before(deadline) {
		c.leftovers.Go(func() { c.reap(g, deadline) })
		return
	}
	c.cleanUp(g)
}

// reap waits for a run's leftovers to end, until the run's deadline or
// Close, then kills them.
func (c *Command) reap(g *cgroupRun, deadline time.Time) {
	timeout := time.NewTimer(time.Until(deadline))
	defer timeout.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for g.populated() {
		select {
		case <-timeout.C:
			c.cleanUp(g)
			return
		case <-c.stop:
			c.cleanUp(g)
			return
		case <-tick.C:
		}
	}
	c.cleanUp(g)
}

// cleanUp kills what is left in a run's cgroup and removes it.
func (c *Command) cleanUp(g *cgroupRun) {
	var err error
	if g.populated() {
		err = g.kill()
	}
	if err = errors.Join(err, g.remove()); err != nil {
		c.mu.Lock()
		c.errs = append(c.errs, fmt.Errorf("%s: %w", g.dir, err))
		c.mu.Unlock()
	}
}

// Close kills what runs of the program left behind and waits until they
// are gone; a Dispatcher closes its sinks last. It returns what went
// wrong cleaning up the runs' cgroups.
func (c *Command) Close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	c.leftovers.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return errors.Join(c.errs...)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

// suffix is ": <the output's last line>", cleaned, or "".
func (t *tailBuffer) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s = snapshot.CleanText(s, 200); s == "" {
		return ""
	}
	return ": " + s
}
