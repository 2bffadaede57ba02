package report

import (
	"errors"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/charmbracelet/x/exp/golden"
	xhtml "golang.org/x/net/html"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

func TestReportFiguresMatchTheScriptedLaunch(t *testing.T) {
	sc := script
	r := buildReport(t, "scripted", scriptedSnapshots(nil))

	if r.First != at(sc.start) || r.Last != at(sc.end) || !r.T0.Equal(t0) {
		t.Errorf("window %v..%v T0 %v, want %v..%v T0 %v", r.First, r.Last, r.T0, at(sc.start), at(sc.end), t0)
	}
	if r.Step != time.Second {
		t.Errorf("step %v, want 1s", r.Step)
	}

	peaks := map[string]struct {
		v  float64
		at time.Duration
	}{
		"pv": {sc.pvPeak, sc.pvPeakAt}, "requests": {sc.reqPeak, sc.reqPeakAt},
		"connections": {sc.connPeak, sc.connPeakAt}, "bandwidth": {sc.bwCrit, sc.bwCritFrom},
		"error_rate": {sc.errRate, sc.errFrom},
	}
	for _, p := range r.Peaks {
		want, ok := peaks[p.Signal]
		if !ok {
			t.Errorf("unexpected peak %q", p.Signal)
			continue
		}
		if !p.Known || p.Value != want.v || !p.At.Equal(at(want.at)) {
			t.Errorf("peak %s = %v at %s, want %v at %s", p.Signal, p.Value, r.Rel(p.At), want.v, r.Rel(at(want.at)))
		}
	}
	if len(r.Peaks) != len(peaks) {
		t.Errorf("%d peaks, want %d", len(r.Peaks), len(peaks))
	}

	type span struct {
		subject  string
		line     capacity.Level
		from, to time.Duration
	}
	var got []span
	for _, c := range r.Crossings {
		if c.Open {
			t.Errorf("crossing %s %s still open at the end", c.Subject, c.Line)
		}
		got = append(got, span{c.Subject, c.Line, c.From.Sub(t0), c.To.Sub(t0)})
	}
	want := []span{
		{"limit/bandwidth", capacity.LevelWarn, sc.bwWarnFrom, sc.bwWarnTo},
		// The bandwidth's climb at a steady PV is pages costing more than
		// planned: 850 KB a view fills the link long before the planned
		// peak (200 PV/s of the plan's own 500 KB already fill it).
		{"page-weight/page", capacity.LevelWarn, sc.bwWarnFrom, sc.bwWarnTo},
		{"page-weight/page", capacity.LevelCrit, sc.bwWarnFrom, sc.bwWarnTo},
		{"limit/bandwidth", capacity.LevelCrit, sc.bwCritFrom, sc.bwCritTo},
		{"endpoint/login", capacity.LevelWarn, sc.loginPeakAt, sc.loginPeakAt + time.Second},
		{"errors/error_rate", capacity.LevelWarn, sc.errFrom, sc.errTo},
	}
	if !slices.Equal(got, want) {
		t.Errorf("crossings\n got %v\nwant %v", got, want)
	}

	if len(r.Phases) != 3 || r.Phases[1].From != t0 || r.Phases[2].From != at(sc.soldOutAfter) || r.Phases[2].Name != "sold out" {
		t.Errorf("phases %+v, want before launch, live from T0, sold out from %v", r.Phases, sc.soldOutAfter)
	}
	if !r.SellOut.SoldOut.Equal(at(sc.soldOutAfter)) || r.SellOut.Planned != testPlan().Stock.SellOut {
		t.Errorf("sell-out %+v, want sold out at T+%v against %v", r.SellOut, sc.soldOutAfter, testPlan().Stock.SellOut)
	}

	plan := testPlan()
	views := func(pv float64) float64 { return pv * plan.ResourcesPerPage * plan.ResourceSize }
	misses := map[string]Miss{}
	for _, m := range r.Misses {
		misses[m.Name] = m
	}
	if m := misses["bandwidth"]; !m.Known || m.At != at(sc.bwCritFrom) || m.Measured != sc.bwCrit || m.Predicted != views(sc.salePV) {
		t.Errorf("bandwidth miss %+v, want %v against %v at T+%v", m, sc.bwCrit, views(sc.salePV), sc.bwCritFrom)
	}
	perView := plan.ResourcesPerPage * plan.ResourceSize / plan.DownloadSpeed // seconds a view holds a connection
	if m := misses["connections"]; !m.Known || m.At != at(sc.connPeakAt) || m.Measured != sc.connPeak || m.Predicted != sc.salePV*perView {
		t.Errorf("connections miss %+v, want %v against %v at T+%v", m, sc.connPeak, sc.salePV*perView, sc.connPeakAt)
	}
	if m := misses["memory"]; m.Known {
		t.Errorf("memory was never measured, yet its miss is known: %+v", m)
	}
	// The page weighs its 500 KB but for the bandwidth's climb (850 and
	// 970 KB a view for 30 s) and the PV peak's second (its bytes are
	// the seconds around's: 333 KB a view): the bytes over the views.
	var bytes, pvs float64
	for _, s := range scriptedSnapshots(nil) {
		bytes, pvs = bytes+s.Bandwidth.Or(0), pvs+s.PV.Or(0)
	}
	if pw := r.PageWeight; !pw.Known || math.Abs(pw.PerView-bytes/pvs) > 1e-9*pw.PerView || pw.P95 != sc.bwWarn/sc.salePV || pw.Planned != views(1) {
		t.Errorf("page weight %+v, want %v a view, 95%% of views at most %v, against %v", pw, bytes/pvs, sc.bwWarn/sc.salePV, views(1))
	}

	if r.Bottleneck != "login" {
		t.Errorf("bottleneck %q, want login (%v of 300 QPS beats buy's %v of 100)", r.Bottleneck, sc.loginPeak, sc.buyQPS)
	}
	for _, e := range r.Endpoints {
		if e.Name == "login" && (e.QPS != sc.loginPeak || e.At != at(sc.loginPeakAt)) {
			t.Errorf("login peak %+v, want %v at T+%v", e, sc.loginPeak, sc.loginPeakAt)
		}
	}

	if len(r.Gaps) != 1 || r.Gaps[0].From != at(sc.gapFrom) || r.Gaps[0].To != at(sc.gapTo) {
		t.Errorf("gaps %+v, want one from T+%v to T+%v", r.Gaps, sc.gapFrom, sc.gapTo)
	}
	if len(r.SourcesDown) != 1 || r.SourcesDown[0].Name != "prometheus" || r.SourcesDown[0].From != at(sc.downFrom) ||
		r.SourcesDown[0].To != at(sc.downTo) || r.SourcesDown[0].Why != sc.downError {
		t.Errorf("sources down %+v, want prometheus from T+%v to T+%v: %s", r.SourcesDown, sc.downFrom, sc.downTo, sc.downError)
	}

	kinds := map[events.Kind]bool{}
	for _, e := range r.Events {
		kinds[e.Kind] = true
	}
	for _, k := range []events.Kind{events.KindAvalanche, events.KindLimit, events.KindErrors, events.KindSource, events.KindPhase} {
		if !kinds[k] {
			t.Errorf("no %s event among %d", k, len(r.Events))
		}
	}
	// Login touched its warning line for one second: a crossing in the
	// table, but no problem opens in less than its standing time.
	if kinds[events.KindEndpoint] {
		t.Errorf("login's one second at 80%% raised an endpoint event: %+v", r.Events)
	}
	if len(r.Failures) != 0 {
		t.Errorf("a healthy launch shows failure modes: %+v", r.Failures)
	}
}

func TestReportNamesTheFailureModesTheDataShows(t *testing.T) {
	sc := script
	tests := []struct {
		name   string
		change func(d time.Duration, s *snapshot.Snapshot)
		want   []string
		at     time.Duration
	}{
		{"a healthy launch shows none", nil, nil, 0},
		{"pages ten times the plan are far over plan", func(d time.Duration, s *snapshot.Snapshot) {
			s.Bandwidth = snapshot.Some(s.PV.Or(0) * sc.pageWeight * 10)
		}, []string{FailurePageWeight}, sc.start},
		{"errors from T0 with the refresh avalanche", func(d time.Duration, s *snapshot.Snapshot) {
			if in(d, 0, 3*time.Minute) {
				s.ErrorRate = snapshot.Some(0.3)
			}
		}, []string{FailureAvalanche}, 0},
		{"no buy traffic for the first six minutes of the sale", func(d time.Duration, s *snapshot.Snapshot) {
			if in(d, 0, 6*time.Minute) {
				s.Endpoints["buy"] = snapshot.Endpoint{QPS: snapshot.Some(0)}
			}
		}, []string{FailurePurchase}, 0},
		{"a trickle of buys under a tenth of the plan is dead too", func(d time.Duration, s *snapshot.Snapshot) {
			if in(d, 0, 6*time.Minute) && d%(20*time.Second) == 0 {
				s.Endpoints["buy"] = snapshot.Endpoint{QPS: snapshot.Some(1)}
			} else if in(d, 0, 6*time.Minute) {
				s.Endpoints["buy"] = snapshot.Endpoint{QPS: snapshot.Some(0)}
			}
		}, []string{FailurePurchase}, 0},
		{"a short pause in buying is not a dead purchase path", func(d time.Duration, s *snapshot.Snapshot) {
			if in(d, time.Minute, 3*time.Minute) {
				s.Endpoints["buy"] = snapshot.Endpoint{QPS: snapshot.Some(0)}
			}
		}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := buildReport(t, "failures", scriptedSnapshots(tt.change))
			var got []string
			for _, f := range r.Failures {
				got = append(got, f.Kind)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("failures %v, want %v (%+v)", got, tt.want, r.Failures)
			}
			md, html := render(t, r)
			for _, f := range r.Failures {
				if f.At != at(tt.at) {
					t.Errorf("%s from %s, want %s", f.Kind, r.Rel(f.At), r.Rel(at(tt.at)))
				}
				if !strings.Contains(md, f.Title) || !strings.Contains(html, f.Title) {
					t.Errorf("the report does not name %q", f.Title)
				}
			}
			if len(tt.want) == 0 {
				for _, title := range []string{titlePageWeight, titleAvalanche, titlePurchase} {
					if strings.Contains(md, title) || strings.Contains(html, title) {
						t.Errorf("the report names %q, which the data does not show", title)
					}
				}
			}
		})
	}
}

