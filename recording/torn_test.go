package recording

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Each file has a line in the middle that holds no record: line 3, between
// the records of 10:15:00 and 10:15:02.
var middleBad = []struct{ file, reason string }{
	{"middle-not-json.lwrec.jsonl", "not a JSON record"},
	{"middle-glued.lwrec.jsonl", "not a JSON record"},
	{"second-header.lwrec.jsonl", "a second header"},
	{"middle-no-time.lwrec.jsonl", "bad record: no time"},
}

func TestATornLineInTheMiddleIsReadPastWithAWarningNamingIt(t *testing.T) {
	for _, tc := range middleBad {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			r, got := readAll(t, path)
			if r.Len() != 2 || got[0].PV != snapshot.Some(10) || got[1].PV != snapshot.Some(12) {
				t.Fatalf("Len %d, records %s: want the records of lines 2 and 4", r.Len(), jsonOf(t, got))
			}
			if s, err := r.Read(1); err != nil || s.PV != snapshot.Some(12) {
				t.Errorf("Read(1) = %s, %v: want the record after the skipped line", jsonOf(t, s), err)
			}
			if s, err := r.Read(0); err != nil || s.PV != snapshot.Some(10) {
				t.Errorf("Read(0) = %s, %v: want the record before the skipped line", jsonOf(t, s), err)
			}
			want := []Skipped{{Path: path, Line: 3}}
			skipped := r.Skipped()
			for i := range skipped {
				if !strings.Contains(skipped[i].Reason, tc.reason) {
					t.Errorf("reason %q does not say %q", skipped[i].Reason, tc.reason)
				}
				skipped[i].Reason = ""
			}
			if !slices.Equal(skipped, want) {
				t.Errorf("Skipped = %+v, want %+v", skipped, want)
			}
			w := r.Warnings()
			if len(w) != 1 {
				t.Fatalf("warnings %q, want one", w)
			}
			mustContain(t, w[0], path+": 1 line holds no record", "line 3 ("+tc.reason, "--strict")
		})
	}
}

func TestStrictRefusesATornLineInTheMiddle(t *testing.T) {
	for _, tc := range middleBad {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			_, err := OpenWith(path, OpenOptions{Strict: true})
			var fe *Error
			if !errors.As(err, &fe) || fe.Path != path || fe.Line != 3 {
				t.Fatalf("error %v: want an *Error naming %s line 3", err, path)
			}
			mustContain(t, err.Error(), path+":3: "+tc.reason)
		})
	}
}

