package report

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
)

// Comparison is two launches side by side: the report of each, built as
// the single report is (Build), and one view over both. Its figures are
// the reports' own; it derives nothing from the recordings itself.
type Comparison struct {
	// A and B are the two launches' reports: A the one compared, B the one
	// it is compared with.
	A, B *Report
}

// Compare lays the reports of two launches side by side.
func Compare(a, b *Report) *Comparison { return &Comparison{A: a, B: b} }

// WriteMarkdown writes the comparison as Markdown (GitHub's tables), text
// from the recordings cleaned and escaped as in the single report.
func (c *Comparison) WriteMarkdown(w io.Writer) error { return writeMarkdown(w, c.view()) }

// WriteHTML writes the comparison as one self-contained HTML page, its
// charts the two launches laid over each other on launch-relative time;
// built whole before anything is written, as the single report's page.
func (c *Comparison) WriteHTML(w io.Writer) error { return writePage(w, c.view(), c) }

// side is one launch of a comparison: its report and its letter.
type side struct {
	r      *Report
	letter string
}

func (c *Comparison) sides() [2]side { return [2]side{{c.A, "A"}, {c.B, "B"}} }

// name is a launch's name as the comparison heads its column: its letter
// and its name, cleaned.
func (s side) name() string {
	n := s.r.Name
	if n == "" {
		n = "unnamed launch"
	}
	return s.letter + ": " + clean(n)
}

// head is a two-column table's head: what the rows are, then each launch.
func (c *Comparison) head(first string) []string {
	sd := c.sides()
	return []string{first, sd[0].name(), sd[1].name()}
}

func (c *Comparison) view() view {
	sd := c.sides()
	v := view{Title: "Two launches: " + clean(orDash(c.A.Name)) + " and " + clean(orDash(c.B.Name)), Compare: true}
	for _, s := range sd {
		v.Meta = append(v.Meta, item{s.letter, s.r.launchText()})
	}
	v.Meta = append(v.Meta, item{"Time", c.alignText()})
	for i := range v.Meta {
		v.Meta[i].Text = clean(v.Meta[i].Text)
	}
	v.Sections = []section{c.launchSection(), c.failureSection(), c.peakSection(), c.limitSection()}
	return v
}

// launchText names a launch: its name, its recording's ID and its start.
func (r *Report) launchText() string {
	start := "T0 not known, first snapshot at " + Clock(r.First)
	if !r.T0.IsZero() {
		start = "T0 at " + Clock(r.T0)
	}
	return fmt.Sprintf("%s, recording %s, %s", orDash(r.Name), orDash(r.Recording), start)
}

// alignText says how the two launches' times are laid over each other.
func (c *Comparison) alignText() string {
	msg := "each launch's times are from its own T0 (T-, T+), and the charts lay the launches over each other on that time"
	for _, s := range c.sides() {
		if how := s.r.alignment(); how != "" {
			msg += "; " + s.letter + " " + how
		}
	}
	return msg
}

// compareBase is the moment a launch's time counts from in a comparison:
// its T0, or its first snapshot when the recording does not know its T0
// or its T0 lies far from it (see timeAxis).
func (r *Report) compareBase() time.Time {
	if ax := r.timeAxis(); ax.mode == axisT0 {
		return r.T0
	}
	return r.First
}

// alignment says how a launch is aligned when not at its T0; empty when
// it is.
func (r *Report) alignment() string {
	switch ax := r.timeAxis(); {
	case ax.mode == axisT0:
		return ""
	case r.T0.IsZero():
		return "has no T0: its times are from its first snapshot, aligned with the other's T0"
	default:
		return fmt.Sprintf("has its T0 %s away from its recording: its times are from its first snapshot, aligned with the other's T0",
			durationWords(r.T0, r.First, r.Last))
	}
}

// rel gives a time of a launch relative to its base in a comparison.
func (r *Report) rel(t time.Time) string {
	if r.compareBase().Equal(r.T0) {
		return r.Rel(t)
	}
	c := *r
	c.T0 = time.Time{}
	return c.Rel(t)
}

