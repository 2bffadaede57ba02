package recording

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

var t0 = time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC)

func testHeader() Header {
	return Header{
		Launch:      Launch{Name: "shop", StartsAt: t0},
		Interval:    Duration(time.Second),
		Plan:        json.RawMessage(`{"peak_pv":200}`),
		Thresholds:  json.RawMessage(`{"error_rate":{"warn":0.01,"crit":0.05}}`),
		Config:      "launch:\n  name: shop\n",
		Launchwatch: Build{Version: "v0.0.0-test", Commit: "abc1234"},
		Host:        "war-room",
		Started:     t0.Add(-15 * time.Minute),
		Origin:      Origin{Kind: OriginDemo},
	}
}

// fullSnapshot is a realistic record of about 1.2 KB: every signal, three
// endpoints, two sources with their signal lists and a carried figure.
func fullSnapshot(i int, at time.Time) snapshot.Snapshot {
	f := float64(i)
	return snapshot.Snapshot{
		Time:        at,
		PV:          snapshot.Some(120 + f*0.25),
		Requests:    snapshot.Some(3600.5 + f),
		Connections: snapshot.Some(1834),
		Bandwidth:   snapshot.Some(1.2345678901e7 + f),
		ErrorRate:   snapshot.Some(0.00123),
		Stock:       snapshot.Some(1000 - f/100),
		Sold:        snapshot.Some(1.92),
		Endpoints: map[string]snapshot.Endpoint{
			"login": {QPS: snapshot.Some(5.5)},
			"cart":  {QPS: snapshot.Some(4.125)},
			"buy":   {QPS: snapshot.Some(2.15 + f/1000)},
		},
		Host: snapshot.Host{
			CPU: snapshot.Some(0.4211), MemoryUsed: snapshot.Some(4.49e8), MemoryTotal: snapshot.Some(2.53e10),
			Load1: snapshot.Some(0.31), NetTX: snapshot.Some(1.41e7), NetRX: snapshot.Some(2.2e5),
			TCPEstablished: snapshot.Some(1811), TCPMemory: snapshot.Some(1.27e6),
		},
		Sources: map[string]snapshot.Source{
			"prometheus": {
				OK: false, Error: "query endpoints.cart: context deadline exceeded",
				Warnings: []string{"pv: a vector of 3 series was summed",
					"endpoints.cart: partial response from thanos-store-2: no data for 2026-11-27T10:14:00Z..10:15:00Z"},
				LastSuccess: at.Add(-time.Second), Duration: 0.0421,
				Signals: []string{"pv", "requests", "connections", "bandwidth", "error_rate", "stock", "sold",
					"endpoints.login", "endpoints.cart", "endpoints.buy"},
				Carried: map[string]time.Time{"endpoints.cart": at.Add(-time.Second),
					"endpoints.buy": at.Add(-2 * time.Second), "error_rate": at.Add(-time.Second)},
			},
			"host": {
				OK: true, LastSuccess: at, Duration: 0.0012,
				Signals: []string{"host.cpu", "host.memory_used", "host.memory_total", "host.load1",
					"host.net_tx", "host.net_rx", "host.tcp_established", "host.tcp_memory"},
			},
		},
	}
}

// writeRecording writes snaps to a new recording at path and closes it.
func writeRecording(tb testing.TB, path string, snaps []snapshot.Snapshot) {
	tb.Helper()
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range snaps {
		if err := w.Append(s); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}

// readAll opens path and returns every record.
func readAll(tb testing.TB, path string) (*Recording, []snapshot.Snapshot) {
	tb.Helper()
	r, err := Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	var out []snapshot.Snapshot
	if err := r.Scan(0, r.Len(), func(i int, s snapshot.Snapshot) error {
		out = append(out, s)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return r, out
}

// jsonOf marshals v for comparisons that print readably when they fail.
func jsonOf(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// copyTestdata copies a testdata file into a temporary directory, for tests
// that would change it.
func copyTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%q does not contain %q", got, w)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// exportOfFile is the recording at path as an export writes it (WriteCSV,
// WriteOpenMetrics).
func exportOfFile(tb testing.TB, path string, write func(io.Writer, *Recording) error) []byte {
	tb.Helper()
	r, err := Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	var buf bytes.Buffer
	if err := write(&buf, r); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// csvRowsOf is the recording at path exported as CSV and read back: the
// header row, then a row a snapshot.
func csvRowsOf(tb testing.TB, path string) [][]string {
	tb.Helper()
	rows, err := csv.NewReader(bytes.NewReader(exportOfFile(tb, path, WriteCSV))).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	return rows
}
