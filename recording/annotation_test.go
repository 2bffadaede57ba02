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

// notedFleetSnaps are n snapshots a second from T0 with pv = i and a fleet
// whose roster changes at i = 5, so packed records name earlier ones.
func notedFleetSnaps(n int) []snapshot.Snapshot {
	snaps := make([]snapshot.Snapshot, n)
	for i := range snaps {
		snaps[i] = snapshot.Snapshot{Time: t0.Add(time.Duration(i) * time.Second), PV: snapshot.Some(float64(i)),
			Fleet: []snapshot.Server{{Name: "web-1", Requests: snapshot.Some(float64(i))}, {Name: "web-2", Requests: snapshot.Some(1)}}}
		if i >= 5 {
			snaps[i].Fleet = append(snaps[i].Fleet, snapshot.Server{Name: "web-3", Requests: snapshot.Some(2)})
		}
	}
	return snaps
}

// checkRecords fails unless path holds want's records (pv and fleet), by
// Read and by Scan.
func checkRecords(t *testing.T, path string, want []snapshot.Snapshot) *Recording {
	t.Helper()
	r, got := readAll(t, path)
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		s, err := r.Read(i)
		if err != nil {
			t.Fatalf("Read(%d): %v", i, err)
		}
		for _, g := range []snapshot.Snapshot{s, got[i]} {
			if g.PV != want[i].PV || len(g.Fleet) != len(want[i].Fleet) || len(g.Annotations) != 0 {
				t.Fatalf("record %d = %s, want pv %v, %d servers and no annotations", i, jsonOf(t, g), want[i].PV, len(want[i].Fleet))
			}
		}
	}
	if w := r.Warnings(); len(w) != 0 {
		t.Errorf("warnings %q, want none", w)
	}
	return r
}

func TestAnnotateAppendsALineAWriterContinuesAfter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.lwrec.jsonl")
	snaps := notedFleetSnaps(10)
	writeRecording(t, path, snaps[:6])
	deploy := snapshot.Annotation{At: t0.Add(2 * time.Second), Text: "deploy 1.4.2", By: "alice"}
	if err := Annotate(path, deploy); err != nil {
		t.Fatal(err)
	}
	early := snapshot.Annotation{At: t0.Add(-time.Minute), Text: "doors \x1b[31mopen\x1b[0m"}
	if err := Annotate(path, early); err != nil {
		t.Fatal(err)
	}
	r := checkRecords(t, path, snaps[:6])
	want := []snapshot.Annotation{{At: early.At, Text: "doors open"}, deploy}
	if got := r.Annotations(); !slices.Equal(got, want) {
		t.Fatalf("Annotations = %+v, want %+v (in time order, cleaned)", got, want)
	}
	r.Close()

	// A writer continues after the annotations; its packed fleets still
	// find their rosters, and every record's line counts the annotations.
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps[6:] {
		if err := w.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r = checkRecords(t, path, snaps)
	if got := r.Annotations(); !slices.Equal(got, want) {
		t.Errorf("after appending, Annotations = %+v, want %+v", got, want)
	}
	if l := r.parts[0].ix.line(6); l != 10 {
		t.Errorf("record 6 on line %d, want 10 (header, 6 records, 2 annotations before it)", l)
	}
}

func TestAnnotateRefusesWhatIsNoRecording(t *testing.T) {
	dir := t.TempDir()
	a := snapshot.Annotation{At: t0, Text: "deploy"}
	if err := Annotate(filepath.Join(dir, "missing.lwrec.jsonl"), a); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v, want it not to exist", err)
	}
	empty := filepath.Join(dir, "empty.lwrec.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Annotate(empty, a); !errors.Is(err, ErrEmpty) {
		t.Errorf("an empty file: %v, want ErrEmpty", err)
	}
	if b, _ := os.ReadFile(empty); len(b) != 0 {
		t.Errorf("the empty file now holds %q", b)
	}
	path := filepath.Join(dir, "r.lwrec.jsonl")
	writeRecording(t, path, notedFleetSnaps(2))
	for _, bad := range []snapshot.Annotation{{Text: "no time"}, {At: t0, Text: " \x1b[0m "}} {
		if err := Annotate(path, bad); err == nil {
			t.Errorf("Annotate(%+v) took it", bad)
		}
	}
}

func TestLiveAnnotationsRideInTheirSnapshotAndBecomeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.lwrec.jsonl")
	snaps := notedFleetSnaps(8)
	note := snapshot.Annotation{At: t0.Add(2500 * time.Millisecond), Text: "rollback", By: "bob@war-room"}
	withNote := slices.Clone(snaps)
	withNote[3].Annotations = []snapshot.Annotation{note, {At: t0, Text: ""}}
	writeRecording(t, path, withNote)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if !strings.HasPrefix(lines[4], `{"annotation":{"at":"2026-11-27T10:15:02.5Z","text":"rollback","by":"bob@war-room"}}`) ||
		!strings.HasPrefix(lines[5], `{"time":"2026-11-27T10:15:03Z"`) {
		t.Fatalf("lines 5 and 6 are %q and %q: want the annotation, then its snapshot's record", lines[4], lines[5])
	}
	r := checkRecords(t, path, snaps)
	if got := r.Annotations(); !slices.Equal(got, []snapshot.Annotation{note}) {
		t.Errorf("Annotations = %+v, want only the one with text", got)
	}
}