func (c *Comparison) launchSection() section {
	s := section{ID: "launches", Title: "The launches"}
	t := table{Head: c.head("")}
	row := func(name string, get func(r *Report) string) {
		t.Rows = append(t.Rows, []string{name, clean(get(c.A)), clean(get(c.B))})
	}
	row("launch", func(r *Report) string { return orDash(r.Name) })
	row("recording", func(r *Report) string { return orDash(r.Recording) })
	row("T0", func(r *Report) string {
		if r.T0.IsZero() {
			return "not known"
		}
		return Clock(r.T0)
	})
	row("window", func(r *Report) string {
		return fmt.Sprintf("%s to %s (%s to %s, %s)", Clock(r.First), Clock(r.Last), r.rel(r.First), r.rel(r.Last),
			capacity.FormatDuration(r.Last.Sub(r.First)))
	})
	row("snapshots", func(r *Report) string {
		origin := orDash(r.Origin)
		if r.From != "" {
			origin += " from " + r.From
		}
		return fmt.Sprintf("%s every %s, %s", capacity.FormatCount(float64(r.Snapshots)), capacity.FormatDuration(r.Step), origin)
	})
	row("plan", func(r *Report) string {
		if !r.HasPlan {
			return "none in the recording"
		}
		return fmt.Sprintf("peak %s PV/s, %s a view", capacity.FormatNumber(r.Plan.PeakPV), capacity.FormatBytes(r.PageWeight.Planned))
	})
	row("sell-out", func(r *Report) string {
		if r.SellOut.Total <= 0 && !r.SellOut.Remaining.OK() {
			return "no stock measured or planned"
		}
		return r.sellOutText()
	})
	row("gaps", func(r *Report) string {
		missing := 0
		for _, g := range r.SignalGaps {
			missing = max(missing, g.Missing)
		}
		return fmt.Sprintf("%s, %s, %s", downText(len(r.SourcesDown)), missingText(len(r.Gaps)),
			signalGapText(len(r.SignalGaps), missing))
	})
	s.Tables = []table{t}
	return s
}

// downText says how often a source was down.
func downText(n int) string {
	if n == 0 {
		return "no source down"
	}
	return fmt.Sprintf("a source down %s", count(n, "time"))
}

// missingText says how many stretches had no snapshot.
func missingText(n int) string {
	if n == 0 {
		return "no snapshot missing"
	}
	return fmt.Sprintf("%s with no snapshot", count(n, "gap"))
}

// signalGapText says how many signals went unmeasured somewhere.
func signalGapText(signals, most int) string {
	if signals == 0 {
		return "every signal measured in every snapshot"
	}
	return fmt.Sprintf("%s not measured in some snapshots (at most %s)", count(signals, "signal"), count(most, "snapshot"))
}

// failureTitles are the seed's failure modes, in the single report's order.
var failureTitles = []struct{ kind, title string }{
	{FailurePageWeight, titlePageWeight}, {FailureAvalanche, titleAvalanche}, {FailurePurchase, titlePurchase},
}

