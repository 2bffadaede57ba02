package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// panelID names a panel: what it draws is in panels, where it stands in
// layouts.
type panelID int

// The panels. A new one is a constant here, its row in panels and a cell
// in the layouts that show it.
const (
	panelTiles panelID = iota
	panelPVChart
	panelConnChart
	panelBWChart
	panelEndpoints
	panelHost
	panelPlan
	panelProblems
	panelEvents
	panelWallFigures
	panelWallSellOut
	panelWallProblem
	panelFleet
	numPanels
)

// panelDef is how a panel draws itself into exactly w x h cells.
type panelDef struct {
	draw func(f *frame, w, h int, focused bool) string
	// need is how many lines the panel's content takes, its border
	// included, for a row sized to fit (size.fit); nil for a panel that
	// fills whatever it is given (a chart, a list).
	need func(f *frame) int
	// wide is how many columns the panel's content takes, for a cell
	// sized to fit (size.fit) in a row; nil for a panel that takes
	// whatever width it is given. A panel with nothing to show wants none,
	// and its cell is left out.
	wide func(f *frame) int
	// frameOnly says the drawing depends on nothing but the frame, the
	// size, the focus, the theme and the chart window, so it is kept until
	// one of them changes: a key that moves the focus redraws two borders,
	// not three charts.
	frameOnly bool
}

// panelDefs is every panel, by its ID, built once.
var panelDefs = panels()

// panels builds every panel's definition, by its ID.
func panels() [numPanels]panelDef {
	return [numPanels]panelDef{
		panelTiles: {draw: func(f *frame, w, h int, focused bool) string { return tilesRow(f, w, h, focused) },
			frameOnly: true},
		panelPVChart:   {draw: boxedChart("PV/s · plan peak", chartPV), frameOnly: true},
		panelConnChart: {draw: boxedChart("Connections · plan at PV", chartConns), frameOnly: true},
		panelBWChart:   {draw: boxedChart("Bandwidth · plan at PV", chartBandwidth), frameOnly: true},
		panelEndpoints: {draw: boxed(fixedTitle("Endpoints · QPS against ceiling"), endpointsTable), frameOnly: true,
			need: boxNeed(endpointsLines)},
		panelHost: {draw: boxed(hostTitle, func(f *frame, w, _ int) string { return hostPanel(f, w) }), frameOnly: true,
			need: boxNeed(hostLines)},
		panelPlan: {draw: boxed(planTitle, func(f *frame, w, _ int) string { return planPanel(f, w) }), frameOnly: true,
			need: boxNeed(planLines)},
		panelProblems: {draw: func(f *frame, w, h int, focused bool) string {
			innerW, innerH := inner(w, h)
			if f.flash && !focused {
				return f.st.alertBox("✕ NEW · "+problemsTitle(f), problemsPanel(f, innerW, innerH), w, h)
			}
			return f.st.box(problemsTitle(f), problemsPanel(f, innerW, innerH), w, h, focused)
		}},
		panelEvents: {draw: func(f *frame, w, h int, focused bool) string {
			innerW, innerH := inner(w, h)
			body, title := eventLines(f, innerW, innerH)
			return f.st.box(title, body, w, h, focused)
		}},
		panelWallFigures: {draw: func(f *frame, w, h int, _ bool) string { return f.wallFiguresPanel(w, h) }},
		panelWallSellOut: {draw: func(f *frame, w, h int, _ bool) string { return wallSellOut(f, w, h) }},
		panelWallProblem: {draw: func(f *frame, w, h int, _ bool) string { return wallProblem(f, w, h) }},
		panelFleet: {draw: func(f *frame, w, h int, focused bool) string {
			innerW, innerH := inner(w, h)
			return f.st.box(fleetTitle(f), fleetPanel(f, innerW, innerH), w, h, focused)
		}, need: fleetNeed, wide: fleetWide},
	}
}

// inner is the inside of a box of w x h: the border and the padding taken,
// the title sitting in the border.
func inner(w, h int) (int, int) { return max(w-4, 0), max(h-2, 0) }

// boxed draws a body in a box under its title.
func boxed(title func(*frame) string, body func(f *frame, w, h int) string) func(*frame, int, int, bool) string {
	return func(f *frame, w, h int, focused bool) string {
		innerW, innerH := inner(w, h)
		return f.st.box(title(f), body(f, innerW, innerH), w, h, focused)
	}
}

// boxedChart draws a chart in a box under its title, the chart writing
// its lines straight into the box.
func boxedChart(title string, chart func(f *frame, out lineWriter, w, h int)) func(*frame, int, int, bool) string {
	return func(f *frame, w, h int, focused bool) string {
		innerW, innerH := inner(w, h)
		return f.st.drawBox(f.st.edgeColour(focused), title, w, h, func(in *boxWriter) {
			chart(f, in, innerW, innerH)
		})
	}
}