func TestATornAnnotationLineIsReadPastLikeATornRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "torn.lwrec.jsonl")
	snaps := notedFleetSnaps(6)
	withNotes := slices.Clone(snaps)
	withNotes[2].Annotations = []snapshot.Annotation{{At: t0.Add(2 * time.Second), Text: "kept"}}
	withNotes[4].Annotations = []snapshot.Annotation{{At: t0.Add(4 * time.Second), Text: "torn in the middle"}}
	writeRecording(t, path, withNotes)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	// Lines: header, records 0 and 1, note, record 2, record 3, note, record 4, …
	if !strings.Contains(lines[6], "torn in the middle") {
		t.Fatalf("line 7 is %q", lines[6])
	}
	lines[6] = lines[6][:30] + "\n"
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}

	r, got := readAll(t, path)
	if len(got) != 6 || got[4].PV != snapshot.Some(4) || got[5].PV != snapshot.Some(5) || len(got[5].Fleet) != 3 {
		t.Fatalf("records %s: want all six, their fleets whole", jsonOf(t, got))
	}
	if s, err := r.Read(4); err != nil || s.PV != snapshot.Some(4) {
		t.Errorf("Read(4) = %s, %v", jsonOf(t, s), err)
	}
	if sk := r.Skipped(); len(sk) != 1 || sk[0].Line != 7 || !strings.Contains(sk[0].Reason, "not a JSON annotation") {
		t.Errorf("Skipped = %+v, want line 7, not a JSON annotation", sk)
	}
	if got := r.Annotations(); len(got) != 1 || got[0].Text != "kept" {
		t.Errorf("Annotations = %+v, want the whole one only", got)
	}
	if _, err := OpenWith(path, OpenOptions{Strict: true}); err == nil || !strings.Contains(err.Error(), ":7: not a JSON annotation") {
		t.Errorf("strict: %v, want line 7 refused", err)
	}
}

func TestATornAnnotationAtTheEndIsCutBeforeTheNextAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tail.lwrec.jsonl")
	snaps := notedFleetSnaps(4)
	writeRecording(t, path, snaps[:3])
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"annotation":{"at":"2026-11-27T10:15:01Z","te`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if w := r.Warnings(); len(w) != 1 || !strings.Contains(w[0], "line 5 is torn") {
		t.Errorf("warnings %q, want line 5 torn", w)
	}
	r.Close()
	if err := Annotate(path, snapshot.Annotation{At: t0, Text: "after the crash"}); err != nil {
		t.Fatal(err)
	}
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(snaps[3]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r = checkRecords(t, path, snaps)
	if got := r.Annotations(); len(got) != 1 || got[0].Text != "after the crash" {
		t.Errorf("Annotations = %+v", got)
	}
}

func TestExportsCarryTheAnnotations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.lwrec.jsonl")
	writeRecording(t, path, exportSnaps())
	for _, a := range []snapshot.Annotation{
		{At: t0.Add(-1500 * time.Millisecond), Text: `deploy "1.4.2"`, By: "alice"},
		{At: t0.Add(-time.Second), Text: "cache warm"},
		{At: t0.Add(time.Hour), Text: "after the end"},
		{At: t0.Add(-time.Hour), Text: "deploy \"1.4.2\"", By: "alice"},
	} {
		if err := Annotate(path, a); err != nil {
			t.Fatal(err)
		}
	}
	rows := csvRowsOf(t, path)
	col := len(rows[0]) - 1
	if rows[0][col] != "annotation" {
		t.Fatalf("last column %q, want annotation", rows[0][col])
	}
	var got []string
	for _, row := range rows[1:] {
		got = append(got, row[col])
	}
	want := []string{`deploy "1.4.2"`, `deploy "1.4.2" | cache warm`, "", "", "after the end"}
	if !slices.Equal(got, want) {
		t.Errorf("annotation column %q, want %q", got, want)
	}

	om := string(exportOfFile(t, path, WriteOpenMetrics))
	mustContain(t, om, "# TYPE launchwatch_annotation info\n",
		`launchwatch_annotation_info{`+fixtureLabels+`,text="deploy \"1.4.2\"",by="alice"} 1 1795770900.000`+"\n"+
			`launchwatch_annotation_info{`+fixtureLabels+`,text="deploy \"1.4.2\"",by="alice"} 1 1795774498.500`+"\n",
		`launchwatch_annotation_info{`+fixtureLabels+`,text="cache warm"} 1 1795774499.000`+"\n",
		`launchwatch_annotation_info{`+fixtureLabels+`,text="after the end"} 1 1795778100.000`+"\n")
	if !strings.HasSuffix(om, "# EOF\n") {
		t.Error("no # EOF at the end")
	}
}

func TestAnnotationsARecordHoldsAreCleanedOnRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hand.lwrec.jsonl")
	writeRecording(t, path, notedFleetSnaps(1))
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"time":"2026-11-27T10:15:01Z","pv":1,"annotations":[{"at":"2026-11-27T10:15:01Z","text":"x\u001b[2Jy"}]}` + "\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, got := readAll(t, path)
	if len(got) != 2 || len(got[1].Annotations) != 1 || got[1].Annotations[0].Text != "xy" {
		t.Errorf("records %s: want the hand-written annotation cleaned", jsonOf(t, got))
	}
}
