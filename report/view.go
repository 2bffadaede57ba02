package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/launchwatch/launchwatch/capacity"
)

// view is the report laid out as text: the one source both writers render,
// so the Markdown and the HTML say the same. Its strings are cleaned but
// not escaped; each writer escapes for its format.
type view struct {
	Title    string
	Meta     []item
	Sections []section
	// Compare is set in the view of two launches (see Comparison).
	Compare bool
}

type section struct {
	ID, Title string
	Paras     []string
	Items     []item
	Tables    []table
	// Charts are the section's chart names (see Report.charts); HTML only.
	Charts []string
}

type item struct{ Key, Text string }

type table struct {
	// Intro is a paragraph before the table; empty for none.
	Intro string
	Head  []string
	Rows  [][]string
}

func (r *Report) view() view {
	name := r.Name
	if name == "" {
		name = "unnamed launch"
	}
	v := view{Title: "Post-mortem: " + clean(name)}
	origin := orDash(r.Origin)
	if r.From != "" {
		origin += " from " + r.From
	}
	v.Meta = []item{
		{"Recording", fmt.Sprintf("%s snapshots every %s (polled every %s), %s, written by launchwatch %s on %s",
			capacity.FormatCount(float64(r.Snapshots)), capacity.FormatDuration(r.Step), capacity.FormatDuration(r.Interval),
			origin, orDash(r.Build), orDash(r.Host))},
		{"Window", fmt.Sprintf("%s to %s (%s to %s, %s)", Clock(r.First), Clock(r.Last), r.Rel(r.First), r.Rel(r.Last),
			capacity.FormatDuration(r.Last.Sub(r.First)))},
	}
	if len(r.SourceLags) > 0 {
		var lags []string
		for _, l := range r.SourceLags {
			lags = append(lags, fmt.Sprintf("%s: its data %s behind its polls on average, %s at most", l.Name,
				capacity.FormatDuration(l.Mean), capacity.FormatDuration(l.Max)))
		}
		v.Meta = append(v.Meta, item{"Data lag", strings.Join(lags, "; ") + ". The peaks and the sell-out are at the " +
			"data's time; the events, the crossings and the charts at the polls'."})
	}
	if r.T0.IsZero() {
		v.Meta = append(v.Meta, item{"T0", "not known: times are from the first snapshot"})
	} else {
		v.Meta = append(v.Meta, item{"T0", Clock(r.T0)})
	}
	if !r.HasPlan {
		v.Meta = append(v.Meta, item{"Plan", "none in the recording: nothing is held against a plan"})
	}
	for i := range v.Meta {
		v.Meta[i].Text = clean(v.Meta[i].Text)
	}
	v.Sections = []section{r.failureSection(), r.overviewSection()}
	// Only a recording with a fleet, latency or error codes has these.
	if s, ok := r.fleetSection(); ok {
		v.Sections = append(v.Sections, s)
	}
	if s, ok := r.latencySection(); ok {
		v.Sections = append(v.Sections, s)
	}
	v.Sections = append(v.Sections, r.crossingSection(), r.planSection())
	if s, ok := r.annotationSection(); ok {
		v.Sections = append(v.Sections, s)
	}
	v.Sections = append(v.Sections, r.eventSection(), r.gapSection())
	return v
}

func (r *Report) failureSection() section {
	s := section{ID: "failures", Title: "Failure modes"}
	if len(r.Failures) == 0 {
		s.Paras = []string{"None of the three failure modes of the first launch (page weight far over plan, " +
			"the refresh avalanche at T0 with errors and retries, the purchase path dead) shows in this recording."}
		return s
	}
	for _, f := range r.Failures {
		s.Items = append(s.Items, item{f.Title + " (" + r.Rel(f.At) + ")", cleanSentence(f.Evidence)})
	}
	return s
}

func (r *Report) overviewSection() section {
	s := section{ID: "overview", Title: "Launch window and peaks", Charts: []string{"pv", "requests", "errors"}}
	ph := table{Head: []string{"phase", "from", "to", "lasted"}}
	for _, p := range r.Phases {
		ph.Rows = append(ph.Rows, []string{p.Name, r.Rel(p.From), r.until(p), capacity.FormatDuration(p.Duration())})
	}
	pk := table{Head: []string{"peak", "value", "at"}}
	for _, p := range r.Peaks {
		pk.Rows = append(pk.Rows, []string{p.Label, p.Text, r.Rel(p.At)})
	}
	s.Tables = []table{ph, pk}
	if r.SellOut.Total > 0 || r.SellOut.Remaining.OK() {
		s.Items = []item{{"Sell-out", r.sellOutText()}}
	}
	return s
}

