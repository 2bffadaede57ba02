package report

import (
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/launchwatch/launchwatch/snapshot"
)

// colNote draws the annotations' markers; the page's .sw-note is its swatch.
var colNote = color.RGBA{R: 0x7b, G: 0x3f, B: 0xa0, A: 0xff}

// addAnnotations takes the annotations of a recording (read apart from its
// records, recording.Recording.Annotations) into the report, in time order
// among those the snapshots carried; the same note twice is kept once.
func (r *Report) addAnnotations(notes []snapshot.Annotation) {
	for _, a := range notes {
		a = a.Clean()
		if !slices.Contains(r.Annotations, a) {
			r.Annotations = append(r.Annotations, a)
		}
	}
	slices.SortStableFunc(r.Annotations, func(a, b snapshot.Annotation) int { return a.At.Compare(b.At) })
}

// noteName is how the tables and the charts' key name annotation i
// (0-based): its number, from 1, and its text.
func noteName(i int, a snapshot.Annotation) string {
	return "[" + strconv.Itoa(i+1) + "] " + clean(a.Text)
}

// inWindow says whether t lies on the charts' time axis.
func (r *Report) inWindow(t time.Time) bool { return !t.Before(r.First) && !t.After(r.Last) }

func (r *Report) annotationSection() (section, bool) {
	if len(r.Annotations) == 0 {
		return section{}, false
	}
	s := section{ID: "annotations", Title: "Annotations"}
	t := table{Head: []string{"#", "at", "time", "note", "by"}}
	outside := 0
	for i, a := range r.Annotations {
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), r.Rel(a.At), Clock(a.At), clean(a.Text), orDash(clean(a.By))})
		if !r.inWindow(a.At) {
			outside++
		}
	}
	s.Tables = []table{t}
	s.Paras = []string{"Notes laid on the launch (launchwatch annotate, the m key of watch and replay), numbered as the " +
		"charts mark them and listed among the events."}
	if outside > 0 {
		if outside == 1 {
			s.Paras[0] += " 1 lies outside the recording's window, on no chart."
		} else {
			s.Paras[0] += fmt.Sprintf(" %d lie outside the recording's window, on no chart.", outside)
		}
	}
	return s, true
}

// eventRows are the events table's rows: the events, and the annotations
// among them by time (an annotation after the events of its moment).
func (r *Report) eventRows() [][]string {
	var rows [][]string
	k := 0
	note := func() {
		a := r.Annotations[k]
		by := ""
		if a.By != "" {
			by = " (" + clean(a.By) + ")"
		}
		rows = append(rows, []string{r.Rel(a.At), Clock(a.At), "note", "annotation", noteName(k, a) + by})
		k++
	}
	for _, e := range r.Events {
		for k < len(r.Annotations) && r.Annotations[k].At.Before(e.Time) {
			note()
		}
		rows = append(rows, []string{r.Rel(e.Time), Clock(e.Time), e.Severity.String(), clean(string(e.Kind)), clean(e.Message)})
	}
	for k < len(r.Annotations) {
		note()
	}
	return rows
}

// plotAnnotations marks each annotation on the chart's axis with a
// vertical line and its number at the top; its note (see annotationNote)
// names them under the chart.
func (r *Report) plotAnnotations(p *plot.Plot, ax timeAxis, top float64) error {
	var labels plotter.XYLabels
	for i, a := range r.Annotations {
		if !r.inWindow(a.At) {
			continue
		}
		x := ax.x(a.At)
		l, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: top}})
		if err != nil {
			return err
		}
		l.Color, l.Width = colNote, vg.Points(0.8)
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(2), vg.Points(1), vg.Points(2)}
		p.Add(l)
		labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: top})
		labels.Labels = append(labels.Labels, strconv.Itoa(i+1))
	}
	if len(labels.XYs) == 0 {
		return nil
	}
	lb, err := plotter.NewLabels(labels)
	if err != nil {
		return err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Color = colNote
		lb.TextStyle[i].Font.Variant = "Sans"
		lb.TextStyle[i].Font.Size = vg.Points(8)
		lb.TextStyle[i].XAlign = -0.5 // centred on its line
		lb.TextStyle[i].YAlign = -1   // just under the top
		lb.Offset = vg.Point{X: 0, Y: 0}
	}
	p.Add(lb)
	return nil
}

// annotationNote names the annotations a chart marks, for its caption;
// "" when it marks none.
func (r *Report) annotationNote() string {
	var parts []string
	for i, a := range r.Annotations {
		if r.inWindow(a.At) {
			parts = append(parts, strconv.Itoa(i+1)+" at "+r.Rel(a.At)+": "+clean(a.Text))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "annotations: " + strings.Join(parts, "; ")
}

// hasMarkedNotes says whether the charts mark an annotation.
func (r *Report) hasMarkedNotes() bool {
	return slices.ContainsFunc(r.Annotations, func(a snapshot.Annotation) bool { return r.inWindow(a.At) })
}
