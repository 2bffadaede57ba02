package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/launchwatch/launchwatch/capacity"
)

// flat is a series holding v from start to end, a point a second.
func flat(start, end time.Time, v float64) []point {
	var pts []point
	for t := start; !t.After(end); t = t.Add(time.Second) {
		pts = append(pts, point{t: t, v: v})
	}
	return pts
}

// The plan is drawn dashed and the measured line solid, so the two are
// told apart on a terminal without colour.
func TestThePlanLineIsDashedAndTheMeasuredLineSolid(t *testing.T) {
	start := t0
	end := t0.Add(100 * time.Second)
	c := brailleChart{w: 42, h: 10, start: start, end: end, ymax: 100, yfmt: capacity.FormatNumber,
		series: []series{
			{points: flat(start, end, 90), style: newInk(lipgloss.NewStyle()), dashed: true},
			{points: flat(start, end, 30), style: newInk(lipgloss.NewStyle())},
		}}
	out := c.render()
	lines := strings.Split(out, "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10:\n%s", len(lines), out)
	}
	var plan, measured string
	for _, l := range lines {
		_, graph, ok := strings.Cut(l, "│")
		if !ok || strings.TrimSpace(graph) == "" {
			continue
		}
		if plan == "" {
			plan = graph
		} else {
			measured = graph
		}
	}
	if plan == "" || measured == "" {
		t.Fatalf("want a plan row above a measured row:\n%s", out)
	}
	if !strings.Contains(strings.TrimSpace(plan), "  ") {
		t.Errorf("the plan row has no gaps, so it is not dashed: %q", plan)
	}
	if strings.Contains(strings.TrimSpace(measured), " ") {
		t.Errorf("the measured row has gaps: %q", measured)
	}
}

// A step longer than maxGap is a gap in the data: nothing is drawn across it.
func TestAGapInTheDataIsNotDrawnAsALine(t *testing.T) {
	start := t0
	end := t0.Add(100 * time.Second)
	pts := append(flat(start, start.Add(30*time.Second), 50), flat(start.Add(70*time.Second), end, 50)...)
	c := brailleChart{w: 42, h: 6, start: start, end: end, ymax: 100, yfmt: capacity.FormatNumber,
		series: []series{{points: pts, style: newInk(lipgloss.NewStyle()), maxGap: 3 * time.Second}}}
	// The middle of the axis (45% to 55% of the window) lies in the gap.
	middle := func(c brailleChart) string {
		out := c.render()
		var row string
		for _, l := range strings.Split(out, "\n") {
			if _, graph, ok := strings.Cut(l, "│"); ok && strings.TrimSpace(graph) != "" {
				row = graph
			}
		}
		cells := []rune(row)
		return string(cells[len(cells)*45/100 : len(cells)*55/100])
	}
	if m := middle(c); strings.TrimSpace(m) != "" {
		t.Errorf("drawn inside the gap: %q", m)
	}
	c.series[0].maxGap = 0 // no limit: the line is joined
	if m := middle(c); strings.Contains(m, " ") {
		t.Errorf("without a gap limit the line is broken: %q", m)
	}
}

// The y axis is labelled from 0 to ymax and the x axis by age to "now".
func TestTheAxesAreLabelled(t *testing.T) {
	c := brailleChart{w: 50, h: 8, start: t0, end: t0.Add(5 * time.Minute), ymax: 100, yfmt: capacity.FormatNumber}
	out := c.render()
	wantAll(t, out, "100│", "0└", "-5m", "-2m30s", "now")
}

// History is dotted: every other dot column of its line only, thinner
// than the measured line and unlike the plan's dashes.
func TestHistoryIsDotted(t *testing.T) {
	start := t0
	end := t0.Add(100 * time.Second)
	c := brailleChart{w: 42, h: 6, start: start, end: end, ymax: 100, yfmt: capacity.FormatNumber,
		series: []series{{points: flat(start, end, 50), style: newInk(lipgloss.NewStyle()), dotted: true}}}
	for _, l := range strings.Split(c.render(), "\n") {
		_, graph, ok := strings.Cut(l, "│")
		if !ok || strings.TrimSpace(graph) == "" {
			continue
		}
		for _, r := range strings.TrimSpace(graph) {
			// The right dot column's bits are 0x08, 0x10, 0x20 and 0x80.
			if (r-brailleBase)&0xb8 != 0 {
				t.Fatalf("a dotted line sets a right-hand dot: %q", graph)
			}
		}
		return
	}
	t.Fatal("no line drawn")
}
