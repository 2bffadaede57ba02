package tui

// Placing a layout: its rows' heights and its panels' widths worked out
// from the sizes in its table, then the panels drawn where they stand.

// sizes divides total among the sizes: fixed ones take theirs, shares
// their minimum (less, the last first, when the minimums do not fit),
// fits what they need (need[i], at most their max) of what is left, in
// order, or nothing when that is under their minimum, then the shares the
// rest by weight (remainders to the first), then the shifts. need may be
// nil (no fit needs anything). Nothing is negative; what does not fit is
// cut by fit.
func sizes(total int, ss []size, need []int) []int {
	out := make([]int, len(ss))
	sizesInto(out, total, ss, need)
	return out
}

// sizesInto is sizes written into out, which has a place for each size:
// a layout is placed every frame, from buffers on the stack.
func sizesInto(out []int, total int, ss []size, need []int) {
	clear(out) // a fit given nothing keeps nothing of a buffer's last use
	rest, weights := max(total, 0), 0
	for i, s := range ss {
		switch {
		case s.fixed > 0:
			out[i] = s.fixed
		case s.fit:
			continue // sized below, from what is left
		default:
			out[i] = s.min
			weights += s.weight
		}
		rest -= out[i]
	}
	// Too little room for the shares' minimums: they give way, the last
	// first, so that the panels above keep their borders whole rather
	// than the screen cut the last one's off.
	for i := len(ss) - 1; i >= 0 && rest < 0; i-- {
		if ss[i].fixed == 0 && !ss[i].fit {
			give := min(out[i], -rest)
			out[i] -= give
			rest += give
		}
	}
	rest = max(rest, 0)
	for i, s := range ss {
		if !s.fit || s.fixed > 0 || i >= len(need) {
			continue
		}
		want := need[i]
		if s.max > 0 {
			want = min(want, s.max)
		}
		give := min(want, rest)
		if give < s.min {
			continue // too little to show a line: the shares have it
		}
		out[i] = give
		rest -= give
	}
	share := func(s size) bool { return s.fixed == 0 && !s.fit }
	if weights > 0 {
		given := 0
		for i, s := range ss {
			if share(s) {
				part := rest * s.weight / weights
				out[i] += part
				given += part
			}
		}
		for i, s := range ss {
			if given >= rest {
				break
			}
			if share(s) && s.weight > 0 {
				out[i]++
				given++
			}
		}
	}
	for i, s := range ss {
		out[i] = max(out[i]+s.shift, 0)
	}
}

// placed is a panel where a layout puts it: w x h cells, x cells from the
// left and y lines from the top of the body.
type placed struct {
	panel      panelID
	x, y, w, h int
}

// place lays a layout out at w x h: its rows top to bottom, each the
// panels side by side. A row sized to fit takes the most its panels need
// for the frame, a cell sized to fit the columns its panel wants (wide);
// a row or a panel given no cells is left out.
func place(f *frame, l layout, w, h int) [][]placed {
	// A layout has a few rows of a few panels: their sizes are worked out
	// in buffers on the stack, and the panels placed in one slice.
	const most = 8
	var hb, wb [most]size
	var nb, hsb, wsb, wnb [most]int
	heights, need, hs := hb[:0], nb[:len(l.rows)], hsb[:len(l.rows)]
	if len(l.rows) > most {
		heights, need, hs = nil, make([]int, len(l.rows)), make([]int, len(l.rows))
	}
	clear(need)
	for i, r := range l.rows {
		heights = append(heights, r.height)
		if !r.height.fit {
			continue
		}
		for _, c := range r.cells {
			if n := panelDefs[c.panel].need; n != nil {
				need[i] = max(need[i], n(f))
			}
		}
	}
	sizesInto(hs, h, heights, need)
	cells := 0
	for _, r := range l.rows {
		cells += len(r.cells)
	}
	all := make([]placed, 0, cells)
	out := make([][]placed, 0, len(l.rows))
	y := 0
	for i, r := range l.rows {
		if hs[i] <= 0 {
			continue
		}
		widths, ws := wb[:0], wsb[:len(r.cells)]
		wideBuf := wnb[:]
		if len(r.cells) > most {
			widths, ws, wideBuf = nil, make([]int, len(r.cells)), make([]int, len(r.cells))
		}
		var wide []int
		for j, c := range r.cells {
			widths = append(widths, c.width)
			if n := panelDefs[c.panel].wide; c.width.fit && n != nil {
				if wide == nil {
					wide = wideBuf[:len(r.cells)]
					clear(wide)
				}
				wide[j] = n(f)
			}
		}
		sizesInto(ws, w, widths, wide)
		start := len(all)
		x := 0
		for j, c := range r.cells {
			if ws[j] > 0 {
				all = append(all, placed{panel: c.panel, x: x, y: y, w: ws[j], h: hs[i]})
			}
			x += ws[j]
		}
		if len(all) > start {
			out = append(out, all[start:len(all):len(all)])
		}
		y += hs[i]
	}
	return out
}

// draw draws a layout's panels at w x h: its rows, each the panels side
// by side, and at most how many bytes they take on screen (a row of k
// panels h lines high counts the (k-1)(h-1) newlines joining leaves out).
func (m *Model) draw(f *frame, l layout, w, h int) (rows [][]string, total int) {
	for _, r := range place(f, l, w, h) {
		parts := make([]string, 0, len(r))
		for _, p := range r {
			if s := m.panel(f, p.panel, p.w, p.h); s != "" {
				parts = append(parts, s)
				total += len(s)
			}
		}
		if len(parts) == 0 {
			continue
		}
		rows = append(rows, parts)
		total += r[0].h // the newlines
	}
	return rows, total
}
