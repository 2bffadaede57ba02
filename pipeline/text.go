package pipeline

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// WriteSnapshotText writes a snapshot as a readable table, for
// `watch --once` without --json.
func WriteSnapshotText(w io.Writer, s snapshot.Snapshot) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(name, value string) { fmt.Fprintf(tw, "%s\t%s\n", name, value) }
	fmt.Fprintf(tw, "Snapshot\t%s\n", s.Time.Format("2006-01-02 15:04:05 MST"))
	// A line a row of the signal table, but for rows next to each other
	// under one label, which share it ("Host memory  3 GB of 8 GB"), and
	// the endpoints' pattern, a line an endpoint.
	label, line := "", ""
	flush := func() {
		if label != "" {
			row(label, line)
		}
		label, line = "", ""
	}
	for sig := range snapshot.All() {
		switch {
		case sig.Text == "":
		case sig.Pattern():
			flush()
			for _, name := range s.EndpointNames() {
				row(sig.Text+" "+snapshot.CleanText(name, 30), textForm(sig, s.Get(snapshot.EndpointSignal(name))))
			}
		default:
			if sig.Text != label {
				flush()
				label = sig.Text
			}
			line += textForm(sig, sig.Get(s))
		}
	}
	flush()
	for _, name := range s.SourceNames() {
		src := s.Sources[name]
		status := "ok"
		switch {
		case src.OK:
		case src.LastSuccess.IsZero():
			status = "FAILED, never answered"
		case !src.Answered(s.Time):
			status = "FAILED, nothing answered"
		default:
			status = "FAILED in part"
		}
		detail := fmt.Sprintf("%.0f ms", src.Duration*1000)
		if !src.NewestSample.IsZero() {
			detail += ", data " + s.Time.Sub(src.NewestSample).Round(100*time.Millisecond).String() + " old"
		}
		if src.RateWindow > 0 {
			detail += fmt.Sprintf(", rate window %gs (scrape %gs)", src.RateWindow, src.ScrapeInterval)
		}
		row("Source "+name, fmt.Sprintf("%s (%s)", status, detail))
		// One line per failure, whole: the summary in src.Error is cut.
		for _, key := range slices.Sorted(maps.Keys(src.Errors)) {
			row("", "error: "+key+": "+src.Errors[key])
		}
		if len(src.Partial) > 0 {
			row("", "partial: "+strings.Join(src.Partial, ", ")+" (a target did not answer)")
		}
		for _, w := range src.Warnings {
			row("", "warning: "+w)
		}
		for _, i := range src.Infos {
			row("", "info: "+i)
		}
	}
	return tw.Flush()
}

// textForm writes a figure in its unit into its row's text form.
func textForm(sig snapshot.Signal, v snapshot.Value) string {
	figure := orDash(v, func(x float64) string { return capacity.Format(sig.Unit, x) })
	if sig.TextForm == "" {
		return figure
	}
	return strings.Replace(sig.TextForm, "%s", figure, 1)
}

// WriteText writes the frame for `watch --once` without --json: the snapshot,
// then what the plan makes of it and the problems standing.
func (f Frame) WriteText(w io.Writer, hasPlan bool) error {
	if err := WriteSnapshotText(w, f.Snapshot); err != nil {
		return err
	}
	a := f.Assessment
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nPhase\t%s\n", a.Phase)
	if hasPlan {
		fmt.Fprintln(tw, "Against the plan\tmeasured\tplan now\tat peak\theadroom\tdrift")
		for _, c := range a.Checks() {
			room := orDash(c.Check.Headroom, capacity.FormatPercent)
			if h, ok := c.Check.Headroom.Get(); ok && h < 0 {
				room = "over by " + capacity.FormatPercent(-h)
			}
			if c.Check.Basis != "" {
				room += " " + string(c.Check.Basis)
			}
			drift := "–"
			if d, ok := c.Check.Drift.Get(); ok {
				drift = capacity.FormatNumber(d) + "x the plan"
				if at, ok := c.Check.PeakAtCost.Get(); ok {
					drift += ", " + c.Format(at) + " at the peak at this cost"
				}
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", c.Name, orDash(c.Check.Measured, c.Format), orDash(c.Check.Predicted, c.Format),
				c.Format(c.Check.AtPeak), room, drift)
		}
		pw := a.PageWeight
		if pw.CDNShare > 0 {
			fmt.Fprintf(tw, "Page weight\torigin %s per view, plan %s (%sx) of a %s page, %s from the CDN\n", orDash(pw.Measured, capacity.FormatBytes),
				capacity.FormatBytes(pw.Planned), orDash(pw.Ratio, capacity.FormatNumber), capacity.FormatBytes(pw.PlannedPage), capacity.FormatPercent(pw.CDNShare))
		} else {
			fmt.Fprintf(tw, "Page weight\tpage %s per view, plan %s (%sx)\n", orDash(pw.Measured, capacity.FormatBytes), capacity.FormatBytes(pw.Planned),
				orDash(pw.Ratio, capacity.FormatNumber))
		}
		if a.FirstLimitKnown {
			at, measured, _ := a.FirstLimit.At()
			basis := "by the plan"
			if measured {
				basis = "at the measured cost, plan " + capacity.FormatNumber(a.FirstLimit.PV)
			}
			fmt.Fprintf(tw, "First limit\t%s at %s PV/s (%s)\n", a.FirstLimit.Name, capacity.FormatNumber(at), basis)
		}
		if a.Bottleneck != "" {
			fmt.Fprintf(tw, "Bottleneck\t%s\n", snapshot.CleanText(a.Bottleneck, 40))
		}
		if so := a.SellOut; so.ETAKnown {
			fmt.Fprintf(tw, "Sell-out in\t%s\n", capacity.FormatDuration(so.ETA))
		}
	}
	if len(f.Problems) == 0 {
		fmt.Fprintln(tw, "Problems\tnone")
	}
	depths := events.Depths(f.Problems)
	for i, p := range f.Problems {
		label := ""
		if i == 0 {
			label = "Problems"
		}
		under := ""
		if depths[i] > 0 {
			under = strings.Repeat("  ", depths[i]-1) + "└ "
		}
		fmt.Fprintf(tw, "%s\t%s%s %s\n", label, under, p.Severity, snapshot.CleanText(p.Message, 200))
	}
	return tw.Flush()
}

func orDash(v snapshot.Value, f func(float64) string) string {
	x, ok := v.Get()
	if !ok {
		return "–"
	}
	return f(x)
}
