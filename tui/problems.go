package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/charmbracelet/x/ansi"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// problemsTitle counts what is wrong now in the panel's border:
// launchwatch's problems, then the team's own alerts apart (theirs), with
// their age when the Alertmanager has not answered this poll.
func problemsTitle(f *frame) string {
	t := "Problems"
	if len(f.problems) > 0 {
		t += fmt.Sprintf(" · %d now", len(f.problems))
	}
	if len(f.theirs) > 0 {
		t += fmt.Sprintf(" · %d theirs", len(f.theirs))
		if age, old := f.theirsAge(); old {
			t += " " + capacity.FormatDuration(age) + " old"
		}
	}
	return t
}

// problemsPanel lists what is wrong now, grouped by cause and worst first,
// each with its live figure (the message is rewritten every snapshot) and
// how long it has stood; a problem caused by another stands under it,
// marked └ (page weight, └ the link full, └ the 502s). One easing under
// its line says so; one acknowledged says who took it and how long ago
// (ack alice@war-room 2m) and rings no more; one an Alertmanager silence
// covers says who silenced it. The team's own alerts follow, marked ◇
// theirs, worst first. The selected row (the panel focused) is marked ›.
func problemsPanel(f *frame, w, h int) string {
	st := f.st
	total := len(f.problems) + len(f.theirs)
	if total == 0 {
		if !f.data {
			return st.Faint.Render("waiting for data")
		}
		return st.level(LevelOK).Render("nothing wrong now")
	}
	// When the list is longer than the panel, the last row says how many
	// more there are, and the rows above keep the selected row in view.
	rows := h
	if total > h {
		rows = max(h-1, 1)
	}
	first := 0
	if f.selected >= rows {
		first = f.selected - rows + 1
	}
	var lines []string
	for i := first; i < total && len(lines) < rows; i++ {
		if i >= len(f.problems) {
			lines = append(lines, f.theirLine(f.theirs[i-len(f.problems)], i == f.selected, w))
			continue
		}
		p := f.problems[i]
		l := problemLevel(p)
		cursor := " "
		if i == f.selected {
			cursor = "›"
		}
		since := capacity.FormatDuration(f.snap.Time.Sub(p.Since))
		head := cursor + st.level(l).Render(problemMark(l)+st.levelMark(l)) + " " + st.Faint.Render(fmt.Sprintf("%6s", since)) + " "
		if d := f.depthOf(i); d > 0 {
			head += st.Faint.Render(strings.Repeat("  ", d-1) + "└ ")
		}
		tail := ""
		if !p.Easing.IsZero() {
			tail += st.Faint.Render(" easing " + capacity.FormatDuration(f.snap.Time.Sub(p.Easing)))
		}
		switch {
		case p.Ack != nil:
			tail += st.Faint.Render(" ack " + cleanCut(p.Ack.By, maxTailBy) + " " + capacity.FormatDuration(f.snap.Time.Sub(p.Ack.At)))
		case f.acked[p.Key()]:
			tail += st.Faint.Render(" ack")
		}
		if sil, ok := f.silenceOf(p.Key()); ok {
			tail += st.Faint.Render(" silenced" + byWhom(sil.By))
		}
		room := max(w-ansi.StringWidth(head)-ansi.StringWidth(tail), 0)
		lines = append(lines, head+st.level(l).Render(cleanCut(p.Message, room))+tail)
	}
	if hidden := total - len(lines); hidden > 0 && len(lines) < h {
		lines = append(lines, st.Faint.Render(fmt.Sprintf("  … %d more (focus this panel, ↑/↓)", hidden)))
	}
	return strings.Join(lines, "\n")
}

// maxTailBy bounds who acknowledged or silenced a problem on its row: the
// figure before it keeps its room.
const maxTailBy = 24

// byWhom is " by NAME", cut for a row; "" when nobody is named.
func byWhom(by string) string {
	if by == "" {
		return ""
	}
	return " by " + cleanCut(by, maxTailBy)
}

