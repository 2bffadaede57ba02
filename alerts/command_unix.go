//go:build unix

package alerts

import (
	"os/exec"
	"syscall"
)

// killGroup starts the command in a process group of its own and makes
// its cancellation kill the whole group: a shell script's sleep dies with
// the shell.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
