package recording

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// fleetOf is a fleet of n servers with every fleet figure, realistic
// magnitudes and noise, and one server gone.
func fleetOf(n int, at time.Time, rng *rand.Rand) []snapshot.Server {
	fleet := make([]snapshot.Server, n)
	for i := range fleet {
		share := 1 + 0.2*rng.NormFloat64()
		fleet[i] = snapshot.Server{
			Name:        fmt.Sprintf("web-%03d.shop.internal:9100", i),
			PV:          snapshot.Some(24 * share),
			Requests:    snapshot.Some(610 * share),
			Connections: snapshot.Some(math.Round(370 * share)),
			Bandwidth:   snapshot.Some(2.9e6 * share),
			ErrorRate:   snapshot.Some(max(0, 0.002+0.001*rng.NormFloat64())),
			LatencyP50:  snapshot.Some(0.042 * (1 + 0.1*rng.Float64())),
			LatencyP95:  snapshot.Some(0.21 * (1 + 0.3*rng.Float64())),
			LatencyP99:  snapshot.Some(0.63 * (1 + 0.5*rng.Float64())),
		}
	}
	if n > 3 {
		fleet[3] = snapshot.Server{Name: fleet[3].Name, Gone: true, GoneSince: at.Add(-5 * time.Second)}
	}
	return fleet
}

// rounded is a fleet as a recording keeps it: every figure to four
// significant digits.
func rounded(fleet []snapshot.Server) []snapshot.Server {
	out := make([]snapshot.Server, len(fleet))
	for i, s := range fleet {
		out[i] = s
		for _, sig := range snapshot.FleetSignals {
			if v, ok := s.Get(sig).Get(); ok {
				r, _ := strconvRound(v)
				out[i].Set(sig, snapshot.Some(r))
			}
		}
	}
	return out
}

// strconvRound rounds to four significant digits through the decimal
// text, the way a person would check it.
func strconvRound(v float64) (float64, error) {
	var f float64
	_, err := fmt.Sscanf(fmt.Sprintf("%.3e", v), "%g", &f)
	return f, err
}

func TestPackedValuesKeepFourSignificantDigits(t *testing.T) {
	for _, tc := range []struct {
		in   snapshot.Value
		want snapshot.Value
	}{
		{snapshot.Some(0), snapshot.Some(0)},
		{snapshot.Missing(), snapshot.Missing()},
		{snapshot.Some(1234.5678), snapshot.Some(1235)},
		{snapshot.Some(0.00123456), snapshot.Some(0.001235)},
		{snapshot.Some(-42.42424), snapshot.Some(-42.42)},
		{snapshot.Some(9999.6), snapshot.Some(10000)},
		{snapshot.Some(2.9e6 + 123), snapshot.Some(2.9e6)},
		{snapshot.Some(370), snapshot.Some(370)},
		{snapshot.Some(1e-300), snapshot.Some(0)},
		{snapshot.Some(1e300), snapshot.Missing()},
		{snapshot.Some(5e-250), snapshot.Some(5e-250)},
	} {
		got := unpackValue(packValue(nil, tc.in))
		if got != tc.want {
			t.Errorf("%v packs and reads back as %v, want %v", tc.in, got, tc.want)
		}
		if again := unpackValue(packValue(nil, got)); again != got {
			t.Errorf("%v read back changes when packed again: %v", got, again)
		}
	}
}

