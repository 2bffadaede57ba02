package report

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/launchwatch/launchwatch/capacity"
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

// chart is one chart of the page, planned: its plot, what its caption
// says, and the error that kept it from being planned (a chart that
// cannot be drawn leaves its place saying why, and the page stands).
type chart struct {
	name  string
	spec  chartSpec
	plot  *plot.Plot
	notes []string
	bands int // the threshold bands its y range shows: 0, 1 (warning) or 2
	err   error
}

// planCharts plans the named charts on one time axis.
func (r *Report) planCharts(names []string) []chart {
	ax := r.timeAxis()
	out := make([]chart, 0, len(names))
	for _, name := range names {
		c := chart{name: name}
		spec, ok := r.chartSpec(name)
		if !ok {
			c.err = fmt.Errorf("no chart %q", name)
			out = append(out, c)
			continue
		}
		c.spec = spec
		c.plot, c.notes, c.bands, c.err = r.plot(spec, ax)
		if c.err != nil {
			c.err = fmt.Errorf("chart %s: %w", name, c.err)
		}
		out = append(out, c)
	}
	return out
}

// alignment is where the charts' data areas begin and end: the widest
// y axis and right margin among them, so that every chart's time axis
// runs across the same width and a moment stands at the same place in
// each.
type alignment struct{ left, right vg.Length }

func alignCharts(cs []chart) alignment {
	var a alignment
	for _, c := range cs {
		if c.plot == nil {
			continue
		}
		dc := c.plot.DataCanvas(fullCanvas())
		a.left = max(a.left, dc.Min.X)
		a.right = max(a.right, chartWidth-dc.Max.X)
	}
	return a
}

// fullCanvas is a chart's whole area, for measuring.
func fullCanvas() draw.Canvas {
	return draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: chartWidth, Y: chartHeight}}}
}

// canvas narrows a chart's area so that its data area begins and ends
// where the alignment says: its own y axis is as wide as it needs, and
// the space the widest takes is left blank before it.
func (a alignment) canvas(p *plot.Plot, c draw.Canvas) draw.Canvas {
	dc := p.DataCanvas(draw.Canvas{Rectangle: c.Rectangle})
	return draw.Crop(c, a.left-(dc.Min.X-c.Min.X), -(a.right - (c.Max.X - dc.Max.X)), 0, 0)
}

// svg draws a planned chart as an SVG element for inline use in HTML: no
// XML prolog, no namespace URLs, a generic font family and no embedded
// font.
func (c chart) svg(a alignment) (string, error) {
	if c.err != nil {
		return "", c.err
	}
	cv := vgsvg.New(chartWidth, chartHeight)
	dc := draw.New(cv)
	c.plot.Draw(a.canvas(c.plot, dc))
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("chart %s: %w", c.name, err)
	}
	return inlineSVG(buf.String(), c.spec.title), nil
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
// then T0, the event markers and the threshold bands its range shows.
func (r *Report) legend(c chart) []legendEntry {
	var out []legendEntry
	for _, l := range c.spec.lines {
		out = append(out, legendEntry{Name: l.name, Class: l.class})
	}
	if r.timeAxis().showsT0(r) {
		out = append(out, legendEntry{Name: "T0", Class: "sw-t0"})
	}
	out = append(out, legendEntry{Name: "warn event", Class: "sw-warn"}, legendEntry{Name: "crit event", Class: "sw-crit"})
	if r.hasMarkedNotes() {
		out = append(out, legendEntry{Name: "annotation (numbered)", Class: "sw-note"})
	}
	if c.bands >= 1 {
		out = append(out, legendEntry{Name: "warning band from " + c.spec.format(c.spec.warn), Class: "band-warn"})
	}
	if c.bands >= 2 {
		out = append(out, legendEntry{Name: "critical band from " + c.spec.format(c.spec.crit), Class: "band-crit"})
	}
	return out
}

// legendEntry is one line of a chart's caption.
type legendEntry struct{ Name, Class string }
