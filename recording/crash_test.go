package recording

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/snapshot"
)

const (
	helperPathEnv  = "LAUNCHWATCH_RECORDING_HELPER_PATH"
	helperStartEnv = "LAUNCHWATCH_RECORDING_HELPER_START"
)

// TestHelperWriter is not a test: TestSIGKILLAtRandomMoments runs the test
// binary again with only this function and the environment set, as a child
// that appends in a tight loop and prints its count after every Append.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv(helperPathEnv)
	if path == "" {
		t.Skip("the child process of TestSIGKILLAtRandomMoments")
	}
	start, err := time.Parse(time.RFC3339Nano, os.Getenv(helperStartEnv))
	if err != nil {
		t.Fatal(err)
	}
	w, err := Create(path, testHeader(), Options{SyncEvery: 5 * time.Millisecond})
	if err != nil {
		fmt.Println("create:", err)
		os.Exit(3)
	}
	for i := range 1_000_000 { // a bound, should the parent never kill it
		if err := w.Append(fullSnapshot(i, start.Add(time.Duration(i)*time.Millisecond))); err != nil {
			fmt.Println("append:", err)
			os.Exit(3)
		}
		fmt.Println(i + 1) // os.Stdout is unbuffered: one write(2) per count
	}
	os.Exit(4)
}

func TestSIGKILLAtRandomMoments(t *testing.T) {
	runs := 32
	if testing.Short() {
		runs = 8
	}
	path := filepath.Join(t.TempDir(), "killed.lwrec.jsonl")
	total := 0          // records the file holds so far
	next := t0          // the time the next child starts at
	hadRecords := false // whether any child has got as far as a record
	for run := range runs {
		printed, out := runAndKill(t, path, next, run)
		r, err := Open(path)
		if err != nil {
			// A kill before the first Create finished leaves no file or
			// an empty one; nothing else may fail to open.
			if !hadRecords && printed == 0 && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrEmpty)) {
				continue
			}
			t.Fatalf("run %d: Open after SIGKILL: %v\nchild said:\n%s", run, err, out)
		}
		n := r.Len()
		if n < total+printed || n > total+printed+1 {
			t.Fatalf("run %d: %d records, want %d before plus %d printed (+1 at most)", run, n, total, printed)
		}
		for _, w := range r.Warnings() {
			t.Logf("run %d: %s", run, w) // a kill mid-write: allowed, and cut by the next Create
		}
		if n > 0 {
			next = r.Time(n - 1).Add(time.Millisecond)
			hadRecords = true
		}
		total = n
		r.Close()
	}
	t.Logf("%d kills, %d records survived them", runs, total)
	if total == 0 {
		t.Fatal("no child got as far as a record: the kills proved nothing")
	}

	// A last, clean session after the crashes appends after the old records.
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := w.Append(fullSnapshot(i, next.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, got := readAll(t, path) // Scan decodes every record: a glued line fails here
	if r.Len() != total+10 || len(got) != total+10 {
		t.Fatalf("%d records (%d scanned), want %d old + 10 new", r.Len(), len(got), total)
	}
	if w := r.Warnings(); w != nil {
		t.Errorf("warnings after a clean close: %q", w)
	}
	if n := strings.Count(readFile(t, path), `"format":`); n != 1 {
		t.Errorf("%d headers in one file, want 1", n)
	}
}

// runAndKill runs one child writer and kills it with SIGKILL after a random
// delay: from its start in one run of three (so some kills land inside
// Create), else from its first record. It returns the last count the child
// printed.
func runAndKill(t *testing.T, path string, start time.Time, run int) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
	cmd.Env = append(os.Environ(), helperPathEnv+"="+path, helperStartEnv+"="+start.Format(time.RFC3339Nano))
	return testtool.KillCounting(t, cmd, run%3 != 0, time.Duration(rand.IntN(40_000))*time.Microsecond)
}

// threeRecords writes a recording with a header and three records, and
// returns its path, its bytes and a fourth record to append later.
func threeRecords(t *testing.T) (string, []byte, snapshot.Snapshot) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "torn.lwrec.jsonl")
	writeRecording(t, path, []snapshot.Snapshot{
		fullSnapshot(0, t0), fullSnapshot(1, t0.Add(time.Second)), fullSnapshot(2, t0.Add(2*time.Second)),
	})
	return path, []byte(readFile(t, path)), fullSnapshot(3, t0.Add(3*time.Second))
}

func TestTornTails(t *testing.T) {
	_, good, _ := threeRecords(t)
	lines := strings.SplitAfter(string(good), "\n")
	record := lines[1]
	for _, tc := range []struct{ name, tail string }{
		{"half a record", record[:len(record)/2]},
		{"a whole record without its newline", strings.TrimSuffix(record, "\n")},
		{"garbage bytes with a newline", "#!\xff\xfe garbage\n"},
		{"NUL bytes, as a power cut leaves them", strings.Repeat("\x00", 700)},
		{"NUL bytes and a newline", strings.Repeat("\x00", 64) + "\n"},
		{"an empty last line", "\n"},
		{"a record cut after its time", `{"time":"2026-11-27T10:15:03Z","pv":1` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, good, fourth := threeRecords(t)
			if err := os.WriteFile(path, append(append([]byte(nil), good...), tc.tail...), 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := Open(path)
			if err != nil {
				t.Fatalf("Open with a torn tail: %v", err)
			}
			if r.Len() != 3 {
				t.Errorf("Len = %d, want 3", r.Len())
			}
			if w := r.Warnings(); len(w) != 1 {
				t.Errorf("warnings = %q, want one", w)
			} else {
				mustContain(t, w[0], path+": line 5 is torn (a crash while writing?): ignored, the recording ends at line 4")
			}
			r.Close()

			w, err := Create(path, testHeader(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Append(fourth); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			after := readFile(t, path)
			if !strings.HasPrefix(after, string(good)) || strings.Count(after, "\n") != 5 {
				t.Fatalf("Create did not cut the tail and append one line after the good ones:\n%q", after)
			}
			r, got := readAll(t, path)
			if r.Len() != 4 || r.Warnings() != nil || jsonOf(t, got[3]) != jsonOf(t, fourth) {
				t.Errorf("after the cut: %d records, warnings %q, last %s", r.Len(), r.Warnings(), jsonOf(t, got[len(got)-1]))
			}
		})
	}
}