func TestFleetRoundTripsPackedAcrossRosterChangesAndParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var snaps []snapshot.Snapshot
	for i := range 12 {
		at := t0.Add(time.Duration(i) * time.Second)
		s := fullSnapshot(i, at)
		s.ErrorCodes = map[string]snapshot.Value{"502": snapshot.Some(1.25), "504": snapshot.Some(0.5)}
		s.LatencyP95 = snapshot.Some(0.3)
		switch {
		case i == 5: // no fleet in this record
		case i >= 7: // a server joins: a new roster
			s.Fleet = fleetOf(6, at, rng)
		default:
			s.Fleet = fleetOf(5, at, rng)
		}
		snaps = append(snaps, s)
	}
	path := filepath.Join(t.TempDir(), "fleet.lwrec.jsonl")
	// Small parts: the rotation lands in the middle of a roster's run.
	w, err := Create(path, testHeader(), Options{MaxBytes: 6000})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		if err := w.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(w.Paths()) < 3 {
		t.Fatalf("wrote %d parts, want at least 3 for this test", len(w.Paths()))
	}
	want := make([]snapshot.Snapshot, len(snaps))
	for i, s := range snaps {
		want[i] = s
		want[i].Fleet = rounded(s.Fleet)
	}
	r, got := readAll(t, path)
	for i := range want {
		if jsonOf(t, got[i]) != jsonOf(t, want[i]) {
			t.Errorf("Scan: record %d = %s\nwant %s", i, jsonOf(t, got[i]), jsonOf(t, want[i]))
		}
	}
	// Read alone, backwards: each record finds its roster by itself.
	for i := len(want) - 1; i >= 0; i-- {
		one, err := r.Read(i)
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(t, one) != jsonOf(t, want[i]) {
			t.Errorf("Read(%d) = %s\nwant %s", i, jsonOf(t, one), jsonOf(t, want[i]))
		}
	}
	// A scan starting in the middle of a roster's run.
	if err := r.Scan(9, 12, func(i int, s snapshot.Snapshot) error {
		if jsonOf(t, s) != jsonOf(t, want[i]) {
			t.Errorf("Scan(9, 12): record %d = %s", i, jsonOf(t, s))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Each part holds the roster of its own first fleet record.
	for _, p := range w.Paths() {
		b := readFile(t, p)
		first := strings.Index(b, `"fleet_packed":`)
		if first >= 0 && !strings.HasPrefix(b[first:], `"fleet_packed":{"roster":[`) {
			t.Errorf("%s: the first packed fleet does not hold the roster: %.80s", filepath.Base(p), b[first:])
		}
	}
}

func TestAppendingToAVersion1FileKeepsItsFleetPlain(t *testing.T) {
	path := copyTestdata(t, "v1-fleet.lwrec.jsonl")
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot.Snapshot{Time: t0.Add(time.Second), Fleet: []snapshot.Server{{Name: "web-1", Requests: snapshot.Some(11.123456)}}}
	if err := w.Append(s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := readFile(t, path)
	if strings.Contains(b, "fleet_packed") || !strings.Contains(b, `"fleet":[{"name":"web-1","requests":11.123456}]`) {
		t.Errorf("a version 1 file gained a packed fleet its header does not promise:\n%s", b)
	}
	_, got := readAll(t, path)
	if len(got) != 2 || got[1].Fleet[0].Requests != snapshot.Some(11.123456) {
		t.Errorf("records = %s", jsonOf(t, got))
	}
}

func TestVersion1RecordingsKeepTheirFleetAndCodes(t *testing.T) {
	_, got := readAll(t, filepath.Join("testdata", "v1-fleet.lwrec.jsonl"))
	if len(got) != 1 {
		t.Fatalf("%d records, want 1", len(got))
	}
	s := got[0]
	web1, ok1 := s.Server("web-1")
	web2, ok2 := s.Server("web-2")
	if !ok1 || !ok2 || web1.Requests != snapshot.Some(10.123456) || web1.LatencyP95 != snapshot.Some(0.25) ||
		!web2.Gone || web2.Requests.OK() || s.ErrorCodes["502"] != snapshot.Some(1.5) {
		t.Errorf("record = %s", jsonOf(t, s))
	}
}

func TestBadPackedFleetsNameTheirLine(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"bad-roster-at.lwrec.jsonl", "testdata/bad-roster-at.lwrec.jsonl:3: bad record: fleet_packed.roster_at does not name an earlier record holding a roster (roster_at 0: line 2: it holds no roster)"},
		{"bad-packed-length.lwrec.jsonl", "testdata/bad-packed-length.lwrec.jsonl:2: bad record: fleet_packed.values holds 3 bytes, want 6 (1 signals of 2 servers, 3 bytes each)"},
	} {
		r, err := Open(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Read(r.Len() - 1)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Read: %v\nwant %s", err, tc.want)
		}
		serr := r.Scan(0, r.Len(), func(int, snapshot.Snapshot) error { return nil })
		if serr == nil || serr.Error() != tc.want {
			t.Errorf("Scan: %v\nwant %s", serr, tc.want)
		}
		r.Close()
	}
}

func TestServerNamesAreCleanedOnRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dirty.lwrec.jsonl")
	writeRecording(t, path, []snapshot.Snapshot{{Time: t0, Fleet: []snapshot.Server{
		{Name: "a\x1b[2Jweb", Requests: snapshot.Some(1)}, {Name: "b", Requests: snapshot.Some(2)}}}})
	_, got := readAll(t, path)
	if len(got[0].Fleet) != 2 || got[0].Fleet[0].Name != "aweb" || got[0].Fleet[1].Name != "b" {
		t.Errorf("fleet = %s", jsonOf(t, got[0].Fleet))
	}
}

