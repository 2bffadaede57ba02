// Command launchwatch is a terminal war-room for launch day: it watches a
// flash-sale launch live, holds what it sees against the capacity plan, and
// records it for the post-mortem.
//
// This package only parses flags and wires the packages together; the logic
// lives in capacity, config, collectors, sim and tui.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the exit status, so tests can
// drive the whole CLI in-process.
func run(args []string) int {
	cmd := newRootCmd()
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(os.Stderr, "launchwatch:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "launchwatch:", err)
	return 1
}

// exitError carries a specific exit status out of a command (watch --once
// uses 1 for some sources failing and 2 for all of them).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }
