package tui

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/launchwatch/launchwatch/snapshot"
)

// The m key marks the moment on screen with a note: live, the wall clock
// of the producer when m was pressed; in a replay, the playback position.
// Enter saves it through Options.Annotate, in a command, since a replay
// appends it to its file; Esc cancels.

// notedMsg says how saving an annotation went.
type notedMsg struct {
	a   snapshot.Annotation
	err error
}

// newNoteInput is the prompt m opens.
func newNoteInput(s Styles) textinput.Model {
	in := textinput.New()
	in.PromptStyle = s.Accent.Style
	in.CharLimit = snapshot.MaxAnnotationText
	in.Cursor.SetMode(cursor.CursorStatic) // no blink ticks re-rendering the screen
	return in
}

// markMoment is the moment m marks: the replay's position, or the
// producer's clock live.
func (m *Model) markMoment() time.Time {
	if pb := m.shown().Playback; m.opts.Replay != nil && pb != nil {
		return pb.Position
	}
	return m.opts.Clock()
}

// openNote opens the note prompt on the moment of now.
func (m Model) openNote() (Model, tea.Cmd) {
	m.markAt = m.markMoment()
	m.noteIn.SetValue("")
	m.noteIn.Prompt = "note at " + m.relTime(m.markAt) + ": "
	m.note = ""
	cmd := m.noteIn.Focus()
	m.render()
	return m, cmd
}

// updateNoteKey handles a key while the note prompt is open: enter saves
// (in a command), esc cancels, the rest edit.
func (m Model) updateNoteKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg.Type {
	case tea.KeyEnter:
		text := strings.TrimSpace(m.noteIn.Value())
		m.noteIn.Blur()
		if text == "" {
			m.note = "no note: nothing was saved"
			break
		}
		a, save := snapshot.Annotation{At: m.markAt, Text: text}, m.opts.Annotate
		cmd = func() tea.Msg { return notedMsg{a: a, err: save(a.At, a.Text)} }
	case tea.KeyEsc:
		m.noteIn.Blur()
	default:
		*m.noteIn, cmd = m.noteIn.Update(msg)
	}
	m.render()
	return m, cmd
}

// takeNoted shows how saving went. A replay's note joins its timeline at
// once; a live one comes back with the next frame (takeNotes).
func (m *Model) takeNoted(msg notedMsg) {
	if msg.err != nil {
		m.note = "note not saved: " + snapshot.CleanText(msg.err.Error(), 200)
		return
	}
	if m.opts.Replay != nil {
		m.addNote(msg.a.Clean())
	}
	m.note = "noted at " + m.relTime(msg.a.At) + ": " + snapshot.CleanText(msg.a.Text, snapshot.MaxAnnotationText)
}

// takeNotes keeps the annotations a frame's snapshot carries, and says the
// newest in the footer on every screen.
func (m *Model) takeNotes(s snapshot.Snapshot) {
	for _, a := range s.Annotations {
		if m.addNote(a.Clean()) {
			m.note = "✎ " + m.relTime(a.At) + " " + a.Clean().Text
			if a.By != "" {
				m.note += " (" + a.Clean().By + ")"
			}
		}
	}
}

// addNote keeps a in time order; false when it is known already.
func (m *Model) addNote(a snapshot.Annotation) bool {
	if slices.Contains(m.notes, a) {
		return false
	}
	// After every note of its moment or earlier: two at one moment keep
	// the order they came in.
	i := sort.Search(len(m.notes), func(i int) bool { return m.notes[i].At.After(a.At) })
	m.notes = slices.Insert(m.notes, i, a)
	return true
}

// relTime is a moment as the screen says it: from T0, or the clock
// without one.
func (m *Model) relTime(t time.Time) string {
	if t0 := m.opts.Plan.LaunchAt; !t0.IsZero() {
		return countdown(t.Sub(t0))
	}
	return t.Format("15:04:05")
}

// noteFooter is the footer while the note prompt is open.
func (m *Model) noteFooter(w int) string {
	return fit(m.noteIn.View()+m.styles.Faint.Render("  enter to save, esc to cancel"), w, 1)
}
