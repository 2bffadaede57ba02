package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// maxPoints bounds the points of one line: longer recordings are cut into
// buckets and each bucket drawn at its highest value, so no peak is lost.
const maxPoints = 720

// Chart size.
const (
	chartWidth  = 7 * vg.Inch
	chartHeight = 2.6 * vg.Inch
)

var (
	colMeasured = color.RGBA{R: 0x1f, G: 0x4e, B: 0x9c, A: 0xff}
	colPlan     = color.RGBA{R: 0x6b, G: 0x6b, B: 0x6b, A: 0xff}
	colT0       = color.RGBA{A: 0xff}
	colWarn     = color.RGBA{R: 0xd9, G: 0x8c, B: 0x00, A: 0xff}
	colCrit     = color.RGBA{R: 0xc0, G: 0x14, B: 0x2c, A: 0xff}
	bandWarn    = color.NRGBA{R: 0xff, G: 0xbf, B: 0x00, A: 0x40}
	bandCrit    = color.NRGBA{R: 0xdc, G: 0x14, B: 0x3c, A: 0x30}
	colSeries   = []color.Color{
		colMeasured, color.RGBA{R: 0x2e, G: 0x8b, B: 0x57, A: 0xff}, color.RGBA{R: 0x8e, G: 0x44, B: 0xad, A: 0xff},
		color.RGBA{R: 0xa0, G: 0x52, B: 0x2d, A: 0xff}, color.RGBA{R: 0x00, G: 0x80, B: 0x80, A: 0xff},
	}
)

// series is one line of a chart: a figure from each sample.
type series struct {
	name   string
	get    func(sample) float64
	color  color.Color
	dashed bool
	class  string // the HTML legend's swatch
}

// chartSpec is one chart: its lines, its unit and its threshold bands
// (warn and crit lines; zero is none).
type chartSpec struct {
	title      string
	lines      []series
	format     func(float64) string
	warn, crit float64
}

// chartSpecs returns the charts by name.
func (r *Report) chartSpec(name string) (chartSpec, bool) {
	th := r.Thresholds
	lim := func(l float64) (float64, float64) {
		if l <= 0 {
			return 0, 0
		}
		return th.Warn * l, th.Crit * l
	}
	measured := func(get func(sample) float64) series {
		return series{name: "measured", get: get, color: colMeasured, class: "sw-measured"}
	}
	plan := func(get func(sample) float64) series {
		return series{name: "plan at the PV seen", get: get, color: colPlan, dashed: true, class: "sw-plan"}
	}
	switch name {
	case "pv":
		c := chartSpec{title: "Page views per second", format: capacity.FormatNumber,
			lines: []series{measured(func(s sample) float64 { return s.pv })}}
		if r.HasPlan && r.Plan.PeakPV > 0 {
			peak := r.Plan.PeakPV
			c.lines = append(c.lines, series{name: "planned peak", get: func(sample) float64 { return peak }, color: colPlan, dashed: true, class: "sw-plan"})
		}
		return c, true
	case "requests":
		return chartSpec{title: "Requests per second", format: capacity.FormatNumber,
			lines: []series{measured(func(s sample) float64 { return s.req })}}, true
	case "errors":
		return chartSpec{title: "Error rate", format: capacity.FormatPercent, warn: th.ErrorRateWarn, crit: th.ErrorRateCrit,
			lines: []series{measured(func(s sample) float64 { return s.errRate })}}, true
	case "bandwidth":
		w, c := lim(r.Plan.Limits.Link)
		return chartSpec{title: "Origin bandwidth", format: capacity.FormatByteRate, warn: w, crit: c,
			lines: []series{measured(func(s sample) float64 { return s.bw }), plan(func(s sample) float64 { return s.bwPlan })}}, true
	case "connections":
		w, c := lim(r.Plan.Limits.MaxConns)
		return chartSpec{title: "Concurrent connections", format: capacity.FormatCount, warn: w, crit: c,
			lines: []series{measured(func(s sample) float64 { return s.conn }), plan(func(s sample) float64 { return s.connPlan })}}, true
	case "memory":
		w, c := lim(r.Plan.Limits.Memory)
		return chartSpec{title: "Connection memory (kernel TCP)", format: capacity.FormatBytes, warn: w, crit: c,
			lines: []series{measured(func(s sample) float64 { return s.mem }), plan(func(s sample) float64 { return s.memPlan })}}, true
	case "latency":
		sec := func(v float64) string { return capacity.Format(snapshot.UnitSeconds, v) }
		return chartSpec{title: "Latency percentiles", format: sec,
			warn: th.LatencyP95Warn.Seconds(), crit: th.LatencyP95Crit.Seconds(),
			lines: []series{
				{name: "p50", get: func(s sample) float64 { return s.p50 }, color: colSeries[1], class: "sw-s1"},
				{name: "p95 (the lines are its)", get: func(s sample) float64 { return s.p95 }, color: colSeries[0], class: "sw-s0"},
				{name: "p99", get: func(s sample) float64 { return s.p99 }, color: colSeries[2], class: "sw-s2"},
			}}, true
	case "endpoints":
		c := chartSpec{title: "Endpoint load against its ceiling", format: capacity.FormatPercent, warn: th.Warn, crit: th.Crit}
		for i, e := range r.Endpoints {
			idx := i
			c.lines = append(c.lines, series{name: snapshot.CleanText(e.Name, 40), color: colSeries[i%len(colSeries)],
				class: fmt.Sprintf("sw-s%d", i%len(colSeries)),
				get:   func(s sample) float64 { return s.loads[idx] }})
		}
		return c, true
	}
	return chartSpec{}, false
}

