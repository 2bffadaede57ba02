package tui

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The wall is the screen for across the room: the five headline figures
// in block digits as large as the terminal allows (the countdown before
// T0), each with its plan comparison and its level in colour and in words;
// the sell-out bar; the worst problem now. With a fleet, the figures take
// turns with the worst servers (wallfleet.go). Nothing on it needs a key.

// wallFigure is one headline figure as the wall draws it, taken from its
// tile: the same value, level and plan lines, so the wall and the desk
// never disagree.
type wallFigure struct {
	title   string
	text    string // the tile's figure, plain: "156", "156 MB/s", "867 / 1,000"
	level   Level
	lines   []string // the plan comparison: the tile's lines, styled
	stale   staleMark
	isStale bool
}

// number is the figure without its unit: what must fit in big digits.
func (w wallFigure) number() string {
	n, _, _ := strings.Cut(w.text, " ")
	return n
}

// wallFigures are the tiles' figures.
func (f *frame) wallFigures() []wallFigure {
	tiles := f.tiles(make([]tile, 0, maxTiles))
	out := make([]wallFigure, len(tiles))
	for i, t := range tiles {
		out[i] = wallFigure{title: t.title, text: ansi.Strip(t.value), level: t.level, lines: t.lines}
		out[i].stale, out[i].isStale = f.isStale(t.signal)
		out[i].isStale = out[i].isStale && f.data
	}
	return out
}

// levelWord is a level in words with its glyph, so it reads without
// colour: "● OK", "▲ WARN", "✕ CRIT"; "" for no judgement.
func levelWord(l Level) string {
	switch l {
	case LevelOK:
		return "● OK"
	case LevelWarn:
		return "▲ WARN"
	case LevelCrit:
		return "✕ CRIT"
	}
	return ""
}

// wallOn puts the screen on the wall or back on the desk. Each keeps its
// own theme: the wall starts high-contrast, the desk as configured, and t
// cycles the one on screen.
func (m *Model) wallOn(on bool) {
	if on == m.wall {
		return
	}
	m.wall = on
	m.theme, m.otherTheme = m.otherTheme, m.theme
	m.applyTheme()
}

// initWall sets the theme the wall starts with, and starts on the wall
// when asked to.
func (m *Model) initWall() {
	for i, t := range m.themes {
		if t.Name == "high-contrast" {
			m.otherTheme = i
		}
	}
	if m.opts.WallLayout {
		m.wall = true
		m.theme, m.otherTheme = m.otherTheme, m.theme
	}
}

// tick redraws on the header's clock: the header alone on the desk, the
// whole wall (its countdown is its body, its stale marks age).
func (m *Model) tick() {
	if m.wall && m.body != "" {
		m.render()
		return
	}
	m.renderHeader()
}

// countingDown reports whether the launch is still ahead on the clock.
func (f *frame) countingDown() bool {
	at := f.plan.LaunchAt
	return !at.IsZero() && f.now.Before(at)
}

// wallFiguresPanel draws the countdown before T0, else the five figures.
func (f *frame) wallFiguresPanel(w, h int) string {
	if f.countingDown() {
		return f.wallCountdown(w, h)
	}
	if f.wallFleetPage() {
		return f.wallFleet(w, h)
	}
	return wallGrid(f, f.wallFigures(), w, h)
}

// wallGrid lays the five figures out in the columns (5, 3, 2 or 1 a row)
// that give the digits the largest scale; below one cell per pixel the
// figures are drawn as text.
func wallGrid(f *frame, figs []wallFigure, w, h int) string {
	nums := make([]string, len(figs))
	for i, fig := range figs {
		nums[i] = fig.number()
	}
	cols, sx, sy := 0, 0, 0
	for _, c := range []int{1, 2, 3, 5} {
		rows := (len(figs) + c - 1) / c
		// A cell keeps a column either side, and a line each for the band,
		// the space under it and one line of the plan. Of equal scales the
		// fewest columns win: the band and the plan lines get the room.
		x, y, ok := bigScale(nums, w/c-2, h/rows-3)
		if ok && x*y > sx*sy {
			cols, sx, sy = c, x, y
		}
	}
	if cols == 0 {
		cols = min(max(w/24, 1), 5)
		if cols == 4 {
			cols = 3
		}
	}
	rows := (len(figs) + cols - 1) / cols
	hs := split(h, rows)
	cells := make([][]*block, rows)
	size := 0
	for r := range rows {
		chunk := figs[r*cols : min((r+1)*cols, len(figs))]
		ws := split(w, len(chunk))
		for i, fig := range chunk {
			c := f.wallCell(fig, ws[i], hs[r], sx, sy)
			cells[r] = append(cells[r], c)
			size += c.size() + 1
		}
	}
	// The cells of a row are exactly their size: their lines are written
	// side by side, straight into the panel's buffer.
	var b strings.Builder
	b.Grow(size)
	for r, row := range cells {
		if r > 0 {
			b.WriteByte('\n')
		}
		for i := range hs[r] {
			if i > 0 {
				b.WriteByte('\n')
			}
			for _, c := range row {
				c.writeLine(&b, i)
			}
		}
	}
	return b.String()
}