// problemLevel is the level a problem is drawn in.
func problemLevel(p events.Problem) Level {
	if p.Severity == events.Crit {
		return LevelCrit
	}
	return LevelWarn
}

// problemMark is a problem's mark at a level: ✕ critical, ▲ warning.
func problemMark(l Level) string {
	if l == LevelCrit {
		return "✕"
	}
	return "▲"
}

// theirMark marks the team's own alerts, whatever their level: ◇, as
// launchwatch's are ✕ and ▲.
const theirMark = "◇"

// teamLevel is the level a team's alert is drawn in, by its severity
// label: critical, warning, else (info, none) the faint of a note.
func teamLevel(a snapshot.TeamAlert) (Level, bool) {
	switch snapshot.TeamSeverity(a.Severity) {
	case snapshot.TeamCritical:
		return LevelCrit, true
	case snapshot.TeamWarning:
		return LevelWarn, true
	}
	return LevelOK, false
}

// theirLine is one of the team's alerts on the problems panel: ◇, how
// long it has fired, theirs, its name and summary (its labels without
// one), and silenced when their Alertmanager holds it.
func (f *frame) theirLine(a snapshot.TeamAlert, selected bool, w int) string {
	st := f.st
	cursor := " "
	if selected {
		cursor = "›"
	}
	l, levelled := teamLevel(a)
	ink := st.Faint
	if levelled {
		ink = st.level(l)
	}
	since := capacity.FormatDuration(f.snap.Time.Sub(a.Since))
	head := cursor + ink.Render(theirMark+st.levelMark(l)) + " " + st.Faint.Render(fmt.Sprintf("%6s", since)) + " " + st.Faint.Render("theirs") + " "
	tail := ""
	if a.Silenced {
		tail = st.Faint.Render(" silenced")
	}
	text := a.Name
	switch {
	case a.Summary != "":
		text += ": " + a.Summary
	case a.Labels != "":
		text += " " + a.Labels
	}
	room := max(w-ansi.StringWidth(head)-ansi.StringWidth(tail), 0)
	return head + ink.Render(cleanCut(text, room)) + tail
}

// theirsAge is how old the team's alerts on screen are when their
// Alertmanager did not answer the poll of this snapshot (they are its
// last answer, carried); old is false while it answers.
func (f *frame) theirsAge() (age time.Duration, old bool) {
	src, ok := f.snap.Sources[snapshot.SourceAlertmanager]
	if !ok || src.Answered(f.snap.Time) {
		return 0, false
	}
	return max(f.snap.Time.Sub(src.LastSuccess), 0), true
}

// silenceOf is the Alertmanager silence over the problem under key, if
// one stands at the snapshot's time.
func (f *frame) silenceOf(key string) (snapshot.Silence, bool) { return silenceOver(f.snap, key) }

// silenceOver is the silence over the problem under key in a snapshot, if
// one stands at its time: one carried past its end (the Alertmanager not
// answering) is over.
func silenceOver(snap snapshot.Snapshot, key string) (snapshot.Silence, bool) {
	s, ok := snap.Silences[key]
	if !ok || (!s.Until.IsZero() && !s.Until.After(snap.Time)) {
		return snapshot.Silence{}, false
	}
	return s, true
}

// depthOf is how deep the i-th problem stands under its causes.
func (f *frame) depthOf(i int) int {
	if i < len(f.depths) {
		return f.depths[i]
	}
	return 0
}

// problemCursor is the selected row's index while the problems panel has
// the focus: launchwatch's problems first, then the team's alerts; -1
// otherwise. The selection follows its row (a problem's kind and subject,
// a team alert's name and labels) as the list is sorted anew every frame;
// when that row has gone, the row it stood on.
func (m *Model) problemCursor() int {
	fr := m.shown()
	n := len(fr.Problems) + len(fr.Snapshot.TeamAlerts)
	if m.focus != panelProblems || n == 0 {
		return -1
	}
	if i := rowIndex(fr, m.selected); i >= 0 {
		return i
	}
	return min(max(m.cursor, 0), n-1)
}

