package alerts

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
)

// escapeScript starts a child that leaves the script's process group and
// session (setsid) and writes its pid to $1, then runs rest.
func escapeScript(t *testing.T, rest string) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/setsid"); err != nil {
		t.Skip("no setsid here")
	}
	return script(t, `setsid sh -c 'echo $$ > "$1"; exec sleep 1000' sh "$1" >/dev/null 2>&1 </dev/null &
cat >/dev/null
`+rest)
}

// escapedPid waits for the escaped child's pid, and kills it when the
// test ends, should it have survived.
func escapedPid(t *testing.T, pidFile string) int {
	t.Helper()
	pid, err := strconv.Atoi(strings.TrimSpace(waitFile(t, pidFile, 10*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

// needCgroup skips a test of what only a cgroup can do, saying what this
// machine falls back to.
func needCgroup(t *testing.T, c *Command) {
	t.Helper()
	if c.cgroupDir() == "" {
		t.Skipf("runs are contained by: %s", c.Containment())
	}
}

// waitDead waits up to timeout for pid to be gone.
func waitDead(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return !alive(pid)
}

// closeLeavingNoCgroup closes c and checks that none of the runs'
// cgroups this process made is left.
func closeLeavingNoCgroup(t *testing.T, c *Command) {
	t.Helper()
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	left, err := filepath.Glob(filepath.Join(c.cgroupDir(), "launchwatch-alert-"+strconv.Itoa(os.Getpid())+"-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("cgroups left behind: %v", left)
	}
}

var escapeAlert = newAlert(Opened, "test", problem(events.KindErrors, "", events.Crit, 0, "error burst"), t0)

func TestAChildThatCalledSetsidDiesWithItsHangingCommandAtTheTimeout(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	c, err := NewCommand([]string{escapeScript(t, "sleep 1000"), pidFile}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	needCgroup(t, c)
	sent := make(chan error, 1)
	go func() { sent <- c.Send(context.Background(), escapeAlert) }()
	pid := escapedPid(t, pidFile)
	if err := <-sent; err == nil || !strings.Contains(err.Error(), "killed at its 2s timeout") {
		t.Fatalf("Send: %v, want the timeout", err)
	}
	if !waitDead(pid, 10*time.Second) {
		t.Errorf("the child %d that called setsid outlived its command's timeout", pid)
	}
	closeLeavingNoCgroup(t, c)
}

func TestAChildThatCalledSetsidOutlivesItsCommandUntilTheTimeoutOnly(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The script waits for its child's pid, so the child is running when
	// the script exits 0.
	c, err := NewCommand([]string{escapeScript(t, `while [ ! -s "$1" ]; do sleep 0.05; done`), pidFile}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	needCgroup(t, c)
	if err := c.Send(context.Background(), escapeAlert); err != nil {
		t.Fatalf("Send: %v, want the script's success", err)
	}
	pid := escapedPid(t, pidFile)
	if !waitDead(pid, 12*time.Second) {
		t.Errorf("the child %d that called setsid outlived its command's timeout", pid)
	}
	closeLeavingNoCgroup(t, c)
}

func TestCloseKillsWhatACommandLeftBehindAtOnce(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	c, err := NewCommand([]string{escapeScript(t, `while [ ! -s "$1" ]; do sleep 0.05; done`), pidFile}, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	needCgroup(t, c)
	if err := c.Send(context.Background(), escapeAlert); err != nil {
		t.Fatalf("Send: %v", err)
	}
	pid := escapedPid(t, pidFile)
	if !alive(pid) {
		t.Fatalf("the child %d died with its command, ten minutes before its timeout", pid)
	}
	// The dispatcher closes its sinks at exit: the leftovers go then,
	// not ten minutes later.
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if !waitDead(pid, 10*time.Second) {
		t.Errorf("the child %d outlived Close", pid)
	}
}

func TestWithoutACgroupAChildThatCalledSetsidEscapesTheProcessGroup(t *testing.T) {
	// What the process group alone does, where no cgroup can be had (and
	// what every run did before cgroups): why the cgroup is needed.
	pidFile := filepath.Join(t.TempDir(), "pid")
	c, err := NewCommand([]string{escapeScript(t, "sleep 1000"), pidFile}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.noCgroup(errors.New("switched off by the test"))
	if got := c.Containment(); got != "process group (no cgroup: switched off by the test)" {
		t.Errorf("Containment() = %q", got)
	}
	sent := make(chan error, 1)
	go func() { sent <- c.Send(context.Background(), escapeAlert) }()
	pid := escapedPid(t, pidFile)
	if err := <-sent; err == nil || !strings.Contains(err.Error(), "killed at its 1s timeout") {
		t.Fatalf("Send: %v, want the timeout", err)
	}
	if waitDead(pid, time.Second) {
		t.Errorf("the child %d that called setsid died with the process group: this test no longer shows the limit", pid)
	}
}

func TestMountinfoEscapesAreUndone(t *testing.T) {
	for in, want := range map[string]string{
		`/sys/fs/cgroup`:           "/sys/fs/cgroup",
		`/mnt/my\040cgroups`:       "/mnt/my cgroups",
		`/a\134b`:                  `/a\b`,
		`/trailing\04`:             `/trailing\04`,
		`/not\999octal`:            `/not\999octal`,
		`/tab\011and\040space\040`: "/tab\tand space ",
	} {
		if got := unescapeMountinfo(in); got != want {
			t.Errorf("unescapeMountinfo(%q) = %q, want %q", in, got, want)
		}
	}
}