func (c *Comparison) failureSection() section {
	s := section{ID: "failures", Title: "Failure modes"}
	t := table{Head: c.head("failure mode")}
	for _, f := range failureTitles {
		row := []string{f.title}
		for _, sd := range c.sides() {
			cell := "not shown"
			if fl, ok := sd.r.failure(f.kind); ok {
				cell = "shown from " + sd.r.rel(fl.At)
			}
			row = append(row, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	s.Tables = []table{t}
	for _, sd := range c.sides() {
		for _, f := range sd.r.Failures {
			s.Items = append(s.Items, item{sd.letter + ", " + f.Title + " (" + sd.r.rel(f.At) + ")", cleanSentence(f.Evidence)})
		}
	}
	if len(s.Items) == 0 {
		s.Paras = []string{"Neither launch shows any of the three failure modes of the first launch."}
	}
	return s
}

// failure is the report's failure of a kind, if the data shows it.
func (r *Report) failure(kind string) (Failure, bool) {
	for _, f := range r.Failures {
		if f.Kind == kind {
			return f, true
		}
	}
	return Failure{}, false
}

func (c *Comparison) peakSection() section {
	s := section{ID: "peaks", Title: "Peaks", Charts: []string{"pv", "requests", "errors"}}
	t := table{Head: append(c.head("peak"), "B against A")}
	var signals []Peak
	seen := map[string]bool{}
	for _, sd := range c.sides() {
		for _, p := range sd.r.Peaks {
			if !seen[p.Signal] {
				seen[p.Signal] = true
				signals = append(signals, p)
			}
		}
	}
	for _, p := range signals {
		a, aok := c.A.peakNamed(p.Signal)
		b, bok := c.B.peakNamed(p.Signal)
		t.Rows = append(t.Rows, []string{p.Label, c.A.peakText(a, aok), c.B.peakText(b, bok), ratioText(a.Value, aok && a.Known, b.Value, bok && b.Known)})
	}
	s.Tables = []table{t}
	if c.A.hasLatency() || c.B.hasLatency() {
		s.Charts = append(s.Charts, "latency")
	}
	return s
}

// peakNamed is the report's peak of a signal, if it has one.
func (r *Report) peakNamed(signal string) (Peak, bool) {
	for _, p := range r.Peaks {
		if p.Signal == signal {
			return p, true
		}
	}
	return Peak{}, false
}

// peakText is a peak and when it came, in a comparison's time.
func (r *Report) peakText(p Peak, ok bool) string {
	if !ok || !p.Known {
		return "not measured"
	}
	return p.Text + " at " + r.rel(p.At)
}

// ratioText is b over a, "2.5x"; a dash when either is missing or a is 0.
func ratioText(a float64, aok bool, b float64, bok bool) string {
	if !aok || !bok || a == 0 || math.IsNaN(a) || math.IsNaN(b) || math.IsInf(b/a, 0) {
		return "–"
	}
	return capacity.FormatNumber(b/a) + "x"
}

func (c *Comparison) limitSection() section {
	s := section{ID: "limits", Title: "Page weight and limits", Charts: []string{"bandwidth", "connections"}}
	if c.A.HasPlan || c.B.HasPlan {
		s.Charts = append(s.Charts, "memory")
	}
	pw := table{Head: append(c.head("page weight"), "B against A")}
	a, b := c.A.PageWeight, c.B.PageWeight
	perView := func(p PageWeight) string {
		if !p.Known {
			return "not measured (no bandwidth and PV side by side)"
		}
		txt := capacity.FormatBytes(p.PerView) + " a view"
		if p.Planned > 0 {
			txt += fmt.Sprintf(" (%sx the plan's %s)", capacity.FormatNumber(p.PerView/p.Planned), capacity.FormatBytes(p.Planned))
		}
		return txt
	}
	p95 := func(p PageWeight) string {
		if !p.Known {
			return "–"
		}
		return capacity.FormatBytes(p.P95)
	}
	pw.Rows = [][]string{
		{"weighted by page views", perView(a), perView(b), ratioText(a.PerView, a.Known, b.PerView, b.Known)},
		{"95% of the page views at most", p95(a), p95(b), ratioText(a.P95, a.Known, b.P95, b.Known)},
		{"over", count(a.Snapshots, "snapshot"), count(b.Snapshots, "snapshot"), "–"},
		{"bottleneck", c.A.bottleneckText(), c.B.bottleneckText(), "–"},
	}
	s.Tables = append(s.Tables, pw, c.crossingTable())
	return s
}

// bottleneckText names the endpoint with the highest peak load.
func (r *Report) bottleneckText() string {
	for _, e := range r.Endpoints {
		if e.Name == r.Bottleneck && e.Known {
			return fmt.Sprintf("%s, %s of its ceiling at %s", clean(e.Name), capacity.FormatPercent(e.Load), r.rel(e.At))
		}
	}
	return "no endpoint's load measured"
}

// crossingTable sets each figure's crossings in one launch beside the
// other's, at the highest line the launch reached: how many spans, how
// long in all, from when, and the worst figure with its basis.
func (c *Comparison) crossingTable() table {
	t := table{Head: c.head("limit crossed"), Intro: "Each figure that reached a threshold's line, in each launch at the " +
		"highest line it reached: its spans over that line, how long in all, the first, and the worst figure with its basis " +
		"(measured, or predicted at the PV seen)."}
	var subjects []string
	titles := map[string]string{}
	for _, sd := range c.sides() {
		for _, x := range sd.r.Crossings {
			if _, ok := titles[x.Subject]; !ok {
				titles[x.Subject] = clean(x.Title)
				subjects = append(subjects, x.Subject)
			}
		}
	}
	for _, sub := range subjects {
		t.Rows = append(t.Rows, []string{titles[sub], c.A.crossingsText(sub), c.B.crossingsText(sub)})
	}
	if len(subjects) == 0 {
		t.Rows = append(t.Rows, []string{"no line reached", "–", "–"})
	}
	return t
}

// crossingsText sums a launch's spans over the highest line of a figure
// it reached.
func (r *Report) crossingsText(subject string) string {
	line := capacity.LevelUnknown
	for _, x := range r.Crossings {
		if x.Subject == subject && (line == capacity.LevelUnknown || x.Line > line) {
			line = x.Line
		}
	}
	var spans []Crossing
	var total time.Duration
	for _, x := range r.Crossings {
		if x.Subject == subject && x.Line == line {
			spans = append(spans, x)
			total += x.Duration()
		}
	}
	if len(spans) == 0 {
		return "not reached"
	}
	worst := spans[0]
	for _, x := range spans[1:] {
		if math.IsNaN(worst.worst) || (!math.IsNaN(x.worst) && (x.lowerWorse && x.worst < worst.worst || !x.lowerWorse && x.worst > worst.worst)) {
			worst = x
		}
	}
	txt := fmt.Sprintf("%s: %s, %s in all, the first from %s", spans[0].LineName, count(len(spans), "span"),
		capacity.FormatDuration(total), r.rel(spans[0].From))
	if worst.Worst != "" {
		txt += "; worst " + clean(worstText(worst))
	}
	return txt
}
