package alerts

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// On Linux each run of a command starts in a cgroup v2 of its own, made
// under launchwatch's own cgroup: clone3 puts the child there as it is
// created (SysProcAttr.UseCgroupFD, CLONE_INTO_CGROUP), so nothing it
// starts can leave it, not even with setsid or a double fork, and writing
// cgroup.kill kills every process in it at once. This needs a cgroup v2
// hierarchy, our own cgroup writable (root, or a delegated one such as a
// systemd unit's with Delegate=yes or a desktop session's app scope) and
// Linux 5.14 or later (cgroup.kill). Without them a run gets its process
// group alone, which a process that calls setsid leaves: the reason is in
// Command.Containment and the log.

// cgroupBase finds, once, the cgroup the runs' cgroups are made in, or
// says why there is none.
var cgroupBase = sync.OnceValues(findCgroupBase)

// cgroupRuns numbers the runs' cgroups within this process.
var cgroupRuns atomic.Uint64

func findCgroupBase() (string, error) {
	mount, root, err := cgroup2Mount()
	if err != nil {
		return "", err
	}
	own, err := ownCgroup()
	if err != nil {
		return "", err
	}
	rel, ok := strings.CutPrefix(own, root)
	if !ok {
		return "", fmt.Errorf("our cgroup %s is outside the cgroup2 mount's root %s", own, root)
	}
	dir := filepath.Join(mount, rel)
	// Moving a process between cgroups takes write access to the
	// cgroup.procs of their common ancestor: ours.
	if err := unix.Access(filepath.Join(dir, "cgroup.procs"), unix.W_OK); err != nil {
		return "", fmt.Errorf("our cgroup %s is not ours to manage: %w", dir, err)
	}
	probe, err := newCgroupRun(dir)
	if err != nil {
		return "", err
	}
	defer func() { _ = probe.remove() }() // an empty cgroup left behind harms nothing
	if _, err := os.Stat(filepath.Join(probe.dir, "cgroup.kill")); err != nil {
		return "", errors.New("cgroups have no cgroup.kill (Linux before 5.14)")
	}
	return dir, nil
}

// cgroup2Mount finds where the cgroup v2 hierarchy is mounted
// (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system) and the
// cgroup its root is.
func cgroup2Mount() (mount, root string, err error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", "", fmt.Errorf("find cgroup2: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		left, right, ok := strings.Cut(sc.Text(), " - ")
		f, r := strings.Fields(left), strings.Fields(right)
		if !ok || len(f) < 5 || len(r) < 1 || r[0] != "cgroup2" {
			continue
		}
		return unescapeMountinfo(f[4]), unescapeMountinfo(f[3]), nil
	}
	return "", "", errors.New("no cgroup2 hierarchy is mounted")
}

// unescapeMountinfo undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountinfo(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ownCgroup is this process's cgroup v2 path, from /proc/self/cgroup's
// "0::" line.
func ownCgroup() (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", fmt.Errorf("find our cgroup: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p, nil
		}
	}
	return "", errors.New("this process is in no cgroup v2")
}

// cgroupRun is the cgroup one run of a command starts in.
type cgroupRun struct {
	dir string
	fd  int // the directory, open for clone3 until the child has started; -1 after
}

func newCgroupRun(base string) (*cgroupRun, error) {
	dir := filepath.Join(base, fmt.Sprintf("launchwatch-alert-%d-%d", os.Getpid(), cgroupRuns.Add(1)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make a cgroup: %w", err)
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		_ = os.Remove(dir)
		return nil, fmt.Errorf("open cgroup %s: %w", dir, err)
	}
	return &cgroupRun{dir: dir, fd: fd}, nil
}

// contain starts cmd in its own cgroup when there is one to make, and in
// its own process group in any case; cancelling it kills both. nil when
// the process group is all there is.
func (c *Command) contain(cmd *exec.Cmd) *cgroupRun {
	processGroup(cmd)
	base := c.cgroupDir()
	if base == "" {
		return nil
	}
	g, err := newCgroupRun(base)
	if err != nil {
		c.noCgroup(err)
		return nil
	}
	cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, g.fd
	cmd.Cancel = func() error {
		err := g.kill()
		// The group too: a kill of the cgroup that failed must not
		// leave the command running.
		return errors.Join(err, killGroup(cmd))
	}
	return g
}

// cgroupDir is where a run's cgroup is made, or "".
func (c *Command) cgroupDir() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cgroup
}

// started closes the directory clone3 needed.
func (g *cgroupRun) started() {
	if g.fd >= 0 {
		unix.Close(g.fd)
		g.fd = -1
	}
}

// kill kills every process in the cgroup.
func (g *cgroupRun) kill() error {
	if err := os.WriteFile(filepath.Join(g.dir, "cgroup.kill"), []byte("1"), 0); err != nil {
		return fmt.Errorf("kill cgroup: %w", err)
	}
	return nil
}

// populated reports whether a process is left in the cgroup.
func (g *cgroupRun) populated() bool {
	b, err := os.ReadFile(filepath.Join(g.dir, "cgroup.events"))
	if err != nil {
		return false // gone: nothing is left in it
	}
	return bytes.Contains(b, []byte("populated 1"))
}

// remove waits up to a second for the killed processes to be gone, then
// removes the cgroup.
func (g *cgroupRun) remove() error {
	g.started()
	for range 100 {
		if !g.populated() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.Remove(g.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove cgroup: %w", err)
	}
	return nil
}
