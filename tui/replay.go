package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
)

// Replay controls a recording played back (replay.Player is one). Each
// call only sets the player's state under its lock and returns at once (no
// IO), so the dashboard calls it from Update, in the order the keys came:
// as commands, each on a goroutine of its own, two quick keys (end, then
// space) could apply the other way round. The pipeline publishes the new
// position as a frame.
type Replay interface {
	TogglePause()
	Faster()
	Slower()
	SeekBy(d time.Duration)
	SeekStart()
	SeekEnd()
	// SeekTo moves to a time as typed: "T+05:00", "T-30s", "14:03".
	SeekTo(s string) error
	// NextEvent and PrevEvent move between events; false: none that way.
	NextEvent() (bool, error)
	PrevEvent() (bool, error)
}

func quiet(f func()) func() string { return func() string { f(); return "" } }

// updateReplayKey handles a replay's keys; handled false leaves the key to
// the dashboard's own bindings.
func (m Model) updateReplayKey(msg tea.KeyMsg) (Model, tea.Cmd, bool) {
	r, k := m.opts.Replay, m.keys
	if m.goTo.Focused() {
		var cmd tea.Cmd
		switch msg.Type {
		case tea.KeyEnter:
			text := m.goTo.Value()
			m.goTo.Blur()
			m.note = errText(r.SeekTo(text))
		case tea.KeyEsc:
			m.goTo.Blur()
		default:
			*m.goTo, cmd = m.goTo.Update(msg)
		}
		m.render()
		return m, cmd, true
	}
	var f func() string
	switch {
	case keyMatches(msg, k.PlayPause):
		f = quiet(r.TogglePause)
	case keyMatches(msg, k.Faster):
		f = quiet(r.Faster)
	case keyMatches(msg, k.Slower):
		f = quiet(r.Slower)
	case keyMatches(msg, k.Rewind):
		f = quiet(func() { r.SeekBy(-10 * time.Second) })
	case keyMatches(msg, k.Forward):
		f = quiet(func() { r.SeekBy(10 * time.Second) })
	case keyMatches(msg, k.RewindMin):
		f = quiet(func() { r.SeekBy(-time.Minute) })
	case keyMatches(msg, k.ForwardMin):
		f = quiet(func() { r.SeekBy(time.Minute) })
	case keyMatches(msg, k.Start):
		f = quiet(r.SeekStart)
	case keyMatches(msg, k.End):
		f = quiet(r.SeekEnd)
	case keyMatches(msg, k.NextEvent):
		f = func() string { return jumpNote2(r.NextEvent, "no later event") }
	case keyMatches(msg, k.PrevEvent):
		f = func() string { return jumpNote2(r.PrevEvent, "no earlier event") }
	case keyMatches(msg, k.GoTo):
		m.goTo.SetValue("")
		m.note = ""
		cmd := m.goTo.Focus()
		m.render()
		return m, cmd, true
	default:
		return m, nil, false
	}
	m.note = f() // a control's answer worth a line in the footer, or ""
	m.render()
	return m, nil, true
}

