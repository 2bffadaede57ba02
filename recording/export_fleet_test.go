package recording

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// fleetSnaps have error codes that come and go, a fleet whose third
// server joins late, and a server that goes away.
func fleetSnaps() []snapshot.Snapshot {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	web := func(name string, req, p95 float64) snapshot.Server {
		return snapshot.Server{Name: name, Requests: snapshot.Some(req), LatencyP95: snapshot.Some(p95)}
	}
	return []snapshot.Snapshot{
		{Time: at(0), Requests: snapshot.Some(30), LatencyP95: snapshot.Some(0.25),
			ErrorCodes: map[string]snapshot.Value{"502": snapshot.Some(1.5)},
			Fleet:      []snapshot.Server{web("web-1", 10.123456, 0.2), web("web-2", 20, 0.3)}},
		{Time: at(1), Requests: snapshot.Some(31),
			ErrorCodes: map[string]snapshot.Value{"502": snapshot.Some(1), "504": snapshot.Some(0.25), "timeout": snapshot.Some(0.5)},
			Fleet: []snapshot.Server{web("web-1", 11, 0.2),
				{Name: "web-2", Gone: true, GoneSince: at(0)}, web(`web-"3"`, 20, 1.5)}},
	}
}

// fleetExportFixture is fleetSnaps recorded under testHeader.
func fleetExportFixture(t *testing.T) *Recording {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fleet-export.lwrec.jsonl")
	writeRecording(t, path, fleetSnaps())
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestCSVHasAColumnAnErrorCode(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, fleetExportFixture(t)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	if tail := head[len(head)-4:]; !slices.Equal(tail, []string{"error_codes.502", "error_codes.504", "error_codes.timeout", "annotation"}) {
		t.Errorf("last columns %q, want the codes in numeric order", tail)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want a header and one a snapshot", len(rows))
	}
	col := func(name string) int { return slices.Index(head, name) }
	for _, tc := range []struct {
		row       int
		col, want string
	}{
		{1, "error_codes.502", "1.5"}, {1, "error_codes.504", ""}, {2, "error_codes.504", "0.25"},
		{1, "latency_p95_seconds", "0.25"}, {2, "latency_p95_seconds", ""},
	} {
		if got := rows[tc.row][col(tc.col)]; got != tc.want {
			t.Errorf("row %d %s = %q, want %q", tc.row, tc.col, got, tc.want)
		}
	}
	if slices.ContainsFunc(head, func(h string) bool { return strings.Contains(h, "web-") }) {
		t.Errorf("a server in the CSV's columns: %q", head)
	}
}

func TestOpenMetricsHasTheFleetAndTheCodes(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteOpenMetrics(&buf, fleetExportFixture(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	mustContain(t, out,
		"# TYPE launchwatch_latency_p95_seconds gauge\n# UNIT launchwatch_latency_p95_seconds seconds\n",
		"launchwatch_latency_p95_seconds{"+fixtureLabels+"} 0.25 1795774500.000\n",
		"# TYPE launchwatch_error_codes gauge\n# HELP launchwatch_error_codes Failed requests per second by status code.\n",
		`launchwatch_error_codes{`+fixtureLabels+`,code="502"} 1.5 1795774500.000`+"\n",
		`launchwatch_error_codes{`+fixtureLabels+`,code="timeout"} 0.5 1795774501.000`+"\n",
		"# TYPE launchwatch_server_requests gauge\n# HELP launchwatch_server_requests Each server's own figure: HTTP requests per second, all handlers.\n",
		// Four significant digits, as the recording keeps them.
		`launchwatch_server_requests{`+fixtureLabels+`,server="web-1"} 10.12 1795774500.000`+"\n",
		"# TYPE launchwatch_server_latency_p95_seconds gauge\n# UNIT launchwatch_server_latency_p95_seconds seconds\n",
		`launchwatch_server_latency_p95_seconds{`+fixtureLabels+`,server="web-\"3\""} 1.5 1795774501.000`+"\n",
		`launchwatch_server_gone{`+fixtureLabels+`,server="web-2"} 0 1795774500.000`+"\n",
		`launchwatch_server_gone{`+fixtureLabels+`,server="web-2"} 1 1795774501.000`+"\n")
	if strings.Contains(out, `launchwatch_server_requests{`+fixtureLabels+`,server="web-2"} 0 `) {
		t.Error("a gone server's requests were written as 0")
	}
	if strings.Contains(out, "launchwatch_server_pv") {
		t.Error("a fleet family no server has was written")
	}
	// The codes' order and the servers' order are those of the names.
	if i, j := strings.Index(out, `code="502"`), strings.Index(out, `code="504"`); i > j {
		t.Error("code 504 before 502")
	}
	familiesTogether(t, out)
}

// TestFleetOpenMetricsImportsIntoPrometheus runs the real promtool on an
// export with a fleet and codes.
func TestFleetOpenMetricsImportsIntoPrometheus(t *testing.T) {
	importsEverySample(t, fleetExportFixture(t))
}
