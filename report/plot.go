package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/launchwatch/launchwatch/events"
)

// The rules that keep a chart drawable and readable whatever a recording
// holds. Every finite figure reports in the tables; a chart draws the
// points over its clip line at its top edge and says so under it.
const (
	// maxDrawable is the largest figure a chart's axis runs to: no figure
	// of a launch comes near it, and the axis' headroom over a larger one
	// overflows.
	maxDrawable = 1e300
	// outlierFactor is how many times the chart's 99th percentile a point
	// must stand to be clipped: so far over the rest that, drawn to scale,
	// everything else would lie flat on the axis.
	outlierFactor = 1e6
)

// plot lays out a chart on the time axis: its lines, broken where data is
// missing; the threshold bands its range shows (how many: bands); T0 and
// the warn and crit events. notes say what it clipped.
func (r *Report) plot(spec chartSpec, ax timeAxis) (p *plot.Plot, notes []string, bands int, err error) {
	p = plot.New()
	sansSerif(p)
	p.Title.Text = spec.title
	p.X.Label.Text = ax.title(r)
	p.Y.Tick.Marker = unitTicks{spec.format}
	p.X.Tick.Marker = ax

	xmin, xmax := ax.x(r.First), ax.x(r.Last)
	if xmax <= xmin {
		xmax = xmin + 1
	}
	type drawn struct {
		s    series
		segs []plotter.XYs
	}
	var lines []drawn
	var ys []float64
	for _, s := range spec.lines {
		segs := r.segments(s.get, ax)
		for _, seg := range segs {
			for _, pt := range seg {
				ys = append(ys, pt.Y)
			}
		}
		lines = append(lines, drawn{s, segs})
	}
	clip := clipLine(ys)
	top := yTop(spec, ys, clip)
	// A little room on the right keeps the last tick's label inside the chart.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax+0.04*(xmax-xmin), 0, top

	for _, d := range lines {
		if n := r.clipNote(d.s, clip, spec.format, len(spec.lines) > 1); n != "" {
			notes = append(notes, n)
			for _, seg := range d.segs {
				for i := range seg {
					seg[i].Y = math.Min(seg[i].Y, top)
				}
			}
		}
	}
	if bands, err = drawBands(p, spec, xmin, xmax, top); err != nil {
		return nil, nil, 0, err
	}
	for _, e := range r.Events {
		if e.Severity == events.Info {
			continue
		}
		col := colWarn
		if e.Severity == events.Crit {
			col = colCrit
		}
		if err := vline(p, ax.x(e.Time), top, col, 0.5, true); err != nil {
			return nil, nil, 0, err
		}
	}
	if ax.showsT0(r) {
		if err := vline(p, ax.x(r.T0), top, colT0, 1.2, false); err != nil {
			return nil, nil, 0, err
		}
	}
	if err := r.plotAnnotations(p, ax, top); err != nil {
		return nil, nil, 0, err
	}
	if n := r.annotationNote(); n != "" {
		notes = append(notes, n)
	}
	for _, d := range lines {
		if err := drawLine(p, d.s, d.segs); err != nil {
			return nil, nil, 0, err
		}
	}
	return p, notes, bands, nil
}

// drawBands draws the threshold bands a chart's range up to top shows and
// says how many: 0, 1 (warning) or 2.
func drawBands(p *plot.Plot, spec chartSpec, xmin, xmax, top float64) (int, error) {
	if spec.warn <= 0 || spec.warn >= top {
		return 0, nil
	}
	if err := band(p, xmin, xmax, spec.warn, math.Min(spec.crit, top), bandWarn); err != nil {
		return 0, err
	}
	if spec.crit >= top {
		return 1, nil
	}
	return 2, band(p, xmin, xmax, spec.crit, top, bandCrit)
}

// drawLine draws a series' segments in its colour and dash.
func drawLine(p *plot.Plot, s series, segs []plotter.XYs) error {
	for _, seg := range segs {
		l, err := plotter.NewLine(seg)
		if err != nil {
			return err
		}
		l.Color, l.Width = s.color, vg.Points(1.2)
		if s.dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l)
	}
	return nil
}

