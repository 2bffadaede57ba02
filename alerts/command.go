package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Command runs a program once per alert, with the alert's JSON on its
// standard input and no shell in between.
type Command struct {
	path    string
	args    []string
	timeout time.Duration
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
	return &Command{path: path, args: argv[1:], timeout: timeout}, nil
}

// Name is the program's path.
func (c *Command) Name() string { return "command " + c.path }

// outputCap bounds what a command's output keeps for the error message.
const outputCap = 4 << 10

// Send runs the program. It fails on a non-zero exit, naming the status
// and the end of the program's output, and on the timeout, when the
// program and every process it started in its group are killed.
func (c *Command) Send(ctx context.Context, a Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode alert: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path, c.args...)
	cmd.Stdin = bytes.NewReader(append(body, '\n'))
	out := &tailBuffer{max: outputCap}
	cmd.Stdout, cmd.Stderr = out, out
	killGroup(cmd)
	// A grandchild holding the output pipe open must not hold Send.
	cmd.WaitDelay = time.Second
	err = cmd.Run()
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