// chartSVG draws a chart as an SVG element for inline use in HTML: no XML
// prolog, no namespace URLs, a generic font family and no embedded font.
func (r *Report) chartSVG(name string) (string, []legendEntry, error) {
	spec, ok := r.chartSpec(name)
	if !ok {
		return "", nil, fmt.Errorf("no chart %q", name)
	}
	p, err := r.plot(spec)
	if err != nil {
		return "", nil, fmt.Errorf("chart %s: %w", name, err)
	}
	c := vgsvg.New(chartWidth, chartHeight)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", nil, fmt.Errorf("chart %s: %w", name, err)
	}
	return inlineSVG(buf.String(), spec.title), r.legend(spec), nil
}

// inlineSVG turns vgsvg's document into an element for an HTML page.
func inlineSVG(doc, title string) string {
	if i := strings.Index(doc, "<svg"); i >= 0 {
		doc = doc[i:]
	}
	doc = strings.NewReplacer(
		"\n\txmlns=\"http://www.w3.org/2000/svg\"", "",
		"\n\txmlns:xlink=\"http://www.w3.org/1999/xlink\"", "",
		"font-family:Liberation Sans;", "font-family:sans-serif;",
	).Replace(doc)
	return strings.Replace(doc, "<svg ", `<svg role="img" aria-label="`+escapeAttr(title)+`" `, 1)
}

func escapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// minutes is a time as minutes from T0 (or from the first snapshot).
func (r *Report) minutes(s sample) float64 {
	base := r.T0
	if base.IsZero() {
		base = r.First
	}
	return s.t.Sub(base).Minutes()
}

func (r *Report) plot(spec chartSpec) (*plot.Plot, error) {
	p := plot.New()
	sansSerif(p)
	p.Title.Text = spec.title
	p.X.Label.Text = "time from T0"
	if r.T0.IsZero() {
		p.X.Label.Text = "time from the first snapshot"
	}
	p.Y.Tick.Marker = unitTicks{spec.format}
	p.X.Tick.Marker = timeTicks{t0: !r.T0.IsZero()}

	xmin, xmax := r.minutes(r.samples[0]), r.minutes(r.samples[len(r.samples)-1])
	if xmax <= xmin {
		xmax = xmin + 1
	}
	ymax := 0.0
	type drawn struct {
		s    series
		segs []plotter.XYs
	}
	var lines []drawn
	for _, s := range spec.lines {
		segs := r.segments(s.get)
		for _, seg := range segs {
			for _, pt := range seg {
				ymax = math.Max(ymax, pt.Y)
			}
		}
		lines = append(lines, drawn{s, segs})
	}
	// Show the threshold bands when the data comes near them.
	if spec.warn > 0 && spec.warn < 1.5*ymax {
		ymax = math.Max(ymax, spec.crit)
	}
	if ymax <= 0 {
		ymax = 1
	}
	ymax *= 1.05
	// A little room on the right keeps the last tick's label inside the chart.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax+0.04*(xmax-xmin), 0, ymax

	if spec.warn > 0 {
		if err := band(p, xmin, xmax, spec.warn, spec.crit, bandWarn); err != nil {
			return nil, err
		}
		if err := band(p, xmin, xmax, spec.crit, math.Max(ymax, spec.crit), bandCrit); err != nil {
			return nil, err
		}
	}
	for _, e := range r.Events {
		if e.Severity == events.Info {
			continue
		}
		col := colWarn
		if e.Severity == events.Crit {
			col = colCrit
		}
		x := e.Time.Sub(r.T0).Minutes()
		if r.T0.IsZero() {
			x = e.Time.Sub(r.First).Minutes()
		}
		if err := vline(p, x, ymax, col, 0.5, true); err != nil {
			return nil, err
		}
	}
	if !r.T0.IsZero() && xmin <= 0 && 0 <= xmax {
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 0, Y: ymax}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = colT0, vg.Points(1.2)
		p.Add(l)
	}
	for _, d := range lines {
		for _, seg := range d.segs {
			l, err := plotter.NewLine(seg)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = d.s.color, vg.Points(1.2)
			if d.s.dashed {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(l)
		}
	}
	return p, nil
}

