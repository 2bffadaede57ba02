package report

import (
	"bytes"
	"fmt"
	htmlpkg "html"
	"math"
	"regexp"
	"slices"
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

// backfillHole makes snapshots as a backfill over a Prometheus that held
// no traffic series before T+05:00 lays them: the source answers (stock,
// sold and the endpoints), but PV, requests, bandwidth and connections
// are errors, their values missing.
func backfillHole(d time.Duration, s *snapshot.Snapshot) {
	fed := []string{"pv", "requests", "bandwidth", "connections", "error_rate", "stock", "sold", "endpoints.buy", "endpoints.login"}
	src := snapshot.Source{OK: true, LastSuccess: s.Time, NewestSample: s.Time, Signals: fed}
	if d < 5*time.Minute {
		src.OK, src.Error = false, "pv: empty result (no series match); …"
		src.Errors = map[string]string{}
		for _, sig := range fed[:4] {
			src.Errors[sig] = "empty result (no series match)"
			s.Set(sig, snapshot.Value{})
		}
	}
	s.Sources = map[string]snapshot.Source{"prometheus": src}
}

// TestGapsArePerSignalWithTheirStretches: a backfill whose traffic
// signals are missing in most snapshots had no source down and no
// snapshot missing, and the report said the data had no gap. It lists
// each signal's snapshots without a measurement and their stretches.
func TestGapsArePerSignalWithTheirStretches(t *testing.T) {
	snaps := scriptedSnapshots(backfillHole)
	missing := 0
	for _, s := range snaps {
		if !s.PV.OK() {
			missing++
		}
	}
	r := buildReport(t, "backfill hole", snaps)
	var got []string
	for _, g := range r.SignalGaps {
		got = append(got, g.Signal)
		if g.Missing != missing || g.Stretches != 1 || len(g.Longest) != 1 {
			t.Errorf("%s: %d snapshots missing in %d stretches (%d listed), want %d in 1", g.Signal, g.Missing, g.Stretches, len(g.Longest), missing)
			continue
		}
		st := g.Longest[0]
		if st.From != at(script.start) || st.To != at(5*time.Minute) || st.Open || st.Snapshots != missing {
			t.Errorf("%s: stretch %+v, want from the first snapshot to T+05:00 with %d snapshots", g.Signal, st, missing)
		}
	}
	if want := []string{"pv", "requests", "connections", "bandwidth"}; !slices.Equal(got, want) {
		t.Errorf("signals with gaps %v, want %v in the signal table's order", got, want)
	}
	md, html := render(t, r)
	gaps := mdSection(md, "## Gaps")
	for _, want := range []string{
		"| pv | 420 of 632 snapshots (66.5%) | 1 |",
		"| pv, requests, connections, bandwidth | T-02:00 | T+05:00 | 7m | 420 |",
	} {
		if !strings.Contains(gaps, want) {
			t.Errorf("the gaps do not show %q:\n%s", want, gaps)
		}
	}
	if strings.Contains(md, "no snapshot is missing") || strings.Contains(html, "Every signal was measured") {
		t.Errorf("the report says the data has no gap:\n%s", gaps)
	}
}

// TestALaggingSourcesPeaksAreAtTheDataTime: VictoriaMetrics holds back
// its newest 30 s, so each poll reads figures 30 s old, and the newest
// sample behind its answer says how old. A peak is when the figure was
// measured, not when the poll read it.
func TestALaggingSourcesPeaksAreAtTheDataTime(t *testing.T) {
	const lag = 30 * time.Second
	sc := script
	snaps := scriptedSnapshots(func(d time.Duration, s *snapshot.Snapshot) {
		data := s.Time
		s.Time = s.Time.Add(lag)
		src := s.Sources["prometheus"]
		src.Signals = []string{"pv", "requests", "connections", "bandwidth", "error_rate", "stock", "endpoints.login", "endpoints.buy"}
		src.NewestSample = data
		if src.OK {
			src.LastSuccess = s.Time
		}
		s.Sources["prometheus"] = src
	})
	r := buildReport(t, "lagging", snaps)
	want := map[string]time.Duration{"pv": sc.pvPeakAt, "requests": sc.reqPeakAt, "connections": sc.connPeakAt, "bandwidth": sc.bwCritFrom, "error_rate": sc.errFrom}
	for _, p := range r.Peaks {
		if w, ok := want[p.Signal]; ok && !p.At.Equal(at(w)) {
			t.Errorf("%s peak at %s, want %s: the data's time, not the poll's", p.Signal, r.Rel(p.At), r.Rel(at(w)))
		}
	}
	for _, e := range r.Endpoints {
		if e.Name == "login" && !e.At.Equal(at(sc.loginPeakAt)) {
			t.Errorf("login's peak at %s, want %s", r.Rel(e.At), r.Rel(at(sc.loginPeakAt)))
		}
	}
	// The stock read zero at T+08:50, of data from T+08:20.
	if !r.SellOut.SoldOut.Equal(at(sc.soldOutAfter)) || len(r.Phases) != 3 || !r.Phases[2].From.Equal(at(sc.soldOutAfter)) {
		t.Errorf("sold out at %s (phases %+v), want %s", r.Rel(r.SellOut.SoldOut), r.Phases, r.Rel(at(sc.soldOutAfter)))
	}
	if len(r.SourceLags) != 1 || r.SourceLags[0].Name != "prometheus" || r.SourceLags[0].Max != lag {
		t.Errorf("source lags %+v, want prometheus 30s behind", r.SourceLags)
	}
	md, _ := render(t, r)
	if !strings.Contains(md, "| Page views | 150 PV/s | T+02:00 |") {
		t.Errorf("the peaks table does not place the PV peak at its data's time:\n%s", mdSection(md, "## Launch"))
	}
	if !strings.Contains(md, "prometheus: its data 30s behind its polls on average") {
		t.Errorf("the report does not say the source lagged:\n%s", md[:min(len(md), 800)])
	}
}

// probeEvery is the scripted probe's cadence; the first probe of the
// recording ends probeAfter into it.
const probeEvery, probeAfter = 10 * time.Second, 4 * time.Second

// buttonHidden scripts the first launch's purchase path: the buy button
// missing from the sale page until T+08:00 (the probe looks every 10 s,
// its result as old as the time since it looked) and no buy traffic until
// then, 2 QPS after.
func buttonHidden(d time.Duration, s *snapshot.Snapshot) {
	since := d - script.start - probeAfter
	if since >= 0 {
		age := since % probeEvery
		probed := d - age
		present := 0.0
		if probed >= 8*time.Minute {
			present = 1
		}
		s.Probe = snapshot.Probe{ButtonPresent: snapshot.Some(present), Age: snapshot.Some(age.Seconds())}
	}
	if d < 8*time.Minute {
		s.Endpoints["buy"] = snapshot.Endpoint{QPS: snapshot.Some(0)}
	}
}

// TestThePurchaseFailureCitesTheProbeAndItsExactWindow: the purchase path
// dead is shown by the buy endpoint's traffic and by the probe that found
// the button missing; the failure cites both, the probe by its own times
// (missing from its first look, critical from its first look after T0,
// back when it found the button again), and its average says exactly
// which snapshots it was taken over.
func TestThePurchaseFailureCitesTheProbeAndItsExactWindow(t *testing.T) {
	snaps := scriptedSnapshots(buttonHidden)
	r := buildReport(t, "button", snaps)
	if len(r.ButtonMissing) != 1 {
		t.Fatalf("button missing %+v, want one stretch", r.ButtonMissing)
	}
	b := r.ButtonMissing[0]
	first := script.start + probeAfter
	if b.From != at(first) || b.Crit != at(4*time.Second) || b.To != at(8*time.Minute+4*time.Second) || b.Open {
		t.Errorf("button missing from %s, critical from %s, back at %s; want %s, T+00:04, T+08:04",
			r.Rel(b.From), r.Rel(b.Crit), r.Rel(b.To), r.Rel(at(first)))
	}
	var f *Failure
	for i := range r.Failures {
		if r.Failures[i].Kind == FailurePurchase {
			f = &r.Failures[i]
		}
	}
	if f == nil {
		t.Fatalf("no purchase failure in %+v", r.Failures)
	}
	probe := "the probe found the purchase button missing from T-01:56, critical from T+00:04 once the sale was live, back at T+08:04"
	if !strings.Contains(f.Evidence, probe) {
		t.Errorf("the purchase failure does not cite the probe (%q):\n%s", probe, f.Evidence)
	}
	// The average's words name its window; the snapshots in that window
	// give that average.
	m := regexp.MustCompile(`averaged ([0-9.]+)/s over the (\d+) snapshots from (T[+-]\d\d:\d\d) to (T[+-]\d\d:\d\d)`).FindStringSubmatch(f.Evidence)
	if m == nil {
		t.Fatalf("the purchase failure's average does not name its snapshots and window:\n%s", f.Evidence)
	}
	from, to := relTime(t, m[3]), relTime(t, m[4])
	sum, n := 0.0, 0
	for _, s := range snaps {
		if !s.Time.Before(from) && !s.Time.After(to) {
			sum, n = sum+s.Endpoints["buy"].QPS.Or(0), n+1
		}
	}
	if fmt.Sprint(n) != m[2] || capacity.FormatNumber(sum/float64(n)) != m[1] {
		t.Errorf("the snapshots from %s to %s are %d averaging %s/s; the evidence says %s averaging %s/s", m[3], m[4], n,
			capacity.FormatNumber(sum/float64(n)), m[2], m[1])
	}
}

// relTime reads "T+05:00" back.
func relTime(t *testing.T, rel string) time.Time {
	t.Helper()
	var mm, ss int
	if _, err := fmt.Sscanf(rel[2:], "%d:%d", &mm, &ss); err != nil {
		t.Fatal(err)
	}
	d := time.Duration(mm)*time.Minute + time.Duration(ss)*time.Second
	if rel[1] == '-' {
		d = -d
	}
	return at(d)
}

// TestTheProbeAloneNamesADeadPurchasePath: with no purchase traffic
// measured, the probe finding the button missing through the live sale
// is the evidence.
func TestTheProbeAloneNamesADeadPurchasePath(t *testing.T) {
	r := buildReport(t, "probe alone", scriptedSnapshots(func(d time.Duration, s *snapshot.Snapshot) {
		buttonHidden(d, s)
		s.Endpoints["buy"] = snapshot.Endpoint{}
	}))
	if len(r.Failures) != 1 || r.Failures[0].Kind != FailurePurchase || r.Failures[0].At != at(4*time.Second) ||
		!strings.Contains(r.Failures[0].Evidence, "critical from T+00:04 once the sale was live, back at T+08:04; no purchase traffic was measured") {
		t.Errorf("failures %+v, want the purchase path dead from the probe's first look after T0", r.Failures)
	}
}

// huge is the largest finite figure a recording can hold, near enough:
// what a counter reset or a unit mix-up makes of a rate.
const huge = 1.79e308

// TestOneExtremeFigureStillReports: one snapshot holding 1.79e308 in
// every traffic figure made the report fail (a chart's axis overflowed).
// Every finite value reports: the peaks name it, and each chart draws the
// rest of its data, clips the extreme point at its top and says so.
func TestOneExtremeFigureStillReports(t *testing.T) {
	snaps := scriptedSnapshots(func(d time.Duration, s *snapshot.Snapshot) {
		if d == time.Minute {
			v := snapshot.Some(huge)
			s.PV, s.Requests, s.Connections, s.Bandwidth, s.ErrorRate, s.LatencyP95 = v, v, v, v, v, v
			s.Host.TCPMemory = v
			s.Endpoints["login"] = snapshot.Endpoint{QPS: v}
		}
	})
	r := buildReport(t, "extreme", snaps)
	var md, html bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatalf("Markdown: %v", err)
	}
	if err := r.WriteHTML(&html); err != nil {
		t.Fatalf("HTML: %v", err)
	}
	for _, p := range r.Peaks {
		if p.Signal == "pv" && (p.Value != huge || !p.At.Equal(at(time.Minute))) {
			t.Errorf("PV peak %v at %s, want the extreme figure at T+01:00", p.Value, r.Rel(p.At))
		}
	}
	for _, bad := range []string{"NaN", "Inf"} {
		if strings.Contains(md.String(), bad) || strings.Contains(html.String(), bad) {
			t.Errorf("the report shows %s", bad)
		}
	}
	page := html.String()
	if n := strings.Count(page, "<svg"); n < 7 {
		t.Errorf("%d charts drawn, want every one", n)
	}
	// Every chart of a figure that held the extreme point says it clipped
	// it, with the figure and its time.
	for _, title := range []string{"Page views per second", "Requests per second", "Error rate", "Origin bandwidth", "Concurrent connections", "Latency percentiles"} {
		i := strings.Index(page, `aria-label="`+title+`"`)
		if i < 0 {
			t.Errorf("no chart %q", title)
			continue
		}
		caption := page[i:]
		caption = htmlpkg.UnescapeString(caption[strings.Index(caption, "<figcaption>"):strings.Index(caption, "</figcaption>")])
		if !strings.Contains(caption, "clipped: 1 snapshot over") || !strings.Contains(caption, "the highest ") ||
			!strings.Contains(caption, "at T+01:00") {
			t.Errorf("the %s chart does not say it clipped the extreme point: %s", title, caption)
		}
	}
}

