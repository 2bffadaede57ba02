package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/report"
	"github.com/launchwatch/launchwatch/sim"
	"github.com/launchwatch/launchwatch/snapshot"

	"github.com/launchwatch/launchwatch/internal/testtool"
)

// recordDemo records a demo scenario as `launchwatch demo` does (the
// embedded demo config, the scrape source on the shop's clock, the same
// recording header), from T-2m to until after T0, polling every interval
// of simulated time on a hand-moved clock so the run takes seconds and
// repeats exactly. The local host is left out: its figures are the test
// machine's, not the shop's.
func recordDemo(t *testing.T, scenario string, until time.Duration) string {
	t.Helper()
	clock := testtool.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	startIn := 2 * time.Minute
	shop, url := simtest.Serve(t, sim.Options{Scenario: scenario, Speed: 1, StartIn: startIn, Seed: 1, Wall: clock.Now})
	cfg, err := launch.DemoConfig(url+"/metrics", shop)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sources.Host = nil
	poller, err := launch.NewPoller(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), shop.Now)
	if err != nil {
		t.Fatal(err)
	}
	h, err := launch.Header(cfg, recording.OriginDemo, clock.Now(), build())
	if err != nil {
		t.Fatal(err)
	}
	h.Host = "test" // the header names the machine; the report must not vary with it
	path := filepath.Join(t.TempDir(), scenario+".lwrec.jsonl")
	w, err := recording.Create(path, h, recording.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for shop.Now().Sub(shop.LaunchAt()) <= until {
		if err := w.Append(poller.Poll(context.Background())); err != nil {
			t.Fatal(err)
		}
		clock.Advance(cfg.Interval)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// demoReport records a demo scenario and returns its Markdown report.
func demoReport(t *testing.T, scenario string) (md, path string) {
	t.Helper()
	// 20 minutes after T0 reach past the first launch's missing button
	// (15 minutes) and the second launch's sell-out (about 10).
	path = recordDemo(t, scenario, 20*time.Minute)
	out, errOut, code := execute(t, "report", path)
	if code != 0 {
		t.Fatalf("report exit %d: %s", code, errOut)
	}
	return out, path
}

func TestReportNamesTheFirstLaunchsFailuresAndNoneOfTheSecond(t *testing.T) {
	if testing.Short() {
		t.Skip("records two demo launches against the simulator over HTTP")
	}
	titles := map[string]string{
		report.FailurePageWeight: "Page weight far over plan",
		report.FailureAvalanche:  "Refresh avalanche at T0 with errors and retries",
		report.FailurePurchase:   "Purchase path dead",
	}
	first, _ := demoReport(t, "first-launch")
	// The evidence is the report's own sentence: it is not cut.
	if !strings.Contains(first, "failed page loads retried on top of the refreshes") {
		t.Errorf("the avalanche's evidence is cut short:\n%s", first)
	}
	for kind, title := range titles {
		if !strings.Contains(first, "**"+title) {
			t.Errorf("the first launch's report does not name %s (%q):\n%s", kind, title, first)
		}
	}
	second, _ := demoReport(t, "second-launch")
	for kind, title := range titles {
		if strings.Contains(second, title) {
			t.Errorf("the second launch's report names %s (%q):\n%s", kind, title, second)
		}
	}
	if !strings.Contains(second, "None of the three failure modes") || !strings.Contains(second, "sold out at T+") {
		t.Errorf("the second launch's report should say it saw no failure mode and sold out:\n%s", second)
	}
}

func TestReportWritesHTMLAndMarkdownFilesTheSameTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("records a demo launch against the simulator over HTTP")
	}
	stdout, path := demoReport(t, "first-launch")
	dir := t.TempDir()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, n := range []string{"1", "2"} {
		out, errOut, code := execute(t, "report", path, "-o", filepath.Join(dir, n+".html"), "--md", filepath.Join(dir, n+".md"))
		if code != 0 || out != "" {
			t.Fatalf("report exit %d, stdout %q: %s", code, out, errOut)
		}
	}
	if read("1.md") != stdout {
		t.Error("--md wrote other Markdown than standard output shows")
	}
	if read("1.html") != read("2.html") || read("1.md") != read("2.md") {
		t.Error("two reports of one recording differ")
	}
	html := read("1.html")
	for _, want := range []string{"<svg", "Purchase path dead", "@media print"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	st, err := os.Stat(filepath.Join(dir, "1.html"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("the HTML report is mode %v, want 0600 as the recordings are", st.Mode().Perm())
	}
}

func TestReportRefusesBadInputClearly(t *testing.T) {
	dir := t.TempDir()
	notRec := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notRec, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.lwrec.jsonl")
	w, err := recording.Create(empty, recording.Header{Launch: recording.Launch{Name: "empty"}, Interval: recording.Duration(time.Second)}, recording.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a missing file is named", []string{"report", filepath.Join(dir, "nope.lwrec.jsonl")}, "nope.lwrec.jsonl"},
		{"a file that is not a recording says so", []string{"report", notRec}, "not a launchwatch recording"},
		{"a recording with no snapshot says so", []string{"report", empty}, "holds no snapshots"},
		{"-o onto the recording is refused", []string{"report", empty, "-o", empty}, "the recording itself"},
		{"--md onto the recording is refused", []string{"report", empty, "--md", empty}, "the recording itself"},
		{"-o and --md on one file are refused", []string{"report", empty, "-o", filepath.Join(dir, "r"), "--md", filepath.Join(dir, "r")}, "both name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := execute(t, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, tt.want)
			}
		})
	}
}