// wallCell draws one figure in w x h: its band (title, level in words,
// staleness), the figure in block digits at sx x sy (as text at 0), and
// its plan lines, centred in the cell.
func (f *frame) wallCell(fig wallFigure, w, h, sx, sy int) *block {
	st := f.st
	inner := max(w-2, 0)
	style := st.level(fig.level)
	if fig.isStale {
		style = st.level(LevelStale)
	}
	if st.Theme.BigNumber {
		style = newInk(style.Bold(true))
	}
	text, unit := fig.text, ""
	var digits []string
	digitsW := -1
	if sx > 0 {
		if tw, ok := bigWidth(text, sx); !ok || tw > inner {
			text, unit = fig.number(), strings.TrimPrefix(fig.text, fig.number()+" ")
		}
		digits = bigText(text, sx, sy)
		digitsW, _ = bigWidth(text, sx)
	} else {
		digits = []string{text}
	}
	// Every cell of a row puts its band, digits and plan lines at the same
	// heights, however many plan lines it has.
	planRoom := min(max(h-2-len(digits), 0), 3)
	b := newBlock(w, h)
	b.skip((h - 2 - len(digits) - planRoom) / 2)
	b.add(f.wallBand(fig, unit, inner), -1, false)
	b.skip(1)
	for _, d := range digits {
		b.addIn(style, d, digitsW, true)
	}
	for _, l := range packLines(st, fig.lines, inner, planRoom) {
		b.add(l, -1, true)
	}
	return b
}

// wallBand is a figure's top line: its title (and its unit when the unit
// did not fit in big digits), a rule and its level in words, coloured by
// level, with the stale mark and age when the figure is not fresh.
func (f *frame) wallBand(fig wallFigure, unit string, w int) string {
	st := f.st
	left := st.Bold.Render(fig.title)
	if unit != "" {
		left += " " + st.Faint.Render(unit)
	}
	var right []string
	if word := levelWord(fig.level); word != "" {
		right = append(right, st.level(fig.level).Render(word))
	}
	if fig.isStale {
		right = append(right, st.level(LevelStale).Render(fig.stale.label()))
	}
	r := strings.Join(right, " ")
	rule := st.Faint
	if fig.level != LevelNone {
		rule = st.level(fig.level)
	}
	n := w - ansi.StringWidth(left) - ansi.StringWidth(r) - 2
	if r == "" {
		n++
	}
	if n < 1 {
		return cutLine(left+" "+r, w)
	}
	line := left + " " + rule.Render(strings.Repeat("━", n))
	if r != "" {
		line += " " + r
	}
	return line
}

// wallCountdown fills the figures' place before T0: the time to the
// launch in the largest digits that fit, the five figures in a line of
// text under it.
func (f *frame) wallCountdown(w, h int) string {
	st := f.st
	now := f.now
	at := f.plan.LaunchAt
	text := countdown(now.Sub(at))
	inner := max(w-2, 0)
	caption := st.Bold.Render("BEFORE LAUNCH") + st.Faint.Render(" · T0 at "+at.In(now.Location()).Format("15:04:05"))
	var summary []string
	if f.data {
		for _, fig := range f.wallFigures() {
			s := st.Faint.Render(fig.title+" ") + st.level(fig.level).Render(fig.text)
			if word := levelWord(fig.level); word != "" {
				s += " " + st.level(fig.level).Render(word)
			}
			if fig.isStale {
				s += " " + st.level(LevelStale).Render(fig.stale.label())
			}
			summary = append(summary, s)
		}
	} else {
		summary = []string{st.Faint.Render("waiting for data")}
	}
	summary = packLines(st, summary, inner, 2)
	var digits []string
	digitsW := -1
	if sx, sy, ok := bigScale([]string{text}, inner, h-3-len(summary)); ok {
		digits = bigText(text, sx, sy)
		digitsW, _ = bigWidth(text, sx)
	} else {
		digits = []string{text}
	}
	b := newBlock(w, h)
	b.skip((h - 3 - len(digits) - len(summary)) / 2)
	b.add(caption, -1, true)
	b.skip(1)
	for _, d := range digits {
		b.addIn(st.Bold, d, digitsW, true)
	}
	b.skip(1)
	for _, l := range summary {
		b.add(l, -1, true)
	}
	return b.String()
}