// A figure dancing on its line (an error rate at 6% one second and 4% the
// next, around the 5% crit line) is one crossing that ends where the
// figure fell under for good, as the problem held on screen; a dip
// shorter than close_after does not split it.
func TestAFigureDancingOnItsLineIsOneCrossing(t *testing.T) {
	const from, to = 60 * time.Second, 180 * time.Second
	snaps := scriptedSnapshots(func(d time.Duration, s *snapshot.Snapshot) {
		s.ErrorRate = snapshot.Some(0)
		if in(d, from, to) {
			s.ErrorRate = snapshot.Some(0.04)
			if (d/time.Second)%2 == 0 {
				s.ErrorRate = snapshot.Some(0.06)
			}
		}
	})
	r := buildReport(t, "dancing", snaps)
	var crit []Crossing
	for _, c := range r.Crossings {
		if c.Subject == "errors/error_rate" && c.Line == capacity.LevelCrit {
			crit = append(crit, c)
		}
	}
	if len(crit) != 1 {
		t.Fatalf("%d crit crossings of the error rate, want one", len(crit))
	}
	// The last second at 6% is T+02:58; it fell under at T+02:59.
	if c := crit[0]; !c.From.Equal(at(from)) || !c.To.Equal(at(to-time.Second)) || c.Open {
		t.Errorf("the crossing runs %s to %s (open %v), want T+%s to T+%s", r.Rel(c.From), r.Rel(c.To), c.Open, from, to-time.Second)
	}
}
