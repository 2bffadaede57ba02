package tui

import (
	"math"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
)

// A braille chart: each cell holds a 2x4 grid of dots, so a w-cell-wide
// chart plots 2w points. The project draws its own rather than through
// ntcharts for two reasons: a line must be told from another without
// colour (the plan is drawn dashed, history dotted), and a run of cells in one style is
// styled once, not cell by cell.

// brailleBase is U+2800, the empty braille pattern; a cell's dots are its
// low eight bits.
const brailleBase = 0x2800

// brailleDot is the bit of the dot at column x (0..1) and row y (0..3,
// from the top) of a cell, as Unicode orders them.
var brailleDot = [2][4]uint8{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}

// point is one plotted value at a time.
type point struct {
	t time.Time
	v float64
}

// series is one line of a chart.
type series struct {
	points []point
	style  ink
	// dashed draws every other pair of cells only, and dotted every
	// other dot column only, so lines are told apart without colour.
	dashed, dotted bool
	// maxGap is the longest step between points that is drawn as a line;
	// a longer one is a gap in the data and stays empty.
	maxGap time.Duration
}

// brailleChart is a time chart: a y axis labelled from 0 to ymax on the
// left, the x axis labelled by age below, the series on a dot grid.
type brailleChart struct {
	w, h       int // the whole chart, labels included
	start, end time.Time
	ymax       float64
	yfmt       func(float64) string
	axis       ink
	series     []series // drawn in order: a later series wins a shared cell
	legend     string   // a last line under the axis, "" for none
}

// render draws the chart as a string of its own: h lines of w cells, and
// the legend's line under them when there is one. Screens write charts
// straight into their box (writeTo); tests read them whole.
func (c brailleChart) render() string {
	var out textLines
	c.writeTo(&out)
	return out.String()
}

// writeTo writes the chart's h lines of w cells, each run of braille
// between its ink's sequences, then the legend's line (not padded) when
// there is one.
func (c brailleChart) writeTo(out lineWriter) {
	gh := c.h - 2 // the x axis and its labels take two rows
	labels := make([]string, gh+1)
	lw := 0
	for row := 0; row <= gh; row++ {
		// Every other row carries its top value, the axis row 0.
		if (gh-row)%2 == 0 {
			labels[row] = c.yfmt(c.ymax * float64(gh-row) / float64(gh))
			lw = max(lw, ansi.StringWidth(labels[row]))
		}
	}
	gw := c.w - lw - 1
	if gh < 1 || gw < 2 {
		return
	}
	// owner[i] is the series that drew cell i (-1: none), dots its dots;
	// grid is each series' own dots in turn. They live only while the
	// chart is drawn: borrowed from gridPool and given back.
	g := gridPool.Get().(*dotGrid)
	defer gridPool.Put(g)
	dots, grid, owner := g.take(gw * gh)
	for si, s := range c.series {
		clear(grid)
		c.plot(s, gw, gh, grid)
		for i, d := range grid {
			if d != 0 {
				owner[i], dots[i] = int8(si), d
			}
		}
	}

	xl := c.xLabels(gw)
	out.reserve(c.bytes(labels, lw, owner, xl))
	for row := 0; row < gh; row++ {
		b := out.startLine()
		c.writeLabel(b, labels[row], lw, "│")
		c.writeRow(b, owner[row*gw:(row+1)*gw], dots[row*gw:(row+1)*gw])
		out.endLine()
	}
	b := out.startLine() // the x axis
	b.WriteString(c.axis.pre)
	writeSpaces(b, lw-ansi.StringWidth(labels[gh]))
	b.WriteString(labels[gh])
	b.WriteString("└")
	writeRepeat(b, "─", gw)
	b.WriteString(c.axis.post)
	out.endLine()
	b = out.startLine() // its labels
	b.WriteString(c.axis.pre)
	writeSpaces(b, lw+1)
	b.WriteString(xl)
	b.WriteString(c.axis.post)
	out.endLine()
	if c.legend != "" {
		out.line(c.legend)
	}
}

// bytes is how many bytes writeTo writes for the lines: the y labels
// and the axis, the rows of cells (a blank 1, a braille cell 3) with the
// sequences of each run, the x axis and its labels, and the legend padded
// to the chart's width.
func (c brailleChart) bytes(labels []string, lw int, owner []int8, xl string) int {
	axis := len(c.axis.pre) + len(c.axis.post)
	gh := len(labels) - 1
	gw := len(owner) / max(gh, 1)
	n := 0
	for row, label := range labels {
		n += axis + max(lw-ansi.StringWidth(label), 0) + len(label) + len("│")
		if row < gh {
			n += c.rowBytes(owner[row*gw : (row+1)*gw])
		}
	}
	n += 3 * gw                  // the x axis' line ("└" is counted with the labels)
	n += axis + lw + 1 + len(xl) // its labels
	if c.legend != "" {
		n += len(c.legend) + max(c.w-cellWidth(c.legend), 0)
	}
	return n
}

