//go:build !linux

package alerts

import (
	"errors"
	"os/exec"
)

// cgroupBase says there is no cgroup: they are Linux's.
func cgroupBase() (string, error) { return "", errors.New("cgroups are Linux's") }

// cgroupRun is never made here.
type cgroupRun struct{ dir string }

// contain gives the command its process group (see command_unix.go).
func (c *Command) contain(cmd *exec.Cmd) *cgroupRun {
	processGroup(cmd)
	return nil
}

func (*cgroupRun) started()        {}
func (*cgroupRun) kill() error     { return nil }
func (*cgroupRun) populated() bool { return false }
func (*cgroupRun) remove() error   { return nil }