func TestReportGolden(t *testing.T) {
	r := buildReport(t, "Flash sale (golden)", scriptedSnapshots(nil))
	md, html := render(t, r)
	t.Run("markdown", func(t *testing.T) { golden.RequireEqual(t, []byte(md)) })
	t.Run("html", func(t *testing.T) { golden.RequireEqual(t, []byte(html)) })
}

func TestReportIsTheSameByteForByte(t *testing.T) {
	snaps := scriptedSnapshots(nil)
	md1, html1 := render(t, buildReport(t, "twice", snaps))
	md2, html2 := render(t, buildReport(t, "twice", snaps))
	if md1 != md2 {
		t.Error("two Markdown reports of one recording differ")
	}
	if html1 != html2 {
		t.Error("two HTML reports of one recording differ")
	}
}

// externalRefs parses the page as a browser would and lists what would
// make it fetch something: an element that loads (script, link, img,
// iframe, object, embed, image), a src or href that is not a fragment, a
// CSS import or url() in a stylesheet or a style attribute.
func externalRefs(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	css := func(s string) {
		if strings.Contains(s, "@import") || strings.Contains(s, "url(") {
			out = append(out, "css: "+s)
		}
	}
	z := xhtml.NewTokenizer(strings.NewReader(page))
	inStyle := false
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			return out
		case xhtml.TextToken:
			if inStyle {
				css(string(z.Text()))
			}
		case xhtml.EndTagToken:
			inStyle = false
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			tok := z.Token()
			inStyle = tok.Data == "style"
			switch tok.Data {
			case "script", "link", "img", "iframe", "object", "embed", "image", "audio", "video", "source":
				out = append(out, "element: "+tok.Data)
			}
			for _, a := range tok.Attr {
				switch strings.ToLower(a.Key) {
				case "src", "href", "xlink:href", "action", "srcset", "poster", "data":
					if !strings.HasPrefix(a.Val, "#") {
						out = append(out, a.Key+"="+a.Val)
					}
				case "style":
					css(a.Val)
				}
			}
		}
	}
}

