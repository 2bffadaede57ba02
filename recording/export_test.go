package recording

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fixtureLabels are the labels every series of an export of testHeader's
// recording carries.
const fixtureLabels = `launch="shop",recording="shop-20261127T100000Z-1e42f0"`

// exportSnaps are a small recording's snapshots with what an export must
// get right: values missing here and there, a measured zero, an endpoint
// that appears late and one whose name needs escaping, two records in one
// millisecond, and records before T0.
func exportSnaps() []snapshot.Snapshot {
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	return []snapshot.Snapshot{
		{Time: at(-2000), PV: snapshot.Some(12.5), Stock: snapshot.Some(1000), Host: snapshot.Host{CPU: snapshot.Some(0.05)}},
		{Time: at(-1000), PV: snapshot.Some(13), Requests: snapshot.Some(40), ErrorRate: snapshot.Some(0), Stock: snapshot.Some(1000)},
		{Time: at(0), PV: snapshot.Some(190.125), Requests: snapshot.Some(600.0000001), Bandwidth: snapshot.Some(2.3456789e7),
			Connections: snapshot.Some(95), ErrorRate: snapshot.Some(0.0125), Stock: snapshot.Some(998), Sold: snapshot.Some(2),
			Endpoints: map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(2)}, "cart": {}},
			Host:      snapshot.Host{CPU: snapshot.Some(0.42), MemoryUsed: snapshot.Some(4.49e8), MemoryTotal: snapshot.Some(2.53e10), Load1: snapshot.Some(0.31)}},
		{Time: at(0), PV: snapshot.Some(999)}, // same millisecond: OpenMetrics keeps the first
		{Time: at(1250), PV: snapshot.Some(180), Stock: snapshot.Some(996), Sold: snapshot.Some(1.6),
			Endpoints: map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(1.5)}, `we"ird\ one`: {QPS: snapshot.Some(0.5)}},
			Host:      snapshot.Host{NetTX: snapshot.Some(1.41e7), NetRX: snapshot.Some(2.2e5), TCPEstablished: snapshot.Some(90), TCPMemory: snapshot.Some(1.27e6)}},
	}
}

// exportFixture is exportSnaps recorded under testHeader.
func exportFixture(t *testing.T) *Recording {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.lwrec.jsonl")
	writeRecording(t, path, exportSnaps())
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestWriteCSV(t *testing.T) {
	r := exportFixture(t)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.Bytes())

	// The golden file aside, the properties that matter, checked directly.
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	wantHead := []string{"time", "t_seconds", "launch", "pv", "requests", "connections", "bandwidth_bytes_per_second", "error_ratio",
		"latency_p50_seconds", "latency_p95_seconds", "latency_p99_seconds", "stock", "sold",
		"host_cpu_ratio", "host_memory_used_bytes", "host_memory_size_bytes", "host_load1",
		"host_net_tx_bytes_per_second", "host_net_rx_bytes_per_second", "host_tcp_established", "host_tcp_memory_bytes",
		"endpoint_qps.buy", "endpoint_qps.cart", `endpoint_qps.we"ird\ one`, "annotation"}
	if !slices.Equal(head, wantHead) {
		t.Fatalf("header row %q, want %q", head, wantHead)
	}
	col := func(name string) int { return slices.Index(head, name) }
	for _, tc := range []struct {
		name   string
		row    int
		column string
		want   string
	}{
		{"t_seconds counts from T0, negative before it", 1, "t_seconds", "-2"},
		{"t_seconds keeps milliseconds", 5, "t_seconds", "1.25"},
		{"time is RFC 3339 in UTC with milliseconds", 5, "time", "2026-11-27T10:15:01.250Z"},
		{"every row names the launch", 5, "launch", "shop"},
		{"a missing value is an empty cell", 1, "requests", ""},
		{"a measured zero is 0", 2, "error_ratio", "0"},
		{"full float precision", 3, "requests", "600.0000001"},
		{"bytes are bytes", 3, "host_memory_size_bytes", "2.53e+10"},
		{"an endpoint before it appears is empty", 1, "endpoint_qps.buy", ""},
		{"an endpoint without QPS is empty", 3, "endpoint_qps.cart", ""},
		{"an endpoint that appears late has its value", 5, `endpoint_qps.we"ird\ one`, "0.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rows[tc.row][col(tc.column)]; got != tc.want {
				t.Errorf("row %d %s = %q, want %q", tc.row, tc.column, got, tc.want)
			}
		})
	}
}

