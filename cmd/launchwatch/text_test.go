package main

import (
	"bytes"
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
	if err := writeFrameText(&b, an.Add(s), true); err != nil {
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
