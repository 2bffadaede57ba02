package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// cols lays out fixed-width columns; the first is left-aligned, the rest
// right-aligned, so figures line up and lines keep their width from frame
// to frame (v1 redraws only changed lines).
func cols(widths []int, cells ...string) string {
	var b strings.Builder
	for i, c := range cells {
		w := widths[min(i, len(widths)-1)]
		c = cutLine(c, w)
		pad := strings.Repeat(" ", max(w-ansi.StringWidth(c), 0))
		if i == 0 {
			b.WriteString(c + pad)
		} else {
			b.WriteString(" " + pad + c)
		}
	}
	return b.String()
}

// endpointsTable: QPS, ceiling, per cent of ceiling with a bar, the
// bottleneck marked.
func endpointsTable(f *frame, w, h int) string {
	st := f.st
	eps := f.assess.Endpoints
	if len(eps) == 0 {
		// Without a plan, show what is measured.
		for _, name := range f.snap.EndpointNames() {
			eps = append(eps, capacity.EndpointLoad{Name: name, QPS: f.snap.Endpoints[name].QPS})
		}
	}
	if len(eps) == 0 {
		return st.Faint.Render("no endpoints configured")
	}
	widths := []int{8, 6, 5, 6}
	barW := max(w-sum(widths)-len(widths)-1, 0)
	lines := []string{st.Faint.Render(cols(widths, "endpoint", "QPS", "max", "load"))}
	nameW := widths[0]
	for _, e := range eps {
		if len(lines) >= h {
			break
		}
		l := fromCapacity(f.th.Usage(e.Load))
		name := cleanCut(e.Name, nameW)
		if e.Bottleneck {
			name = "◆" + cleanCut(e.Name, nameW-1)
		}
		ceiling := "–"
		if e.MaxQPS > 0 {
			ceiling = capacity.FormatNumber(e.MaxQPS)
		}
		qps := orDash(e.QPS, capacity.FormatNumber)
		mark := st.levelMark(l)
		if a, stale := f.isStale("endpoints." + e.Name); stale {
			// The age takes the bar's place: a stale load is no gauge.
			row := cols(widths, name, qps, ceiling, orDash(e.Load, capacity.FormatPercent)) + " " + a.label()
			lines = append(lines, st.level(LevelStale).Render(row))
			continue
		}
		row := cols(widths, name, qps, ceiling, orDash(e.Load, capacity.FormatPercent))
		if bw := barW - len(mark) - min(len(mark), 1); bw > 0 {
			row += " " + st.bar(e.Load.Or(0), bw, l)
		}
		if mark != "" {
			row += " " + mark
		}
		lines = append(lines, st.level(l).Render(row))
	}
	if f.assess.Bottleneck != "" && len(lines) < h {
		lines = append(lines, st.Faint.Render("◆ bottleneck: "+cleanCut(f.assess.Bottleneck, 20)))
	}
	return strings.Join(lines, "\n")
}

// endpointsLines is how many lines endpointsTable draws with room for
// all: the header, a row an endpoint and the bottleneck's line.
func endpointsLines(f *frame) int {
	n := len(f.assess.Endpoints)
	if n == 0 {
		n = len(f.snap.Endpoints)
	}
	if n == 0 {
		return 1 // no endpoints configured
	}
	if f.assess.Bottleneck != "" {
		n++
	}
	return n + 1
}

// hostStale is whether every host figure is stale alike (its source
// down), and how.
func hostStale(f *frame) (staleMark, bool) {
	all, allStale := f.anyStale(snapshot.HostSignals...)
	for _, sig := range snapshot.HostSignals {
		if a, ok := f.isStale(sig); !ok || a != all {
			allStale = false
		}
	}
	return all, allStale
}

// hostLines is how many lines hostPanel draws: six figures, and the
// staleness of all when their source is down.
func hostLines(f *frame) int {
	if _, allStale := hostStale(f); allStale {
		return 7
	}
	return 6
}

