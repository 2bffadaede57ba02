//go:build unix

package alerts

import (
	"os/exec"
	"syscall"
)

// processGroup starts the command in a process group of its own and makes
// its cancellation kill the whole group: a shell script's sleep dies with
// the shell. A process that calls setsid leaves the group.
func processGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
}

// killGroup kills the command's process group.
func killGroup(cmd *exec.Cmd) error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }

// groupKill says what a timeout kills without a cgroup.
const groupKill = "process group"
