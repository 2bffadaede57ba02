//go:build !unix

package alerts

import "os/exec"

// processGroup leaves the default: the process alone is killed.
func processGroup(*exec.Cmd) {}

// groupKill says what a timeout kills without a cgroup.
const groupKill = "the process alone"