// hostPanel: CPU, memory, load, NIC in and out, TCP.
func hostPanel(f *frame, w int) string {
	st := f.st
	h := f.snap.Host
	barW := max(min(w-14, 12), 0)
	// When every host figure is stale alike (its source down), one line
	// says so; otherwise each stale line carries its own mark.
	all, allStale := hostStale(f)
	stale := func(s string, sigs ...string) string {
		if a, ok := f.anyStale(sigs...); ok {
			if allStale {
				return st.level(LevelStale).Render(ansi.Strip(s))
			}
			return st.level(LevelStale).Render(ansi.Strip(s) + " (" + a.short() + ")")
		}
		return s
	}
	cpuLevel := fromCapacity(f.th.Usage(h.CPU))
	mem := orDash(h.MemoryUsed, capacity.FormatBytes)
	memShare := snapshot.Value{}
	if used, ok := h.MemoryUsed.Get(); ok {
		if total, ok := h.MemoryTotal.Get(); ok && total > 0 {
			mem += " / " + capacity.FormatBytes(total)
			memShare = snapshot.Some(used / total)
		}
	}
	memLevel := fromCapacity(f.th.Usage(memShare))
	var lines []string
	if allStale {
		lines = append(lines, st.level(LevelStale).Render(all.label()))
	}
	lines = append(lines,
		stale(fmt.Sprintf("%-7s%5s ", "CPU", orDash(h.CPU, capacity.FormatPercent))+st.bar(h.CPU.Or(0), barW, cpuLevel)+st.levelMark(cpuLevel), "host.cpu"),
		stale(fmt.Sprintf("%-7s%s", "Load", orDash(h.Load1, capacity.FormatNumber)), "host.load1"),
		stale(fmt.Sprintf("%-7s", "Memory")+st.level(memLevel).Render(mem+st.levelMark(memLevel)), "host.memory_used", "host.memory_total"),
		stale(fmt.Sprintf("%-7s%s", "NIC ↑", orDash(h.NetTX, capacity.FormatByteRate)), "host.net_tx"),
		stale(fmt.Sprintf("%-7s%s", "NIC ↓", orDash(h.NetRX, capacity.FormatByteRate)), "host.net_rx"),
		stale(fmt.Sprintf("%-7s%s est.", "TCP", orDash(h.TCPEstablished, capacity.FormatCount)), "host.tcp_established")+
			stale(" "+orDash(h.TCPMemory, capacity.FormatBytes), "host.tcp_memory"),
	)
	return strings.Join(lines, "\n")
}

// planTitle names the plan panel, and says so when the formulas use the
// page the probe weighed (plan.from_probe).
func planTitle(f *frame) string {
	if f.assess.Probe.FromProbe {
		return "Against the plan · page from probe"
	}
	return "Against the plan"
}

// planRests are the signals each plan row rests on beside PV: its own
// measured figure.
var planRests = map[string]string{"bandwidth": snapshot.SignalBandwidth, "connections": snapshot.SignalConnections, "memory": "host.tcp_memory"}

// planLines is how many lines planPanel draws: the header, a row a
// check, the page weight, its ratio to the plan, and the first limit or
// what is stale.
func planLines(f *frame) int {
	if !f.hasPlan {
		return 2
	}
	a := f.assess
	checks := a.Checks()
	n := 2 + len(checks) // the header, the rows, the page weight
	if _, ok := a.PageWeight.Ratio.Get(); ok || a.PageWeight.CDNShare > 0 {
		n++
	}
	_, stale := f.anyStale(snapshot.SignalPV, snapshot.SignalBandwidth)
	for _, r := range checks {
		if _, ok := f.anyStale(snapshot.SignalPV, planRests[r.Name]); ok {
			stale = true
		}
	}
	if stale || a.FirstLimitKnown {
		n++
	}
	return n
}