// TestReportWritesEveryFiniteFigure records the first demo launch and puts
// one extreme but finite figure (1.79e308) in its traffic a minute after
// T0: report -o exited 1 with an empty page and no Markdown. Both are
// written whole; the charts clip the point and say so.
func TestReportWritesEveryFiniteFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("records a demo launch against the simulator over HTTP")
	}
	src, err := recording.Open(recordDemo(t, "first-launch", 2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "extreme.lwrec.jsonl")
	w, err := recording.Create(path, src.Header(), recording.Options{})
	if err != nil {
		t.Fatal(err)
	}
	launchAt := src.Header().Launch.StartsAt
	err = src.Scan(0, src.Len(), func(_ int, s snapshot.Snapshot) error {
		if s.Time.Equal(launchAt.Add(time.Minute)) {
			v := snapshot.Some(1.79e308)
			s.PV, s.Requests, s.Bandwidth, s.Connections, s.ErrorRate = v, v, v, v, v
		}
		return w.Append(s)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	htmlPath, mdPath := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.md")
	_, errOut, code := execute(t, "report", path, "-o", htmlPath, "--md", mdPath)
	if code != 0 {
		t.Fatalf("report exit %d: %s", code, errOut)
	}
	md, err := os.ReadFile(mdPath)
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| Page views | 1.79e+308 PV/s | T+01:00 |") || !strings.Contains(string(md), "1 snapshot left out, its PV or bytes a view a million times the rest") {
		t.Errorf("the Markdown does not report the extreme PV at T+01:00:\n%s", md)
	}
	if n := strings.Count(string(page), "clipped: 1 snapshot over"); n < 5 || !strings.HasSuffix(strings.TrimSpace(string(page)), "</html>") {
		t.Errorf("the page is not whole, or %d of its charts say they clipped the point", n)
	}
}

// failingPage is a report whose page cannot be built, or is built
// without a chart.
type failingPage struct{ partial bool }

func (failingPage) WriteMarkdown(w io.Writer) error {
	_, err := io.WriteString(w, "# the Markdown\n")
	return err
}

func (f failingPage) WriteHTML(w io.Writer) error {
	if f.partial {
		_, _ = io.WriteString(w, "<html>most of the page</html>")
	}
	return errors.New("chart pv: it broke")
}

func TestTheMarkdownIsWrittenWhenThePageFails(t *testing.T) {
	for _, partial := range []bool{false, true} {
		dir := t.TempDir()
		htmlPath, mdPath := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.md")
		err := writeReports(failingPage{partial}, htmlPath, mdPath, io.Discard)
		if err == nil || !strings.Contains(err.Error(), htmlPath+": chart pv: it broke") {
			t.Errorf("partial %v: error %v, want one naming the page and the chart", partial, err)
		}
		if md, err := os.ReadFile(mdPath); err != nil || string(md) != "# the Markdown\n" {
			t.Errorf("partial %v: the Markdown %q (%v), want it whole", partial, md, err)
		}
		page, err := os.ReadFile(htmlPath)
		switch {
		case partial && string(page) != "<html>most of the page</html>":
			t.Errorf("the page built without a chart is %q (%v), want it written", page, err)
		case !partial && !errors.Is(err, os.ErrNotExist):
			t.Errorf("a page that could not be built left a file (%q, %v)", page, err)
		}
	}
}
