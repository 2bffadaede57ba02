package recording

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/snapshot"
)

func TestRoundTrip(t *testing.T) {
	snaps := []snapshot.Snapshot{
		fullSnapshot(0, t0),
		// Missing values stay missing; a measured zero stays zero.
		{Time: t0.Add(time.Second), PV: snapshot.Some(0), ErrorRate: snapshot.Missing()},
		// An endpoint without a QPS, a source that never answered.
		{Time: t0.Add(2 * time.Second), Endpoints: map[string]snapshot.Endpoint{"buy": {}},
			Sources: map[string]snapshot.Source{"scrape": {Error: "dial tcp: refused"}}},
		// Equal times are in order.
		fullSnapshot(3, t0.Add(2*time.Second)),
		// A time with a zone offset and nanoseconds.
		fullSnapshot(4, time.Date(2026, 11, 27, 11, 15, 3, 123456789, time.FixedZone("CET", 3600))),
	}
	path := filepath.Join(t.TempDir(), "rt.lwrec.jsonl")
	writeRecording(t, path, snaps)
	r, got := readAll(t, path)
	if !reflect.DeepEqual(jsonOf(t, got), jsonOf(t, snaps)) {
		t.Fatalf("records differ:\n got %s\nwant %s", jsonOf(t, got), jsonOf(t, snaps))
	}
	for i, want := range snaps {
		one, err := r.Read(i)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one.Sources, got[i].Sources) || jsonOf(t, one) != jsonOf(t, want) {
			t.Errorf("Read(%d) = %s, want %s", i, jsonOf(t, one), jsonOf(t, want))
		}
		if !r.Time(i).Equal(want.Time) {
			t.Errorf("Time(%d) = %v, want %v", i, r.Time(i), want.Time)
		}
	}
	wantH := testHeader()
	wantH.Format, wantH.Version, wantH.ID = Format, Version, "shop-20261127T100000Z-1e42f0"
	if jsonOf(t, r.Header()) != jsonOf(t, wantH) {
		t.Errorf("header = %s, want %s", jsonOf(t, r.Header()), jsonOf(t, wantH))
	}
	if w := r.Warnings(); w != nil {
		t.Errorf("warnings on a clean file: %q", w)
	}
}

func TestFileIsJSONLinesForJQ(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jq.lwrec.jsonl")
	writeRecording(t, path, []snapshot.Snapshot{fullSnapshot(0, t0), fullSnapshot(1, t0.Add(time.Second))})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want a header and 2 records:\n%s", len(lines), b)
	}
	mustContain(t, lines[0][:40], `{"format":"launchwatch-recording"`)
	mustContain(t, lines[0], `"interval":"1s"`, `"version":2`)
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, `{"time":"2026-11-27T10:15:0`) {
			t.Errorf("record does not start with its time: %.60s", l)
		}
		if !json.Valid([]byte(l)) {
			t.Errorf("record is not JSON: %.60s", l)
		}
	}
}

func TestSearch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.lwrec.jsonl")
	var snaps []snapshot.Snapshot
	for _, sec := range []int{0, 1, 1, 3, 7} {
		snaps = append(snaps, snapshot.Snapshot{Time: t0.Add(time.Duration(sec) * time.Second), PV: snapshot.Some(float64(sec))})
	}
	writeRecording(t, path, snaps)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, tc := range []struct {
		name string
		at   time.Duration
		want int
	}{
		{"a time before the first record finds the first", -time.Hour, 0},
		{"the exact time of the first record finds it", 0, 0},
		{"equal times find the first of them", time.Second, 1},
		{"a time between records finds the next", 2 * time.Second, 3},
		{"the last time finds the last record", 7 * time.Second, 4},
		{"a time after the last record finds Len", 8 * time.Second, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Search(t0.Add(tc.at)); got != tc.want {
				t.Errorf("Search(T0%+v) = %d, want %d", tc.at, got, tc.want)
			}
		})
	}
}

func TestUntrustedTextIsCleanedOnRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hostile.lwrec.jsonl")
	h := testHeader()
	h.Launch.Name = "shop\x1b]0;pwned\x07"
	h.Host = "box\u202e"
	h.Origin.From = "http://prom\u009b31m:9090"
	w, err := Create(path, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot.Snapshot{
		Time:      t0,
		Endpoints: map[string]snapshot.Endpoint{"buy\x1b[2J": {QPS: snapshot.Some(1)}},
		Sources: map[string]snapshot.Source{"prom\r\x00": {
			Error:    "boom \x1b]0;pwned\x07 and \u009b31m red",
			Warnings: []string{"w\x08\x08arn"},
			Signals:  []string{"pv\x1b[31m"},
			Carried:  map[string]time.Time{"pv\u202e": t0},
		}},
	}
	if err := w.Append(s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, got := readAll(t, path)
	if h := r.Header(); h.Launch.Name != "shop" || h.Host != "box" || h.Origin.From != "http://prom:9090" {
		t.Errorf("header text not cleaned: %q %q %q", h.Launch.Name, h.Host, h.Origin.From)
	}
	one, err := r.Read(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []snapshot.Snapshot{got[0], one} {
		src, ok := g.Sources["prom"]
		if !ok {
			t.Fatalf("source name not cleaned: %q", g.SourceNames())
		}
		if _, ok := g.Endpoints["buy"]; !ok {
			t.Errorf("endpoint name not cleaned: %q", g.EndpointNames())
		}
		if src.Error != "boom and red" {
			t.Errorf("Error = %q, want %q", src.Error, "boom and red")
		}
		if src.Warnings[0] != "warn" || src.Signals[0] != "pv" {
			t.Errorf("warnings %q, signals %q not cleaned", src.Warnings, src.Signals)
		}
		if _, ok := src.Carried["pv"]; !ok {
			t.Errorf("carried keys not cleaned: %q", src.Carried)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	b, err := json.Marshal(Duration(1500 * time.Millisecond))
	if err != nil || string(b) != `"1.5s"` {
		t.Fatalf("marshal = %s, %v; want \"1.5s\"", b, err)
	}
	var d Duration
	if err := json.Unmarshal([]byte(`"2m"`), &d); err != nil || d != Duration(2*time.Minute) {
		t.Fatalf("unmarshal \"2m\" = %v, %v", d, err)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"a bad interval names the field", `{"interval":"soon"}`, `header field interval: duration "soon"`},
		{"a number is not a duration string", `{"interval":1000}`, `header field interval: duration 1000 is not a string`},
		{"a bad backfill step names the field", `{"origin":{"kind":"backfill","step":"x"}}`, `header field origin.step`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h Header
			err := json.Unmarshal([]byte(tc.in), &h)
			if err == nil {
				t.Fatal("no error")
			}
			mustContain(t, err.Error(), tc.want)
		})
	}
	var h Header
	if err := json.Unmarshal([]byte(`{"interval":"5s","origin":{"kind":"backfill","from":"http://p","step":"15s"}}`), &h); err != nil {
		t.Fatal(err)
	}
	if h.Interval != Duration(5*time.Second) || h.Origin != (Origin{Kind: "backfill", From: "http://p", Step: Duration(15 * time.Second)}) {
		t.Errorf("header = %+v", h)
	}
}

func TestReadOutOfRange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.lwrec.jsonl")
	writeRecording(t, path, []snapshot.Snapshot{{Time: t0}})
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Read(1); err == nil {
		t.Error("Read(1) of one record: no error")
	}
	if err := r.Scan(0, 2, func(int, snapshot.Snapshot) error { return nil }); err == nil {
		t.Error("Scan(0,2) of one record: no error")
	}
	stop := errors.New("stop")
	calls := 0
	if err := r.Scan(0, 1, func(int, snapshot.Snapshot) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Scan with a failing fn = %v after %d calls, want stop after 1", err, calls)
	}
}

func TestFileName(t *testing.T) {
	start := time.Date(2026, 11, 27, 11, 15, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct{ name, launch, want string }{
		{"a plain name is lowercased", "Shop", "shop-20261127T101500Z.lwrec.jsonl"},
		{"punctuation and spaces become one dash", "Second Launch: 20x!!", "second-launch-20x-20261127T101500Z.lwrec.jsonl"},
		{"an empty name becomes launch", "", "launch-20261127T101500Z.lwrec.jsonl"},
		{"a name of nothing usable becomes launch", "../../ü", "launch-20261127T101500Z.lwrec.jsonl"},
		{"a long name is cut to 40 characters", strings.Repeat("ab", 30), strings.Repeat("ab", 20) + "-20261127T101500Z.lwrec.jsonl"},
		{"a cut never ends in a dash", strings.Repeat("a", 39) + " b", strings.Repeat("a", 39) + "-20261127T101500Z.lwrec.jsonl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FileName(tc.launch, start); got != tc.want {
				t.Errorf("FileName(%q) = %q, want %q", tc.launch, got, tc.want)
			}
		})
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/var/state")
	if d, err := DefaultDir(); err != nil || d != "/var/state/launchwatch" {
		t.Errorf("with XDG_STATE_HOME: %q, %v", d, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/ops")
	if d, err := DefaultDir(); err != nil || d != "/home/ops/.local/state/launchwatch" {
		t.Errorf("without XDG_STATE_HOME: %q, %v", d, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative/state")
	if d, err := DefaultDir(); err != nil || d != "/home/ops/.local/state/launchwatch" {
		t.Errorf("with a relative XDG_STATE_HOME: %q, %v", d, err)
	}
}

func TestPartName(t *testing.T) {
	for _, tc := range []struct {
		name, base string
		n          int
		want       string
	}{
		{"part 1 is the file itself", "/r/shop-20261127T101500Z.lwrec.jsonl", 1, "/r/shop-20261127T101500Z.lwrec.jsonl"},
		{"part 2 goes after the stem", "/r/shop-20261127T101500Z.lwrec.jsonl", 2, "/r/shop-20261127T101500Z.part2.lwrec.jsonl"},
		{"a name without a dot", "/r/rec", 3, "/r/rec.part3"},
		{"a dot in the directory is not the stem's", "/r.d/rec.jsonl", 2, "/r.d/rec.part2.jsonl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := partName(tc.base, tc.n)
			if got != tc.want {
				t.Errorf("partName(%q, %d) = %q, want %q", tc.base, tc.n, got, tc.want)
			}
			if back := baseName(got, tc.n); back != tc.base {
				t.Errorf("baseName(%q, %d) = %q, want %q", got, tc.n, back, tc.base)
			}
		})
	}
}

// TestJQReadsARecording runs the real jq the way the README's readers would.
func TestJQReadsARecording(t *testing.T) {
	jq := testtool.Require(t, "jq")
	path := filepath.Join(t.TempDir(), "jq.lwrec.jsonl")
	writeRecording(t, path, []snapshot.Snapshot{
		{Time: t0, PV: snapshot.Some(12.5)},
		{Time: t0.Add(time.Second)}, // PV missing: null, not 0
		{Time: t0.Add(2 * time.Second), PV: snapshot.Some(0)},
	})
	out, err := exec.Command(jq, "-c", "select(.time) | .pv", path).CombinedOutput()
	if err != nil {
		t.Fatalf("jq: %v\n%s", err, out)
	}
	if string(out) != "12.5\nnull\n0\n" {
		t.Errorf("jq 'select(.time) | .pv' gave %q, want 12.5, null, 0", out)
	}
	out, err = exec.Command(jq, "-r", "select(.format) | .launch.name", path).CombinedOutput()
	if err != nil || string(out) != "shop\n" {
		t.Errorf("jq on the header: %q, %v", out, err)
	}
}

func TestEveryRecordingHasAStableID(t *testing.T) {
	// A file written before headers had an ID gets the one Create gives.
	old, err := Open("testdata/v1-fleet.lwrec.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	h := old.Header()
	if h.ID != "" {
		t.Fatalf("the old file has an ID %q: the test needs one without", h.ID)
	}
	id := h.RecordingID()
	if !strings.HasPrefix(id, "shop-20261127T100000Z-") || len(id) != len("shop-20261127T100000Z-")+6 {
		t.Errorf("derived ID %q, want shop-20261127T100000Z- and six hex digits", id)
	}
	if again := h.RecordingID(); again != id {
		t.Errorf("ID derived twice: %q then %q", id, again)
	}
	path := filepath.Join(t.TempDir(), "new.lwrec.jsonl")
	nh := testHeader()
	nh.Launch.Name, nh.Started = h.Launch.Name, h.Started
	w, err := Create(path, nh, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Header().ID; got != id {
		t.Errorf("Create wrote ID %q, want the derived %q", got, id)
	}
	if !strings.Contains(readFile(t, path), `"id":"`+id+`"`) {
		t.Error("the ID is not in the file's header")
	}

	// Another start, another launch or a given ID: another ID.
	other := h
	other.Started = h.Started.Add(time.Nanosecond)
	if other.RecordingID() == id {
		t.Error("two starts a nanosecond apart share an ID")
	}
	other = h
	other.Launch.Name = "Shop"
	if other.RecordingID() == id {
		t.Error("two launch names share an ID")
	}
	other.ID = "given"
	if other.RecordingID() != "given" {
		t.Errorf("a header's own ID is replaced: %q", other.RecordingID())
	}
}
