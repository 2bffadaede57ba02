package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"

	"github.com/launchwatch/launchwatch/capacity"
)

// header is one line: name, phase, countdown, clock, each source's health
// with its data age, the time to the next poll. A part that does not fit
// is left out whole, "…" saying so (a source's age cut to "0." would read
// as another), the last first, but that the screen records (or failed to)
// and a stopped pipeline are never left out.
func (m *Model) header(f *frame, w int) string {
	st := m.styles
	name := m.opts.LaunchName
	if name == "" {
		name = "launch"
	}
	sep := st.Faint.Render(" │ ")
	parts := make([]headerPart, 0, 16) // a handful, and a part a source
	add := func(s string) { parts = append(parts, headerPart{sep: sep, text: s}) }
	vital := func(s string) { parts = append(parts, headerPart{sep: sep, text: s, vital: true}) }
	add(st.Bold.Render(cleanCut(name, 40)))

	phase, phaseLevel := "waiting for data", LevelNone
	if f.data {
		switch f.assess.Phase {
		case capacity.PhaseBefore:
			phase, phaseLevel = "BEFORE LAUNCH", LevelNone
		case capacity.PhaseLive:
			phase, phaseLevel = "LIVE", LevelOK
		case capacity.PhaseSoldOut:
			phase, phaseLevel = "SOLD OUT", LevelWarn
		}
	}
	if m.opts.Replay != nil {
		// A replay says so in place of LIVE; the phase follows in words.
		badge := replayBadge(m.shown().Playback)
		if m.closed {
			badge = "REPLAY stopped"
		}
		add(st.HeaderPhase.Inherit(st.Accent.Style).Render(badge))
		add(strings.ToLower(phase))
		if c := m.opts.Compare; c != nil {
			add(st.Faint.Render("beside " + cleanCut(c.Name, 30)))
		}
	} else {
		add(st.HeaderPhase.Inherit(st.level(phaseLevel).Style).Render(phase))
	}
	now := f.now
	if !m.opts.Plan.LaunchAt.IsZero() {
		add(st.Bold.Render(countdown(now.Sub(m.opts.Plan.LaunchAt))))
	}
	add(now.Format("15:04:05"))
	if f.data {
		for i, n := range f.snap.SourceNames() {
			src := f.snap.Sources[n]
			dot, l := m.sourceDot(src, f.snap.Time)
			label := st.level(l).Render(dot) + " " + cleanCut(n, 16)
			if slices.Contains(m.opts.Simulated, n) {
				label += st.Faint.Render(" sim")
			}
			if a, never := src.DataAge(f.snap.Time); never {
				label += " " + st.level(LevelStale).Render("never")
			} else {
				label += " " + st.Faint.Render(age(a))
			}
			if src.RateWindow > 0 {
				label += st.Faint.Render(" rate " + seconds(src.RateWindow))
			}
			add(label)
			if i > 0 {
				parts[len(parts)-1].sep = "  " // the sources are one part of the line
			}
		}
	}
	if m.opts.Recording != "" {
		if why := m.shown().RecordErr; why != "" {
			// A disk full, a file gone: recording has stopped working, and
			// a war room must not believe it is still recorded.
			vital(st.level(LevelCrit).Render("✕ REC FAILED: " + cleanCut(why, 80)))
		} else {
			// That it records is never left out; the file's name may be.
			vital(st.level(LevelCrit).Render("● REC"))
			parts = append(parts, headerPart{sep: " ", text: st.Faint.Render(cleanCut(m.opts.Recording, 60))})
		}
	}
	switch {
	case m.closed && m.stopErr != "":
		vital(st.level(LevelCrit).Render("STOPPED by an error (below)"))
	case m.closed:
		vital(st.level(LevelWarn).Render("STOPPED"))
	case m.opts.Replay != nil:
	case !m.received.IsZero():
		add(st.Faint.Render("next poll " + age(f.nextPoll)))
	}
	return st.Header.Render(fit(joinParts(" ", parts, w), w, 1))
}

// headerPart is a part of the header and what separates it from the part
// before it; a vital one is never left out for another.
type headerPart struct {
	sep, text string
	vital     bool
}

// joinParts writes lead and the parts in w cells: all when they fit, else
// without the last parts that are not vital, as many as it takes, " …" in
// place of each run left out. The first part is never left out: when it
// is still too wide, it is cut as cutLine cuts.
func joinParts(lead string, parts []headerPart, w int) string {
	var kb [16]bool
	keep := kb[:0]
	if len(parts) > len(kb) {
		keep = make([]bool, 0, len(parts))
	}
	keep = keep[:len(parts)]
	for i := range keep {
		keep[i] = true
	}
	width := func() int {
		n := cellWidth(lead)
		for i, p := range parts {
			switch {
			case keep[i] && i > 0:
				n += cellWidth(p.sep) + cellWidth(p.text)
			case keep[i]:
				n += cellWidth(p.text)
			case keep[i-1]:
				n += 2 // " …"
			}
		}
		return n
	}
	for i := len(parts) - 1; i > 0 && width() > w; i-- {
		keep[i] = parts[i].vital
	}
	var b strings.Builder
	b.WriteString(lead)
	for i, p := range parts {
		switch {
		case i == 0:
			b.WriteString(cutLine(p.text, w-(width()-cellWidth(p.text))))
		case keep[i]:
			b.WriteString(p.sep)
			b.WriteString(p.text)
		case keep[i-1]:
			b.WriteString(" …")
		}
	}
	return b.String()
}

// helpStyles styles the help bubble from our renderer-bound styles.
func helpStyles(s Styles) help.Styles {
	return help.Styles{
		Ellipsis:       s.Faint.Style,
		ShortKey:       s.Accent.Style,
		ShortDesc:      s.Faint.Style,
		ShortSeparator: s.Faint.Style,
		FullKey:        s.Accent.Style,
		FullDesc:       s.Text.Style,
		FullSeparator:  s.Faint.Style,
	}
}
