package report

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// annotatedReport is the scripted launch with three annotations: one
// given live (carried in its snapshot), two laid on the finished
// recording with recording.Annotate, one of them before the recording.
func annotatedReport(t *testing.T) *Report {
	t.Helper()
	snaps := scriptedSnapshots(func(d time.Duration, s *snapshot.Snapshot) {
		if d == 30*time.Second {
			s.Annotations = []snapshot.Annotation{{At: at(29 * time.Second), Text: "cache purge <all>", By: "bob@war-room"}}
		}
	})
	plan, th := testPlan(), capacity.DefaultThresholds()
	rec := writeRecording(t, testHeader(t, "Flash sale (annotated)", plan, th), snaps)
	path := rec.Path()
	rec.Close()
	for _, a := range []snapshot.Annotation{
		{At: at(-time.Minute), Text: "deploy 1.4.2", By: "alice"},
		{At: at(-time.Hour), Text: "marketing mail sent"},
	} {
		if err := recording.Annotate(path, a); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rec.Close() })
	r, err := Build(rec, plan, true, th)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReportGoldenWithAnnotations(t *testing.T) {
	r := annotatedReport(t)
	if len(r.Annotations) != 3 || r.Annotations[0].Text != "marketing mail sent" || r.Annotations[2].By != "bob@war-room" {
		t.Fatalf("annotations %+v: want the three, in time order", r.Annotations)
	}
	md, html := render(t, r)
	for _, want := range []string{
		"## Annotations",
		"| 2 | T-01:00 | ",
		" | deploy 1.4.2 | alice |",
		"1 lies outside the recording's window, on no chart.",
		"| note | annotation | \\[2\\] deploy 1.4.2 (alice) |",
		"| note | annotation | \\[3\\] cache purge &lt;all&gt; (bob@war-room) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q", want)
		}
	}
	for _, want := range []string{
		`<span class="sw-note"></span>annotation (numbered)`,
		"annotations: 2 at T-01:00: deploy 1.4.2; 3 at T&#43;00:29: cache purge &lt;all&gt;",
		"cache purge &lt;all&gt;",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
	// Each chart marks the two annotations in its window with their numbers.
	if n := strings.Count(html, `fill:#7B3FA0`); n == 0 {
		t.Error("no chart draws an annotation's number")
	}
	if strings.Contains(html, "marketing mail sent</span>") {
		t.Error("an annotation outside the window is named under a chart")
	}
	t.Run("markdown", func(t *testing.T) { golden.RequireEqual(t, []byte(md)) })
	t.Run("html", func(t *testing.T) { golden.RequireEqual(t, []byte(html)) })
}

func TestAReportWithoutAnnotationsHasNoAnnotationSection(t *testing.T) {
	md, html := render(t, buildReport(t, "plain", scriptedSnapshots(nil)))
	if strings.Contains(md, "Annotations") || strings.Contains(html, "sw-note\"") {
		t.Error("a report with no annotation names them")
	}
}