func jumpNote2(jump func() (bool, error), none string) string {
	ok, err := jump()
	return jumpNote(ok, err, none)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func jumpNote(ok bool, err error, none string) string {
	switch {
	case err != nil:
		return err.Error()
	case !ok:
		return none
	}
	return ""
}

// replayBadge is the header's REPLAY mark in place of LIVE: the speed, and
// whether it plays.
func replayBadge(pb *pipeline.Playback) string {
	if pb == nil {
		return "REPLAY"
	}
	state := "▶"
	switch {
	case pb.Ended:
		state = "■ end"
	case pb.Paused:
		state = "⏸"
	}
	return fmt.Sprintf("REPLAY %gx %s", pb.Speed, state)
}

// timeline draws a replay's position in its recording on one line: the
// played part, T0 (┃), the events (▲ warn, ✕ crit, · info), the
// annotations (◆) and the position (●), between the start and end times relative to T0.
func (m *Model) timeline(w int) string {
	pb := m.shown().Playback
	st := m.styles
	if pb == nil || pb.Len == 0 || w < 20 {
		return fit(st.Faint.Render("replay: waiting for the recording"), w, 1)
	}
	t0 := m.opts.Plan.LaunchAt
	label := m.replayTime
	left, right := label(pb.Start)+" ", " "+label(pb.End)
	n := w - len([]rune(left)) - len([]rune(right))
	if n < 5 {
		return fit(st.Faint.Render(label(pb.Position)), w, 1)
	}
	span := pb.End.Sub(pb.Start)
	cell := func(t time.Time) int {
		if span <= 0 {
			return 0
		}
		return min(max(int(float64(t.Sub(pb.Start))/float64(span)*float64(n-1)+0.5), 0), n-1)
	}
	marks := make([]events.Severity, n)
	has := make([]bool, n)
	for _, e := range pb.Marks {
		c := cell(e.Time)
		if !has[c] || e.Severity > marks[c] {
			marks[c], has[c] = e.Severity, true
		}
	}
	noted := make([]bool, n)
	for _, a := range m.notes {
		if !a.At.Before(pb.Start) && !a.At.After(pb.End) {
			noted[cell(a.At)] = true
		}
	}
	pos := cell(pb.Position)
	zero := -1
	if !t0.IsZero() && !t0.Before(pb.Start) && !t0.After(pb.End) {
		zero = cell(t0)
	}
	// Each cell is styled on its own, written straight into the line: a
	// cell is a 3-byte glyph between the sequences of the longest of the
	// inks it may take.
	seq := 0
	for _, k := range []ink{st.Accent, st.Faint, st.Bold, st.level(LevelNone), st.level(LevelWarn), st.level(LevelCrit)} {
		seq = max(seq, len(k.pre)+len(k.post))
	}
	var b strings.Builder
	b.Grow(len(left) + len(right) + n*(3+seq) + 2*(len(st.Faint.pre)+len(st.Faint.post)))
	st.Faint.write(&b, left)
	for i := range n {
		switch {
		case i == pos:
			st.Accent.write(&b, "●")
		case noted[i]:
			st.Accent.write(&b, "✎")
		case has[i]:
			glyph, l := "·", LevelNone
			switch marks[i] {
			case events.Warn:
				glyph, l = "▲", LevelWarn
			case events.Crit:
				glyph, l = "✕", LevelCrit
			}
			st.level(l).write(&b, glyph)
		case i == zero:
			st.Bold.write(&b, "┃")
		case i < pos:
			st.Accent.write(&b, "━")
		default:
			st.Faint.write(&b, "─")
		}
	}
	st.Faint.write(&b, right)
	return fit(b.String(), w, 1)
}

// replayTime labels a moment of the recording as the timeline does:
// relative to T0, or the clock time without one.
func (m *Model) replayTime(t time.Time) string {
	if t0 := m.opts.Plan.LaunchAt; !t0.IsZero() {
		return countdown(t.Sub(t0))
	}
	return t.Format("15:04:05")
}

// replayFooter is the footer of a replay: the go-to prompt while it is
// open, else a seek under way, the last control's note and the keys. A
// seek says so until its frame comes: the figures above are still those
// from before it.
func (m *Model) replayFooter(w int) string {
	if m.goTo.Focused() {
		return fit(m.goTo.View()+m.styles.Faint.Render("  enter to go, esc to cancel"), w, 1)
	}
	if m.noteIn.Focused() {
		return m.noteFooter(w)
	}
	m.help.Width = w
	help := m.help.ShortHelpView(m.keys.ReplayShortHelp())
	if m.note != "" {
		help = m.styles.level(LevelWarn).Render(m.note) + m.styles.Faint.Render(" • ") + help
	}
	if pb := m.shown().Playback; pb != nil && pb.Seeking {
		help = m.styles.Accent.Render("seeking to "+m.replayTime(pb.Position)+"…") + m.styles.Faint.Render(" • ") + help
	}
	return fit(help, w, 1)
}

// newGoTo is the prompt `g` opens.
func newGoTo(s Styles) textinput.Model {
	in := textinput.New()
	in.Prompt = "go to (T+05:00, T-30s, 14:03): "
	in.PromptStyle = s.Accent.Style
	in.CharLimit = 32
	in.Cursor.SetMode(cursor.CursorStatic) // no blink ticks re-rendering the screen
	return in
}
