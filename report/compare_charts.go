package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// colCompare is the second launch's line: red and dashed beside the
// first's solid blue, apart in colour and on paper printed grey.
var colCompare = color.RGBA{R: 0xc0, G: 0x39, B: 0x2b, A: 0xff}

// primary is the line of a single report's chart that a comparison lays
// over the other launch's: the measured figure, or the p95 of the
// latency percentiles (the one the latency's lines are drawn for).
func primary(name string, spec chartSpec) (series, bool) {
	i := 0
	if name == "latency" {
		i = 1
	}
	if i >= len(spec.lines) {
		return series{}, false
	}
	return spec.lines[i], true
}

// compareAxis is the time axis a launch is drawn on in a comparison:
// minutes from its own base (see Report.compareBase), labelled from T0.
func (r *Report) compareAxis(mode axisMode) timeAxis {
	return timeAxis{base: r.compareBase(), mode: mode}
}

// axisMode is how the comparison's shared axis is labelled: from T0 (T-,
// T+) unless neither launch is aligned at its T0.
func (c *Comparison) axisMode() axisMode {
	if c.A.alignment() == "" || c.B.alignment() == "" {
		return axisT0
	}
	return axisFirst
}

// axisTitle names the comparison's time axis.
func (c *Comparison) axisTitle() string {
	a, b := c.A.alignment() == "", c.B.alignment() == ""
	switch {
	case a && b:
		return "time from each launch's T0"
	case a:
		return "time from T0 (B: from its first snapshot)"
	case b:
		return "time from T0 (A: from its first snapshot)"
	}
	return "time from each launch's first snapshot"
}

// planCharts plans the named charts, each the two launches' lines laid
// over each other on launch-relative time.
func (c *Comparison) planCharts(names []string) []chart {
	out := make([]chart, 0, len(names))
	for _, name := range names {
		ch := chart{name: name}
		ch.spec, ch.plot, ch.notes, ch.bands, ch.err = c.plot(name)
		if ch.err != nil {
			ch.err = fmt.Errorf("chart %s: %w", name, ch.err)
		}
		out = append(out, ch)
	}
	return out
}

// plot lays out one chart of the comparison: A's line solid, B's dashed,
// each at its own launch-relative time; the threshold bands when both
// launches hold the figure to the same lines, and T0.
func (c *Comparison) plot(name string) (spec chartSpec, p *plot.Plot, notes []string, bands int, err error) {
	sa, aok := c.A.chartSpec(name)
	sb, bok := c.B.chartSpec(name)
	la, laok := primary(name, sa)
	lb, lbok := primary(name, sb)
	if !aok || !bok || !laok || !lbok {
		return chartSpec{}, nil, nil, 0, fmt.Errorf("no chart %q", name)
	}
	spec = chartSpec{title: sa.title, format: sa.format, warn: sa.warn, crit: sa.crit, lines: []series{
		{name: c.sides()[0].name(), get: la.get, color: colMeasured, class: "sw-s0"},
		{name: c.sides()[1].name(), get: lb.get, color: colCompare, dashed: true, class: "sw-b"},
	}}
	if sa.warn != sb.warn || sa.crit != sb.crit {
		spec.warn, spec.crit = 0, 0
		notes = append(notes, fmt.Sprintf("no threshold band: the launches hold this figure to other lines (A warns from %s, B from %s)",
			lineText(sa.warn, sa.format), lineText(sb.warn, sb.format)))
	}

	mode := c.axisMode()
	axA, axB := c.A.compareAxis(mode), c.B.compareAxis(mode)
	p = plot.New()
	sansSerif(p)
	p.Title.Text = spec.title
	p.X.Label.Text = c.axisTitle()
	p.Y.Tick.Marker = unitTicks{spec.format}
	p.X.Tick.Marker = axA

	xmin := math.Min(axA.x(c.A.First), axB.x(c.B.First))
	xmax := math.Max(axA.x(c.A.Last), axB.x(c.B.Last))
	if xmax <= xmin {
		xmax = xmin + 1
	}
	segs := [][]plotter.XYs{c.A.segments(la.get, axA), c.B.segments(lb.get, axB)}
	var ys []float64
	for _, ss := range segs {
		for _, seg := range ss {
			for _, pt := range seg {
				ys = append(ys, pt.Y)
			}
		}
	}
	clip := clipLine(ys)
	top := yTop(spec, ys, clip)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax+0.04*(xmax-xmin), 0, top

	for i, sd := range c.sides() {
		if n := sd.r.clipNote(spec.lines[i], clip, spec.format, true); n != "" {
			notes = append(notes, n)
			for _, seg := range segs[i] {
				for j := range seg {
					seg[j].Y = math.Min(seg[j].Y, top)
				}
			}
		}
	}
	if bands, err = drawBands(p, spec, xmin, xmax, top); err != nil {
		return spec, nil, nil, 0, err
	}
	if c.showsT0() {
		if err := vline(p, 0, top, colT0, 1.2, false); err != nil {
			return spec, nil, nil, 0, err
		}
	}
	for i := range segs {
		if err := drawLine(p, spec.lines[i], segs[i]); err != nil {
			return spec, nil, nil, 0, err
		}
	}
	return spec, p, notes, bands, nil
}

// lineText is a threshold's line in its unit, or "none".
func lineText(v float64, format func(float64) string) string {
	if v <= 0 {
		return "none"
	}
	return format(v)
}

// showsT0 says whether the comparison's charts mark T0: a launch aligned
// at its T0 whose recording holds it.
func (c *Comparison) showsT0() bool {
	for _, s := range c.sides() {
		if s.r.alignment() == "" && s.r.timeAxis().showsT0(s.r) {
			return true
		}
	}
	return false
}

// legend lists what a comparison's chart draws: each launch's line, T0
// and the threshold bands its range shows.
func (c *Comparison) legend(ch chart) []legendEntry {
	var out []legendEntry
	for _, l := range ch.spec.lines {
		out = append(out, legendEntry{Name: l.name, Class: l.class})
	}
	if c.showsT0() {
		out = append(out, legendEntry{Name: "T0", Class: "sw-t0"})
	}
	if ch.bands >= 1 {
		out = append(out, legendEntry{Name: "warning band from " + ch.spec.format(ch.spec.warn), Class: "band-warn"})
	}
	if ch.bands >= 2 {
		out = append(out, legendEntry{Name: "critical band from " + ch.spec.format(ch.spec.crit), Class: "band-crit"})
	}
	return out
}