func TestHTMLFetchesNothing(t *testing.T) {
	_, html := render(t, buildReport(t, "self-contained", scriptedSnapshots(nil)))
	if m := externalRefs(t, html); len(m) > 0 {
		t.Errorf("the HTML refers outside itself: %q", m)
	}
	if strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Error("the HTML names a URL")
	}
	if n := strings.Count(html, "<svg"); n < 5 {
		t.Errorf("%d charts, want the charts inline as SVG", n)
	}
	for _, f := range regexp.MustCompile(`font-family:\s*([^;"]+)`).FindAllStringSubmatch(html, -1) {
		if f[1] != "sans-serif" {
			t.Errorf("font-family %q: want the generic sans-serif, nothing to fetch or embed", f[1])
		}
	}
	if !strings.Contains(html, "@media print") {
		t.Error("no print stylesheet")
	}
}

func TestUntrustedTextIsEscaped(t *testing.T) {
	const hostile = "<script>alert(1)</script> | <img src=https://evil.example/x.png> \x1b[31mred\x07 \u202eevil\u202c `code` [link](https://evil.example)"
	snaps := scriptedSnapshots(func(d time.Duration, s *snapshot.Snapshot) {
		if src, ok := s.Sources["prometheus"]; ok && !src.OK {
			src.Error = hostile
			s.Sources["prometheus"] = src
		}
	})
	r := buildReport(t, hostile, snaps)
	md, html := render(t, r)

	if strings.Contains(html, "<script>") || strings.Contains(html, "<img") {
		t.Error("the HTML carries the recording's markup unescaped")
	}
	if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the HTML does not show the hostile name escaped")
	}
	if m := externalRefs(t, html); len(m) > 0 {
		t.Errorf("hostile text made the HTML refer outside itself: %q", m)
	}
	for _, out := range []string{md, html} {
		for _, c := range out {
			if c != '\n' && c != '\t' && (unicode.IsControl(c) || c == '\u202e') {
				t.Fatalf("a control character %U reached the report", c)
			}
		}
	}
	// Every table row keeps its columns: the hostile pipe is escaped.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| source down") {
			want := strings.Count(line, "|")
			for _, row := range strings.Split(md[strings.Index(md, line):], "\n")[2:] {
				if !strings.HasPrefix(row, "|") {
					break
				}
				if got := strings.Count(row, "|") - strings.Count(row, `\|`); got != want {
					t.Errorf("row %q has %d cell borders, want %d", row, got, want)
				}
			}
		}
	}
	if strings.Contains(md, "<script>") || regexp.MustCompile(`(^|[^\\])\]\(`).MatchString(md) {
		t.Error("the Markdown carries the recording's markup or links unescaped")
	}
}

