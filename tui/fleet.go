package tui

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The fleet panel: every server of Snapshot.Fleet, worst first. A server
// is as bad as its worst problem of a server's kind (capacity.ServerKinds,
// its name the subject), in the harm order the problems panel keeps
// (events.Compare); among equals a gone server comes first, then the one
// carrying the largest share of the requests. With hundreds of servers
// the panel shows the worst that fit, how many more there are, and how
// the requests spread over all of them.

// fleetRow is one server as the fleet panel lists it.
type fleetRow struct {
	// srv points into the snapshot's fleet and worst into the frame's
	// problems: a row is a few words, however many servers (a copy of
	// each server and problem would be 200 KB a frame at 500 servers).
	srv *snapshot.Server
	// worst is its worst problem of a server's kind; ok false when none.
	worst *events.Problem
	ok    bool
	// share is its part of the fleet's requests, missing when unknown.
	share snapshot.Value
}

// level is the row's level: its worst problem's severity.
func (r fleetRow) level() Level {
	switch {
	case !r.ok:
		return LevelNone
	case r.worst.Severity == events.Crit:
		return LevelCrit
	}
	return LevelWarn
}

// fleetOrder is the fleet worst first: by the harm order of each server's
// worst problem of a server's kind, then gone before answering, then the
// larger share of the requests, then by name.
func fleetOrder(fleet []snapshot.Server, problems []events.Problem) []fleetRow {
	if len(fleet) == 0 {
		return nil
	}
	total := 0.0
	for _, s := range fleet {
		if !s.Gone {
			total += math.Max(s.Requests.Or(0), 0)
		}
	}
	worst := events.WorstByServer(problems)
	rows := make([]fleetRow, len(fleet))
	for i := range fleet {
		s := &fleet[i]
		rows[i].srv = s
		rows[i].worst, rows[i].ok = worst[s.Name]
		if r, ok := s.Requests.Get(); ok && total > 0 && !s.Gone {
			rows[i].share = snapshot.Some(r / total)
		}
	}
	slices.SortFunc(rows, compareRows) // names are unique: the order is total
	return rows
}

func compareRows(a, b fleetRow) int {
	switch {
	case a.ok && b.ok:
		if c := events.Compare(*a.worst, *b.worst); c != 0 {
			return c
		}
	case a.ok != b.ok:
		if a.ok {
			return -1
		}
		return 1
	}
	if a.srv.Gone != b.srv.Gone {
		if a.srv.Gone {
			return -1
		}
		return 1
	}
	return cmp.Or(cmp.Compare(b.share.Or(-1), a.share.Or(-1)), strings.Compare(a.srv.Name, b.srv.Name))
}

// fleetTitle counts the servers, the gone and those with problems.
func fleetTitle(f *frame) string {
	rows := f.fleetRows()
	gone, bad := 0, 0
	for _, r := range rows {
		if r.srv.Gone {
			gone++
		}
		if r.ok {
			bad++
		}
	}
	t := fmt.Sprintf("Fleet · %d servers", len(rows))
	if bad > 0 {
		t += fmt.Sprintf(" · %d with problems", bad)
	}
	if gone > 0 {
		t += fmt.Sprintf(" · %d gone", gone)
	}
	return t
}

// fleetRows is the frame's fleet in order, sorted once a frame.
func (f *frame) fleetRows() []fleetRow {
	if f.fleet == nil && len(f.snap.Fleet) > 0 {
		f.fleet = fleetOrder(f.snap.Fleet, f.problems)
	}
	return f.fleet
}

// fleetMaxShare is the largest share of the requests a server carries.
func (f *frame) fleetMaxShare() float64 {
	if f.fleetTop == 0 {
		for _, r := range f.fleetRows() {
			f.fleetTop = max(f.fleetTop, r.share.Or(0))
		}
	}
	return f.fleetTop
}

// fleetCol is one column of a server's row: its width and how it is
// written. Columns are dropped from the last while a row is too wide.
type fleetCol struct {
	head  string
	width int
	cell  func(f *frame, r fleetRow) string
}

// fleetCols are a row's columns after the name, in the order they go.
var fleetCols = []fleetCol{
	{"share of req", 15, func(f *frame, r fleetRow) string {
		if !r.share.OK() {
			return strings.Repeat(" ", 15)
		}
		// The bar is the share against the largest: of 500 servers each
		// carries a sliver, and the bars tell the heavy ones apart.
		sh := r.share.Or(0)
		return f.st.bar(sh/max(f.fleetMaxShare(), 1e-9), 8, LevelNone) + fmt.Sprintf("%7s", capacity.FormatPercent(sh))
	}},
	{"req/s", 8, func(_ *frame, r fleetRow) string {
		return fmt.Sprintf("%8s", orDash(r.srv.Requests, capacity.FormatNumber))
	}},
	{"errors", 7, func(f *frame, r fleetRow) string {
		s := fmt.Sprintf("%7s", orDash(r.srv.ErrorRate, capacity.FormatPercent))
		l := fromCapacity(f.th.ErrorRate(r.srv.ErrorRate, r.srv.Requests))
		if l >= LevelWarn {
			return f.st.level(l).Render(s)
		}
		return s
	}},
	{"p95", 7, func(f *frame, r fleetRow) string {
		s := fmt.Sprintf("%7s", orDash(r.srv.LatencyP95, waitTime))
		row, _ := snapshot.Lookup(snapshot.SignalLatencyP95)
		if l := fromCapacity(f.th.SignalLevel(row, snapshot.Snapshot{LatencyP95: r.srv.LatencyP95})); l >= LevelWarn {
			return f.st.level(l).Render(s)
		}
		return s
	}},
	{"conn", 7, func(_ *frame, r fleetRow) string {
		return fmt.Sprintf("%7s", orDash(r.srv.Connections, capacity.FormatCount))
	}},
}

