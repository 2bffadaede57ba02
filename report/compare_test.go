package report

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/sim"
)

// demoUntil is how long after T0 a demo launch is recorded: past the
// first launch's missing button (15 minutes) and the second's sell-out
// (about 10).
const demoUntil = 20 * time.Minute

var (
	demoOnce    sync.Once
	demoReports map[string]*Report
)

// demoReport records a demo scenario as `launchwatch demo` does (the
// embedded demo config, the scrape source on the shop's clock, the same
// header) from T-2m to T+20m, polling every second of simulated time on
// a clock moved by hand, so the run takes seconds and repeats exactly,
// and builds its report as the report command does. The local host is
// left out (its figures are the test machine's), and so is the probe,
// which looks at the shop in the background on the wall clock: its looks
// would vary from run to run. Each scenario is recorded once per test
// binary.
func demoReport(t *testing.T, scenario string) *Report {
	t.Helper()
	demoOnce.Do(func() {
		demoReports = map[string]*Report{}
		for _, sc := range []string{"first-launch", "second-launch"} {
			demoReports[sc] = recordDemo(t, sc)
		}
	})
	r := demoReports[scenario]
	if r == nil {
		t.Fatalf("the demo launch %s could not be recorded (see the first test that asked)", scenario)
	}
	return r
}

