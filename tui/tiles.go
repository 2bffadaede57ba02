package tui

import (
	"math"
	"strings"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// tile is one big figure with its plan context.
type tile struct {
	title  string
	signal string // for staleness and the sparkline
	value  string
	level  Level
	lines  []string // plan context, one per line
}

// tilesRow lays the five tiles out in as many rows as the width needs.
func tilesRow(f *frame, w, h int, focused bool) string {
	ts := []tile{pvTile(f), connTile(f), bandwidthTile(f), errorTile(f), stockTile(f)}
	perRow := len(ts)
	if w < 100 {
		perRow = 3
	}
	rows := (len(ts) + perRow - 1) / perRow
	hs := split(h, rows)
	var out []string
	for r := 0; r < rows; r++ {
		chunk := ts[r*perRow : min((r+1)*perRow, len(ts))]
		ws := split(w, perRow)
		var cells []string
		for i, t := range chunk {
			cells = append(cells, f.renderTile(t, ws[i], hs[r], focused))
		}
		out = append(out, joinCells(cells...))
	}
	return strings.Join(out, "\n")
}

func (f *frame) renderTile(t tile, w, h int, focused bool) string {
	st := f.st
	inner := max(w-4, 0)
	style := st.level(t.level)
	lines := t.lines
	if a, stale := f.isStale(t.signal); stale && f.data {
		// Its own line: a tile's value line has no room to spare.
		style = st.level(LevelStale)
		lines = append([]string{st.level(LevelStale).Render(a.label())}, lines...)
	}
	value := t.value
	if m := st.levelMark(t.level); m != "" {
		value += " " + m
	}
	body := append([]string{newInk(style.Inherit(st.Big.Style)).Render(value)}, lines...)
	// The sparkline takes the last line the tile has room for.
	room := max(h-2, 0) // the border; the title sits in it
	for len(body) < room-1 {
		body = append(body, "")
	}
	if room > len(body) {
		body = append(body, st.Accent.Render(sparkline(f.series(t.signal, inner), inner)))
	}
	return st.box(t.title, strings.Join(body, "\n"), w, h, focused)
}

func pvTile(f *frame) tile {
	t := tile{title: "PV/s", signal: snapshot.SignalPV, value: orDash(f.snap.PV, capacity.FormatNumber)}
	if !f.hasPlan {
		return t
	}
	peak := f.plan.PeakPV
	t.lines = append(t.lines, f.st.Plan.Render("plan peak "+capacity.FormatNumber(peak)))
	if pv, ok := f.snap.PV.Get(); ok && peak > 0 {
		l := fromCapacity(f.th.Usage(snapshot.Some(pv / peak)))
		t.lines = append(t.lines, f.st.level(l).Render(capacity.FormatPercent(pv/peak)+" of peak"))
		t.level = l
	}
	lines, l := f.firstLimitLines()
	t.lines = append(t.lines, lines...)
	// PV is judged against the peak and against the PV where the first
	// limit fills: in the crash 12 PV/s is 6% of the peak but the whole
	// link at what a view costs, and the tile (and the wall) say so.
	t.level = max(t.level, l)
	return t
}

// firstLimitLines name the limit rising PV reaches first and where: at
// what a page view measurably costs now when that departs from the plan,
// with the plan's figure beside it. The level is how close the PV now is
// to it.
func (f *frame) firstLimitLines() ([]string, Level) {
	a := f.assess
	if !a.FirstLimitKnown {
		return nil, LevelNone
	}
	at, measured, _ := a.FirstLimit.At()
	line := a.FirstLimit.Name + " limit " + capacity.FormatNumber(at)
	l := LevelNone
	if pv, ok := a.PV.Get(); ok && at > 0 {
		l = fromCapacity(f.th.Usage(snapshot.Some(pv / at)))
	}
	if !measured {
		if l < LevelWarn {
			return []string{f.st.Faint.Render(line)}, l
		}
		return []string{f.st.level(l).Render(line) + f.st.levelMark(l)}, l
	}
	return []string{
		f.st.level(l).Render(line) + f.st.levelMark(l),
		f.st.Plan.Render("  plan " + capacity.FormatNumber(a.FirstLimit.PV)),
	}, l
}

// tileInner is a tile's inner width at 120 columns, the narrowest full
// layout: tile lines are written to fit it.
const tileInner = 20

// checkLines are a formula check's tile lines (connections, bandwidth):
// the plan at the PV now, how far the measured figure departs from it when
// it does (else the plan at the peak), and the headroom to the limit,
// saying "predicted" when nothing measures it. The departure is coloured
// by what it does to the limit at the planned peak (DriftUse): a ratio
// that harms nothing is information, faint. The tile's level is the worse
// of that and the headroom. Each line fits the 20 cells of a tile at 120
// columns.
func (f *frame) checkLines(c capacity.Check, format func(float64) string) ([]string, Level) {
	if !f.hasPlan {
		return nil, LevelNone
	}
	st := f.st
	lines := []string{st.Faint.Render("plan now ") + st.Plan.Render(orDash(c.Predicted, format))}
	if fromCapacity(f.th.Drift(c.Drift)) >= LevelWarn {
		ratio := capacity.FormatNumber(c.Drift.Or(0)) + "x the plan"
		if use := fromCapacity(f.th.DriftUse(c)); use >= LevelWarn {
			lines = append(lines, st.level(use).Render(ratio)+st.levelMark(use))
		} else {
			lines = append(lines, st.Faint.Render(ratio))
		}
	} else {
		lines = append(lines, st.Faint.Render("at peak  ")+st.Plan.Render(format(c.AtPeak)))
	}
	room := fromCapacity(f.th.Headroom(c))
	if h, ok := c.Headroom.Get(); ok {
		text, of := headroomText(h), " of "+format(c.Limit)
		if c.Basis == capacity.BasisPredicted {
			of = " predicted" // nothing measures it: the formula at the PV now
		}
		if len(text)+len(of) > tileInner {
			of = "" // the plan table shows the limit too
		}
		lines = append(lines, st.level(room).Render(text)+st.Faint.Render(of))
	} else if c.Limit == 0 {
		lines = append(lines, st.Faint.Render("no limit set"))
	}
	return lines, fromCapacity(f.th.Check(c))
}

// headroomText reads a headroom as people say it: "room 12%" under the
// limit, "over by 0.2%" past it.
func headroomText(h float64) string {
	if h < 0 {
		return "over by " + capacity.FormatPercent(-h)
	}
	return "room " + capacity.FormatPercent(h)
}

func connTile(f *frame) tile {
	t := tile{title: "Connections", signal: snapshot.SignalConnections, value: orDash(f.snap.Connections, capacity.FormatCount)}
	t.lines, t.level = f.checkLines(f.assess.Connections, capacity.FormatCount)
	return t
}

func bandwidthTile(f *frame) tile {
	t := tile{title: "Bandwidth", signal: snapshot.SignalBandwidth}
	t.value = orDash(f.snap.Bandwidth, capacity.FormatByteRate)
	t.lines, t.level = f.checkLines(f.assess.Bandwidth, capacity.FormatByteRate)
	t.lines = append([]string{f.st.Faint.Render(orDash(f.snap.Bandwidth, capacity.FormatBitRate))}, t.lines...)
	return t
}

func errorTile(f *frame) tile {
	t := tile{title: "Error rate", signal: snapshot.SignalErrorRate, value: orDash(f.snap.ErrorRate, capacity.FormatPercent)}
	t.level = fromCapacity(f.th.ErrorRate(f.snap.ErrorRate, f.snap.Requests))
	t.lines = []string{
		f.st.Faint.Render("warn " + capacity.FormatPercent(f.th.ErrorRateWarn) + " crit " + capacity.FormatPercent(f.th.ErrorRateCrit)),
		f.staleFaint(snapshot.SignalRequests, "req "+orDash(f.snap.Requests, capacity.FormatNumber)+"/s"),
	}
	return t
}

func stockTile(f *frame) tile {
	so := f.assess.SellOut
	t := tile{title: "Stock", signal: snapshot.SignalStock}
	total := so.Total
	t.value = orDash(f.snap.Stock, capacity.FormatCount)
	if total > 0 {
		t.value += f.st.Faint.Render(" / " + capacity.FormatCount(total))
	}
	left, ok := f.snap.Stock.Get()
	if total > 0 && ok {
		sold := math.Max(total-left, 0) / total
		t.lines = append(t.lines, f.st.bar(sold, 12, LevelNone)+" "+f.st.Faint.Render(capacity.FormatPercent(sold)))
	}
	rate := orDash(so.Rate, capacity.FormatNumber) + "/s"
	if pr, ok := so.PlannedRate.Get(); ok {
		rate += f.st.Plan.Render(" plan " + capacity.FormatNumber(pr))
	}
	t.lines = append(t.lines, rate)
	t.level = fromCapacity(f.th.Pace(f.assess))
	switch {
	case f.assess.Phase == capacity.PhaseSoldOut:
		t.lines = append(t.lines, f.st.level(LevelOK).Render("sold out"))
	case so.ETAKnown:
		eta := "ETA " + capacity.FormatDuration(so.ETA)
		if f.plan.Stock.SellOut > 0 {
			eta += f.st.Plan.Render(" plan " + capacity.FormatDuration(f.plan.Stock.SellOut))
		}
		t.lines = append(t.lines, f.st.level(t.level).Render(eta))
	}
	return t
}

// staleFaint draws a secondary figure faint, or stale with its mark when
// a signal it rests on is not fresh.
func (f *frame) staleFaint(signal, s string) string {
	if a, ok := f.isStale(signal); ok {
		return f.st.level(LevelStale).Render(s + " " + a.short())
	}
	return f.st.Faint.Render(s)
}
