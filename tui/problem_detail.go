package tui

import (
	"cmp"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// One row of the problems panel, opened (enter on it, the panel focused;
// esc back): all there is to know of a problem to act on it, the words
// the alerts carry, and where to read on (the runbook, the dashboard).
// Its figure is the live one, redrawn every frame. URLs are printed whole
// and plain, wrapped at the box's edge if they must be: terminals make a
// plain URL clickable, and an OSC 8 link would be one more escape sequence
// for the box's width arithmetic to skip.

// labelW is the width of the detail's labels column.
const labelW = 11

// detailView draws the opened row in one box of w x h: a problem of
// launchwatch's or one of the team's alerts, or word that it has cleared.
func (m *Model) detailView(f *frame, w, h int) string {
	innerW := max(w-4, 0)
	var title string
	var lines []string
	switch i := rowIndex(m.shown(), m.detail); {
	case i < 0:
		key, theirs := strings.CutPrefix(m.detail, theirsKey)
		title = "Problem · esc back"
		what := "problem " + key
		if theirs {
			title, what = "Their alert · esc back", "their alert "+key
		}
		lines = wrapped(f.st.level(LevelOK), snapshot.CleanText(what, 0)+": cleared, no longer on the problems panel", innerW)
	case i < len(f.problems):
		title, lines = m.problemDetail(f, f.problems[i], innerW)
	default:
		title, lines = f.theirDetail(f.theirs[i-len(f.problems)], innerW)
	}
	return f.st.box(title, strings.Join(lines, "\n"), w, h, true)
}

// problemDetail is a problem of launchwatch's, opened: its name and
// level, its summary as the alerts word it, the lines it is held
// against, since when and for how long (and the worst it reached, when
// that is not where it stands now), what
// causes it, who acknowledged it, the silence over it, its runbook and
// the dashboard.
func (m *Model) problemDetail(f *frame, p events.Problem, w int) (string, []string) {
	st := f.st
	l := problemLevel(p)
	name := snapshot.CleanText(p.Name(), 60)
	lines := wrapped(st.level(l), levelWord(l)+st.levelMark(l)+" · "+name, w)
	lines = append(lines, wrapped(st.Text, snapshot.CleanText(p.Summary(p.Message), 0), w)...)
	lines = append(lines, "")
	field := func(label, value string, k ink) {
		lines = append(lines, labelled(st, label, value, k, w)...)
	}
	if p.Lines != "" {
		field("lines", snapshot.CleanText(p.Lines, 0), st.Text)
	}
	field("since", f.at(p.Since)+" (for "+capacity.FormatDuration(f.snap.Time.Sub(p.Since))+")", st.Text)
	if p.Worst != "" && p.Worst != p.Message {
		field("worst", snapshot.CleanText(p.Worst, 0), st.Text)
	}
	if !p.Easing.IsZero() {
		field("easing", "under its line for "+capacity.FormatDuration(f.snap.Time.Sub(p.Easing))+", held for close_after", st.Faint)
	}
	for i, c := range events.Causes(p, f.problems) {
		label := ""
		if i == 0 {
			label = "caused by"
		}
		field(label, strings.Repeat("  ", i)+"└ "+snapshot.CleanText(c.Message, 0), st.level(problemLevel(c)))
	}
	switch {
	case p.Ack != nil:
		field("ack", snapshot.CleanText(p.Ack.By, 0)+" at "+f.at(p.Ack.At)+", "+capacity.FormatDuration(f.snap.Time.Sub(p.Ack.At))+" ago", st.Text)
	case f.acked[p.Key()]:
		field("ack", "on this screen", st.Text)
	default:
		field("ack", "nobody yet: a acknowledges it", st.Faint)
	}
	if s, ok := f.silenceOf(p.Key()); ok {
		v := "by " + cmp.Or(s.By, "someone")
		if !s.Until.IsZero() {
			v += " until " + f.at(s.Until) + " (" + capacity.FormatDuration(s.Until.Sub(f.snap.Time)) + " left)"
		}
		if s.Comment != "" {
			v += ": " + s.Comment
		}
		field("silenced", snapshot.CleanText(v, 0), st.Text)
	}
	runbook := ""
	if m.opts.Runbook != nil {
		runbook = m.opts.Runbook(p.Kind, p.Subject)
	}
	field("runbook", cmp.Or(snapshot.CleanText(runbook, 0), "none set (alerts.runbooks)"), urlInk(st, runbook))
	field("dashboard", cmp.Or(snapshot.CleanText(m.opts.DashboardURL, 0), "none set (alerts.dashboard_url)"), urlInk(st, m.opts.DashboardURL))
	field("key", snapshot.CleanText(p.Key(), 0), st.Faint)
	return "Problem · " + name + " · esc back", lines
}

// theirDetail is one of the team's alerts, opened: its name and
// severity, its summary, since when, its labels, and whether their
// Alertmanager holds it silenced.
func (f *frame) theirDetail(a snapshot.TeamAlert, w int) (string, []string) {
	st := f.st
	l, levelled := teamLevel(a)
	k := st.Faint
	if levelled {
		k = st.level(l)
	}
	// Cleaned where they entered (the source, a recording's reader), and
	// once more here: whatever produced the snapshot, their words never
	// drive the terminal.
	name := snapshot.CleanText(a.Name, snapshot.MaxAlertName)
	sev := cmp.Or(snapshot.CleanText(a.Severity, snapshot.MaxSeverity), "no severity")
	lines := wrapped(k, theirMark+st.levelMark(l)+" theirs · "+sev+" · "+name, w)
	if a.Summary != "" {
		lines = append(lines, wrapped(st.Text, snapshot.CleanText(a.Summary, 0), w)...)
	}
	lines = append(lines, "")
	field := func(label, value string, k ink) {
		lines = append(lines, labelled(st, label, value, k, w)...)
	}
	field("since", f.at(a.Since)+" (firing "+capacity.FormatDuration(f.snap.Time.Sub(a.Since))+")", st.Text)
	if a.Labels != "" {
		field("labels", snapshot.CleanText(a.Labels, 0), st.Text)
	}
	if a.Silenced {
		field("silenced", "a silence or an inhibition in their Alertmanager holds it", st.Text)
	}
	from := "their Alertmanager (sources.alertmanager)"
	if age, old := f.theirsAge(); old {
		from += ", as of " + capacity.FormatDuration(age) + " ago: it does not answer"
	}
	field("from", from, st.Faint)
	return "Their alert · " + name + " · esc back", lines
}

// at is a time as the header's clock shows it.
func (f *frame) at(t time.Time) string { return t.In(f.now.Location()).Format("15:04:05") }

// labelled is one field of the detail: its label, faint, in a column, and
// its value wrapped beside it.
func labelled(st *Styles, label, value string, k ink, w int) []string {
	pad := st.Faint.Render(label + strings.Repeat(" ", max(labelW-ansi.StringWidth(label), 0)))
	var out []string
	for i, line := range wrapped(k, value, max(w-labelW, 1)) {
		if i > 0 {
			pad = strings.Repeat(" ", labelW)
		}
		out = append(out, pad+line)
	}
	return out
}

// wrapped is s, clean text, wrapped at w cells (at spaces, else within a
// word: a long URL), each line in ink k.
func wrapped(k ink, s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for line := range strings.SplitSeq(ansi.Wrap(s, w, ""), "\n") {
		out = append(out, k.Render(line))
	}
	return out
}

// urlInk is the ink of a URL, or of the words saying none is set.
func urlInk(st *Styles, url string) ink {
	if url == "" {
		return st.Faint
	}
	return st.Accent
}