// rowIndex is the index of the row under key in a frame's problems panel;
// -1 when it is not there.
func rowIndex(fr pipeline.Frame, key string) int {
	if key == "" {
		return -1
	}
	if k, theirs := strings.CutPrefix(key, theirsKey); theirs {
		for i, a := range fr.Snapshot.TeamAlerts {
			if a.Key() == k {
				return len(fr.Problems) + i
			}
		}
		return -1
	}
	for i, p := range fr.Problems {
		if p.Key() == key {
			return i
		}
	}
	return -1
}

// theirsKey starts the key of a team alert's row: its own key cannot be
// taken for a problem's (kind/subject).
const theirsKey = "theirs\x00"

// rowKey is the key of the i-th row of a frame's problems panel.
func rowKey(fr pipeline.Frame, i int) string {
	if i < len(fr.Problems) {
		return fr.Problems[i].Key()
	}
	return theirsKey + fr.Snapshot.TeamAlerts[i-len(fr.Problems)].Key()
}

// selectProblem puts the cursor on the i-th row now.
func (m *Model) selectProblem(i int) {
	fr := m.shown()
	n := len(fr.Problems) + len(fr.Snapshot.TeamAlerts)
	if n == 0 {
		return
	}
	m.cursor = min(max(i, 0), n-1)
	m.selected = rowKey(fr, m.cursor)
	if m.note == theirsNote {
		m.note = ""
	}
}

// flashFor is how long the problems panel's border flashes after a new
// critical problem.
const flashFor = 3 * time.Second

// alarm is how the screen calls for attention: a new critical problem,
// not acknowledged, rings the bell once and flashes the problems panel's
// border for flashFor.
type alarm struct {
	started  bool            // a frame has come: what stood at the first is not news
	seen     map[string]bool // the problems critical in the last frame
	until    time.Time       // the flash ends (wall time)
	flashing bool
}

func (a alarm) flashOn(now time.Time) bool { return now.Before(a.until) }

// takeProblems follows a new frame's problems: forgets acknowledgements of
// problems that cleared, and rings and flashes for a problem that became
// critical since the last frame (not at the first, not acknowledged). It
// returns the bell's command, or nil.
func (m *Model) takeProblems(f pipeline.Frame) tea.Cmd {
	now := make(map[string]bool, len(f.Problems))
	for _, p := range f.Problems {
		now[p.Key()] = true
	}
	for k := range m.acked {
		if !now[k] {
			delete(m.acked, k)
		}
	}
	first := !m.alarm.started
	m.alarm.started = true
	fresh := false
	seen := make(map[string]bool, len(f.Problems))
	for _, p := range f.Problems {
		k := p.Key()
		if p.Severity != events.Crit {
			continue
		}
		seen[k] = true
		// What is critical at the first frame is on the screen already;
		// a replay shows the past: nothing in it is news. A problem
		// someone acknowledged or silenced is taken.
		if _, silenced := silenceOver(f.Snapshot, k); !first && !m.alarm.seen[k] && !m.acked[k] && p.Ack == nil && !silenced && m.opts.Replay == nil {
			fresh = true
		}
	}
	// A problem rings when it becomes critical: when it opens so, when a
	// warning turns critical, and again if it clears and comes back.
	m.alarm.seen = seen
	if !fresh {
		return nil
	}
	m.alarm.until, m.alarm.flashing = m.opts.Wall().Add(flashFor), true
	if bell := m.opts.Bell; bell != nil {
		return func() tea.Msg { bell(); return nil }
	}
	return nil
}