// boxNeed is the height of a box whose body takes lines(f) lines: the
// border's two lines more.
func boxNeed(lines func(f *frame) int) func(f *frame) int {
	return func(f *frame) int { return lines(f) + 2 }
}

func fixedTitle(s string) func(*frame) string { return func(*frame) string { return s } }

func hostTitle(f *frame) string {
	if f.simulated {
		return "Host · simulated"
	}
	return "Host · this host"
}

// size is one row's height or one cell's width in a layout: fixed cells;
// a fit, what the row's panels need to show their content; or a share
// (weight) of what the fixed sizes and the fits leave, after every share
// has its minimum.
type size struct {
	fixed  int // cells; 0 makes it a fit or a share
	weight int // a share's part of the room left
	// min: a share gets at least this much first; a fit given less is
	// left out (a box of 2 lines is a border with nothing in it).
	min int
	// fit sizes a row to the most lines its panels' content takes (their
	// need), or a cell to the columns its panel's content takes (its
	// wide), at most max when max is set, out of what the fixed sizes and
	// the shares' minimums leave; nothing when the panel has nothing to
	// show (the fleet panel without a fleet). What a fit row does not need goes to the
	// shares: the endpoints and the host, which have a few lines to show,
	// leave their blank lines to the problems and the events, which have
	// more than any screen holds.
	fit bool
	max int
	// shift moves cells between neighbours after sharing (a row's shifts
	// add up to zero): a panel whose columns need a little more.
	shift int
}

// cell is one panel in a row, with its width.
type cell struct {
	panel panelID
	width size
}

// row is a line of panels side by side, with its height.
type row struct {
	height size
	cells  []cell
}

// layout is a screen arrangement as data: rows of panels top to bottom and
// the order tab visits them in.
type layout struct {
	name string
	// wall says the layout is for the wall screen (w, --wall), not the desk.
	wall bool
	// minW x minH is the smallest terminal the layout is drawn at; of the
	// layouts of a kind, the first that fits is drawn.
	minW, minH int
	rows       []row
	// focus is the tab order; nil visits the panels in reading order, an
	// empty list none (nothing on the wall needs a key).
	focus []panelID
}

// allLayouts is every layout, built once.
var allLayouts = layouts()

// layouts builds every layout, largest first within a kind. A new layout
// is a row here.
func layouts() []layout {
	fixed := func(n int) size { return size{fixed: n} }
	share := size{weight: 1}
	one := func(p panelID, h size) row { return row{height: h, cells: []cell{{panel: p, width: share}}} }
	// The problems and the events below endpoints | host: each a share
	// of what the tiles and the panels above leave, 3 and 2 lines at the
	// least (a border each), before endpoints | host has any.
	// With a fleet, the fleet panel stands beside the events, as wide as
	// its columns (at most fleetMaxW): without one it wants no width and
	// the events have the row.
	below := []row{one(panelProblems, size{weight: 1, min: 5}), {height: size{weight: 1, min: 4}, cells: []cell{
		{panelFleet, size{fit: true, min: 30, max: fleetMaxW}}, {panelEvents, size{weight: 1, min: 24}},
	}}}
	return []layout{
		{
			// Tiles, the three charts, endpoints | host | plan as tall as
			// their content, problems | events side by side. The host
			// panel's lines are short; endpoints and the plan table share
			// what is left, the plan's measured and room columns carrying
			// level marks. The charts keep 9 lines (5 of plot) and take two
			// thirds of the rest: at 120x40 the problems and the events
			// show 6 lines each.
			name: "full", minW: 120, minH: 40,
			rows: []row{
				one(panelTiles, fixed(8)),
				{height: size{weight: 2, min: 9}, cells: []cell{{panelPVChart, share}, {panelConnChart, share}, {panelBWChart, share}}},
				{height: size{fit: true, min: 3, max: 12}, cells: []cell{
					{panelEndpoints, size{weight: 1, shift: -4}}, {panelHost, fixed(28)}, {panelPlan, size{weight: 1, shift: 4}},
				}},
				// The fleet, when the sources measure one: as many servers
				// as fit once the charts and the problems have their
				// least (at 120x40 three lines, at 200x60 twelve). Without
				// a fleet it needs nothing and the row is left out.
				{height: size{fit: true, min: 4, max: 14}, cells: []cell{{panelFleet, share}}},
				// What stands now before what happened: a problem's line
				// says its figure, its basis and its cause, an event is a
				// line of history (f shows the log whole). 80 and 40
				// columns at 120.
				{height: size{weight: 1, min: 7}, cells: []cell{{panelProblems, size{weight: 2}}, {panelEvents, size{weight: 1}}}},
			},
		},
		{
			// No charts: tiles, endpoints | host as tall as their content,
			// problems, events.
			name: "compact", minW: 100, minH: 16,
			rows: append([]row{
				one(panelTiles, fixed(7)),
				{height: size{fit: true, min: 3, max: 12}, cells: []cell{{panelEndpoints, share}, {panelHost, share}}},
			}, below...),
		},
		{
			// The compact layout with the tiles on two rows.
			name: "narrow", minW: 60, minH: 16,
			rows: append([]row{
				one(panelTiles, fixed(13)),
				{height: size{fit: true, min: 3, max: 12}, cells: []cell{{panelEndpoints, share}, {panelHost, share}}},
			}, below...),
		},
		{
			// The five figures as large as the screen allows (the countdown
			// before T0), the sell-out bar, the worst problem now.
			name: "wall", wall: true, minW: 60, minH: 16,
			rows: []row{
				one(panelWallFigures, size{weight: 16}),
				one(panelWallSellOut, size{weight: 1, min: 2}),
				one(panelWallProblem, fixed(2)),
			},
			focus: []panelID{},
		},
	}
}