// planPanel: for bandwidth, connections and memory, measured against the
// formula at the PV now and at the planned peak, with headroom; then page
// weight.
func planPanel(f *frame, w int) string {
	st := f.st
	if !f.hasPlan {
		return st.Faint.Render("no plan configured: add a plan section\nto hold the figures against it")
	}
	// 46 cells: fits the plan panel at 120 columns, a level mark beside
	// the measured figure and beside "over 0.2%".
	widths := []int{4, 10, 9, 9, 10}
	a := f.assess
	lines := []string{st.Faint.Render(cols(widths, "", "measured", "plan now", "at peak", "room"))}
	short := map[string]string{"bandwidth": "bw", "connections": "conn", "memory": "mem"}
	var staleRows []string
	var worst staleMark
	for _, r := range a.Checks() {
		l := fromCapacity(f.th.Headroom(r.Check))
		room := orDash(r.Check.Headroom, roomCell)
		if r.Check.Basis == capacity.BasisPredicted {
			room = "~" + room // nothing measures it: the room the formula leaves
		}
		if h, ok := r.Check.Headroom.Get(); !ok || h >= 0 {
			room += st.levelMark(l) // "over" says it without one
		}
		// The measured figure is marked by what its departure from the
		// plan does to the limit at the planned peak, never by the ratio
		// alone: a harmless difference is no warning.
		dl := fromCapacity(f.th.DriftUse(r.Check))
		measured := orDash(r.Check.Measured, r.Format) + st.levelMark(dl)
		if sm, ok := f.anyStale(snapshot.SignalPV, planRests[r.Name]); ok {
			lines = append(lines, st.level(LevelStale).Render(cols(widths, short[r.Name], ansi.Strip(measured),
				orDash(r.Check.Predicted, r.Format), r.Format(r.Check.AtPeak), ansi.Strip(room))))
			staleRows, worst = append(staleRows, short[r.Name]), sm.older(worst)
			if len(staleRows) == 1 {
				worst = sm
			}
			continue
		}
		if dl < LevelWarn {
			dl = LevelNone // the measured figure keeps its own colour
		}
		lines = append(lines, cols(widths, short[r.Name], st.level(dl).Render(measured), st.Plan.Render(orDash(r.Check.Predicted, r.Format)),
			st.Plan.Render(r.Format(r.Check.AtPeak)), st.level(l).Render(room)))
	}
	pw := a.PageWeight
	pwLevel := fromCapacity(f.th.DriftUse(a.Bandwidth)) // by what the page does to the link at the peak
	// What is measured is what the origin sends per view: with a CDN it is
	// held against the plan's origin share, and the page is named beside.
	page := "page " + orDash(pw.Measured, capacity.FormatBytes) + "/view" + st.Plan.Render(" · plan "+capacity.FormatBytes(pw.Planned))
	if pw.CDNShare > 0 {
		page = "origin " + orDash(pw.Measured, capacity.FormatBytes) + "/view" + st.Plan.Render(" · plan "+capacity.FormatBytes(pw.Planned))
	}
	ratio := ""
	if r, ok := pw.Ratio.Get(); ok {
		ratio = capacity.FormatNumber(r) + "x the plan"
		if pwLevel >= LevelWarn {
			ratio += ": DRIFT" + st.levelMark(pwLevel)
		}
		ratio = st.level(pwLevel).Render(ratio)
	}
	if pw.CDNShare > 0 {
		share := st.Faint.Render("(" + capacity.FormatBytes(pw.PlannedPage) + " page, " + capacity.FormatPercent(pw.CDNShare) + " CDN)")
		if ratio == "" {
			ratio = share
		} else {
			ratio += " " + share
		}
	}
	// Page weight is bandwidth over PV.
	if sm, ok := f.anyStale(snapshot.SignalPV, snapshot.SignalBandwidth); ok {
		page, ratio = st.level(LevelStale).Render(ansi.Strip(page)), st.level(LevelStale).Render(ansi.Strip(ratio))
		staleRows = append(staleRows, "page")
		if len(staleRows) == 1 {
			worst = sm
		} else {
			worst = worst.older(sm)
		}
	}
	lines = append(lines, page)
	if ratio != "" {
		lines = append(lines, ratio)
	}
	if len(staleRows) > 0 {
		// In the first limit's place: the plan's own figure can wait.
		lines = append(lines, st.level(LevelStale).Render(worst.label()+": "+strings.Join(staleRows, ", ")))
		return strings.Join(lines, "\n")
	}
	if a.FirstLimitKnown {
		at, measured, _ := a.FirstLimit.At()
		first := "first limit: " + a.FirstLimit.Name + " at " + capacity.FormatNumber(at) + " PV/s"
		if measured {
			first += st.Plan.Render(" (plan " + capacity.FormatNumber(a.FirstLimit.PV) + ")")
		}
		lines = append(lines, st.Faint.Render(first))
	}
	return strings.Join(lines, "\n")
}

// roomCell is a headroom in the plan table's room column: "12%" under the
// limit, "over 0.2%" past it.
func roomCell(h float64) string {
	if h < 0 {
		return "over " + capacity.FormatPercent(-h)
	}
	return capacity.FormatPercent(h)
}

// eventLines shows the event log newest first, from logOffset down,
// events at least logMin severe, with the panel's title saying the filter
// and how far it is scrolled.
func eventLines(f *frame, w, h int) (body, title string) {
	st := f.st
	title = "Events"
	if f.logMin > events.Info {
		title += " · " + f.logMin.String() + "+"
	}
	shown := 0 // the events the filter lets through
	for _, e := range f.events {
		if e.Severity >= f.logMin {
			shown++
		}
	}
	if shown == 0 {
		if len(f.events) == 0 {
			return st.Faint.Render("no events yet"), title
		}
		return st.Faint.Render("no " + f.logMin.String() + " events (v: the next filter)"), title
	}
	off := min(f.logOffset, max(shown-h, 0))
	if off > 0 {
		title += fmt.Sprintf(" · %d newer above", off)
	}
	// The lines are written into one buffer, the inks' sequences around
	// each piece: the log is the tallest panel redrawn every frame.
	var b strings.Builder
	b.Grow(h * (w + 32))
	skip, n := off, 0
	for i := len(f.events) - 1; i >= 0 && n < h; i-- {
		e := f.events[i]
		if e.Severity < f.logMin {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		mark, l := "·", LevelNone
		switch e.Severity {
		case events.Warn:
			mark, l = "▲", LevelWarn
		case events.Crit:
			mark, l = "✕", LevelCrit
		}
		if n > 0 {
			b.WriteByte('\n')
		}
		n++
		var clock [8]byte
		b.WriteString(st.Faint.pre)
		b.Write(e.Time.AppendFormat(clock[:0], "15:04:05"))
		b.WriteString(st.Faint.post)
		b.WriteByte(' ')
		k := st.level(l)
		b.WriteString(k.pre)
		b.WriteString(mark)
		b.WriteByte(' ')
		b.WriteString(cleanCut(e.Message, max(w-12, 0)))
		b.WriteString(k.post)
	}
	return b.String(), title
}
