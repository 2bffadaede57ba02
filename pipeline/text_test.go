package pipeline_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// watch --once in text says what the screen says of the plan: over by, the
// drift, the page weight's two sides and the first limit at the measured
// cost.
func TestOnceTextSaysWhereThePlanStands(t *testing.T) {
	s := launchtest.Snapshots(31, 1e9)[30] // T0
	s.PV, s.Bandwidth, s.Connections = snapshot.Some(12.4), snapshot.Some(125.1e6), snapshot.Some(4295)
	an := pipeline.NewAnalyst(launchtest.Plan(), capacity.DefaultThresholds(), 0)
	var b bytes.Buffer
	if err := an.Add(s).WriteText(&b, true); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"over by 0.1%", "693x the plan", "origin 10.1 MB per view, plan 100 KB (101x) of a 1 MB page, 90% from the CDN",
		"link at 12.4 PV/s (at the measured cost, plan 1,250)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}

// The snapshot's lines come from the signal table: a line a label, the
// rows that share one joined by their forms, a line an endpoint.
func TestOnceTextWritesALineForEachLabelOfTheSignalTable(t *testing.T) {
	s := snapshot.Snapshot{
		PV: snapshot.Some(12.4), Bandwidth: snapshot.Some(300e6),
		Endpoints: map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(42)}, "cart": {}},
		Host:      snapshot.Host{MemoryUsed: snapshot.Some(3e9), MemoryTotal: snapshot.Some(8e9), TCPEstablished: snapshot.Some(1234)},
		Probe:     snapshot.Probe{PageBytes: snapshot.Some(1e6)},
	}
	var b bytes.Buffer
	if err := pipeline.WriteSnapshotText(&b, s); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	for _, want := range []string{
		"PV/s             12.4", "Requests/s       –", "Bandwidth        300 MB/s (2.4 Gbit/s)",
		"Endpoint buy     42 QPS", "Endpoint cart    – QPS", "Host memory      3 GB of 8 GB",
		"Host NIC out/in  – / –", "Host TCP         1,234 established, – socket memory",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("lacks the line %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "1 MB") {
		t.Errorf("the probe's figures are not in the text:\n%s", b.String())
	}
}
