package recording

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/launchwatch/launchwatch/snapshot"
)

// viaJSON decodes a line as the reader did before decodeFast, and still
// does for a line decodeFast does not take.
func viaJSON(b []byte) (record, []byte, error) {
	rest, values := cutValues(b)
	var r record
	err := json.Unmarshal(rest, &r)
	return r, values, err
}

// withValues puts the packed values back where encoding/json leaves them
// when it decodes them itself, so that both decodes compare whole.
func withValues(r record, values []byte) record {
	if r.FleetPacked != nil && values != nil {
		p := *r.FleetPacked
		p.Values = string(values)
		r.FleetPacked = &p
	}
	return r
}

// agrees fails when decodeFast takes a line encoding/json refuses, or
// decodes one otherwise; it reports whether decodeFast took it. It
// decodes the line without an interner, then twice with one: once as
// the interner's first sight of its strings, once taking them from it
// and filling the first pass's maps again.
func agrees(t *testing.T, line []byte) bool {
	t.Helper()
	var fast record
	fv, ok := decodeFast(line, &fast, nil, nil)
	if !ok {
		return false
	}
	slow, sv, err := viaJSON(line)
	if err != nil {
		t.Fatalf("decodeFast took a line encoding/json refuses (%v):\n%s", err, line)
	}
	want := withValues(slow, sv)
	if !reflect.DeepEqual(withValues(fast, fv), want) {
		t.Fatalf("decodeFast and encoding/json differ on\n%s\nfast: %+v\njson: %+v", line, fast, slow)
	}
	var in interner
	var spare spareMaps
	for pass := range 2 {
		var interned record
		iv, ok := decodeFast(line, &interned, &in, &spare)
		if !ok {
			t.Fatalf("decodeFast with an interner (pass %d) refused a line it takes without:\n%s", pass, line)
		}
		if !reflect.DeepEqual(withValues(interned, iv), want) {
			t.Fatalf("decodeFast with an interner (pass %d) and encoding/json differ on\n%s\nfast: %+v\njson: %+v", pass, line, interned, slow)
		}
		// The second pass fills the first one's maps again, emptied.
		spare.sources.give(interned.Sources)
		spare.endpoints.give(interned.Endpoints)
	}
	return true
}

// randomSnapshot is a snapshot with every kind of field this package
// writes, at random: present, missing, zero, negative, tiny and huge
// numbers, empty and full maps and lists, text in UTF-8, a fleet whose
// roster changes now and then.
func randomSnapshot(r *rand.Rand, i int) snapshot.Snapshot {
	num := func() snapshot.Value {
		switch r.IntN(8) {
		case 0:
			return snapshot.Value{}
		case 1:
			return snapshot.Some(0)
		case 2:
			return snapshot.Some(-r.Float64() * 1e3)
		case 3:
			return snapshot.Some(r.Float64() * 1e-300)
		case 4:
			return snapshot.Some(math.MaxFloat64 * r.Float64())
		case 5:
			return snapshot.Some(float64(r.IntN(1e6)))
		}
		return snapshot.Some(r.NormFloat64() * 1e4)
	}
	text := func() string {
		words := []string{"", "context deadline exceeded", "ünïcode ok", "täglich 502", "x", "a/b?c=d&e"}
		return words[r.IntN(len(words))]
	}
	at := t0.Add(time.Duration(i) * time.Second)
	s := snapshot.Snapshot{
		Time: at, PV: num(), Requests: num(), Connections: num(), Bandwidth: num(), ErrorRate: num(),
		Stock: num(), Sold: num(), LatencyP50: num(), LatencyP95: num(), LatencyP99: num(),
		Host: snapshot.Host{CPU: num(), MemoryUsed: num(), MemoryTotal: num(), Load1: num(), NetTX: num(), NetRX: num(),
			TCPEstablished: num(), TCPMemory: num()},
		Probe: snapshot.Probe{ButtonPresent: num(), PageBytes: num(), Resources: num(), UncompressedBytes: num(),
			CDNShare: num(), FailedResources: num(), Age: num()},
	}
	if r.IntN(2) == 0 {
		s.ErrorCodes = map[string]snapshot.Value{"502": num(), "504": num()}
	}
	if r.IntN(4) > 0 {
		s.Endpoints = map[string]snapshot.Endpoint{"buy": {QPS: num(), P95: num()}, "cart": {QPS: num()}}
	}
	if r.IntN(4) > 0 {
		src := snapshot.Source{OK: r.IntN(2) == 0, Error: text(), Duration: r.Float64(), LastSuccess: at.Add(-time.Duration(r.IntN(5)) * time.Second),
			Signals: []string{"pv", "endpoints.buy"}, RateWindow: float64(r.IntN(60)), ScrapeInterval: float64(r.IntN(15))}
		if r.IntN(2) == 0 {
			src.Warnings, src.Infos, src.Partial = []string{text()}, []string{text(), text()}, []string{"pv"}
			src.Carried = map[string]time.Time{"pv": at.Add(-3 * time.Second)}
			src.Errors = map[string]string{"pv": text(), "source": text()}
			src.NewestSample = at.Add(-30 * time.Second)
		}
		s.Sources = map[string]snapshot.Source{"prometheus": src, "host": {OK: true, LastSuccess: at}}
	}
	if r.IntN(5) == 0 {
		s.Acks = map[string]snapshot.Ack{"errors/error_rate": {By: "alice@war-room", At: at.Add(-time.Minute)}}
	}
	if r.IntN(3) == 0 {
		s.TeamAlerts = []snapshot.TeamAlert{{Name: "HighLatency", Severity: "critical", Summary: text(), Since: at.Add(-time.Hour),
			Labels: "instance=web-1:9100 job=node"}, {Name: "DiskFull", Since: at, Silenced: true}}
		s.Silences = map[string]snapshot.Silence{"errors/error_rate": {ID: "3f2a", By: "bob", Comment: text(), Until: at.Add(time.Hour)}}
	}
	if r.IntN(10) == 0 {
		s.Annotations = []snapshot.Annotation{{At: at.Add(-time.Second), Text: "deploy 1.4.2 <canary> & more", By: "alice@war-room"}}
	}
	if n := r.IntN(5); n > 0 {
		size := 3 + (i/40)%3 // a new roster every 40 snapshots
		s.Fleet = make([]snapshot.Server, size)
		for k := range s.Fleet {
			s.Fleet[k] = snapshot.Server{Name: fmt.Sprintf("web-%d", k), PV: snapshot.Some(float64(r.IntN(100))),
				ErrorRate: snapshot.Some(float64(r.IntN(1000)) / 1000), LatencyP95: snapshot.Some(1.25)}
			if r.IntN(10) == 0 {
				s.Fleet[k] = snapshot.Server{Name: s.Fleet[k].Name, Gone: true, GoneSince: at.Add(-time.Minute)}
			}
		}
	}
	return s
}

