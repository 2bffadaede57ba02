package pipeline_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

var fleetAt = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fleetSnapshot is a shop of 13 servers: one answering 502s, one slow,
// one carrying twice its share, one gone, one with figures missing,
// eight alike; its latency and its
// errors broken down by seven codes.
func fleetSnapshot() snapshot.Snapshot {
	s := snapshot.Snapshot{
		Time: fleetAt, PV: snapshot.Some(120), Requests: snapshot.Some(1600), ErrorRate: snapshot.Some(0.05),
		LatencyP50: snapshot.Some(0.045), LatencyP95: snapshot.Some(0.32), LatencyP99: snapshot.Some(1.25),
		ErrorCodes: map[string]snapshot.Value{
			"502": snapshot.Some(49), "504": snapshot.Some(12), "500": snapshot.Some(12), "503": snapshot.Some(5),
			"501": snapshot.Some(1), "599": snapshot.Some(1), "520": snapshot.Some(0),
		},
	}
	server := func(name string, req, errs, p95 float64) snapshot.Server {
		return snapshot.Server{Name: name, Requests: snapshot.Some(req), ErrorRate: snapshot.Some(errs), LatencyP95: snapshot.Some(p95)}
	}
	s.Fleet = append(s.Fleet,
		server("web-01:9100", 100, 0.61, 0.05), // answering 502s
		server("web-02:9100", 100, 0, 2.5),     // slow
		server("web-03:9100", 200, 0, 0.05),    // twice its share
		snapshot.Server{Name: "web-04:9100", Gone: true, GoneSince: fleetAt.Add(-30 * time.Second)},
		snapshot.Server{Name: "web-05\x1b[31m:9100", Requests: snapshot.Some(100)}, // no error rate nor p95 measured
	)
	s.Fleet = append(s.Fleet, server("web-06:9100", 100, 0, 0.05)) // as slow as web-03, half its share
	for i := 7; i <= 13; i++ {
		s.Fleet = append(s.Fleet, server(fmt.Sprintf("web-%02d:9100", i), 100, 0, 0.03+float64(i)/1000))
	}
	snapshot.SortFleet(s.Fleet)
	return s
}

// watch --once in text shows the latency, the errors by code and the
// fleet worst first.
func TestOnceTextShowsTheFleetLatencyAndErrorsByCode(t *testing.T) {
	var b bytes.Buffer
	if err := pipeline.WriteSnapshotText(&b, fleetSnapshot()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Latency          p50 45ms, p95 320ms, p99 1.25s\n",
		// Shares of the 80 failing requests a second; 520 failed none.
		"Errors by code   502: 61.3%, 500: 15%, 504: 15%, 503: 6.2%, 501: 1.2%, …\n",
		"Fleet            13 servers, 1 gone\n",
		"and 3 more\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsRune(out, 0x1b) {
		t.Errorf("a server's name reached the text with its escape:\n%q", out)
	}
	golden.RequireEqual(t, b.Bytes())
}

// The servers come worst first: gone, then by error rate, then p95,
// then share of the requests (web-03 before web-06, as slow, with twice
// its share); a missing figure after a measured one (web-05 is among the
// 3 more).
func TestOnceTextOrdersTheFleetWorstFirst(t *testing.T) {
	var b bytes.Buffer
	if err := pipeline.WriteSnapshotText(&b, fleetSnapshot()); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, line := range strings.Split(b.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "web-") {
			order = append(order, f[0])
		}
	}
	want := []string{"web-04:9100", "web-01:9100", "web-02:9100", "web-03:9100", "web-06:9100", "web-13:9100",
		"web-12:9100", "web-11:9100", "web-10:9100", "web-09:9100"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("order = %q, want %q", order, want)
	}
}