// fleetRecordingBytes writes n snapshots with a fleet of servers and
// returns the bytes a snapshot takes, the header left out.
func fleetRecordingBytes(tb testing.TB, dir string, servers, n int) float64 {
	tb.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	path := filepath.Join(dir, fmt.Sprintf("fleet%d.lwrec.jsonl", servers))
	snaps := make([]snapshot.Snapshot, n)
	for i := range snaps {
		at := t0.Add(time.Duration(i) * time.Second)
		snaps[i] = fullSnapshot(i, at)
		if servers > 0 {
			snaps[i].Fleet = fleetOf(servers, at, rng)
		}
	}
	writeRecording(tb, path, snaps)
	st, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	head := bytes.IndexByte(b, '\n') + 1
	return float64(st.Size()-int64(head)) / float64(n)
}

// TestADayOf500ServersFitsIn2GB measures the bytes a snapshot with a fleet
// of 500 takes and holds a day at 1 s to the 2 GB.
func TestADayOf500ServersFitsIn2GB(t *testing.T) {
	const n = 200
	per := fleetRecordingBytes(t, t.TempDir(), 500, n)
	plain := fleetRecordingBytes(t, t.TempDir(), 0, n)
	dayGB := per * 86_400 / 1e9
	objects, err := json.Marshal(fleetOf(500, t0, rand.New(rand.NewPCG(3, 4))))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("500 servers: %.0f bytes a snapshot (%.0f without the fleet, the fleet as JSON objects %d); a day at 1 s: %.2f GB",
		per, plain, len(objects), dayGB)
	if dayGB > 2 {
		t.Errorf("a day of 500 servers at 1 s is %.2f GB, over 2 GB", dayGB)
	}
}

// BenchmarkScanFleet measures reading records back (what a replay's seek
// does for every record up to its target) without a fleet and with one of
// 500 servers, and the bytes each record takes.
func BenchmarkScanFleet(b *testing.B) {
	for _, servers := range []int{0, 500} {
		b.Run(fmt.Sprintf("servers=%d", servers), func(b *testing.B) {
			const n = 600
			dir := b.TempDir()
			per := fleetRecordingBytes(b, dir, servers, n)
			r, err := Open(filepath.Join(dir, fmt.Sprintf("fleet%d.lwrec.jsonl", servers)))
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Scan(0, n, func(_ int, s snapshot.Snapshot) error {
					if len(s.Fleet) != servers {
						return fmt.Errorf("%d servers, want %d", len(s.Fleet), servers)
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/n*1e6, "µs/record")
			b.ReportMetric(per, "bytes/record")
			b.ReportMetric(per*86_400/1e9, "GB/day@1s")
		})
	}
}

func TestServerFieldIsTheSignalTables(t *testing.T) {
	for k, sig := range snapshot.FleetSignals {
		var s snapshot.Server
		want := snapshot.Some(float64(k + 1))
		*serverField(sig)(&s) = want
		if s.Get(sig) != want {
			t.Errorf("serverField(%q) writes a field other than the one Get(%q) reads", sig, sig)
		}
	}
}

// BenchmarkAppendFleet500 is the recorder's cost a snapshot with a fleet
// of 500 servers: the packing and the write (the sync is in the
// background).
func BenchmarkAppendFleet500(b *testing.B) {
	w, err := Create(filepath.Join(b.TempDir(), "append.lwrec.jsonl"), testHeader(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	s := fullSnapshot(0, t0)
	s.Fleet = fleetOf(500, t0, rand.New(rand.NewPCG(5, 6)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Time = t0.Add(time.Duration(i) * time.Second)
		if err := w.Append(s); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func TestATornRosterRecordIsCutAndTheNextCarriesTheRoster(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	path := filepath.Join(t.TempDir(), "torn.lwrec.jsonl")
	var snaps []snapshot.Snapshot
	for i := range 3 {
		at := t0.Add(time.Duration(i) * time.Second)
		snaps = append(snaps, snapshot.Snapshot{Time: at, Fleet: fleetOf(4+i/2, at, rng)}) // record 2 has a new roster
	}
	writeRecording(t, path, snaps)
	b := readFile(t, path)
	// A crash in the middle of the record that holds the new roster.
	if err := os.WriteFile(path, []byte(b[:len(b)-40]), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(3 * time.Second)
	next := snapshot.Snapshot{Time: at, Fleet: fleetOf(5, at, rng)}
	if err := w.Append(next); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, got := readAll(t, path)
	if r.Len() != 3 || r.Warnings() != nil {
		t.Fatalf("%d records, warnings %q; want 3 and none", r.Len(), r.Warnings())
	}
	for i, want := range []snapshot.Snapshot{snaps[0], snaps[1], next} {
		want.Fleet = rounded(want.Fleet)
		if jsonOf(t, got[i]) != jsonOf(t, want) {
			t.Errorf("record %d = %s\nwant %s", i, jsonOf(t, got[i]), jsonOf(t, want))
		}
	}
}