// waitTime writes a time to answer: 210ms, 1.2s.
func waitTime(v float64) string { return capacity.Format(snapshot.UnitSeconds, v) }

// markW is the cells of a row's mark and the space after it: "✕!! ".
const markW = 4

// fleetNameWidth is the name column's width: the longest name shown, 6
// to 24 cells.
func fleetNameWidth(rows []fleetRow) int {
	w := 6
	for _, r := range rows {
		w = max(w, ansi.StringWidth(snapshot.CleanText(r.srv.Name, 24)))
	}
	return min(w, 24)
}

// fleetLayout is how many columns of fleetCols fit in w beside the
// cursor, the mark and a name of nameW.
func fleetLayout(w, nameW int) int {
	used := 1 + markW + nameW // the cursor, the mark and its space, the name
	n := 0
	for _, c := range fleetCols {
		if used+1+c.width > w {
			break
		}
		used += 1 + c.width
		n++
	}
	return n
}

// fleetLine is one server's row: cursor, the mark of its worst problem,
// its name, its columns, and "gone 2m" or its worst problem's title in
// what is left of the width.
func (f *frame) fleetLine(r fleetRow, selected bool, w, nameW, ncols int) string {
	st := f.st
	cursor := " "
	if selected {
		cursor = "›"
	}
	mark := " "
	l := r.level()
	switch l {
	case LevelCrit:
		mark = "✕"
	case LevelWarn:
		mark = "▲"
	}
	name := snapshot.CleanText(r.srv.Name, 0)
	nameCell := cutLine(name, nameW)
	nameCell += strings.Repeat(" ", max(nameW-ansi.StringWidth(nameCell), 0))
	var b strings.Builder
	b.WriteString(cursor)
	if mark != " " {
		mark += st.levelMark(l) // "!!" without colour
		b.WriteString(st.level(l).Render(mark))
		b.WriteString(strings.Repeat(" ", max(markW-ansi.StringWidth(mark), 0)))
	} else {
		b.WriteString(strings.Repeat(" ", markW))
	}
	if l != LevelNone {
		b.WriteString(st.level(l).Render(nameCell))
	} else {
		b.WriteString(nameCell)
	}
	used := 1 + markW + nameW
	if r.srv.Gone {
		since := "gone"
		if !r.srv.GoneSince.IsZero() {
			since += " " + capacity.FormatDuration(f.snap.Time.Sub(r.srv.GoneSince))
		}
		b.WriteString(" " + st.level(LevelStale).Render(since))
		used += 1 + ansi.StringWidth(since)
	} else {
		for _, c := range fleetCols[:ncols] {
			b.WriteByte(' ')
			b.WriteString(c.cell(f, r))
			used += 1 + c.width
		}
	}
	if r.ok && w-used > 8 {
		b.WriteString(" " + st.level(l).Render(cleanCut(r.worst.Title, w-used-1)))
	}
	return b.String()
}

// fleetHeader names the columns above the rows.
func fleetHeader(st *Styles, nameW, ncols int) string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", 1+markW))
	fmt.Fprintf(&b, "%-*s", nameW, "server")
	for _, c := range fleetCols[:ncols] {
		fmt.Fprintf(&b, " %*s", c.width, c.head)
	}
	return st.Faint.Render(b.String())
}

