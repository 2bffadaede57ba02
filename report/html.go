package report

import (
	_ "embed"
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
}

type htmlSection struct {
	section
	Charts []htmlChart
}

// htmlChart is a chart as inline SVG, drawn from the data alone, with its
// legend for the caption.
type htmlChart struct {
	SVG    template.HTML
	Legend []legendEntry
}

// WriteHTML writes the report as one self-contained HTML page: inline
// styles and SVG charts, no script, and nothing fetched from anywhere.
// html/template escapes every text from the recording.
func (r *Report) WriteHTML(w io.Writer) error {
	tmpl, err := template.New("report").Parse(pageTemplate)
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	v := r.view()
	pg := page{Title: v.Title, Meta: v.Meta}
	for _, s := range v.Sections {
		hs := htmlSection{section: s}
		for _, name := range s.Charts {
			svg, legend, err := r.chartSVG(name)
			if err != nil {
				return err
			}
			// The SVG is drawn by gonum from numbers and this package's own
			// labels; its text is escaped by vgsvg.
			hs.Charts = append(hs.Charts, htmlChart{SVG: template.HTML(svg), Legend: legend})
		}
		pg.Sections = append(pg.Sections, hs)
	}
	if err := tmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}
