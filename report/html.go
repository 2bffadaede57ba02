package report

import (
	"bytes"
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
)

//go:embed report.html.tmpl
var pageTemplate string

// page is the view with its charts drawn, for the HTML template.
type page struct {
	Title    string
	Meta     []item
	Sections []htmlSection
	// Compare adds the second launch's swatch to the stylesheet.
	Compare bool
}

type htmlSection struct {
	section
	Charts []htmlChart
}

// htmlChart is a chart as inline SVG, drawn from the data alone, with its
// legend and notes (what it clipped) for the caption. Failed says why a
// chart could not be drawn, in its place.
type htmlChart struct {
	Title  string
	SVG    template.HTML
	Legend []legendEntry
	Notes  []string
	Failed string
}

// WriteHTML writes the report as one self-contained HTML page: inline
// styles and SVG charts, no script, and nothing fetched from anywhere.
// html/template escapes every text from the recording.
//
// The page is built whole before anything is written. A chart that
// cannot be drawn leaves a note in its place and the rest of the page
// stands; the page is written, and the error names the charts.
func (r *Report) WriteHTML(w io.Writer) error {
	return r.writeHTML(w, r.view())
}

func (r *Report) writeHTML(w io.Writer, v view) error { return writePage(w, v, r) }

// chartPlanner plans a page's charts and their legends: a Report its own,
// a Comparison the two launches' laid over each other.
type chartPlanner interface {
	planCharts(names []string) []chart
	legend(c chart) []legendEntry
}

// writePage writes the page of view v, its charts planned by cp.
func writePage(w io.Writer, v view, cp chartPlanner) error {
	tmpl, err := template.New("report").Parse(pageTemplate)
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	var names []string
	for _, s := range v.Sections {
		names = append(names, s.Charts...)
	}
	planned := cp.planCharts(names)
	align := alignCharts(planned)
	pg := page{Title: v.Title, Meta: v.Meta, Compare: v.Compare}
	var chartErrs []error
	i := 0
	for _, s := range v.Sections {
		hs := htmlSection{section: s}
		for range s.Charts {
			c := planned[i]
			i++
			hc := htmlChart{Title: cmp.Or(c.spec.title, c.name), Notes: c.notes}
			svg, err := c.svg(align)
			if err != nil {
				chartErrs = append(chartErrs, err)
				hc.Failed = clean(err.Error())
				hs.Charts = append(hs.Charts, hc)
				continue
			}
			// The SVG is drawn by gonum from numbers and this package's own
			// labels; its text is escaped by vgsvg.
			hc.SVG, hc.Legend = template.HTML(svg), cp.legend(c)
			hs.Charts = append(hs.Charts, hc)
		}
		pg.Sections = append(pg.Sections, hs)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, pg); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	if len(chartErrs) > 0 {
		return fmt.Errorf("the page is written without %d of its charts: %w", len(chartErrs), errors.Join(chartErrs...))
	}
	return nil
}
