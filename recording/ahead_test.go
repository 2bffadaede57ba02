package recording

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// aheadRecording writes n records and opens them; bad, when not negative,
// is a record whose PV is no number.
func aheadRecording(t *testing.T, n, bad int) *Recording {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ahead.lwrec.jsonl")
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := w.Append(fullSnapshot(i, t0.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if bad >= 0 {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		lines[bad+1] = regexp.MustCompile(`"pv":[0-9.e+-]+`).ReplaceAllString(lines[bad+1], `"pv":"lots"`)
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

type scanned struct {
	i []int
	s []snapshot.Snapshot
}

func (c *scanned) fn(i int, s snapshot.Snapshot) error {
	c.i, c.s = append(c.i, i), append(c.s, s)
	return nil
}

// ScanAhead gives what Scan gives, in order, over any range; a bad record
// ends it after the records before it, with Scan's error; an error of the
// caller's ends it at once.
func TestScanAheadGivesWhatScanGives(t *testing.T) {
	r := aheadRecording(t, 1500, -1)
	for _, rg := range [][2]int{{0, 1500}, {0, 10}, {3, 1300}, {256, 513}, {1499, 1500}, {700, 700}} {
		var want, got scanned
		if err := r.Scan(rg[0], rg[1], want.fn); err != nil {
			t.Fatal(err)
		}
		if err := r.ScanAhead(rg[0], rg[1], got.fn); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("range %v: ScanAhead gave %d records, Scan %d, or others", rg, len(got.i), len(want.i))
		}
	}
	if err := r.ScanAhead(10, 5, func(int, snapshot.Snapshot) error { return nil }); err == nil {
		t.Error("a range backwards was taken")
	}
	stop := errors.New("enough")
	n := 0
	err := r.ScanAhead(0, 1500, func(int, snapshot.Snapshot) error {
		if n++; n == 1000 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 1000 {
		t.Errorf("stopped by the caller at 1000: %v after %d", err, n)
	}

	bad := aheadRecording(t, 1500, 900)
	var want, got scanned
	wantErr := bad.Scan(0, 1500, want.fn)
	gotErr := bad.ScanAhead(0, 1500, got.fn)
	if wantErr == nil || gotErr == nil || gotErr.Error() != wantErr.Error() || !strings.Contains(gotErr.Error(), ":902: bad record") {
		t.Errorf("a bad record: ScanAhead %v, Scan %v", gotErr, wantErr)
	}
	if len(got.i) != 900 || !reflect.DeepEqual(got, want) {
		t.Errorf("a bad record: %d records before it, want 900 as Scan gives", len(got.i))
	}
}
