// Command launchwatch is a terminal war-room for launch day: it watches a
// flash-sale launch live, holds what it sees against the capacity plan, and
// records it for the post-mortem.
//
// This package only parses flags, wires the packages together and prints
// what they return; the logic lives in capacity, config, collectors,
// events, pipeline, recording, replay, report, probe, sim, tui, serve (the
// screens over a pipeline, local and over SSH) and launch (the one
// start-up of every command that watches).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Cancelled on SIGINT, SIGTERM, SIGHUP and SIGQUIT for the commands
	// without a screen (record, sim, watch --once), which then flush and
	// close what they write; the screen handles them itself and restores
	// the terminal.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	// After the first signal, stop catching: a second one ends the process
	// at once, as a user pressing ctrl-c twice expects.
	go func() { <-ctx.Done(); stop() }()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the exit status, so tests can
// drive the whole CLI in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var prof profileFlags
	cmd := newRootCmd(&prof)
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(ctx)
	// The profiles end with the command, however it ended (cobra skips its
	// post-run hooks after an error).
	if perr := prof.stop(); perr != nil {
		fmt.Fprintln(stderr, "launchwatch:", perr)
	}
	if err == nil {
		return 0
	}
	if ees := exitErrors(err); len(ees) > 0 {
		// Each says its own: a recording that failed and alerts lost.
		for _, ee := range ees {
			if ee.msg != "" {
				fmt.Fprintln(stderr, "launchwatch:", ee.msg)
			}
		}
		return ees[0].code
	}
	fmt.Fprintln(stderr, "launchwatch:", err)
	return 1
}

// exitErrors finds every exitError in err's tree, first first.
func exitErrors(err error) []*exitError {
	if ee, ok := err.(*exitError); ok { //nolint:errorlint // the tree is walked here
		return []*exitError{ee}
	}
	var out []*exitError
	switch u := err.(type) { //nolint:errorlint // the tree is walked here
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, exitErrors(e)...)
		}
	case interface{ Unwrap() error }:
		out = exitErrors(u.Unwrap())
	}
	return out
}

// exitError carries a specific exit status out of a command (watch --once
// uses 1 for some sources failing and 2 for all of them).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }
