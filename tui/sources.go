package tui

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/snapshot"
)

// staleMark is why a figure is not fresh, and how old it is.
type staleMark struct {
	age     time.Duration
	never   bool // its source has never answered
	partial bool // measured now, but from only some of its targets
}

// label is the mark drawn beside a stale figure: "stale 12s", "part 1.0s"
// or "never".
func (s staleMark) label() string {
	switch {
	case s.never:
		return "never"
	case s.partial:
		return "part " + age(s.age)
	}
	return "stale " + age(s.age)
}

// short is the mark where a line has little room: "12s", "part", "never".
func (s staleMark) short() string {
	switch {
	case s.never:
		return "never"
	case s.partial:
		return "part"
	}
	return age(s.age)
}

// older returns the worse of two marks: never, then the older.
func (s staleMark) older(o staleMark) staleMark {
	switch {
	case s.never:
		return s
	case o.never:
		return o
	case o.age > s.age || (o.age == s.age && !o.partial):
		return o
	}
	return s
}

// signalStale is snapshot.Source.SignalStale as a mark to draw.
func signalStale(src snapshot.Source, sig string, now time.Time, maxAge time.Duration) (staleMark, bool) {
	st, stale := src.SignalStale(sig, now, maxAge)
	return staleMark{age: st.Age, never: st.Never, partial: st.Partial}, stale
}

// problem is one note about a source: an error, a warning or an info.
type problem struct {
	source, kind, text string
	level              Level
}

// sourceProblems lists every source's errors, then warnings, then infos,
// worst source first; the text is cleaned but whole.
func sourceProblems(snap snapshot.Snapshot, maxAge time.Duration) []problem {
	var crit, warn, info []problem
	for _, name := range snap.SourceNames() {
		src := snap.Sources[name]
		n := snapshot.CleanText(name, 0)
		l := LevelWarn
		if src.Down(snap.Time, maxAge) {
			l = LevelCrit
		}
		var errs []problem
		keys := slices.Sorted(maps.Keys(src.Errors))
		// The whole source's failure first: it explains the rest.
		slices.SortStableFunc(keys, func(a, b string) int {
			switch {
			case a == "source" && b != "source":
				return -1
			case b == "source" && a != "source":
				return 1
			}
			return 0
		})
		for _, k := range keys {
			errs = append(errs, problem{source: n, kind: "error", level: l,
				text: snapshot.CleanText(k, 0) + ": " + snapshot.CleanText(src.Errors[k], 0)})
		}
		if len(errs) == 0 && !src.OK && src.Error != "" {
			errs = append(errs, problem{source: n, kind: "error", level: l, text: snapshot.CleanText(src.Error, 0)})
		}
		if l == LevelCrit {
			crit = append(crit, errs...)
		} else {
			warn = append(warn, errs...)
		}
		for _, w := range src.Warnings {
			warn = append(warn, problem{source: n, kind: "warning", level: LevelWarn, text: snapshot.CleanText(w, 0)})
		}
		for _, i := range src.Infos {
			info = append(info, problem{source: n, kind: "info", level: LevelNone, text: snapshot.CleanText(i, 0)})
		}
	}
	return append(append(crit, warn...), info...)
}

// problemsOfInputs are what the status line and the sources screen list:
// every source's errors, warnings and infos, with the failing alert sinks
// after the sources that are down.
func (m *Model) problemsOfInputs(snap snapshot.Snapshot) []problem {
	probs := sourceProblems(snap, m.opts.Thresholds.StaleAfter)
	failing := m.failingAlerts()
	if len(failing) == 0 {
		return probs
	}
	down := 0
	for down < len(probs) && probs[down].level == LevelCrit {
		down++
	}
	return slices.Concat(probs[:down], failing, probs[down:])
}

// failingAlerts are the alert sinks whose newest send failed, as problems.
func (m *Model) failingAlerts() []problem {
	if m.opts.Alerts == nil {
		return nil
	}
	var failing []problem
	for _, a := range m.opts.Alerts() {
		failing = append(failing, problem{source: "alert " + snapshot.CleanText(a.Sink, 40), kind: "error", level: LevelWarn,
			text: fmt.Sprintf("%s (%d not sent)", snapshot.CleanText(a.Error, 0), a.Failed)})
	}
	return failing
}

