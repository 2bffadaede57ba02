package report

import (
	"html"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// allCharts is every chart a report can draw.
var allCharts = []string{"pv", "requests", "errors", "bandwidth", "connections", "memory", "latency", "endpoints"}

// TestTheChartsShareOneTimeAxis: each chart's data area begins and ends at
// the same place on the page and runs over the same times, whatever the
// width of its y axis' labels ("5" against "100 MB/s"), so that a moment
// stands at the same place in each.
func TestTheChartsShareOneTimeAxis(t *testing.T) {
	r := buildReport(t, "aligned", scriptedSnapshots(func(_ time.Duration, s *snapshot.Snapshot) {
		s.LatencyP50, s.LatencyP95, s.LatencyP99 = snapshot.Some(0.05), snapshot.Some(0.2), snapshot.Some(0.4)
	}))
	charts := r.planCharts(allCharts)
	a := alignCharts(charts)
	var lefts []float64
	first := charts[0]
	for _, c := range charts {
		if c.err != nil {
			t.Fatal(c.err)
		}
		own := c.plot.DataCanvas(fullCanvas())
		lefts = append(lefts, float64(own.Min.X))
		dc := c.plot.DataCanvas(a.canvas(c.plot, fullCanvas()))
		want := first.plot.DataCanvas(a.canvas(first.plot, fullCanvas()))
		if math.Abs(float64(dc.Min.X-want.Min.X)) > 1e-6 || math.Abs(float64(dc.Max.X-want.Max.X)) > 1e-6 {
			t.Errorf("%s: data area from %.2f to %.2f pt, the %s chart's from %.2f to %.2f", c.name, dc.Min.X, dc.Max.X,
				first.name, want.Min.X, want.Max.X)
		}
		if c.plot.X.Min != first.plot.X.Min || c.plot.X.Max != first.plot.X.Max {
			t.Errorf("%s: time from %v to %v, the %s chart's from %v to %v", c.name, c.plot.X.Min, c.plot.X.Max, first.name,
				first.plot.X.Min, first.plot.X.Max)
		}
	}
	// The test means something only if the charts' own axes differ.
	same := true
	for _, l := range lefts {
		same = same && l == lefts[0]
	}
	if same {
		t.Fatalf("every chart's y axis is as wide as the others (%v): nothing to align", lefts)
	}
}

// TestAQuietErrorChartIsScaledToItsData: a run without errors drew its
// error-rate chart from 0 to 100% in the critical band's red. It runs to
// the warning line, under which the data stayed, with no critical band.
func TestAQuietErrorChartIsScaledToItsData(t *testing.T) {
	r := buildReport(t, "no errors", scriptedSnapshots(func(_ time.Duration, s *snapshot.Snapshot) {
		s.ErrorRate = snapshot.Some(0)
	}))
	c := r.planCharts([]string{"errors"})[0]
	if c.err != nil {
		t.Fatal(c.err)
	}
	warn := r.Thresholds.ErrorRateWarn
	if c.plot.Y.Max > 1.1*warn || c.plot.Y.Max < warn || c.bands > 1 {
		t.Errorf("error chart runs to %s with %d bands, want to about the %s warning line with no critical band",
			capacity.FormatPercent(c.plot.Y.Max), c.bands, capacity.FormatPercent(warn))
	}
	_, page := render(t, r)
	i := strings.Index(page, `aria-label="Error rate"`)
	caption := page[i:]
	caption = html.UnescapeString(caption[strings.Index(caption, "<figcaption>"):strings.Index(caption, "</figcaption>")])
	if strings.Contains(caption, "critical band") {
		t.Errorf("the quiet error chart's legend names a critical band it does not show: %s", caption)
	}

	// Errors near the lines still show both bands.
	r = buildReport(t, "errors", scriptedSnapshots(nil))
	if c := r.planCharts([]string{"errors"})[0]; c.bands != 2 || c.plot.Y.Max < r.Thresholds.ErrorRateCrit {
		t.Errorf("a 2%% error burst's chart runs to %s with %d bands, want both bands", capacity.FormatPercent(c.plot.Y.Max), c.bands)
	}
}

// TestChartsReadTheClockWhenT0IsFarAway: a recording made days after its
// T0 labelled its axis T+231h32m. Far from T0 the axis reads the time of
// day and its title says where T0 lies; near T0 it reads from T0.
func TestChartsReadTheClockWhenT0IsFarAway(t *testing.T) {
	plan, th := testPlan(), capacity.DefaultThresholds()
	plan.LaunchAt = t0.Add(-231*time.Hour - 32*time.Minute)
	h := testHeader(t, "days later", plan, th)
	h.Launch.StartsAt = plan.LaunchAt
	r, err := Build(writeRecording(t, h, scriptedSnapshots(nil)), plan, true, th)
	if err != nil {
		t.Fatal(err)
	}
	ax := r.timeAxis()
	if ax.mode != axisClock {
		t.Fatalf("axis mode %d, want the clock", ax.mode)
	}
	var labels []string
	for _, tk := range ax.Ticks(ax.x(r.First), ax.x(r.Last)) {
		labels = append(labels, tk.Label)
	}
	if got, want := strings.Join(labels, " "), "11:58 12:00 12:02 12:04 12:06 12:08"; got != want {
		t.Errorf("ticks %q, want %q", got, want)
	}
	_, page := render(t, r)
	if strings.Contains(page, "T+231h") || !strings.Contains(page, "time (UTC); T0 at 2026-11-17 20:28:00Z, the recording is 9d 15h after it") {
		t.Errorf("the charts do not read the clock and say where T0 is:\n%s", page[strings.Index(page, "<svg"):][:3000])
	}

	near := buildReport(t, "near", scriptedSnapshots(nil)).timeAxis()
	var got []string
	for _, tk := range near.Ticks(near.x(at(script.start)), near.x(at(script.end))) {
		got = append(got, tk.Label)
	}
	if s := strings.Join(got, " "); s != "T-2m T0 T+2m T+4m T+6m T+8m" {
		t.Errorf("near T0 the ticks read %q", s)
	}
}

// TestAChartThatCannotBeDrawnLeavesThePageStanding: a chart that fails
// says so in its place, the rest of the page is written whole, and the
// error names the chart.
func TestAChartThatCannotBeDrawnLeavesThePageStanding(t *testing.T) {
	r := buildReport(t, "a chart fails", scriptedSnapshots(nil))
	v := r.view()
	v.Sections[1].Charts = append(v.Sections[1].Charts, "no-such-chart")
	var b strings.Builder
	err := r.writeHTML(&b, v)
	if err == nil || !strings.Contains(err.Error(), `no chart "no-such-chart"`) {
		t.Errorf("error %v, want one naming the chart", err)
	}
	page := b.String()
	if !strings.Contains(page, "this chart could not be drawn") || !strings.HasSuffix(strings.TrimSpace(page), "</html>") ||
		strings.Count(page, "<svg") != 7 {
		t.Errorf("the page is not whole with a note in the failed chart's place (%d charts)", strings.Count(page, "<svg"))
	}
}