func TestWriteOpenMetrics(t *testing.T) {
	r := exportFixture(t)
	var buf bytes.Buffer
	if err := WriteOpenMetrics(&buf, r); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.Bytes())
	out := buf.String()
	mustContain(t, out,
		"# TYPE launchwatch_pv gauge\n# HELP launchwatch_pv Page views per second.\n",
		"launchwatch_pv{"+fixtureLabels+"} 12.5 1795774498.000\n",
		"launchwatch_pv{"+fixtureLabels+"} 190.125 1795774500.000\n",
		`launchwatch_endpoint_qps{`+fixtureLabels+`,endpoint="we\"ird\\ one"} 0.5 1795774501.250`+"\n",
		"# TYPE launchwatch_host_cpu_ratio gauge\n# UNIT launchwatch_host_cpu_ratio ratio\n",
		"launchwatch_host_cpu_ratio{"+fixtureLabels+"} 0.42 1795774500.000\n",
		"# TYPE launchwatch_host_memory_size_bytes gauge\n# UNIT launchwatch_host_memory_size_bytes bytes\n# HELP launchwatch_host_memory_size_bytes Memory in total, in bytes.\n",
		// A rate in bytes per second has no base unit: no # UNIT line.
		"# TYPE launchwatch_host_net_tx_bytes_per_second gauge\n# HELP launchwatch_host_net_tx_bytes_per_second ")
	if strings.Contains(out, "_total") {
		t.Error("a gauge is named *_total")
	}
	if !strings.HasSuffix(out, "\n# EOF\n") {
		t.Error("no final # EOF")
	}
	if strings.Contains(out, " 999 ") {
		t.Error("a second sample in the same millisecond was written")
	}
	if strings.Contains(out, `endpoint="cart"`) {
		t.Error("an endpoint that never had a value was written")
	}
	familiesTogether(t, out)
}

// familiesTogether checks that all samples of a family come together: once
// a family's samples end, its name does not come back.
func familiesTogether(t *testing.T, out string) {
	t.Helper()
	seen, current := map[string]bool{}, ""
	for _, l := range strings.Split(out, "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		name, _, _ := strings.Cut(strings.Fields(l)[0], "{")
		if name != current {
			if seen[name] {
				t.Errorf("family %s is split", name)
			}
			seen[name], current = true, name
		}
	}
}

func TestEveryExportedSignalHasHelp(t *testing.T) {
	fixed, endpoints := exported()
	for _, sig := range append(fixed, endpoints) {
		if sig.Help == "" {
			t.Errorf("signal %s has no # HELP text in the signal table", sig.Name)
		}
	}
}

// TestOpenMetricsImportsIntoPrometheus runs the real promtool on an export.
func TestOpenMetricsImportsIntoPrometheus(t *testing.T) {
	importsEverySample(t, exportFixture(t))
}

// importsEverySample exports r as OpenMetrics and has the real promtool
// import it: every sample written must be in the block.
func importsEverySample(t *testing.T, r *Recording) {
	t.Helper()
	promtool := testtool.Require(t, "promtool")
	dir := t.TempDir()
	file := filepath.Join(dir, "export.om.txt")
	var buf bytes.Buffer
	if err := WriteOpenMetrics(&buf, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	blocks := filepath.Join(dir, "blocks")
	out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", file, blocks).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
	metas, _ := filepath.Glob(filepath.Join(blocks, "*", "meta.json"))
	if len(metas) == 0 {
		t.Fatalf("promtool made no block:\n%s", out)
	}
	meta, err := os.ReadFile(metas[0])
	if err != nil {
		t.Fatal(err)
	}
	// 4 PV, 2 requests, … : the samples written, every one imported.
	want := strings.Count(buf.String(), "\n") - strings.Count(buf.String(), "\n#") - 1
	mustContain(t, string(meta), `"numSamples": `+itoa(want)+`,`)
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCSVWithoutT0LeavesTSecondsEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-t0.lwrec.jsonl")
	h := testHeader()
	h.Launch.StartsAt = time.Time{}
	w, err := Create(path, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range exportSnaps()[:2] {
		if err := w.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows := csvRowsOf(t, path)
	for i, row := range rows[1:] {
		if row[1] != "" || row[2] != "shop" || row[0] == "" {
			t.Errorf("row %d: time %q, t_seconds %q, launch %q; want a time, no t_seconds without T0, and shop", i+1, row[0], row[1], row[2])
		}
	}
}