// acknowledge acknowledges the selected problem (the one opened, else the
// one the cursor is on, else the worst, acknowledged or not, not the
// first row, which is its group's root) until it clears, for every screen when the
// pipeline takes it (Options.Acknowledge), and stops the flash. A team's
// alert is theirs: the footer says where it is acknowledged.
func (m *Model) acknowledge() {
	fr := m.shown()
	ps := fr.Problems
	i := m.problemCursor()
	if m.detail != "" {
		if i = rowIndex(fr, m.detail); i < 0 {
			return // the problem opened has cleared: nothing to take
		}
	}
	if i >= len(ps) {
		m.note = theirsNote
		return
	}
	if len(ps) == 0 {
		return
	}
	// The worst as if nobody had acknowledged anything: acknowledged
	// problems sort below the rest of their severity, so the worst by
	// Compare would move on to the next at each press, and a double tap
	// would take a problem nobody looked at.
	p := slices.MinFunc(ps, func(a, b events.Problem) int {
		a.Ack, b.Ack = nil, nil
		return events.Compare(a, b)
	})
	if i >= 0 {
		p = ps[i]
	}
	m.alarm.until, m.alarm.flashing = time.Time{}, false
	if ack := m.opts.Acknowledge; ack != nil {
		if err := ack(p.Key()); err != nil {
			m.note = cleanCut(err.Error(), 120)
		}
		return
	}
	if m.acked == nil {
		m.acked = make(map[string]bool)
	}
	m.acked[p.Key()] = true
}

// theirsNote answers a on a team's alert, in the footer until the
// selection moves.
const theirsNote = "a team alert is theirs to acknowledge: silence it in their Alertmanager"

// scroll moves the problems panel's cursor or the event log, whichever
// has the focus; false when neither has it.
func (m *Model) scroll(msg tea.KeyMsg) bool {
	k := m.keys
	step := 1
	if keyMatches(msg, k.PageUp) || keyMatches(msg, k.PageDown) {
		step = max(m.height/2, 1)
	}
	if keyMatches(msg, k.Down) || keyMatches(msg, k.PageDown) {
		step = -step
	}
	if m.detail != "" {
		// A problem opened: up and down open the row above or below it.
		m.selectProblem(max(rowIndex(m.shown(), m.detail), m.problemCursor()) - step)
		if m.selected != "" {
			m.detail = m.selected
		}
		return true
	}
	if m.drill != "" {
		// Drilled into a server: up and down go to the one above or below
		// it in the fleet's order.
		rows := m.shownFleet()
		i := slices.IndexFunc(rows, func(r fleetRow) bool { return r.srv.Name == m.drill })
		m.selectServer(rows, i-step)
		if len(rows) > 0 {
			m.drill = m.fleetSelected
		}
		return true
	}
	switch m.focus {
	case panelFleet:
		rows := m.shownFleet()
		m.selectServer(rows, m.fleetCursor(rows)-step)
	case panelProblems:
		// Up is towards the worst, at the top.
		m.selectProblem(m.problemCursor() - step)
	case panelEvents:
		// The newest is at the top: down goes to older events, no further
		// than a panel's worth before the oldest.
		n := 0
		for _, e := range m.shown().Log.All() {
			if e.Severity >= m.logMin {
				n++
			}
		}
		m.logOffset = min(max(m.logOffset-step, 0), max(n-1, 0))
	default:
		return false
	}
	return true
}

// keepLogInPlace keeps a scrolled event log on the events it showed: the
// events that came since the last frame push the offset down by as many
// as the filter shows, so reading back is not undone by the next event.
func (m *Model) keepLogInPlace() {
	all := m.latest.Log.All()
	if len(all) == 0 {
		return
	}
	if m.logOffset > 0 {
		newer := 0
		for i := len(all) - 1; i >= 0; i-- {
			if all[i] == m.logAnchor {
				m.logOffset += newer // else the anchor has left the log: leave it
				break
			}
			if all[i].Severity >= m.logMin {
				newer++
			}
		}
	}
	m.logAnchor = all[len(all)-1]
}
