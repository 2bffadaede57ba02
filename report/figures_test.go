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