// rowBytes is how many bytes writeRow writes for a row of cells.
func (c brailleChart) rowBytes(owner []int8) int {
	n, cur := 0, int8(-1)
	for _, o := range owner {
		if o != cur {
			if cur >= 0 {
				n += len(c.series[cur].style.post)
			}
			if o >= 0 {
				n += len(c.series[o].style.pre)
			}
			cur = o
		}
		if o < 0 {
			n++
		} else {
			n += 3 // a braille cell in UTF-8
		}
	}
	if cur >= 0 {
		n += len(c.series[cur].style.post)
	}
	return n
}

// writeLabel writes a y label right-aligned in lw cells and the axis
// after it, in the axis' ink.
func (c brailleChart) writeLabel(b *strings.Builder, label string, lw int, axis string) {
	b.WriteString(c.axis.pre)
	writeSpaces(b, lw-ansi.StringWidth(label))
	b.WriteString(label)
	b.WriteString(axis)
	b.WriteString(c.axis.post)
}

// dotGrid is a chart's scratch cells, kept between frames in gridPool.
type dotGrid struct {
	dots, grid []uint8
	owner      []int8
}

// gridPool holds dot grids between frames: three charts a frame would
// otherwise allocate theirs anew each time.
var gridPool = sync.Pool{New: func() any { return new(dotGrid) }}

// take returns n cells of each, dots cleared and owner -1 (no series).
func (g *dotGrid) take(n int) (dots, grid []uint8, owner []int8) {
	if cap(g.dots) < n {
		g.dots, g.grid, g.owner = make([]uint8, n), make([]uint8, n), make([]int8, n)
	}
	g.dots, g.grid, g.owner = g.dots[:n], g.grid[:n], g.owner[:n]
	clear(g.dots)
	for i := range g.owner {
		g.owner[i] = -1
	}
	return g.dots, g.grid, g.owner
}

// writeRow writes one row of cells, a run of one owner in its ink's
// sequences once.
func (c brailleChart) writeRow(b *strings.Builder, owner []int8, dots []uint8) {
	cur := int8(-1)
	for i, o := range owner {
		if o != cur {
			if cur >= 0 {
				b.WriteString(c.series[cur].style.post)
			}
			if o >= 0 {
				b.WriteString(c.series[o].style.pre)
			}
			cur = o
		}
		if o < 0 {
			b.WriteByte(' ')
		} else {
			b.WriteRune(rune(brailleBase + int(dots[i])))
		}
	}
	if cur >= 0 {
		b.WriteString(c.series[cur].style.post)
	}
}

// plot sets the dots of a series' line on a gw x gh cell grid.
func (c brailleChart) plot(s series, gw, gh int, grid []uint8) {
	span := c.end.Sub(c.start).Seconds()
	if span <= 0 || !(c.ymax > 0) {
		return
	}
	dw, dh := 2*gw, 4*gh
	toDot := func(p point) (int, int) {
		x := int(math.Round(p.t.Sub(c.start).Seconds() / span * float64(dw-1)))
		y := int(math.Round(math.Min(math.Max(p.v/c.ymax, 0), 1) * float64(dh-1)))
		return x, dh - 1 - y // dot rows count from the top
	}
	set := func(x, y int) {
		if x < 0 || x >= dw || y < 0 || y >= dh {
			return
		}
		if s.dashed && (x/4)%2 == 1 || s.dotted && x%2 == 1 {
			return
		}
		grid[(y/4)*gw+x/2] |= brailleDot[x%2][y%4]
	}
	for i, p := range s.points {
		x0, y0 := toDot(p)
		if i+1 < len(s.points) && (s.maxGap <= 0 || s.points[i+1].t.Sub(p.t) <= s.maxGap) {
			x1, y1 := toDot(s.points[i+1])
			line(x0, y0, x1, y1, set)
		} else {
			set(x0, y0)
		}
	}
}

// line calls set for every dot of the line from (x0, y0) to (x1, y1)
// (Bresenham's).
func line(x0, y0, x1, y1 int, set func(x, y int)) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		set(x0, y0)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

// xLabels labels the x axis by age at its start, its quarters and its end
// ("-5m", "-3m45s", …, "now"), each where it fits.
func (c brailleChart) xLabels(gw int) string {
	row := []rune(strings.Repeat(" ", gw))
	window := c.end.Sub(c.start)
	free := 0 // the first column a label may start at
	for q := 0; q <= 4; q++ {
		label := "now"
		if q < 4 {
			label = "-" + capacity.FormatDuration(window-window*time.Duration(q)/4)
		}
		col := (gw - 1) * q / 4
		if q == 4 {
			col = gw - len(label) // "now" ends the axis
		}
		if col < free || col+len(label) > gw {
			continue
		}
		copy(row[col:], []rune(label))
		free = col + len(label) + 1
	}
	return string(row)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}