// yTop is the top of a chart's y axis over the points ys, those over
// clip left out.
func yTop(spec chartSpec, ys []float64, clip float64) float64 {
	ymax := 0.0
	for _, y := range ys {
		if y <= clip {
			ymax = math.Max(ymax, y)
		}
	}
	// Show the threshold bands when the data comes near them; with no
	// data over zero the axis runs to the warning line, so that a quiet
	// chart reads as under it rather than as a band of red.
	switch {
	case spec.warn > 0 && spec.warn < 1.5*ymax:
		ymax = math.Max(ymax, spec.crit)
	case ymax <= 0 && spec.warn > 0:
		ymax = spec.warn
	case ymax <= 0:
		ymax = 1
	}
	return ymax * 1.05
}

// clipLine is the figure over which a chart's points are clipped: the
// largest it can draw, or outlierFactor times its 99th percentile.
func clipLine(ys []float64) float64 {
	line := maxDrawable
	if len(ys) == 0 {
		return line
	}
	sorted := slices.Clone(ys)
	slices.Sort(sorted)
	p99 := sorted[min(max(int(math.Ceil(0.99*float64(len(sorted))))-1, 0), len(sorted)-1)]
	if p99 > 0 && p99*outlierFactor < line {
		line = p99 * outlierFactor
	}
	return line
}

// clipNote says which of a line's figures stand over the clip line: how
// many snapshots, the highest and when. Empty when none does.
func (r *Report) clipNote(s series, clip float64, format func(float64) string, named bool) string {
	n, high := 0, math.Inf(-1)
	var at sample
	for _, smp := range r.samples {
		v := s.get(smp)
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= clip {
			continue
		}
		if n++; v > high {
			high, at = v, smp
		}
	}
	if n == 0 {
		return ""
	}
	msg := fmt.Sprintf("clipped: %s over %s drawn at the top, the highest %s at %s", count(n, "snapshot"), figureText(clip, format),
		figureText(high, format), r.Rel(at.t))
	if named {
		msg = s.name + " " + msg
	}
	return msg
}

// figureText writes a figure in its unit, or in scientific notation when
// that is too long to read (1.79e+308).
func figureText(v float64, format func(float64) string) string {
	if s := format(v); len(s) <= 20 {
		return s
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// segments draws a figure as lines broken where it is missing, at most
// maxPoints points, each bucket at its highest value.
func (r *Report) segments(get func(sample) float64, ax timeAxis) []plotter.XYs {
	n := len(r.samples)
	per := (n + maxPoints - 1) / maxPoints
	gap := 2 * max(r.Interval, r.Step)
	var out []plotter.XYs
	var cur plotter.XYs
	cut := func() {
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	for i := 0; i < n; i += per {
		v := math.NaN()
		for j, s := range r.samples[i:min(i+per, n)] {
			if i+j > 0 && gap > 0 && s.t.Sub(r.samples[i+j-1].t) > gap {
				cut() // no snapshot in between: draw no line across
			}
			if x := get(s); !math.IsNaN(x) && !math.IsInf(x, 0) && (math.IsNaN(v) || x > v) {
				v = x
			}
		}
		if math.IsNaN(v) {
			cut()
			continue
		}
		cur = append(cur, plotter.XY{X: ax.x(r.samples[i].t), Y: v})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func band(p *plot.Plot, x0, x1, lo, hi float64, c color.Color) error {
	if hi <= lo {
		return nil
	}
	poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: lo}, {X: x1, Y: lo}, {X: x1, Y: hi}, {X: x0, Y: hi}})
	if err != nil {
		return err
	}
	poly.Color = c
	poly.Width = 0
	p.Add(poly)
	return nil
}

func vline(p *plot.Plot, x, ymax float64, c color.Color, width float64, dashed bool) error {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: ymax}})
	if err != nil {
		return err
	}
	l.Color, l.Width = c, vg.Points(width)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	}
	p.Add(l)
	return nil
}