func recordDemo(t *testing.T, scenario string) *Report {
	clock := testtool.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	shop, url := simtest.Serve(t, sim.Options{Scenario: scenario, Speed: 1, StartIn: 2 * time.Minute, Seed: 1, Wall: clock.Now})
	cfg, err := launch.DemoConfig(url+"/metrics", shop)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sources.Host, cfg.Sources.Probe = nil, nil
	// The poll's deadline is the wall clock's: a loaded machine's slow
	// answer would read as the source down, and the golden would vary.
	cfg.Sources.Scrape.Timeout = 0
	sources, err := collectors.FromConfig(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	poller := collectors.NewPoller(sources, collectors.WithClock(shop.Now), collectors.WithTimeout(time.Minute))
	h, err := launch.Header(cfg, recording.OriginDemo, clock.Now(), recording.Build{Version: "v0.0.0-test"})
	if err != nil {
		t.Fatal(err)
	}
	h.Host = "test"
	path := filepath.Join(t.TempDir(), scenario+".lwrec.jsonl")
	w, err := recording.Create(path, h, recording.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for shop.Now().Sub(shop.LaunchAt()) <= demoUntil {
		if err := w.Append(poller.Poll(context.Background())); err != nil {
			t.Fatal(err)
		}
		clock.Advance(cfg.Interval)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	plan, hasPlan, th, err := launch.RecordingPlan(rec)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(rec, plan, hasPlan, th)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func renderComparison(t *testing.T, c *Comparison) (md, html string) {
	t.Helper()
	var m, h bytes.Buffer
	if err := c.WriteMarkdown(&m); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	return m.String(), h.String()
}

func TestCompareGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("records two demo launches against the simulator over HTTP")
	}
	md, html := renderComparison(t, Compare(demoReport(t, "first-launch"), demoReport(t, "second-launch")))
	t.Run("markdown", func(t *testing.T) { golden.RequireEqual(t, []byte(md)) })
	t.Run("html", func(t *testing.T) { golden.RequireEqual(t, []byte(html)) })
}

// TestCompareSetsEachLaunchsOwnFiguresSideBySide: the comparison's cells
// are the two reports' own figures, each at its own launch's time: the
// first demo launch's three failure modes beside the second's none, the
// peaks, the page weight and the highest line each figure reached.
func TestCompareSetsEachLaunchsOwnFiguresSideBySide(t *testing.T) {
	if testing.Short() {
		t.Skip("records two demo launches against the simulator over HTTP")
	}
	a, b := demoReport(t, "first-launch"), demoReport(t, "second-launch")
	v := Compare(a, b).view()
	rows := map[string][]string{}
	for _, s := range v.Sections {
		for _, tb := range s.Tables {
			for _, r := range tb.Rows {
				rows[s.ID+"/"+r[0]] = r
			}
		}
	}
	for _, f := range a.Failures {
		if r := rows["failures/"+f.Title]; r == nil || r[1] != "shown from "+a.Rel(f.At) || r[2] != "not shown" {
			t.Errorf("failure %s: row %q, want it shown in A from %s and not in B", f.Title, r, a.Rel(f.At))
		}
	}
	if len(a.Failures) != 3 || len(b.Failures) != 0 {
		t.Fatalf("the first launch shows %d failure modes and the second %d, want 3 and 0", len(a.Failures), len(b.Failures))
	}
	for _, p := range a.Peaks {
		q, ok := b.peakNamed(p.Signal)
		if !ok {
			t.Fatalf("the second launch has no %s peak", p.Signal)
		}
		r := rows["peaks/"+p.Label]
		if r == nil || r[1] != p.Text+" at "+a.Rel(p.At) || r[2] != q.Text+" at "+b.Rel(q.At) {
			t.Errorf("peak %s: row %q, want %s at %s beside %s at %s", p.Label, r, p.Text, a.Rel(p.At), q.Text, b.Rel(q.At))
		}
	}
	if r := rows["limits/weighted by page views"]; r == nil || !strings.HasPrefix(r[1], "10.1 MB a view (101x") || !strings.HasPrefix(r[2], "102 KB a view (1.02x") {
		t.Errorf("page weight row %q, want the first launch's 10.1 MB a view beside the second's 102 KB", r)
	}
	if r := rows["limits/bandwidth limit"]; r == nil || !strings.HasPrefix(r[1], "crit 95%: 1 span") || !strings.Contains(r[1], "measured") || r[2] != "not reached" {
		t.Errorf("bandwidth limit row %q, want A over its critical line, measured, and B not reaching it", r)
	}
}

// undatedReport is the report of the scripted launch as a recording that knows no
// T0: its header and plan have none.
func undatedReport(t *testing.T, name string) *Report {
	t.Helper()
	plan, th := testPlan(), capacity.DefaultThresholds()
	plan.LaunchAt = time.Time{}
	h := testHeader(t, name, plan, th)
	h.Launch.StartsAt = time.Time{}
	r, err := Build(writeRecording(t, h, scriptedSnapshots(nil)), plan, true, th)
	if err != nil {
		t.Fatal(err)
	}
	if !r.T0.IsZero() {
		t.Fatalf("the undated recording has T0 %v", r.T0)
	}
	return r
}

// TestARecordingWithoutT0IsAlignedAtItsStartAndSaysSo: B has no T0, so
// its times count from its first snapshot, laid at A's T0, and the page
// says so in its head and on every chart's time axis.
func TestARecordingWithoutT0IsAlignedAtItsStartAndSaysSo(t *testing.T) {
	a, b := buildReport(t, "dated", scriptedSnapshots(nil)), undatedReport(t, "undated")
	c := Compare(a, b)
	md, html := renderComparison(t, c)
	if !strings.Contains(md, "B has no T0: its times are from its first snapshot, aligned with the other's T0") {
		t.Errorf("the Markdown does not say B is aligned at its start:\n%s", md)
	}
	if n := strings.Count(html, "time from T0 (B: from its first snapshot)"); n != 6 {
		t.Errorf("%d charts name B's alignment on their time axis, want all 6", n)
	}
	// A's PV peak is 2 minutes after its T0; B's, the same snapshots, 4
	// minutes after its first snapshot (2 minutes before T0).
	pk, _ := a.peakNamed("pv")
	if want := "| Page views | " + pk.Text + " at T+02:00 | " + pk.Text + " at +04:00 | 1x |"; !strings.Contains(md, want) {
		t.Errorf("the PV peaks are not each at its own launch's time, want %q in:\n%s", want, md)
	}
	// On the chart B's first point stands at x = 0 (its start), A's at
	// -2 (its first snapshot two minutes before its T0).
	ch := c.planCharts([]string{"pv"})[0]
	if ch.err != nil {
		t.Fatal(ch.err)
	}
	if got := c.A.compareAxis(axisT0).x(a.First); got != -2 {
		t.Errorf("A's first snapshot at x = %v, want -2", got)
	}
	if got := c.B.compareAxis(axisT0).x(b.First); got != 0 {
		t.Errorf("B's first snapshot at x = %v, want 0", got)
	}
	if ch.plot.X.Min != -2 {
		t.Errorf("the chart's time axis starts at %v, want -2 (A's first snapshot)", ch.plot.X.Min)
	}
}

// TestACompareNamesBothLaunchesInEveryChartsLegend: each chart's legend
// names A's solid line and B's dashed one by the launches' names, and the
// page fetches nothing.
func TestACompareNamesBothLaunchesInEveryChartsLegend(t *testing.T) {
	a, b := buildReport(t, "first", scriptedSnapshots(nil)), buildReport(t, "second", scriptedSnapshots(nil))
	_, html := renderComparison(t, Compare(a, b))
	for _, want := range []string{`<span class="sw-s0"></span>A: first</span>`, `<span class="sw-b"></span>B: second</span>`} {
		if n := strings.Count(html, want); n != 6 {
			t.Errorf("%d legends hold %q, want all 6", n, want)
		}
	}
	if !strings.Contains(html, ".sw-b { border-top: 2px dashed") {
		t.Error("the page has no swatch for B's dashed line")
	}
	if m := externalRefs(t, html); len(m) > 0 {
		t.Errorf("the HTML refers outside itself: %q", m)
	}
}

// TestACompareCleansAndEscapesTheLaunchesNames: a launch's name is
// untrusted; it reaches neither page raw.
func TestACompareCleansAndEscapesTheLaunchesNames(t *testing.T) {
	evil := "sale | <script>x</script>\x1b[2J"
	a, b := buildReport(t, evil, scriptedSnapshots(nil)), buildReport(t, "second", scriptedSnapshots(nil))
	md, html := renderComparison(t, Compare(a, b))
	for _, bad := range []string{"\x1b", "<script>"} {
		if strings.Contains(md, bad) || strings.Contains(html, bad) {
			t.Errorf("a page holds %q raw", bad)
		}
	}
	if !strings.Contains(md, `A: sale \| &lt;script&gt;`) {
		t.Errorf("the Markdown does not escape the name's pipe and brackets:\n%s", md)
	}
}
