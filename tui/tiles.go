package tui

import (
	"math"
	"slices"
	"strconv"
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

// tiles appends to buf the headline figures: the signal table's rows with
// a tile, in its order. Each shows its figure in its unit, levelled by its
// row's rule, then what the plan says of it where the plan knows it
// (tilePlans). A caller's array as buf keeps the tiles off the heap.
func (f *frame) tiles(buf []tile) []tile {
	for sig := range snapshot.All() {
		if sig.Tile == "" {
			continue
		}
		t := tile{title: sig.Tile, signal: sig.Name, level: fromCapacity(f.th.SignalLevel(sig, f.snap))}
		t.value, t.lines = tileFigure(f, sig)
		if plan := tilePlans[sig.Name]; plan != nil {
			t = plan(f, t)
		}
		buf = append(buf, t)
	}
	if f.hasLatency() {
		buf = append(buf, f.latencyTile())
	}
	return buf
}

// maxTiles is room for every tile the signal table has, and the latency's.
const maxTiles = 8

// latencySignals are the time-to-answer percentiles the latency tile shows.
var latencySignals = []string{snapshot.SignalLatencyP95, snapshot.SignalLatencyP50, snapshot.SignalLatencyP99}

// hasLatency reports whether a source answers latency: one of the
// percentiles is in some source's signals, or measured. Without it the
// tiles are the signal table's, as they were before latency was watched.
func (f *frame) hasLatency() bool {
	if f.snap.LatencyP95.OK() || f.snap.LatencyP50.OK() || f.snap.LatencyP99.OK() {
		return true
	}
	for _, src := range f.snap.Sources {
		for _, sig := range src.Signals {
			if slices.Contains(latencySignals, sig) {
				return true
			}
		}
	}
	return false
}

// latencyTile is the time users wait: the 95th percentile large, levelled
// by latency_p95_warn/crit, the median and the 99th under it.
func (f *frame) latencyTile() tile {
	row, _ := snapshot.Lookup(snapshot.SignalLatencyP95)
	t := tile{title: "Latency p95", signal: snapshot.SignalLatencyP95, level: fromCapacity(f.th.SignalLevel(row, f.snap))}
	t.value, _ = tileFigure(f, row)
	secs := waitTime
	t.lines = []string{
		f.staleFaint(snapshot.SignalLatencyP50, "p50 "+orDash(f.snap.LatencyP50, secs)),
		f.staleFaint(snapshot.SignalLatencyP99, "p99 "+orDash(f.snap.LatencyP99, secs)),
		f.st.Faint.Render("warn " + secs(f.th.LatencyP95Warn.Seconds()) + " crit " + secs(f.th.LatencyP95Crit.Seconds())),
	}
	return t
}

// tileFigure writes a tile's figure in its signal's unit, or "–" when it
// is missing. A link's rate is too wide for one line in bytes and bits:
// the bits go on the line below, faint.
func tileFigure(f *frame, sig snapshot.Signal) (string, []string) {
	v := sig.Get(f.snap)
	if sig.Unit == snapshot.UnitLinkRate {
		lines := make([]string, 1, 4) // room for a plan's lines after it
		lines[0] = f.st.Faint.Render(orDash(v, capacity.FormatBitRate))
		return orDash(v, capacity.FormatByteRate), lines
	}
	if x, ok := v.Get(); ok {
		return capacity.Format(sig.Unit, x), nil
	}
	return "–", nil
}

// tilePlans add to a headline tile what the plan says of its signal: the
// planned peak, a limit's check, the sell-out. A tile without one is its
// figure, its level and its sparkline.
var tilePlans = map[string]func(*frame, tile) tile{
	snapshot.SignalPV:          pvPlan,
	snapshot.SignalConnections: connPlan,
	snapshot.SignalBandwidth:   bandwidthPlan,
	snapshot.SignalErrorRate:   errorPlan,
	snapshot.SignalStock:       stockPlan,
}

// tilesRow lays the tiles out in as many rows as the width needs.
func tilesRow(f *frame, w, h int, focused bool) string {
	ts := f.tiles(make([]tile, 0, maxTiles))
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

func pvPlan(f *frame, t tile) tile {
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

func connPlan(f *frame, t tile) tile {
	t.lines, t.level = f.checkLines(f.assess.Connections, capacity.FormatCount)
	return t
}

// bandwidthPlan follows the rate in bits with the link's check.
func bandwidthPlan(f *frame, t tile) tile {
	lines, level := f.checkLines(f.assess.Bandwidth, capacity.FormatByteRate)
	t.lines, t.level = append(t.lines, lines...), level
	return t
}

// errorPlan shows the lines the error rate is judged against (its row's
// rule levels it) and the requests it is a share of.
func errorPlan(f *frame, t tile) tile {
	t.lines = []string{
		f.st.Faint.Render("warn " + capacity.FormatPercent(f.th.ErrorRateWarn) + " crit " + capacity.FormatPercent(f.th.ErrorRateCrit)),
		f.staleFaint(snapshot.SignalRequests, "req "+orDash(f.snap.Requests, capacity.FormatNumber)+"/s"),
	}
	if codes := snapshot.ErrorCodeShares(f.snap.ErrorCodes); len(codes) > 0 {
		codes = codes[:min(2, len(codes))]
		t.lines = append(t.lines, f.codesLine(codes))
	}
	return t
}

// wholePercent writes a share in whole percent, "<1%" under one: a
// breakdown's shares are read for their order, not their decimals.
func wholePercent(share float64) string {
	if share > 0 && share < 0.005 {
		return "<1%"
	}
	return strconv.Itoa(int(math.Round(share*100))) + "%"
}

// codesLine is the error tile's breakdown: "502 61% · 504 12%".
func (f *frame) codesLine(codes []snapshot.CodeShare) string {
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = snapshot.CleanText(c.Code, 12) + " " + wholePercent(c.Share)
	}
	return f.st.Faint.Render(strings.Join(parts, " · "))
}

func stockPlan(f *frame, t tile) tile {
	so := f.assess.SellOut
	total := so.Total
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
