package tui

import (
	"cmp"
	"math"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// chartPV draws measured PV against the planned peak.
func chartPV(f *frame, out lineWriter, w, h int) {
	var plan func(s snapshot.Snapshot) snapshot.Value
	if f.hasPlan && f.plan.PeakPV > 0 {
		plan = func(snapshot.Snapshot) snapshot.Value { return snapshot.Some(f.plan.PeakPV) }
	}
	f.chart(out, w, h, func(s snapshot.Snapshot) snapshot.Value { return s.PV }, plan, capacity.FormatNumber)
}

// chartConns draws measured connections against the formula at the PV
// measured at each instant: where the lines part, reality left the plan.
func chartConns(f *frame, out lineWriter, w, h int) {
	f.chart(out, w, h, func(s snapshot.Snapshot) snapshot.Value { return s.Connections },
		f.planAtPV(func(p capacity.Prediction) float64 { return p.OriginConnections }), capacity.FormatNumber)
}

// chartBandwidth draws measured bandwidth against the formula at the PV.
func chartBandwidth(f *frame, out lineWriter, w, h int) {
	f.chart(out, w, h, func(s snapshot.Snapshot) snapshot.Value { return s.Bandwidth },
		f.planAtPV(func(p capacity.Prediction) float64 { return p.OriginBandwidth }), capacity.FormatByteRate)
}

// planAtPV is a plan series: one figure of the formulas at each snapshot's
// measured PV; nil without a plan.
func (f *frame) planAtPV(figure func(capacity.Prediction) float64) func(snapshot.Snapshot) snapshot.Value {
	if !f.hasPlan {
		return nil
	}
	return func(s snapshot.Snapshot) snapshot.Value {
		pv, ok := s.PV.Get()
		if !ok {
			return snapshot.Value{}
		}
		return snapshot.Some(figure(f.plan.At(pv)))
	}
}

// chart draws a measured series and, when plan is set, the plan's series
// (dashed, so it is told from the measured line without colour), over the
// frame's window ending at the newest snapshot. The x labels are relative
// ("-5m", "now"): on a launch-day screen the age of a spike matters more
// than its clock time, and goldens stay stable.
func (f *frame) chart(out lineWriter, w, h int, measured, plan func(snapshot.Snapshot) snapshot.Value, yfmt func(float64) string) {
	const legendH = 1
	if w < 12 || h < 4+legendH || f.hist.Len() == 0 {
		if !f.data {
			msg := f.st.Faint.Render("waiting for data")
			out.reserve(len(msg) + max(w-cellWidth(msg), 0) + max(h-1, 0)*w) // its line and the blank ones
			out.line(msg)
		}
		return
	}
	end := f.snap.Time
	start := end.Add(-f.window)
	ymax := 0.0
	for i := range f.hist.Len() {
		s := f.hist.At(i)
		ymax = math.Max(ymax, measured(s).Or(0))
		if plan != nil {
			ymax = math.Max(ymax, plan(s).Or(0))
		}
	}
	for i := range f.other.Len() {
		ymax = math.Max(ymax, measured(f.other.At(i)).Or(0))
	}
	if ymax <= 0 {
		ymax = 1
	}
	ymax *= 1.1
	// Braille gives two points a cell: more than that is drawn over itself.
	perPoint := max(f.hist.Len()/(2*w), 1)
	// A step over three times the usual is a gap in the data, not a line.
	maxGap := 3 * time.Duration(perPoint) * f.step()
	c := brailleChart{w: w, h: h - legendH, start: start, end: end, ymax: ymax, yfmt: yfmt, axis: f.st.Faint}
	// The points live only while the chart is drawn: their slices are
	// borrowed and given back when it is.
	var borrowed []*[]point
	defer func() {
		for _, b := range borrowed {
			pointPool.Put(b)
		}
	}()
	points := func(h histView, value func(snapshot.Snapshot) snapshot.Value) []point {
		b := pointPool.Get().(*[]point)
		*b = downsampleInto((*b)[:0], h, value, perPoint)
		borrowed = append(borrowed, b)
		return *b
	}
	// The second launch of a comparison is drawn first, faint and dotted:
	// under this launch's lines, told from them without colour.
	otherPts := points(f.other, measured)
	if len(otherPts) > 0 {
		c.series = append(c.series, series{points: otherPts, style: f.st.Faint, dotted: true, maxGap: maxGap})
	}
	if plan != nil {
		c.series = append(c.series, series{points: points(f.hist, plan), style: f.st.Plan, dashed: true, maxGap: maxGap})
	}
	// What a warm start filled in from history is drawn faint and dotted,
	// apart from what the watch measured live.
	past, live := f.splitHistory()
	historyPts := points(past, measured)
	if len(historyPts) > 0 {
		c.series = append(c.series, series{points: historyPts, style: f.st.Faint, dotted: true, maxGap: maxGap})
	}
	c.series = append(c.series, series{points: points(live, measured), style: f.st.Accent, maxGap: maxGap})
	if len(otherPts) > 0 {
		c.legend = f.compareLegend(w, plan != nil)
		c.writeTo(out)
		return
	}
	legend := f.st.Accent.Render("⣿ measured")
	if len(historyPts) > 0 {
		legend += "  " + f.st.Faint.Render("⠁⠁ history")
	}
	if plan != nil {
		legend += "  " + f.st.Plan.Render("⠉ ⠉ plan")
	}
	legend += f.st.Faint.Render("  window " + capacity.FormatDuration(f.window))
	c.legend = legend
	c.writeTo(out)
}

// compareLegend is a chart's legend beside a second launch, in w cells:
// the measured line named as this launch and the dotted one as the second,
// whole when they fit; then the plan's (the chart's title names the plan
// too, so it goes first) and the window when they fit. Names too long for
// the chart share its width, a short one leaving its room to the other.
func (f *frame) compareLegend(w int, plan bool) string {
	const mark, otherMark, planPart = "⣿ ", "  ⠁⠁ ", "  ⠉ ⠉ plan"
	own, other := cmp.Or(snapshot.CleanText(f.ownName, 0), "this launch"), snapshot.CleanText(f.otherName, 0)
	room := w - cellWidth(mark) - cellWidth(otherMark)
	if cellWidth(own)+cellWidth(other) > room {
		half := max(room/2, 6)
		ownW := min(cellWidth(own), max(half, room-cellWidth(other)))
		own, other = cutLine(own, ownW), cutLine(other, max(room-ownW, 6))
	}
	legend := f.st.Accent.Render(mark+own) + f.st.Faint.Render(otherMark+other)
	if plan && cellWidth(legend)+cellWidth(planPart) <= w {
		legend += f.st.Plan.Render(planPart)
	}
	if window := "  window " + capacity.FormatDuration(f.window); cellWidth(legend)+cellWidth(window) <= w {
		legend += f.st.Faint.Render(window)
	}
	return legend
}

// splitHistory splits the chart window where the watch started watching
// live (frame.liveFrom). The part before came from history.
func (f *frame) splitHistory() (past, live histView) {
	start := f.liveFrom
	if start.IsZero() {
		return histView{}, f.hist
	}
	i := f.hist.search(start)
	return f.hist.Slice(0, i), f.hist.Slice(i, f.hist.Len())
}

// step is the usual time between the history's snapshots: its span over
// its count.
func (f *frame) step() time.Duration {
	n := f.hist.Len()
	if n < 2 {
		return time.Second
	}
	return max(f.hist.At(n-1).Time.Sub(f.hist.At(0).Time)/time.Duration(n-1), time.Millisecond)
}

// pointPool holds point slices between frames.
var pointPool = sync.Pool{New: func() any { return new([]point) }}

// downsampleInto appends to out the present values of every n snapshots
// averaged into one point at the group's last time.
func downsampleInto(out []point, hist histView, value func(snapshot.Snapshot) snapshot.Value, n int) []point {
	var sum float64
	var count int
	last := hist.Len() - 1
	for i := range hist.Len() {
		s := hist.At(i)
		if v, ok := value(s).Get(); ok {
			sum += v
			count++
		}
		if (i+1)%n == 0 || i == last {
			if count > 0 {
				out = append(out, point{t: s.Time, v: sum / float64(count)})
			}
			sum, count = 0, 0
		}
	}
	return out
}
