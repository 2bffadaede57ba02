package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// header is one line: name, phase, countdown, clock, each source's health
// with its data age, the time to the next poll.
func (m *Model) header(f *frame, w int) string {
	st := m.styles
	name := m.opts.LaunchName
	if name == "" {
		name = "launch"
	}
	parts := []string{st.Bold.Render(snapshot.CleanText(name, 40))}

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
		parts = append(parts, st.HeaderPhase.Inherit(st.Accent.Style).Render(badge), strings.ToLower(phase))
	} else {
		parts = append(parts, st.HeaderPhase.Inherit(st.level(phaseLevel).Style).Render(phase))
	}
	now := m.opts.Clock()
	if !m.opts.Plan.LaunchAt.IsZero() {
		parts = append(parts, st.Bold.Render(countdown(now.Sub(m.opts.Plan.LaunchAt))))
	}
	parts = append(parts, now.Format("15:04:05"))
	if f.data {
		var srcs []string
		for _, n := range f.snap.SourceNames() {
			src := f.snap.Sources[n]
			dot, l := m.sourceDot(src, f.snap.Time)
			label := st.level(l).Render(dot) + " " + snapshot.CleanText(n, 16)
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
			srcs = append(srcs, label)
		}
		parts = append(parts, strings.Join(srcs, "  "))
	}
	if m.opts.Recording != "" {
		if why := m.shown().RecordErr; why != "" {
			// A disk full, a file gone: recording has stopped working, and
			// a war room must not believe it is still recorded.
			parts = append(parts, st.level(LevelCrit).Render("✕ REC FAILED: "+snapshot.CleanText(why, 80)))
		} else {
			parts = append(parts, st.level(LevelCrit).Render("● REC")+" "+st.Faint.Render(snapshot.CleanText(m.opts.Recording, 60)))
		}
	}
	switch {
	case m.closed && m.stopErr != "":
		parts = append(parts, st.level(LevelCrit).Render("STOPPED by an error (below)"))
	case m.closed:
		parts = append(parts, st.level(LevelWarn).Render("STOPPED"))
	case m.opts.Replay != nil:
	case m.paused:
		parts = append(parts, st.level(LevelWarn).Render("PAUSED (p)"))
	case !m.received.IsZero():
		next := m.opts.Interval - m.opts.Wall().Sub(m.received)
		parts = append(parts, st.Faint.Render("next poll "+age(max(next, 0))))
	}
	line := " " + strings.Join(parts, st.Faint.Render(" │ "))
	return st.Header.Render(fit(ansi.Truncate(line, w, "…"), w, 1))
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