// wallSellOut is the sell-out bar: sold against the stock, the rate and
// the time to sell out beside the plan's, the pace's level in words. The
// bar takes every line but the caption, so it thickens with the screen.
func wallSellOut(f *frame, w, h int) string {
	st := f.st
	inner := max(w-2, 0)
	so := f.assess.SellOut
	left, ok := f.snap.Stock.Get()
	if !f.data || so.Total <= 0 || !ok {
		why := "sell-out: no stock measured"
		if f.data && so.Total <= 0 {
			why = "sell-out: no stock in the plan"
		}
		b := newBlock(w, h)
		b.add(st.Faint.Render(why), -1, false)
		return b.String()
	}
	sold := math.Max(so.Total-left, 0) / so.Total
	level := fromCapacity(f.th.Pace(f.assess)) // the stock tile's level
	parts := []string{
		st.Bold.Render("SOLD " + capacity.FormatPercent(sold)),
		capacity.FormatCount(so.Total-left) + " of " + capacity.FormatCount(so.Total),
	}
	rate := orDash(so.Rate, capacity.FormatNumber) + "/s"
	if pr, ok := so.PlannedRate.Get(); ok {
		rate += st.Plan.Render(" plan " + capacity.FormatNumber(pr) + "/s")
	}
	parts = append(parts, rate)
	switch {
	case f.assess.Phase == capacity.PhaseSoldOut:
		parts = append(parts, st.level(LevelOK).Render("SOLD OUT"))
	case so.ETAKnown:
		eta := "ETA " + capacity.FormatDuration(so.ETA)
		if f.plan.Stock.SellOut > 0 {
			eta += st.Plan.Render(" plan " + capacity.FormatDuration(f.plan.Stock.SellOut))
		}
		parts = append(parts, eta)
	}
	if word := levelWord(level); word != "" {
		parts = append(parts, st.level(level).Render("pace "+word))
	}
	if a, stale := f.isStale(snapshot.SignalStock); stale {
		parts = append(parts, st.level(LevelStale).Render(a.label()))
	}
	b := newBlock(w, h)
	b.add(cutLine(strings.Join(parts, st.Faint.Render(" · ")), inner), -1, false)
	bar := st.bar(sold, inner, LevelNone)
	for range h - 1 {
		b.add(bar, inner, false)
	}
	return b.String()
}

// wallProblem is the worst problem now in plain words (the problem's own
// message, cleaned) with how long it has stood, and the next one faint.
func wallProblem(f *frame, w, h int) string {
	st := f.st
	inner := max(w-2, 0)
	if !f.data {
		b := newBlock(w, h)
		b.add(st.Faint.Render("waiting for data"), -1, false)
		return b.String()
	}
	if len(f.problems) == 0 {
		b := newBlock(w, h)
		b.add(st.level(LevelOK).Render(levelWord(LevelOK)+"  nothing wrong now"), -1, false)
		return b.String()
	}
	b := newBlock(w, h)
	var lines []string
	// The worst first, by the harm order, not by group: a wall across the
	// room names what hurts users before its causes, and says the causes
	// after it (← bandwidth limit ← page weight).
	ps := slices.SortedStableFunc(slices.Values(f.problems), events.Compare)
	for i, p := range ps {
		if len(lines) >= h {
			break
		}
		l := LevelWarn
		if p.Severity == events.Crit {
			l = LevelCrit
		}
		if i > 0 && len(lines) == h-1 && len(ps)-i > 1 {
			lines = append(lines, st.Faint.Render(strconv.Itoa(len(ps)-i)+" more problems: w shows them on the dashboard"))
			break
		}
		head := st.level(l).Render(levelWord(l)) + "  "
		if i == 0 && f.flash {
			// A new critical problem: the wall's flash, as the desk's
			// problems panel has its red border.
			head = st.level(LevelCrit).Render("✕ NEW ") + head
		}
		text := p.Message
		for _, c := range events.Causes(p, f.problems) {
			text += " ← " + c.Name()
		}
		tail := "  for " + capacity.FormatDuration(f.snap.Time.Sub(p.Since))
		if p.Ack != nil {
			// Taken on any screen: the room sees someone is on it.
			tail += "  ack " + cleanCut(p.Ack.By, maxTailBy)
		}
		tail = st.Faint.Render(tail)
		room := max(inner-ansi.StringWidth(head)-ansi.StringWidth(tail), 0)
		msg := st.level(l).Render(cleanCut(text, room))
		if i > 0 {
			msg = st.Faint.Render(cleanCut(text, room))
		}
		lines = append(lines, head+msg+tail)
	}
	for _, l := range lines {
		b.add(l, -1, false)
	}
	return b.String()
}

// packLines joins short lines with a dot between them while they fit in
// w, for at most n lines.
func packLines(st *Styles, lines []string, w, n int) []string {
	sep := st.Faint.Render("  ·  ")
	var out []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if ansi.StringWidth(ansi.Strip(l)) == 0 {
			continue
		}
		if k := len(out); k > 0 && ansi.StringWidth(out[k-1])+ansi.StringWidth(sep)+ansi.StringWidth(l) <= w {
			out[k-1] += sep + l
			continue
		}
		if len(out) >= n {
			break
		}
		out = append(out, cutLine(l, w))
	}
	return out
}