// A shop whose latency, codes and fleet are not measured shows no lines
// of them.
func TestOnceTextLeavesOutWhatIsNotMeasured(t *testing.T) {
	var b bytes.Buffer
	if err := pipeline.WriteSnapshotText(&b, snapshot.Snapshot{Time: fleetAt, PV: snapshot.Some(3)}); err != nil {
		t.Fatal(err)
	}
	for _, lacks := range []string{"Latency", "Errors by code", "Fleet"} {
		if strings.Contains(b.String(), lacks) {
			t.Errorf("has %q:\n%s", lacks, b.String())
		}
	}
	// Only p95 measured: the line is written, the others a dash.
	b.Reset()
	if err := pipeline.WriteSnapshotText(&b, snapshot.Snapshot{Time: fleetAt, LatencyP95: snapshot.Some(0.2)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Latency          p50 –, p95 200ms, p99 –\n") {
		t.Errorf("lacks the latency line:\n%s", b.String())
	}
	// Codes that failed nothing: said so.
	b.Reset()
	s := snapshot.Snapshot{Time: fleetAt, ErrorCodes: map[string]snapshot.Value{"502": snapshot.Some(0)}}
	if err := pipeline.WriteSnapshotText(&b, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Errors by code   none failing\n") {
		t.Errorf("lacks the codes' line:\n%s", b.String())
	}
}

// watch --once --json prints the frame: its snapshot carries the fleet,
// each server's figures by their documented names, and the codes.
func TestOnceJSONCarriesTheFleet(t *testing.T) {
	an := pipeline.NewAnalyst(capacity.Plan{}, capacity.DefaultThresholds(), 0)
	raw, err := json.Marshal(an.Add(fleetSnapshot()))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Snapshot struct {
			Fleet []struct {
				Name       string   `json:"name"`
				Gone       bool     `json:"gone"`
				GoneSince  string   `json:"gone_since"`
				Requests   *float64 `json:"requests"`
				ErrorRate  *float64 `json:"error_rate"`
				LatencyP95 *float64 `json:"latency_p95"`
			} `json:"fleet"`
			ErrorCodes map[string]float64 `json:"error_codes"`
		} `json:"snapshot"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	fleet := got.Snapshot.Fleet
	if len(fleet) != 13 {
		t.Fatalf("%d servers in the JSON, want 13:\n%s", len(fleet), raw)
	}
	web1, web4 := fleet[0], fleet[3]
	if web1.Name != "web-01:9100" || web1.Requests == nil || *web1.Requests != 100 || web1.ErrorRate == nil || *web1.ErrorRate != 0.61 ||
		web1.LatencyP95 == nil || *web1.LatencyP95 != 0.05 {
		t.Errorf("web-01 = %+v, want 100 req/s, 61%% errors, p95 0.05 s", web1)
	}
	if web4.Name != "web-04:9100" || !web4.Gone || web4.GoneSince != "2026-12-01T11:59:30Z" || web4.Requests != nil {
		t.Errorf("web-04 = %+v, want gone since 11:59:30 with no figures", web4)
	}
	if got.Snapshot.ErrorCodes["502"] != 49 || len(got.Snapshot.ErrorCodes) != 7 {
		t.Errorf("codes = %v, want 502: 49 among the 7 measured", got.Snapshot.ErrorCodes)
	}
}

// With a frame's problems, the servers they name come first in their harm
// order: the hot server's imbalance (capacity) before a server with a few
// errors no problem names.
func TestOnceTextPutsTheServersProblemsFirst(t *testing.T) {
	s := fleetSnapshot()
	f := pipeline.Frame{Snapshot: s, Problems: []events.Problem{
		{Kind: capacity.KindImbalance, Subject: "web-13:9100", Severity: events.Warn, Harm: events.HarmCapacity, Size: 0.2},
		{Kind: capacity.KindServerLatency, Subject: "web-12:9100", Severity: events.Crit, Harm: events.HarmUsers, Size: 0.1},
		{Kind: capacity.KindErrors, Subject: "web-11:9100", Severity: events.Crit, Harm: events.HarmUsers, Size: 1}, // no server's kind
	}}
	var b bytes.Buffer
	if err := f.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, line := range strings.Split(b.String(), "\n") {
		if fs := strings.Fields(line); len(fs) > 0 && strings.HasPrefix(fs[0], "web-") {
			order = append(order, fs[0])
		}
	}
	if len(order) < 3 || order[0] != "web-12:9100" || order[1] != "web-13:9100" || order[2] != "web-04:9100" {
		t.Errorf("order = %q, want web-12 (critical, users), web-13 (a warning), then by figures from web-04", order)
	}
}