func TestAnEmptyRecordingIsAnError(t *testing.T) {
	plan, th := testPlan(), capacity.DefaultThresholds()
	rec := writeRecording(t, testHeader(t, "empty", plan, th), nil)
	if _, err := Build(rec, plan, true, th); err == nil || !strings.Contains(err.Error(), "no snapshots") {
		t.Errorf("Build of an empty recording: %v, want an error saying it holds no snapshots", err)
	}
}

func TestWithoutT0TimesRunFromTheFirstSnapshot(t *testing.T) {
	plan, th := testPlan(), capacity.DefaultThresholds()
	plan.LaunchAt = time.Time{}
	h := testHeader(t, "no T0", plan, th)
	h.Launch.StartsAt = time.Time{}
	r, err := Build(writeRecording(t, h, scriptedSnapshots(nil)), plan, true, th)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Rel(r.First.Add(90 * time.Second)); got != "+01:30" {
		t.Errorf("Rel = %q, want +01:30", got)
	}
	md, html := render(t, r)
	if !strings.Contains(md, "not known") || !strings.Contains(html, "time from the first snapshot") {
		t.Error("the report does not say T0 is unknown")
	}
	for _, f := range r.Failures {
		if f.Kind == FailureAvalanche {
			t.Error("the avalanche at T0 named without a T0")
		}
	}
}

func TestOneSnapshotWithoutAPlanStillReports(t *testing.T) {
	th := capacity.DefaultThresholds()
	h := testHeader(t, "bare", capacity.Plan{}, th)
	h.Plan = nil
	snaps := scriptedSnapshots(nil)[:1]
	r, err := Build(writeRecording(t, h, snaps), capacity.Plan{LaunchAt: t0}, false, th)
	if err != nil {
		t.Fatal(err)
	}
	md, html := render(t, r)
	if r.Snapshots != 1 || r.First != r.Last {
		t.Errorf("%d snapshots from %v to %v, want the one", r.Snapshots, r.First, r.Last)
	}
	if !strings.Contains(md, "none in the recording") || !strings.Contains(html, "<svg") {
		t.Errorf("a report without a plan should say so and still draw its charts:\n%s", md)
	}
	if len(r.Gaps) != 0 || len(r.Failures) != 0 {
		t.Errorf("one snapshot shows gaps %v or failures %v", r.Gaps, r.Failures)
	}
}
