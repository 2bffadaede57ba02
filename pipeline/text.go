package pipeline

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// WriteSnapshotText writes a snapshot as a readable table, for
// `watch --once` without --json.
func WriteSnapshotText(w io.Writer, s snapshot.Snapshot) error {
	return writeSnapshotText(w, s, nil)
}

// writeSnapshotText writes a snapshot, its fleet worst first by the
// problems standing on its servers, then by its figures.
func writeSnapshotText(w io.Writer, s snapshot.Snapshot, problems []events.Problem) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(name, value string) { fmt.Fprintf(tw, "%s\t%s\n", name, value) }
	fmt.Fprintf(tw, "Snapshot\t%s\n", s.Time.Format("2006-01-02 15:04:05 MST"))
	// A line a row of the signal table, but for rows next to each other
	// under one label, which share it ("Host memory  3 GB of 8 GB"), and
	// the endpoints' pattern, a line an endpoint.
	// The latency line is written only when a percentile is measured: a
	// shop without histograms has none, and a row of dashes says nothing.
	latency, _ := snapshot.Lookup(snapshot.SignalLatencyP95)
	label, line, measured := "", "", false
	flush := func() {
		if label != "" && (measured || label != latency.Text) {
			row(label, line)
		}
		label, line, measured = "", "", false
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
			v := sig.Get(s)
			line += textForm(sig, v)
			measured = measured || v.OK()
		}
	}
	flush()
	if codes := errorCodesText(s.ErrorCodes); codes != "" {
		row("Errors by code", codes)
	}
	writeFleetText(row, s.Fleet, problems)
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
	if err := writeSnapshotText(w, f.Snapshot, f.Problems); err != nil {
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

// maxCodes is how many codes the errors-by-code line names.
const maxCodes = 5

// errorCodesText writes the error rate's breakdown as each code's share
// of the failing requests, largest first: "502: 61%, 504: 12%". Empty
// when nothing breaks the errors down.
func errorCodesText(codes map[string]snapshot.Value) string {
	if len(codes) == 0 {
		return ""
	}
	all := snapshot.ErrorCodeShares(codes)
	if len(all) == 0 {
		return "none failing"
	}
	parts := make([]string, 0, maxCodes+1)
	for i, sh := range all {
		if i == maxCodes {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, snapshot.CleanText(sh.Code, 20)+": "+capacity.FormatPercent(sh.Share))
	}
	return strings.Join(parts, ", ")
}

// maxFleetText is how many servers the text names; a count stands for
// the rest.
const maxFleetText = 10

// writeFleetText writes the fleet, worst first (fleetWorstFirst), a line
// a server: its share of the requests, its requests per second, error
// rate and p95, or "gone".
func writeFleetText(row func(name, value string), fleet []snapshot.Server, problems []events.Problem) {
	if len(fleet) == 0 {
		return
	}
	gone := 0
	for _, srv := range fleet {
		if srv.Gone {
			gone++
		}
	}
	head := fmt.Sprintf("%d servers", len(fleet))
	if len(fleet) == 1 {
		head = "1 server"
	}
	if gone > 0 {
		head += fmt.Sprintf(", %d gone", gone)
	}
	row("Fleet", head)
	order := fleetWorstFirst(fleet, problems)
	shares := requestShares(fleet)
	requests, _ := snapshot.Lookup(snapshot.SignalRequests)
	errRate, _ := snapshot.Lookup(snapshot.SignalErrorRate)
	p95, _ := snapshot.Lookup(snapshot.SignalLatencyP95)
	var cells [][]string
	for _, i := range order[:min(len(order), maxFleetText)] {
		srv := fleet[i]
		name := snapshot.CleanText(srv.Name, 40)
		if srv.Gone {
			cells = append(cells, []string{name, "gone"})
			continue
		}
		cells = append(cells, []string{
			name,
			orDash(shares[i], capacity.FormatPercent) + " of requests",
			orDash(srv.Requests, func(x float64) string { return capacity.Format(requests.Unit, x) }) + " req/s",
			orDash(srv.ErrorRate, func(x float64) string { return capacity.Format(errRate.Unit, x) }) + " errors",
			"p95 " + orDash(srv.LatencyP95, func(x float64) string { return capacity.Format(p95.Unit, x) }),
		})
	}
	// The servers' columns line up among themselves, whatever the width of
	// the table's labels.
	var widths []int
	for _, c := range cells {
		for j, cell := range c {
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], utf8.RuneCountInString(cell))
		}
	}
	for _, c := range cells {
		var b strings.Builder
		for j, cell := range c {
			if j > 0 {
				b.WriteString("  ")
			}
			b.WriteString(cell)
			if j < len(c)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-utf8.RuneCountInString(cell)))
			}
		}
		row("", b.String())
	}
	if rest := len(fleet) - maxFleetText; rest > 0 {
		row("", fmt.Sprintf("and %d more", rest))
	}
}

// requestShares returns each server's share of the fleet's requests (by
// index in fleet): its requests per second over the sum of those
// measured, as the dashboard's fleet panel reckons it. Missing for a
// server gone or whose requests are not measured, and for all when the
// fleet answers none.
func requestShares(fleet []snapshot.Server) []snapshot.Value {
	total := 0.0
	for _, srv := range fleet {
		if !srv.Gone {
			total += max(srv.Requests.Or(0), 0)
		}
	}
	out := make([]snapshot.Value, len(fleet))
	for i, srv := range fleet {
		if r, ok := srv.Requests.Get(); ok && total > 0 && !srv.Gone {
			out[i] = snapshot.Some(r / total)
		}
	}
	return out
}

// fleetWorstFirst returns the indexes of fleet's servers worst first:
// gone servers (a server that stopped answering is the worst news), then
// by the highest error rate, then the highest p95, then the largest share
// of the requests, a figure measured before one missing; by name last.
func fleetWorstFirst(fleet []snapshot.Server, problems []events.Problem) []int {
	order := make([]int, len(fleet))
	for i := range order {
		order[i] = i
	}
	// Each server's worst problem of a server's kind, in the problems'
	// harm order (events.Compare), as the screen's fleet panel orders.
	worst := events.WorstByServer(problems)
	higher := func(a, b snapshot.Value) int {
		x, xok := a.Get()
		y, yok := b.Get()
		switch {
		case xok != yok:
			if xok {
				return -1
			}
			return 1
		case !xok:
			return 0
		}
		return cmp.Compare(y, x)
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := fleet[i], fleet[j]
		pa, pb := worst[a.Name], worst[b.Name]
		switch {
		case pa != nil && pb != nil:
			if c := events.Compare(*pa, *pb); c != 0 {
				return c
			}
		case pa != nil:
			return -1
		case pb != nil:
			return 1
		}
		if a.Gone != b.Gone {
			if a.Gone {
				return -1
			}
			return 1
		}
		if c := higher(a.ErrorRate, b.ErrorRate); c != 0 {
			return c
		}
		if c := higher(a.LatencyP95, b.LatencyP95); c != 0 {
			return c
		}
		if c := higher(a.Requests, b.Requests); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return order
}
