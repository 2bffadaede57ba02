package alerts

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/testtool"
)

const queueHelperEnv = "LAUNCHWATCH_ALERTS_QUEUE_HELPER_PATH"

// TestHelperQueueWriter is not a test: TestAQueueFileSurvivesSIGKILL runs
// the test binary again with only this function, as a child that puts
// alerts in a tight loop and prints its count after every put returns.
func TestHelperQueueWriter(t *testing.T) {
	path := os.Getenv(queueHelperEnv)
	if path == "" {
		t.Skip("the child process of TestAQueueFileSurvivesSIGKILL")
	}
	q, _, next, _, err := openQueueFile(path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	for i := range 100_000 { // a bound, should the parent never kill it
		if err := q.put(queuedAlerts(next+uint64(i), 1)); err != nil {
			fmt.Println("put:", err)
			os.Exit(3)
		}
		fmt.Println(i + 1) // os.Stdout is unbuffered: one write(2) per count
	}
	os.Exit(4)
}

func TestAQueueFileSurvivesSIGKILL(t *testing.T) {
	runs := 16
	if testing.Short() {
		runs = 4
	}
	path := filepath.Join(t.TempDir(), "killed.queue")
	total := 0
	for run := range runs {
		printed := killQueueWriter(t, path, run)
		q, waiting, next, rec := openQueue(t, path)
		n := len(waiting)
		// Every put that returned is there; the one under way at the kill
		// may be too, whole, or cut.
		if n < total+printed || n > total+printed+1 {
			t.Fatalf("run %d: %d alerts waiting, want %d before plus %d put (+1 at most)", run, n, total, printed)
		}
		for i, it := range waiting {
			if it.seq != uint64(i) || it.alert.Subject != fmt.Sprint("ep", i) {
				t.Fatalf("run %d: alert %d is seq %d %q: out of order or damaged", run, i, it.seq, it.alert.Subject)
			}
		}
		if next != uint64(n) {
			t.Fatalf("run %d: next seq %d, want %d", run, next, n)
		}
		if rec.cut > 0 {
			t.Logf("run %d: a kill mid-write: %d bytes cut", run, rec.cut)
		}
		total = n
		q.f.Close()
	}
	if total == 0 {
		t.Fatal("no child got as far as a put: the kills proved nothing")
	}
	t.Logf("%d kills, %d alerts survived them", runs, total)
}

// killQueueWriter runs one child and kills it with SIGKILL a random moment
// after its first put, and returns the last count it printed.
func killQueueWriter(t *testing.T, path string, run int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperQueueWriter$")
	cmd.Env = append(os.Environ(), queueHelperEnv+"="+path)
	printed, out := testtool.KillCounting(t, cmd, true, time.Duration(rand.IntN(30_000))*time.Microsecond)
	if out != "" {
		t.Logf("run %d: the child said:\n%s", run, out)
	}
	return printed
}