func (r *Report) crossingSection() section {
	s := section{ID: "thresholds", Title: "Thresholds crossed"}
	if len(r.Crossings) == 0 {
		s.Paras = []string{"No figure reached a threshold's warning line."}
		return s
	}
	t := table{Head: []string{"figure", "line", "from", "to", "lasted", "worst"}}
	for _, c := range r.Crossings {
		t.Rows = append(t.Rows, []string{clean(c.Title), c.LineName, r.Rel(c.From), r.until(c.Span),
			capacity.FormatDuration(c.Duration()), worstText(c)})
	}
	s.Tables = []table{t}
	return s
}

// worstText is a crossing's worst figure with its basis, and says when
// the span stood on a prediction only in part.
func worstText(c Crossing) string {
	if c.Predicted && c.Measured {
		return orDash(c.Worst) + " (the span measured in part, predicted at the PV where the figure was not measured)"
	}
	return orDash(c.Worst)
}

func (r *Report) planSection() section {
	s := section{ID: "plan", Title: "Plan against measurement", Charts: []string{"bandwidth", "connections", "memory"}}
	if !r.HasPlan {
		s.Paras = []string{"The recording holds no plan."}
		s.Charts = []string{"bandwidth", "connections"}
	}
	t := table{Head: []string{"formula", "largest miss", "peak measured", "plan at peak", "limit"}}
	for _, m := range r.Misses {
		peak, limit := "–", "none"
		if !math.IsNaN(m.PeakMeasured) {
			peak = m.Format(m.PeakMeasured)
		}
		if m.Limit > 0 {
			limit = m.Format(m.Limit)
		}
		t.Rows = append(t.Rows, []string{m.Name, r.missText(m), peak, m.Format(m.AtPeak), limit})
	}
	s.Tables = []table{t}
	pw := r.PageWeight
	pwText := "not measured (no bandwidth and PV side by side)"
	if pw.Known {
		pwText = fmt.Sprintf("%s per view, weighted by page views (the origin's bytes over its page views in the %s snapshots "+
			"that had both), against the plan's %s", capacity.FormatBytes(pw.PerView), capacity.FormatCount(float64(pw.Snapshots)),
			capacity.FormatBytes(pw.Planned))
		if pw.Planned > 0 {
			pwText += fmt.Sprintf(" (%sx)", capacity.FormatNumber(pw.PerView/pw.Planned))
		}
		pwText += fmt.Sprintf("; 95%% of the page views cost at most %s", capacity.FormatBytes(pw.P95))
		switch {
		case pw.LeftOut == 1:
			pwText += "; 1 snapshot left out, its PV or bytes a view a million times the rest's"
		case pw.LeftOut > 1:
			pwText += fmt.Sprintf("; %s left out, their PV or bytes a view a million times the rest's", count(pw.LeftOut, "snapshot"))
		}
	}
	s.Items = []item{{"Page weight", pwText}}
	if len(r.Endpoints) > 0 {
		bn := "no endpoint's load was measured"
		for _, e := range r.Endpoints {
			if e.Name == r.Bottleneck {
				bn = fmt.Sprintf("%s, peaking at %s of its ceiling (%s of %s QPS) at %s", e.Name, capacity.FormatPercent(e.Load),
					capacity.FormatNumber(e.QPS), capacity.FormatNumber(e.MaxQPS), r.Rel(e.At))
			}
		}
		s.Items = append(s.Items, item{"Bottleneck", clean(bn)})
		et := table{Head: []string{"endpoint", "peak load", "QPS then", "ceiling", "at"}}
		for _, e := range r.Endpoints {
			if !e.Known {
				et.Rows = append(et.Rows, []string{clean(e.Name), "not measured", "–", capacity.FormatNumber(e.MaxQPS), "–"})
				continue
			}
			et.Rows = append(et.Rows, []string{clean(e.Name), capacity.FormatPercent(e.Load), capacity.FormatNumber(e.QPS),
				capacity.FormatNumber(e.MaxQPS), r.Rel(e.At)})
		}
		s.Tables = append(s.Tables, et)
		s.Charts = append(s.Charts, "endpoints")
	}
	return s
}

