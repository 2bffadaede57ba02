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
		c = ansi.Truncate(c, w, "…")
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
	widths := []int{9, 6, 7, 6}
	barW := max(w-sum(widths)-len(widths)-1, 0)
	lines := []string{st.Faint.Render(cols(widths, "endpoint", "QPS", "ceiling", "load"))}
	nameW := widths[0]
	for _, e := range eps {
		if len(lines) >= h {
			break
		}
		l := fromCapacity(f.th.Usage(e.Load))
		name := snapshot.CleanText(e.Name, nameW)
		if e.Bottleneck {
			name = "◆" + snapshot.CleanText(e.Name, nameW-1)
		}
		ceiling := "–"
		if e.MaxQPS > 0 {
			ceiling = capacity.FormatNumber(e.MaxQPS)
		}
		qps := orDash(e.QPS, capacity.FormatNumber)
		if a, stale := f.isStale("endpoints." + e.Name); stale {
			qps = st.level(LevelStale).Render(qps + " " + age(a))
		}
		row := cols(widths, name, qps, ceiling, orDash(e.Load, capacity.FormatPercent))
		if barW > 0 {
			row += " " + st.bar(e.Load.Or(0), barW, l)
		}
		lines = append(lines, st.level(l).Render(row))
	}
	if f.assess.Bottleneck != "" && len(lines) < h {
		lines = append(lines, st.Faint.Render("◆ bottleneck: "+snapshot.CleanText(f.assess.Bottleneck, 20)))
	}
	return strings.Join(lines, "\n")
}

// hostPanel: CPU, memory, load, NIC in and out, TCP.
func hostPanel(f *frame, w int) string {
	st := f.st
	h := f.snap.Host
	barW := max(min(w-14, 12), 0)
	stale := func(sig, s string) string {
		if a, ok := f.isStale(sig); ok {
			return st.level(LevelStale).Render(s + " (" + age(a) + ")")
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
	lines := []string{
		stale("host.cpu", fmt.Sprintf("%-7s%5s ", "CPU", orDash(h.CPU, capacity.FormatPercent))) + st.bar(h.CPU.Or(0), barW, cpuLevel),
		stale("host.load1", fmt.Sprintf("%-7s%s", "Load", orDash(h.Load1, capacity.FormatNumber))),
		stale("host.memory_used", fmt.Sprintf("%-7s", "Memory")+st.level(fromCapacity(f.th.Usage(memShare))).Render(mem)),
		stale("host.net_tx", fmt.Sprintf("%-7s%s", "NIC ↑", orDash(h.NetTX, capacity.FormatByteRate))),
		stale("host.net_rx", fmt.Sprintf("%-7s%s", "NIC ↓", orDash(h.NetRX, capacity.FormatByteRate))),
		stale("host.tcp_established", fmt.Sprintf("%-7s%s est.", "TCP", orDash(h.TCPEstablished, capacity.FormatCount))) +
			stale("host.tcp_memory", " "+orDash(h.TCPMemory, capacity.FormatBytes)),
	}
	return strings.Join(lines, "\n")
}

// planPanel: for bandwidth, connections and memory, measured against the
// formula at the PV now and at the planned peak, with headroom; then page
// weight.
func planPanel(f *frame, w int) string {
	st := f.st
	if !f.hasPlan {
		return st.Faint.Render("no plan configured: add a plan section\nto hold the figures against it")
	}
	// 41 cells: fits the plan panel at 120 columns.
	widths := []int{4, 9, 9, 9, 6}
	a := f.assess
	lines := []string{st.Faint.Render(cols(widths, "", "measured", "plan now", "at peak", "room"))}
	short := map[string]string{"bandwidth": "bw", "connections": "conn", "memory": "mem"}
	for _, r := range a.Checks() {
		l := fromCapacity(f.th.Headroom(r.Check))
		room := orDash(r.Check.Headroom, capacity.FormatPercent)
		lines = append(lines, cols(widths, short[r.Name], orDash(r.Check.Measured, r.Format), st.Plan.Render(orDash(r.Check.Predicted, r.Format)),
			st.Plan.Render(r.Format(r.Check.AtPeak)), st.level(l).Render(room)))
	}
	pw := a.PageWeight
	pwLevel := fromCapacity(f.th.PageWeight(pw.Ratio))
	lines = append(lines, "page "+orDash(pw.Measured, capacity.FormatBytes)+"/view"+st.Plan.Render(" · plan "+capacity.FormatBytes(pw.Planned)))
	if r, ok := pw.Ratio.Get(); ok {
		ratio := capacity.FormatNumber(r) + "x the plan"
		if pwLevel >= LevelWarn {
			ratio += ": DRIFT"
		}
		lines = append(lines, st.level(pwLevel).Render(ratio))
	}
	if first, ok := f.plan.FirstReached(); ok {
		lines = append(lines, st.Faint.Render("first limit: "+first.Name+" at "+capacity.FormatNumber(first.PV)+" PV/s"))
	}
	return strings.Join(lines, "\n")
}

// eventLines shows the newest events, newest first.
func eventLines(f *frame, w, h int) string {
	st := f.st
	if len(f.events) == 0 {
		return st.Faint.Render("no events yet")
	}
	var lines []string
	for i := len(f.events) - 1; i >= 0 && len(lines) < h; i-- {
		e := f.events[i]
		mark, l := "·", LevelNone
		switch e.Severity {
		case events.Warn:
			mark, l = "▲", LevelWarn
		case events.Crit:
			mark, l = "✕", LevelCrit
		}
		msg := snapshot.CleanText(e.Message, max(w-12, 0))
		lines = append(lines, st.Faint.Render(e.Time.Format("15:04:05"))+" "+st.level(l).Render(mark+" "+msg))
	}
	return strings.Join(lines, "\n")
}
