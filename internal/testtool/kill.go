package testtool

import (
	"bufio"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// KillCounting starts cmd, a child that prints a count on a line of its
// own after each write it has made durable, and kills it with SIGKILL
// delay after its start, or after its first count when afterFirst is set.
// It returns the last count printed and the child's other output. The
// crash tests (recordings, alert queues) check that every write counted
// survives the kill.
func KillCounting(t testing.TB, cmd *exec.Cmd, afterFirst bool, delay time.Duration) (int, string) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var last atomic.Int64
	first := make(chan struct{})
	done := make(chan string)
	go func() {
		var other strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			n, err := strconv.Atoi(sc.Text())
			if err != nil {
				other.WriteString(sc.Text() + "\n")
				continue
			}
			if last.Swap(int64(n)) == 0 {
				close(first)
			}
		}
		done <- other.String()
	}()
	if afterFirst {
		select {
		case <-first:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("the child wrote nothing in 10 s:\n%s", <-done)
		}
	}
	time.Sleep(delay)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	out := <-done
	_ = cmd.Wait() // "signal: killed", or the child's own exit: checked below
	if cmd.ProcessState.ExitCode() != -1 {
		t.Fatalf("the child exited by itself (%v) before the kill:\n%s", cmd.ProcessState, out)
	}
	return int(last.Load()), out
}
