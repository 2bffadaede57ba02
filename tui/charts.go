package tui

import (
	"math"
	"time"

	"github.com/NimbleMarkets/ntcharts/linechart"
	tslc "github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

const (
	setMeasured = "measured"
	setPlan     = "plan"
)

// chartPV draws measured PV against the planned peak.
func chartPV(f *frame, w, h int) string {
	var plan func(s snapshot.Snapshot) snapshot.Value
	if f.hasPlan && f.plan.PeakPV > 0 {
		plan = func(snapshot.Snapshot) snapshot.Value { return snapshot.Some(f.plan.PeakPV) }
	}
	return f.chart(w, h, func(s snapshot.Snapshot) snapshot.Value { return s.PV }, plan, capacity.FormatNumber)
}

// chartConns draws measured connections against the formula at the PV
// measured at each instant: where the lines part, reality left the plan.
func chartConns(f *frame, w, h int) string {
	return f.chart(w, h, func(s snapshot.Snapshot) snapshot.Value { return s.Connections },
		f.planAtPV(func(p capacity.Prediction) float64 { return p.OriginConnections }), capacity.FormatNumber)
}

// chartBandwidth draws measured bandwidth against the formula at the PV.
func chartBandwidth(f *frame, w, h int) string {
	return f.chart(w, h, func(s snapshot.Snapshot) snapshot.Value { return s.Bandwidth },
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

// chart draws a measured series and, when plan is set, the plan's series,
// over the frame's window ending at the newest snapshot. The x labels are
// relative ("-5m", "now"): on a launch-day screen the age of a spike
// matters more than its clock time, and goldens stay stable.
func (f *frame) chart(w, h int, measured, plan func(snapshot.Snapshot) snapshot.Value, yfmt func(float64) string) string {
	const legendH = 1
	if w < 12 || h < 4+legendH || len(f.hist) == 0 {
		if !f.data {
			return f.st.Faint.Render("waiting for data")
		}
		return ""
	}
	end := f.snap.Time
	start := end.Add(-f.window)
	ymax := 0.0
	for _, s := range f.hist {
		ymax = math.Max(ymax, measured(s).Or(0))
		if plan != nil {
			ymax = math.Max(ymax, plan(s).Or(0))
		}
	}
	if ymax <= 0 {
		ymax = 1
	}
	ymax *= 1.1
	c := tslc.New(w, h-legendH,
		tslc.WithTimeRange(start, end),
		tslc.WithYRange(0, ymax),
		tslc.WithXYSteps(2, 2),
		tslc.WithXLabelFormatter(relativeLabels(end)),
		tslc.WithYLabelFormatter(func(_ int, v float64) string { return yfmt(v) }),
		tslc.WithAxesStyles(f.st.Faint, f.st.Faint),
		tslc.WithDataSetStyle(setMeasured, f.st.Accent),
		tslc.WithDataSetStyle(setPlan, f.st.Plan),
	)
	c.SetViewTimeAndYRange(start, end, 0, ymax)
	// Braille gives two points a cell: more than that is drawn over itself,
	// and pushing a 3-hour window of 1 s points every second is work for
	// nothing.
	perPoint := max(len(f.hist)/(2*w), 1)
	measuredPts := downsample(f.hist, measured, perPoint)
	var planPts []tslc.TimePoint
	if plan != nil {
		planPts = downsample(f.hist, plan, perPoint)
	}
	for _, p := range planPts {
		c.PushDataSet(setPlan, p)
	}
	for _, p := range measuredPts {
		c.PushDataSet(setMeasured, p)
	}
	nMeasured, nPlan := len(measuredPts), len(planPts)
	// ntcharts stops at the first empty data set: name only those with
	// points, the plan first so the measured line is drawn on top.
	var names []string
	if nPlan > 0 {
		names = append(names, setPlan)
	}
	if nMeasured > 0 {
		names = append(names, setMeasured)
	}
	if len(names) > 0 {
		c.DrawBrailleDataSets(names)
	} else {
		c.DrawXYAxisAndLabel()
	}
	legend := f.st.Accent.Render("⣿ measured")
	if plan != nil {
		legend += "  " + f.st.Plan.Render("⣿ plan")
	}
	legend += f.st.Faint.Render("  window " + capacity.FormatDuration(f.window))
	return c.View() + "\n" + legend
}

// relativeLabels labels the time axis by age relative to end.
func relativeLabels(end time.Time) linechart.LabelFormatter {
	return func(_ int, v float64) string {
		d := end.Sub(time.Unix(int64(v), 0)).Round(time.Second)
		if d <= time.Second {
			return "now"
		}
		return "-" + capacity.FormatDuration(d)
	}
}

// downsample averages the present values of every n snapshots into one
// point at the group's last time.
func downsample(hist []snapshot.Snapshot, value func(snapshot.Snapshot) snapshot.Value, n int) []tslc.TimePoint {
	out := make([]tslc.TimePoint, 0, len(hist)/max(n, 1)+1)
	var sum float64
	var count int
	for i, s := range hist {
		if v, ok := value(s).Get(); ok {
			sum += v
			count++
		}
		if (i+1)%n == 0 || i == len(hist)-1 {
			if count > 0 {
				out = append(out, tslc.TimePoint{Time: s.Time, Value: sum / float64(count)})
			}
			sum, count = 0, 0
		}
	}
	return out
}
