package report

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The figures of issue #22 that the report got wrong, each on a recording
// that shows it.

// TestPageWeightIsWeightedByPageViews: most of a launch day is idle, and
// an idle page view costs the origin less (a visitor or two, the HTML
// alone cached nowhere, no burst of assets). A plain median over the
// snapshots is the idle page's; the page as the launch's visitors got it
// is the bytes over the page views, where each snapshot weighs by its page
// views.
func TestPageWeightIsWeightedByPageViews(t *testing.T) {
	const idlePV, idleWeight = 0.2, 400e3 // 0.8x the plan's 500 KB
	const busyPV, busyWeight = 100.0, 510e3
	var bytes, views float64
	snaps := scriptedSnapshots(func(d time.Duration, s *snapshot.Snapshot) {
		pv, per := idlePV, idleWeight
		if in(d, 0, 3*time.Minute) { // 180 of the 632 snapshots carry the sale
			pv, per = busyPV, busyWeight
		}
		s.PV, s.Bandwidth = snapshot.Some(pv), snapshot.Some(pv*per)
		bytes, views = bytes+pv*per, views+pv
	})
	r := buildReport(t, "page weight", snaps)
	pw := r.PageWeight
	want := bytes / views
	if !pw.Known || math.Abs(pw.PerView-want) > 1e-9*want {
		t.Fatalf("page weight %+v, want %s a view: the bytes over the page views", pw, capacity.FormatBytes(want))
	}
	if math.Abs(pw.PerView-busyWeight) > 0.01*busyWeight {
		t.Errorf("page weight %s, want about the %s the busy page cost", capacity.FormatBytes(pw.PerView), capacity.FormatBytes(busyWeight))
	}
	if pw.P95 != busyWeight {
		t.Errorf("95th percentile by page views %s, want the busy page's %s", capacity.FormatBytes(pw.P95), capacity.FormatBytes(busyWeight))
	}
	if pw.Snapshots != len(snaps) {
		t.Errorf("%d snapshots counted, want every one with page views (%d)", pw.Snapshots, len(snaps))
	}
	md, html := render(t, r)
	for _, out := range []string{md, html} {
		if !strings.Contains(out, capacity.FormatBytes(want)+" per view, weighted by page views") || !strings.Contains(out, "(1.02x)") {
			t.Errorf("the report does not give the weighted page weight and say how it is weighted:\n%s", mdSection(md, "## Plan"))
		}
	}
}

// mdSection returns the Markdown from the heading that begins with head to
// the next heading, for a failure's message.
func mdSection(md, head string) string {
	i := strings.Index(md, head)
	if i < 0 {
		return md
	}
	rest := md[i:]
	if j := strings.Index(rest[1:], "\n## "); j >= 0 {
		return rest[:j+1]
	}
	return rest
}

// TestLimitCrossingsSayTheirBasis: a limit is judged on the measured
// figure and, where it was not measured, on the plan's formula at the
// measured PV. For half a minute the recording holds 3,468 PV/s but no
// connections and no bandwidth: the plan says 17,340 connections (5 a
// view) and 1.73 GB/s, while every connection measured was 12. Those
// crossings are predictions and must say so, with both sides of the
// share; a crossing of a measured figure says it was measured.
func TestLimitCrossingsSayTheirBasis(t *testing.T) {
	const blindPV = 3468
	snaps := scriptedSnapshots(func(d time.Duration, s *snapshot.Snapshot) {
		s.Connections = snapshot.Some(12)
		if in(d, 2*time.Minute+20*time.Second, 2*time.Minute+30*time.Second) {
			s.Connections = snapshot.Some(9000) // measured over the warning line
		}
		if in(d, 2*time.Minute+30*time.Second, 3*time.Minute) {
			s.PV, s.Connections, s.Bandwidth = snapshot.Some(blindPV), snapshot.Value{}, snapshot.Value{}
		}
	})
	r := buildReport(t, "basis", snaps)
	// The first crossing of each subject and line: bandwidth crosses
	// measured at T+01:00 and predicted at T+02:30.
	byKey := map[string]Crossing{}
	for _, c := range r.Crossings {
		if _, ok := byKey[c.Subject+" "+c.Line.String()]; !ok {
			byKey[c.Subject+" "+c.Line.String()] = c
		}
	}
	conn, ok := byKey["limit/connections crit"]
	if !ok {
		t.Fatalf("no critical crossing of the connections limit in %+v", r.Crossings)
	}
	if !conn.Predicted || conn.Measured || conn.From != at(150*time.Second) {
		t.Errorf("connections crossing %+v: want a prediction alone from T+02:30", conn)
	}
	if want := "173.4% of the limit: 17,340 of 10,000, predicted at 3,468 PV/s"; conn.Worst != want {
		t.Errorf("connections crossing's worst %q, want %q", conn.Worst, want)
	}
	// The warning line was crossed by 9,000 measured connections first,
	// then held by the prediction: both, and the words say so.
	if warn := byKey["limit/connections warn"]; !warn.Predicted || !warn.Measured || warn.From != at(140*time.Second) {
		t.Errorf("connections warning crossing %+v: want measured from T+02:20, then predicted", warn)
	}
	if bw := byKey["limit/bandwidth crit"]; !bw.Measured || !strings.HasSuffix(bw.Worst, ", measured") {
		t.Errorf("the measured bandwidth crossing %+v does not say it was measured", bw)
	}
	if bw := byKey["limit/bandwidth warn"]; !bw.Measured || bw.Predicted {
		t.Errorf("bandwidth's first crossing %+v, want measured alone", bw)
	}
	md, html := render(t, r)
	for _, out := range []string{md, html} {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "connections limit") && strings.Contains(line, "measured") && !strings.Contains(line, "not measured") {
				t.Errorf("a connections crossing that rests on a prediction reads as measured: %s", line)
			}
		}
		if !strings.Contains(out, "predicted at 3,468 PV/s (the span measured in part, predicted at the PV where the figure was not measured)") {
			t.Errorf("a crossing that stood on a measurement, then on a prediction, does not say so:\n%s", mdSection(md, "## Thresholds"))
		}
		if !strings.Contains(out, "| 173.4% of the limit: 17,340 of 10,000, predicted at 3,468 PV/s |") &&
			!strings.Contains(out, "<td>173.4% of the limit: 17,340 of 10,000, predicted at 3,468 PV/s</td>") {
			t.Errorf("the crossings do not say which rest on a prediction:\n%s", mdSection(md, "## Thresholds"))
		}
	}
}