// tornMiddle writes a recording of n records with pv = i, then replaces
// the lines of the records at the given indexes (1-based lines i+2) with
// torn ones: the first half of the line, glued to nothing.
func tornMiddle(t *testing.T, n int, fleet bool, torn ...int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "torn.lwrec.jsonl")
	snaps := make([]snapshot.Snapshot, n)
	for i := range snaps {
		snaps[i] = snapshot.Snapshot{Time: t0.Add(time.Duration(i) * time.Second), PV: snapshot.Some(float64(i))}
		if fleet {
			snaps[i].Fleet = []snapshot.Server{{Name: "web-1", Requests: snapshot.Some(float64(i))}, {Name: "web-2", Requests: snapshot.Some(1)}}
			if i >= 5 {
				snaps[i].Fleet = append(snaps[i].Fleet, snapshot.Server{Name: "web-3", Requests: snapshot.Some(2)})
			}
		}
	}
	writeRecording(t, path, snaps)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	for _, i := range torn {
		l := lines[i+1]
		lines[i+1] = l[:len(l)/2] + "\n"
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRecordsAfterTornLinesKeepTheirValuesAndLines(t *testing.T) {
	path := tornMiddle(t, 10, false, 2, 3, 7)
	r, got := readAll(t, path)
	var pvs []float64
	for _, s := range got {
		pvs = append(pvs, s.PV.Or(-1))
	}
	if want := []float64{0, 1, 4, 5, 6, 8, 9}; !slices.Equal(pvs, want) {
		t.Fatalf("PV read %v, want %v", pvs, want)
	}
	for i := range r.Len() {
		s, err := r.Read(i)
		if err != nil || s.PV != got[i].PV || !r.Time(i).Equal(s.Time) {
			t.Errorf("Read(%d) = %s, %v; Scan gave %s", i, jsonOf(t, s), err, jsonOf(t, got[i]))
		}
	}
	var lines []int
	for _, s := range r.Skipped() {
		lines = append(lines, s.Line)
	}
	if want := []int{4, 5, 9}; !slices.Equal(lines, want) {
		t.Errorf("skipped lines %v, want %v", lines, want)
	}
	mustContain(t, strings.Join(r.Warnings(), "\n"), "3 lines hold no record", "line 4 (", "line 5 (", "line 9 (")
	// A Scan from the middle steps over the torn lines it meets.
	var from []float64
	if err := r.Scan(3, 6, func(_ int, s snapshot.Snapshot) error { from = append(from, s.PV.Or(-1)); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []float64{5, 6, 8}; !slices.Equal(from, want) {
		t.Errorf("Scan(3, 6) read %v, want %v", from, want)
	}
}

// A bad record after a torn line names its own line, the torn one counted.
func TestAnErrorAfterATornLineNamesItsTrueLine(t *testing.T) {
	path := tornMiddle(t, 5, false, 1)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Line 5 is record 3; a value no snapshot holds makes it bad to read.
	lines := strings.SplitAfter(string(b), "\n")
	lines[4] = strings.Replace(lines[4], `"pv":3`, `"pv":"lots"`, 1)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Read(2); err == nil {
		t.Error("Read(2): no error")
	} else {
		mustContain(t, err.Error(), path+":5: bad record")
	}
	err = r.Scan(0, r.Len(), func(int, snapshot.Snapshot) error { return nil })
	if err == nil {
		t.Error("Scan: no error")
	} else {
		mustContain(t, err.Error(), path+":5: bad record")
	}
}

// A packed fleet names the record holding its roster by the writer's count,
// torn lines included: records after a torn line still find their roster.
func TestAPackedFleetAfterATornLineFindsItsRoster(t *testing.T) {
	// Record 0 and record 5 hold rosters; records 2 and 7 are torn.
	path := tornMiddle(t, 10, true, 2, 7)
	r, got := readAll(t, path)
	if r.Len() != 8 {
		t.Fatalf("Len = %d, want 8", r.Len())
	}
	for _, s := range got {
		i := int(s.PV.Or(-1))
		want := 2
		if i >= 5 {
			want = 3
		}
		if len(s.Fleet) != want || s.Fleet[0].Name != "web-1" || s.Fleet[0].Requests != snapshot.Some(float64(i)) {
			t.Errorf("record pv=%d: fleet %s, want %d servers, web-1 at %d requests", i, jsonOf(t, s.Fleet), want, i)
		}
	}
	for i := range r.Len() {
		if s, err := r.Read(i); err != nil || len(s.Fleet) != len(got[i].Fleet) {
			t.Errorf("Read(%d): %v, fleet %s", i, err, jsonOf(t, s.Fleet))
		}
	}
}

// A torn line that held the roster leaves the records naming it without
// their fleet: each says so, naming its line and the roster's.
func TestARecordWhoseRosterLineIsTornNamesIt(t *testing.T) {
	path := tornMiddle(t, 4, true, 0)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = r.Read(0)
	if err == nil {
		t.Fatal("Read(0): no error")
	}
	mustContain(t, err.Error(), path+":3: bad record", "roster_at 0: line 2 holds no record")
}

func TestCreateRefusesToAppendAfterATornLineInTheMiddle(t *testing.T) {
	path := tornMiddle(t, 4, false, 1)
	before := readFile(t, path)
	w, err := Create(path, testHeader(), Options{})
	if err == nil {
		w.Close()
		t.Fatal("Create succeeded")
	}
	mustContain(t, err.Error(), path+":3: ")
	if after := readFile(t, path); after != before {
		t.Error("the file changed")
	}
}

// A torn line, then the torn tail a crash leaves: the line is read past,
// the tail cut as before.
func TestATornLineAndATornTail(t *testing.T) {
	path := tornMiddle(t, 4, false, 1)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"time":"2026-11-27T10:15:09Z","pv":`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r, got := readAll(t, path)
	if r.Len() != 3 || got[2].PV != snapshot.Some(3) {
		t.Fatalf("Len %d, records %s", r.Len(), jsonOf(t, got))
	}
	mustContain(t, strings.Join(r.Warnings(), "\n"), "line 6 is torn", "the recording ends at line 5", "line 3 (")
}

// A line torn just after an inner object's closing brace ends in '}' as a
// whole record does: the index must still see it is no record, or Read and
// Scan would fail on it after Open took it.
func TestALineTornAfterAnInnerBraceIsReadPast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inner.lwrec.jsonl")
	writeRecording(t, path, []snapshot.Snapshot{
		{Time: t0, PV: snapshot.Some(1)},
		{Time: t0.Add(time.Second), PV: snapshot.Some(2), Host: snapshot.Host{CPU: snapshot.Some(0.5)},
			Sources: map[string]snapshot.Source{"host": {OK: true, LastSuccess: t0}}},
		{Time: t0.Add(2 * time.Second), PV: snapshot.Some(3)},
	})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	cut := strings.Index(lines[2], "}") + 1
	if cut < 1 || cut == len(lines[2])-1 {
		t.Fatalf("line 3 %q: the test needs an object inside the record", lines[2])
	}
	lines[2] = lines[2][:cut] + "\n"
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	r, got := readAll(t, path)
	if r.Len() != 2 || got[1].PV != snapshot.Some(3) {
		t.Fatalf("Len %d, records %s: want line 3 read past", r.Len(), jsonOf(t, got))
	}
	if s := r.Skipped(); len(s) != 1 || s[0].Line != 3 {
		t.Errorf("Skipped = %+v, want line 3", s)
	}
}

// A recording a watch is writing is locked: a second writer (annotate, a
// second watch continuing it) is refused rather than cutting the first
// one's half-written line as a torn tail.
func TestASecondWriterOfARecordingIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.lwrec.jsonl")
	w, err := Create(path, Header{Launch: Launch{Name: "live"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Append(snapshot.Snapshot{Time: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), PV: snapshot.Some(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, Header{Launch: Launch{Name: "live"}}, Options{}); !errors.Is(err, ErrInUse) {
		t.Errorf("a second writer: %v, want ErrInUse", err)
	}
	if err := Annotate(path, snapshot.Annotation{At: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), Text: "deploy"}); !errors.Is(err, ErrInUse) {
		t.Errorf("annotate on a recording being written: %v, want ErrInUse", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Annotate(path, snapshot.Annotation{At: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), Text: "deploy"}); err != nil {
		t.Errorf("annotate once the writer closed: %v", err)
	}
}