func (r *Report) eventSection() section {
	s := section{ID: "events", Title: "Events"}
	if len(r.Events) == 0 {
		s.Paras = []string{"No event was raised."}
		if len(r.Annotations) == 0 {
			return s
		}
	}
	s.Tables = []table{{Head: []string{"at", "time", "severity", "kind", "event"}, Rows: r.eventRows()}}
	return s
}

func (r *Report) gapSection() section {
	s := section{ID: "gaps", Title: "Gaps in the data"}
	if len(r.SourcesDown) > 0 {
		t := table{Head: []string{"source down", "from", "to", "lasted", "first error"}}
		for _, d := range r.SourcesDown {
			t.Rows = append(t.Rows, []string{clean(d.Name), r.Rel(d.From), r.until(d.Span), capacity.FormatDuration(d.Duration()), clean(d.Why)})
		}
		s.Tables = append(s.Tables, t)
	} else {
		s.Paras = append(s.Paras, "No source was down.")
	}
	if len(r.Gaps) > 0 {
		t := table{Head: []string{"no snapshot after", "until", "missing"}}
		for _, g := range r.Gaps {
			t.Rows = append(t.Rows, []string{r.Rel(g.From), r.Rel(g.To), capacity.FormatDuration(g.To.Sub(g.From))})
		}
		s.Tables = append(s.Tables, t)
	} else {
		s.Paras = append(s.Paras, fmt.Sprintf("No snapshot is missing (none more than twice %s apart).",
			capacity.FormatDuration(max(r.Interval, r.Step))))
	}
	if len(r.SignalGaps) == 0 {
		s.Paras = append(s.Paras, "Every signal was measured in every snapshot.")
		return s
	}
	sum := table{Head: []string{"signal", "not measured in", "stretches"},
		Intro: "Signals not measured: in these snapshots their source failed them (an error for the signal, " +
			"no answer, or a figure carried from an earlier poll), so their figures there are missing or stale."}
	for _, g := range r.SignalGaps {
		sum.Rows = append(sum.Rows, []string{clean(g.Signal), fmt.Sprintf("%s of %s snapshots (%s)",
			capacity.FormatCount(float64(g.Missing)), capacity.FormatCount(float64(r.Snapshots)),
			capacity.FormatPercent(float64(g.Missing)/float64(r.Snapshots))), r.stretchesText(g)})
	}
	s.Tables = append(s.Tables, sum, r.stretchTable())
	return s
}

// stretchesText counts a signal's stretches and says which are listed.
func (r *Report) stretchesText(g SignalGaps) string {
	if g.Stretches > len(g.Longest) {
		return fmt.Sprintf("%s (the longest %d listed)", capacity.FormatCount(float64(g.Stretches)), len(g.Longest))
	}
	return capacity.FormatCount(float64(g.Stretches))
}

// stretchTable lists the signals' stretches by start time, one row for
// the signals that lacked the same snapshots (a source down fails all of
// its signals at once).
func (r *Report) stretchTable() table {
	type row struct {
		gap     SignalGap
		signals []string
	}
	type stretch struct {
		from, to  int64
		open      bool
		snapshots int
	}
	var rows []row
	at := map[stretch]int{}
	for _, g := range r.SignalGaps {
		for _, st := range g.Longest {
			key := stretch{st.From.UnixNano(), st.To.UnixNano(), st.Open, st.Snapshots}
			if i, ok := at[key]; ok {
				rows[i].signals = append(rows[i].signals, clean(g.Signal))
				continue
			}
			at[key] = len(rows)
			rows = append(rows, row{st, []string{clean(g.Signal)}})
		}
	}
	slices.SortStableFunc(rows, func(x, y row) int { return x.gap.From.Compare(y.gap.From) })
	t := table{Head: []string{"not measured", "from", "to", "lasted", "snapshots"}}
	for _, x := range rows {
		t.Rows = append(t.Rows, []string{strings.Join(x.signals, ", "), r.Rel(x.gap.From), r.until(x.gap.Span),
			capacity.FormatDuration(x.gap.Duration()), capacity.FormatCount(float64(x.gap.Snapshots))})
	}
	return t
}