// pickLayout is the first layout of the kind (wall or desk) that fits
// w x h; false when none does.
func pickLayout(wall bool, w, h int) (layout, bool) {
	for _, l := range allLayouts {
		if l.wall == wall && w >= l.minW && h >= l.minH {
			return l, true
		}
	}
	return layout{}, false
}

// layoutBounds are the smallest size any layout is drawn at and the size
// the largest desk layout needs, for the "too small" message.
func layoutBounds() (minW, minH, fullW, fullH int) {
	ls := allLayouts
	minW, minH = ls[0].minW, ls[0].minH
	for _, l := range ls {
		minW, minH = min(minW, l.minW), min(minH, l.minH)
	}
	return minW, minH, ls[0].minW, ls[0].minH
}

// focusOrder is the panels tab visits, in order.
func (l layout) focusOrder() []panelID {
	if l.focus != nil {
		return l.focus
	}
	var out []panelID
	for _, r := range l.rows {
		for _, c := range r.cells {
			out = append(out, c.panel)
		}
	}
	return out
}

// nextIn is the panel tab (dir 1) or shift+tab (dir -1) moves to from cur
// in a focus order (Model.focusOrder). It never lands on a panel the
// order leaves out: from one (the terminal shrank under it, the fleet
// went) it moves to the first or the last in the order. With no
// focusable panel the focus stays where it is.
func nextIn(order []panelID, cur panelID, dir int) panelID {
	n := len(order)
	if n == 0 {
		return cur
	}
	i := slices.Index(order, cur)
	switch {
	case i >= 0:
		return order[((i+dir)%n+n)%n]
	case dir < 0:
		return order[n-1]
	}
	return order[0]
}

// focusOrder is the panels tab visits on the screen as it is: the
// layout's order without the fleet panel while there is no fleet, which
// the layout then leaves out.
func (m *Model) focusOrder() []panelID {
	order := m.layout().focusOrder()
	if len(m.shown().Snapshot.Fleet) > 0 || !slices.Contains(order, panelFleet) {
		return order
	}
	return slices.DeleteFunc(slices.Clone(order), func(p panelID) bool { return p == panelFleet })
}

// one is a body of one block, as draw returns a layout's.
func one(s string) ([][]string, int) { return [][]string{{s}}, len(s) }

// writeRows writes rows of panels into the screen's buffer: a row's
// panels are exact rectangles, joined line by line without measuring.
func writeRows(b *strings.Builder, rows [][]string) {
	for i, parts := range rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeJoined(b, parts)
	}
}

// fit cuts or pads s to exactly w x h cells.
func fit(s string, w, h int) string {
	w, h = max(w, 0), max(h, 0)
	if h == 0 {
		return ""
	}
	if exactly(s, w, h) {
		return s // already w x h: a footer, a timeline
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lw := cellWidth(l)
		if lw > w {
			l = cutLine(l, w)
			lw = cellWidth(l)
		}
		if pad := w - lw; pad > 0 {
			l += strings.Repeat(" ", pad)
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// split divides total into n parts that add up to total exactly.
func split(total, n int) []int {
	total, n = max(total, 0), max(n, 1)
	out := make([]int, n)
	for i := range out {
		out[i] = total / n
		if i < total%n {
			out[i]++
		}
	}
	return out
}

// keyMatches is key.Matches for one binding.
func keyMatches(msg tea.KeyMsg, b key.Binding) bool { return key.Matches(msg, b) }

// layout is the layout on screen at the model's size; the smallest of its
// kind when none fits (the screen then asks to be enlarged).
func (m *Model) layout() layout {
	if l, ok := pickLayout(m.wall, m.width, m.height); ok {
		return l
	}
	var last layout
	for _, l := range allLayouts {
		if l.wall == m.wall {
			last = l
		}
	}
	return last
}