// segments draws a figure as lines broken where it is missing, at most
// maxPoints points, each bucket at its highest value.
func (r *Report) segments(get func(sample) float64) []plotter.XYs {
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
		cur = append(cur, plotter.XY{X: r.minutes(r.samples[i]), Y: v})
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

// sansSerif sets every text of the plot in the sans variant, written out
// as the generic sans-serif family (see inlineSVG).
func sansSerif(p *plot.Plot) {
	for _, f := range []*string{
		(*string)(&p.Title.TextStyle.Font.Variant), (*string)(&p.X.Label.TextStyle.Font.Variant),
		(*string)(&p.Y.Label.TextStyle.Font.Variant), (*string)(&p.X.Tick.Label.Font.Variant),
		(*string)(&p.Y.Tick.Label.Font.Variant), (*string)(&p.Legend.TextStyle.Font.Variant),
	} {
		*f = "Sans"
	}
}

// unitTicks labels the default ticks in the chart's unit.
type unitTicks struct{ format func(float64) string }

func (u unitTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = u.format(ticks[i].Value)
		}
	}
	return ticks
}

// legend lists what a chart draws, for the caption under it: the lines,
// then T0, the event markers and the threshold bands it shows.
func (r *Report) legend(spec chartSpec) []legendEntry {
	var out []legendEntry
	for _, l := range spec.lines {
		out = append(out, legendEntry{Name: l.name, Class: l.class})
	}
	if !r.T0.IsZero() {
		out = append(out, legendEntry{Name: "T0", Class: "sw-t0"})
	}
	out = append(out, legendEntry{Name: "warn event", Class: "sw-warn"}, legendEntry{Name: "crit event", Class: "sw-crit"})
	if spec.warn > 0 {
		out = append(out,
			legendEntry{Name: "warning band from " + spec.format(spec.warn), Class: "band-warn"},
			legendEntry{Name: "critical band from " + spec.format(spec.crit), Class: "band-crit"})
	}
	return out
}

// legendEntry is one line of a chart's caption.
type legendEntry struct{ Name, Class string }

// timeTicks marks the time axis in whole minutes or hours from T0 (or
// from the first snapshot): T0, T+10m, T+1h30m.
type timeTicks struct{ t0 bool }

func (tt timeTicks) Ticks(lo, hi float64) []plot.Tick {
	steps := []float64{1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if (hi-lo)/s <= 8 {
			step = s
			break
		}
	}
	var out []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		out = append(out, plot.Tick{Value: v, Label: tt.label(v)})
	}
	return out
}

func (tt timeTicks) label(minutes float64) string {
	prefix := ""
	if tt.t0 {
		if minutes == 0 {
			return "T0"
		}
		prefix = "T"
	}
	sign := "+"
	if minutes < 0 {
		sign, minutes = "-", -minutes
	}
	m := int(math.Round(minutes))
	switch {
	case m >= 60 && m%60 == 0:
		return fmt.Sprintf("%s%s%dh", prefix, sign, m/60)
	case m >= 60:
		return fmt.Sprintf("%s%s%dh%02dm", prefix, sign, m/60, m%60)
	}
	return fmt.Sprintf("%s%s%dm", prefix, sign, m)
}