// fleetPanel draws the fleet in w x h: a header when there is room, the
// worst servers that fit (keeping the selected one in view), and a last
// line with how many more there are and how the requests spread. When
// the servers outnumber the lines and the panel is wide enough for two
// or three rows side by side, they stand in columns, worst first down
// the first.
func fleetPanel(f *frame, w, h int) string {
	rows := f.fleetRows()
	if len(rows) == 0 || h <= 0 {
		return ""
	}
	nameW := fleetNameWidth(rows)
	if h == 1 {
		// One line: the worst server.
		return f.fleetLine(rows[0], f.fleetSel == 0, w, nameW, fleetLayout(w, nameW))
	}
	header := h >= 5
	room := h - 1 // the spread's line
	if header {
		room--
	}
	cols, colW := 1, w
	if full := fleetRowWidth(nameW); len(rows) > room && w >= 2*full+fleetGap {
		cols = min((w+fleetGap)/(full+fleetGap), 3)
		colW = (w - (cols-1)*fleetGap) / cols
	}
	ncols := fleetLayout(colW, nameW)
	page := room * cols
	first := 0
	if f.fleetSel >= page {
		first = f.fleetSel - page + 1
	}
	gap := f.st.Faint.Render(" │ ")
	var lines []string
	if header {
		h := fleetHeader(f.st, nameW, ncols)
		lines = append(lines, strings.Repeat(padTo(h, colW)+strings.Repeat(" ", fleetGap), cols-1)+h)
	}
	shown := 0
	for i := range room {
		var b strings.Builder
		for c := range cols {
			k := first + c*room + i
			if k >= len(rows) {
				break
			}
			if c > 0 {
				b.WriteString(gap)
			}
			line := f.fleetLine(rows[k], k == f.fleetSel, colW, nameW, ncols)
			if c < cols-1 {
				line = padTo(line, colW)
			}
			b.WriteString(line)
			shown++
		}
		if b.Len() == 0 {
			break
		}
		lines = append(lines, b.String())
	}
	lines = append(lines, cutLine(f.fleetSpread(rows, len(rows)-shown), w))
	return strings.Join(lines, "\n")
}

// fleetGap is the cells between two columns of servers: " │ ".
const fleetGap = 3

// fleetRowWidth is a row with every column and room for a short title.
func fleetRowWidth(nameW int) int {
	w := 1 + markW + nameW
	for _, c := range fleetCols {
		w += 1 + c.width
	}
	return w + 1 + 16
}

// padTo cuts or pads a line to exactly w cells.
func padTo(s string, w int) string {
	if cw := cellWidth(s); cw > w {
		s = cutLine(s, w)
	}
	return s + strings.Repeat(" ", max(w-cellWidth(s), 0))
}

// fleetSpread is the fleet's last line: how many servers are not shown,
// and the spread of the shares of the requests (min, median, p90, max),
// or the servers' count when every one is shown.
func (f *frame) fleetSpread(rows []fleetRow, more int) string {
	st := f.st
	var parts []string
	if more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	shares := make([]float64, 0, len(rows))
	for _, r := range rows {
		if v, ok := r.share.Get(); ok {
			shares = append(shares, v)
		}
	}
	if len(shares) > 1 {
		slices.Sort(shares)
		q := func(p float64) string { return capacity.FormatPercent(shares[int(p*float64(len(shares)-1))]) }
		parts = append(parts, "share of req min "+q(0)+" med "+q(0.5)+" p90 "+q(0.9)+" max "+q(1))
		if top := shares[len(shares)-1]; top > 0 {
			parts = append(parts, "the largest "+capacity.FormatNumber(top*float64(len(shares)))+"x the mean")
		}
	}
	return st.Faint.Render(strings.Join(parts, " · "))
}

// fleetCursor is the selected server's index in the fleet's order while
// the fleet panel has the focus; -1 otherwise. The selection follows its
// server as the order changes.
func (m *Model) fleetCursor(rows []fleetRow) int {
	if m.focus != panelFleet || len(rows) == 0 {
		return -1
	}
	for i, r := range rows {
		if r.srv.Name == m.fleetSelected {
			return i
		}
	}
	return min(max(m.fleetAt, 0), len(rows)-1)
}

// shownFleet is the fleet of the frame on screen, in order.
func (m *Model) shownFleet() []fleetRow {
	fr := m.shown()
	return fleetOrder(fr.Snapshot.Fleet, fr.Problems)
}

// selectServer puts the fleet's cursor on the i-th server in order.
func (m *Model) selectServer(rows []fleetRow, i int) {
	if len(rows) == 0 {
		return
	}
	m.fleetAt = min(max(i, 0), len(rows)-1)
	m.fleetSelected = rows[m.fleetAt].srv.Name
}

// drillIn opens the selected server (the worst when none is selected).
func (m *Model) drillIn() {
	rows := m.shownFleet()
	if len(rows) == 0 {
		return
	}
	i := max(m.fleetCursor(rows), 0)
	m.selectServer(rows, i)
	m.drill = m.fleetSelected
}

// fleetMaxW is the most columns the fleet panel takes beside the events.
const fleetMaxW = 52

// fleetNeed is the lines the fleet panel's content takes, its border
// included: a header, a row a server and the spread; none without a fleet.
func fleetNeed(f *frame) int {
	n := len(f.fleetRows())
	switch {
	case n == 0:
		return 0
	case n+2 < 5:
		return n + 1 + 2 // no room for the header: fleetPanel draws it from five lines
	}
	return n + 2 + 2
}

// fleetWide is the columns a row of every column takes, the border
// included; none without a fleet.
func fleetWide(f *frame) int {
	rows := f.fleetRows()
	if len(rows) == 0 {
		return 0
	}
	return fleetRowWidth(fleetNameWidth(rows)) - 17 + 4 // every column, no title, and the border
}