// randomRecording writes n random snapshots (randomSnapshot, from seed)
// to a new recording and returns its path.
func randomRecording(t testing.TB, seed uint64, n int) string {
	path := filepath.Join(t.TempDir(), "r.lwrec.jsonl")
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range n {
		if err := w.Append(randomSnapshot(r, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// writtenLines writes n random snapshots through a Writer and returns the
// lines of its records, the header's first.
func writtenLines(t testing.TB, seed uint64, n int) [][]byte {
	f, err := os.Open(randomRecording(t, seed, n))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if isAnnotationLine(sc.Bytes()) {
			continue // a line of its own, not a record (see annotation.go)
		}
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	return lines
}

// Every record the writer writes is taken by the fast decode, and decoded
// as encoding/json decodes it.
func TestTheFastDecodeTakesEveryWrittenRecordAsEncodingJSONDoes(t *testing.T) {
	for seed := range uint64(4) {
		lines := writtenLines(t, seed, 300)
		for _, line := range lines[1:] {
			if !agrees(t, line) {
				t.Fatalf("the fast decode did not take a line the writer wrote:\n%s", line)
			}
		}
	}
}

// Lines the writer never writes (keys in other cases or twice, escapes,
// odd numbers, nulls, white space, wrong types, cut short, glued) are
// either left to encoding/json or decoded as it decodes them.
func TestTheFastDecodeLeavesOrAgreesOnEveryOtherLine(t *testing.T) {
	base := `{"time":"2026-11-27T10:15:00Z","pv":12.5,"endpoints":{"buy":{"qps":3}},"host":{"cpu":0.5},` +
		`"sources":{"p":{"ok":true,"signals":["pv"],"duration_seconds":0.5}},"fleet_packed":{"roster_at":0,"signals":["pv"],"values":"AAAA"}}`
	lines := []string{
		base,
		` ` + base + " \t",
		`{"time":"2026-11-27T10:15:00Z","PV":12.5}`,
		`{"time":"2026-11-27T10:15:00Z","pv":12.5,"pv":13}`,
		`{"time":"2026-11-27T10:15:00Z","host":{"cpu":1},"host":{"load1":2}}`,
		`{"time":"2026-11-27T10:15:00Z","endpoints":{"buy":{"qps":1},"buy":{"p95":2}}}`,
		`{"time":"2026-11-27T10:15:00Z","sources":{"p\u00e9":{"ok":true}}}`,
		`{"time":"2026-11-27T10:15:00Z","sources":{"p":{"error":"a \"quoted\" error"}}}`,
		`{"time":"2026-11-27T10:15:00Z","pv":1e400}`,
		`{"time":"2026-11-27T10:15:00Z","pv":-0}`,
		`{"time":"2026-11-27T10:15:00Z","pv":1E+2,"requests":0.5e-3}`,
		`{"time":"2026-11-27T10:15:00Z","pv":01}`,
		`{"time":"2026-11-27T10:15:00Z","pv":.5}`,
		`{"time":"2026-11-27T10:15:00Z","pv":null,"host":null,"probe":null,"sources":null,"fleet_packed":null}`,
		`{"time":"2026-11-27T10:15:00Z","pv":"12"}`,
		`{"time":"2026-11-27T10:15:00Z","sources":{"p":{"ok":null,"error":null,"signals":null,"duration_seconds":null}}}`,
		`{"time":"2026-11-27T10:15:00Z","sources":{"p":{"signals":[]}},"endpoints":{}}`,
		`{"time":"2026-11-27T10:15:00Z","fleet":[{"name":"a"}]}`,
		`{"time":"2026-11-27T10:15:00Z","fleet_packed":{"roster_at":1.0,"values":""}}`,
		`{"time":"2026-11-27T10:15:00Z","fleet_packed":{"roster_at":-1,"values":""}}`,
		`{"time":"2026-11-27T10:15:00Z","fleet_packed":{"roster":["a","b"],"gone":{"a":"2026-11-27T10:14:00Z"},"values":"AAAAAA"}}`,
		`{"time":"2026-11-27T10:15:00+01:00"}`,
		`{"time":"2026-11-27 10:15:00"}`,
		`{"time":"2026-11-27T10:15:00Z"}{"time":"2026-11-27T10:15:01Z"}`,
		`{"time":"2026-11-27T10:15:00Z","pv":12`,
		`{"time":"2026-11-27T10:15:00Z","sources":{"p":{"ok":tru}}}`,
		"{\"time\":\"2026-11-27T10:15:00Z\",\"sources\":{\"p\":{\"error\":\"tab\there\"}}}",
		"{\"time\":\"2026-11-27T10:15:00Z\",\"sources\":{\"p\":{\"error\":\"bad \xff byte\"}}}",
		`{"time":"2026-11-27T10:15:00Z","unknown":1}`,
		`{"time":"2026-11-27T10:15:00Z","team_alerts":[],"silences":{},"annotations":null}`,
		`{"time":"2026-11-27T10:15:00Z","team_alerts":[{"name":"a"},{"name":"b","silenced":true}],"annotations":[{"at":"2026-11-27T10:14:00Z","text":"x"}]}`,
		`{"time":"2026-11-27T10:15:00Z","team_alerts":[{"name":"a"},]}`,
		`{"time":"2026-11-27T10:15:00Z","team_alerts":{"name":"a"}}`,
		`{"time":"2026-11-27T10:15:00Z","annotations":[{"at":"2026-11-27T10:14:00Z","text":"x","text":"y"}]}`,
		`{}`,
		`[]`,
		``,
	}
	taken := 0
	for _, l := range lines {
		if agrees(t, []byte(l)) {
			taken++
		}
	}
	if taken < 8 {
		t.Errorf("the fast decode took %d of the %d lines; the usual forms should be among them", taken, len(lines))
	}
	// And the written records, cut and bent at random.
	r := rand.New(rand.NewPCG(9, 9))
	for _, line := range writtenLines(t, 5, 100)[1:] {
		for range 20 {
			b := bytes.Clone(line)
			switch k := r.IntN(len(b)); r.IntN(4) {
			case 0:
				b = b[:k]
			case 1:
				b = append(b[:k:k], b[k+1:]...)
			case 2:
				const odd = " \"{}[],:0e-.n\\x"
				b = append(b[:k:k], append([]byte{odd[r.IntN(len(odd))]}, b[k:]...)...)
			case 3:
				b[k] ^= 0x20 // a case flipped, a quote or a brace turned
			}
			agrees(t, b)
		}
	}
}

// FuzzTheFastDecodeAgreesWithEncodingJSON: whatever the line, the fast
// decode leaves it to encoding/json or decodes it as encoding/json does.
func FuzzTheFastDecodeAgreesWithEncodingJSON(f *testing.F) {
	for _, line := range writtenLines(f, 11, 20)[1:] {
		f.Add(line)
	}
	f.Add([]byte(`{"time":"2026-11-27T10:15:00Z","pv":1e400,"sources":{"p":{"ok":true}}}`))
	f.Fuzz(func(t *testing.T, line []byte) { agrees(t, line) })
}

// BenchmarkDecodeRecord decodes a realistic record (fullSnapshot, about
// 1.2 KB) the fast way and the encoding/json way.
func BenchmarkDecodeRecord(b *testing.B) {
	line, err := json.Marshal(fullSnapshot(1, t0))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r record
			if _, ok := decodeFast(line, &r, nil, nil); !ok {
				b.Fatal("not taken")
			}
		}
	})
	b.Run("fast-interned", func(b *testing.B) {
		b.ReportAllocs()
		var in interner // as a scan has: the names seen on earlier records
		for b.Loop() {
			var r record
			if _, ok := decodeFast(line, &r, &in, nil); !ok {
				b.Fatal("not taken")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := viaJSON(line); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// scribble writes over everything a snapshot holds that another could
// share: every map and every list, in place.
func scribble(s *snapshot.Snapshot) {
	const x = "scribbled"
	for k := range s.ErrorCodes {
		s.ErrorCodes[k] = snapshot.Some(-1)
	}
	for k := range s.Endpoints {
		s.Endpoints[k] = snapshot.Endpoint{QPS: snapshot.Some(-1)}
	}
	for i := range s.Fleet {
		s.Fleet[i].Name = x
	}
	for i := range s.TeamAlerts {
		s.TeamAlerts[i].Name = x
	}
	for i := range s.Annotations {
		s.Annotations[i].Text = x
	}
	for k, a := range s.Acks {
		a.By = x
		s.Acks[k] = a
	}
	for k, m := range s.Silences {
		m.Comment = x
		s.Silences[k] = m
	}
	for name, src := range s.Sources {
		for _, list := range [][]string{src.Warnings, src.Signals, src.Infos, src.Partial} {
			for i := range list {
				list[i] = x
			}
		}
		for k := range src.Carried {
			src.Carried[k] = time.Time{}
		}
		for k := range src.Errors {
			src.Errors[k] = x
		}
		src.Error = x
		s.Sources[name] = src
	}
	if s.Sources != nil {
		s.Sources[x] = snapshot.Source{}
	}
	if s.Endpoints != nil {
		s.Endpoints[x] = snapshot.Endpoint{}
	}
}

// A snapshot a scan hands over shares nothing another can change: each
// one written over in place as soon as it comes (as a frame kept in
// history could be), the later ones still come as a scan that writes over
// none gives them. The interner a scan keeps hands the same strings to
// many snapshots; nothing else of one record's is another's.
func TestScannedSnapshotsShareNothingWritable(t *testing.T) {
	path := randomRecording(t, 7, 600)
	var want []snapshot.Snapshot
	for _, scan := range []string{"reference", "scribbled"} {
		rec, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		err = rec.ScanAhead(0, rec.Len(), func(i int, s snapshot.Snapshot) error {
			if scan == "reference" {
				want = append(want, s)
				return nil
			}
			if !reflect.DeepEqual(s, want[i]) {
				return fmt.Errorf("record %d changed by writing over the ones before it:\n got %+v\nwant %+v", i, s, want[i])
			}
			scribble(&s)
			return nil
		})
		rec.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(want) != 600 {
		t.Fatalf("%d records scanned, want 600", len(want))
	}
}

// ScanAheadReusing gives every record as Scan does, leaves a snapshot's
// maps as they were decoded until fn has been given the aheadBatch records
// after it, and then fills them again: later snapshots hold maps earlier
// ones held.
func TestScanAheadReusingFillsMapsOnlyOnceTheReaderIsPastThem(t *testing.T) {
	const n = 2000
	path := randomRecording(t, 9, n)
	rec, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	var want []snapshot.Snapshot // as Scan gives them, copied whole
	if err := rec.Scan(0, n, func(_ int, s snapshot.Snapshot) error {
		want = append(want, s.Clone())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	kept := make([]snapshot.Snapshot, n) // as given, maps and all
	seen := map[unsafe.Pointer]int{}     // each map given, by the record it came with
	reused := 0
	err = rec.ScanAheadReusing(0, n, func(i int, s snapshot.Snapshot) error {
		if !reflect.DeepEqual(s, want[i]) {
			return fmt.Errorf("record %d:\n got %+v\nwant %+v", i, s, want[i])
		}
		kept[i] = s
		// The oldest of them, and the one before: a map filled again too
		// early is the oldest one's first.
		for _, j := range []int{i - aheadBatch, i - 1} {
			if j < 0 {
				continue
			}
			if !reflect.DeepEqual(kept[j].Sources, want[j].Sources) || !reflect.DeepEqual(kept[j].Endpoints, want[j].Endpoints) {
				return fmt.Errorf("record %d's maps changed before the reader was %d records past it (at %d)", j, aheadBatch, i)
			}
		}
		for _, m := range []any{s.Sources, s.Endpoints} {
			p := reflect.ValueOf(m).UnsafePointer()
			if p == nil {
				continue
			}
			if j, ok := seen[p]; ok {
				if i-j <= aheadBatch {
					return fmt.Errorf("record %d holds record %d's map", i, j)
				}
				reused++
			}
			seen[p] = i
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if reused < n/2 {
		t.Errorf("%d maps filled again in %d records, want most of them", reused, n)
	}
}