// statusLine is the one line under the header while a source has an
// error or a warning: the worst, with a count of the rest; "" when there
// is none.
func statusLine(st Styles, probs []problem, w int) string {
	// Infos wait on the sources screen: a row of the screen is for what is
	// failing (errors, warnings come first).
	if len(probs) == 0 || probs[0].level < LevelWarn {
		return ""
	}
	p := probs[0]
	mark := map[Level]string{LevelCrit: "✕", LevelWarn: "▲", LevelNone: "·"}[p.level]
	more := " (s: sources)"
	if len(probs) > 1 {
		more = fmt.Sprintf(" (+%d more, s: sources)", len(probs)-1)
	}
	kind := ""
	if p.kind != "error" {
		kind = p.kind + ": "
	}
	text := cutLine(" "+mark+st.levelMark(p.level)+" "+p.source+": "+kind+p.text, max(w-ansi.StringWidth(more), 0))
	return fit(st.level(p.level).Render(text)+st.Faint.Render(more), w, 1)
}

// sourcesView is the sources screen: each source's health, data age, rate
// window, and every error, warning and info whole, wrapped to the width.
func (m *Model) sourcesView(f *frame, w int) string {
	st := f.st
	if !f.data {
		return st.Faint.Render("waiting for data")
	}
	var lines []string
	wrap := func(l Level, kind, text string) {
		indent := "    " + fmt.Sprintf("%-8s", kind)
		body := ansi.Wrap(text, max(w-len(indent), 8), " /,")
		for i, bl := range strings.Split(body, "\n") {
			pre := indent
			if i > 0 {
				pre = strings.Repeat(" ", len(indent))
			}
			lines = append(lines, st.level(l).Render(pre+bl))
		}
	}
	probs := sourceProblems(f.snap, f.th.StaleAfter)
	for _, name := range f.snap.SourceNames() {
		src := f.snap.Sources[name]
		n := snapshot.CleanText(name, 0)
		dot, l := m.sourceDot(src, f.snap.Time)
		head := st.level(l).Render(dot) + " " + st.Bold.Render(n) + st.Faint.Render(" · "+m.sourceFacts(src, f.snap.Time, n))
		lines = append(lines, head)
		for _, p := range probs {
			if p.source == n {
				wrap(p.level, p.kind, p.text)
			}
		}
		if len(src.Partial) > 0 {
			wrap(LevelStale, "partial", cleanList(src.Partial))
		}
		if len(src.Carried) > 0 {
			var cs []string
			for _, sig := range slices.Sorted(maps.Keys(src.Carried)) {
				cs = append(cs, snapshot.CleanText(sig, 0)+" "+age(f.snap.Time.Sub(src.Carried[sig])))
			}
			wrap(LevelStale, "carried", strings.Join(cs, ", "))
		}
		lines = append(lines, "")
	}
	// The alert sinks that fail: an alert that does not go out is as
	// much a blind spot as a source that does not answer.
	for _, p := range m.failingAlerts() {
		lines = append(lines, st.level(LevelWarn).Render("▲")+" "+st.Bold.Render(p.source)+st.Faint.Render(" · failing"))
		wrap(p.level, p.kind, p.text)
	}
	return strings.Join(lines, "\n")
}

// sourceDot is a source's health mark: ● answering, ◐ in part, ✕ down.
func (m *Model) sourceDot(src snapshot.Source, now time.Time) (string, Level) {
	switch {
	case src.Down(now, m.opts.Thresholds.StaleAfter):
		return "✕", LevelCrit
	case !src.OK || len(src.Partial) > 0:
		return "◐", LevelWarn
	}
	return "●", LevelOK
}

// sourceFacts says a source's state in words for the sources screen.
func (m *Model) sourceFacts(src snapshot.Source, now time.Time, name string) string {
	var facts []string
	switch a, never := src.DataAge(now); {
	case never:
		facts = append(facts, "never answered")
	case src.Down(now, m.opts.Thresholds.StaleAfter):
		facts = append(facts, "down, data "+age(a)+" old")
	case !src.OK:
		facts = append(facts, "answering in part, data "+age(a)+" old")
	default:
		facts = append(facts, "answering, data "+age(a)+" old")
	}
	if src.RateWindow > 0 {
		facts = append(facts, "rate window "+seconds(src.RateWindow))
	}
	if src.ScrapeInterval > 0 {
		facts = append(facts, "scrape interval "+seconds(src.ScrapeInterval))
	}
	facts = append(facts, fmt.Sprintf("last poll %.0fms", src.Duration*1000))
	facts = append(facts, m.provenance(name))
	return strings.Join(facts, " · ")
}

// provenance says whether a source's figures are simulated or real.
func (m *Model) provenance(name string) string {
	if slices.Contains(m.opts.Simulated, name) {
		return "simulated"
	}
	if name == "host" {
		return "this host"
	}
	return "measured"
}

// seconds formats a whole or fractional number of seconds: 4s, 1.5s.
func seconds(s float64) string {
	return fmt.Sprintf("%gs", s)
}

func cleanList(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = snapshot.CleanText(x, 0)
	}
	return strings.Join(out, ", ")
}
