package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// saved records what Options.Annotate was given.
type saved struct {
	at    []time.Time
	texts []string
}

func (s *saved) annotate(at time.Time, text string) error {
	s.at, s.texts = append(s.at, at), append(s.texts, text)
	return nil
}

// pressRun sends a key and runs the command it returns, feeding its
// message back: what a program does with a note's save.
func pressRun(t *testing.T, m Model, k tea.KeyMsg) Model {
	t.Helper()
	next, cmd := m.Update(k)
	m = next.(Model)
	if cmd == nil {
		t.Fatalf("key %q returned no command", k)
	}
	return drive(m, cmd())
}

func TestMMarksTheLiveMomentAndTheNoteReachesEveryScreen(t *testing.T) {
	m, feed := fed(40, 120, 40, termenv.Ascii)
	s := &saved{}
	m.opts.Annotate = s.annotate
	at := feed.Now()
	m = press(m, runes("m"))
	if got := lastLine(m.View()); !strings.Contains(got, "note at T+00:09: ") || !strings.Contains(got, "enter to save") {
		t.Fatalf("m must open the note prompt at the moment shown: %q", got)
	}
	// Typing into the prompt is typing, not keys: q does not quit, w does
	// not switch screens.
	m = press(m, runes("q"), tea.KeyMsg{Type: tea.KeyBackspace}, runes("deploy 1.4.2 w"))
	if m.wall {
		t.Error("w typed into a note switched to the wall")
	}
	feed.setClock(at.Add(5 * time.Second)) // Enter comes later: the moment is m's
	m = pressRun(t, m, tea.KeyMsg{Type: tea.KeyEnter})
	if len(s.texts) != 1 || s.texts[0] != "deploy 1.4.2 w" || !s.at[0].Equal(at) {
		t.Fatalf("Annotate given %v %q, want %s and the text typed", s.at, s.texts, at)
	}
	if got := lastLine(m.View()); !strings.Contains(got, "noted at T+00:09: deploy 1.4.2 w") {
		t.Errorf("the footer does not say the note was kept: %q", got)
	}
	// The pipeline hands it back in the next snapshot, to every screen:
	// the footer names it, on the desk and on the wall.
	s2 := feed.snaps[len(feed.snaps)-1]
	s2.Time = s2.Time.Add(time.Second)
	s2.Annotations = []snapshot.Annotation{{At: at, Text: "deploy 1.4.2 w", By: "alice@war-room"}}
	m = drive(m, feed.msg(s2))
	want := "✎ T+00:09 deploy 1.4.2 w (alice@war-room)"
	if got := lastLine(m.View()); !strings.Contains(got, want) {
		t.Errorf("the desk's footer lacks %q: %q", want, got)
	}
	m = press(m, runes("w"))
	if got := lastLine(m.View()); !m.wall || !strings.Contains(got, want) {
		t.Errorf("the wall's footer lacks %q: %q", want, got)
	}
	if len(m.notes) != 1 {
		t.Errorf("notes %+v, want the one", m.notes)
	}
}

func TestEscOrNoTextSavesNoNote(t *testing.T) {
	m, _ := fed(40, 120, 40, termenv.Ascii)
	s := &saved{}
	m.opts.Annotate = s.annotate
	m = press(m, runes("m"), runes("oops"), tea.KeyMsg{Type: tea.KeyEsc})
	if strings.Contains(lastLine(m.View()), "note at") {
		t.Error("esc left the prompt open")
	}
	next, cmd := press(m, runes("m"), runes("  ")).Update(tea.KeyMsg{Type: tea.KeyEnter})
	if cmd != nil {
		t.Error("an empty note returned a command")
	}
	if got := lastLine(next.(Model).View()); !strings.Contains(got, "nothing was saved") {
		t.Errorf("footer %q", got)
	}
	if len(s.texts) != 0 {
		t.Errorf("Annotate was called: %q", s.texts)
	}
	if _, cmd := m.Update(runes("q")); cmd == nil || cmd() != tea.Quit() {
		t.Error("q quits once the prompt is closed")
	}
}

func TestWithoutAnnotateMDoesNothing(t *testing.T) {
	m, _ := fed(40, 120, 40, termenv.Ascii)
	m = press(m, runes("m"))
	if m.noteIn.Focused() || strings.Contains(m.View(), "note at") {
		t.Error("m opened a prompt nothing keeps")
	}
}

// timelineOf is the replay timeline line of a screen.
func timelineOf(v string) string {
	lines := strings.Split(v, "\n")
	return lines[len(lines)-2]
}

func TestAReplaysTimelineMarksItsAnnotationsAndOneLaidWithM(t *testing.T) {
	m, _, feed := replayModel(t, 60)
	start := feed.snaps[0].Time // T-00:30; the timeline runs 10 minutes
	for _, a := range []snapshot.Annotation{{At: start.Add(8 * time.Minute), Text: "rollback"}, {At: start.Add(time.Hour), Text: "later"}} {
		m.addNote(a)
	}
	m.render()
	tl := timelineOf(m.View())
	if n := strings.Count(tl, "✎"); n != 1 {
		t.Fatalf("timeline %q: want one ✎ (the other note lies past the end)", tl)
	}
	// At eight tenths of the bar, after the crit event at a half.
	bar := []rune(tl)
	at, crit := -1, -1
	for i, r := range bar {
		switch r {
		case '✎':
			at = i
		case '✕':
			crit = i
		}
	}
	if at < crit || crit < 0 {
		t.Errorf("✎ at %d, ✕ at %d: %q", at, crit, tl)
	}
	s := &saved{}
	m.opts.Annotate = s.annotate
	m = press(m, runes("m"), runes("cache purge"))
	m = pressRun(t, m, tea.KeyMsg{Type: tea.KeyEnter})
	if len(s.at) != 1 || !s.at[0].Equal(m.shown().Playback.Position) {
		t.Fatalf("Annotate given %v, want the playback position %s", s.at, m.shown().Playback.Position)
	}
	// The position's ● covers the note laid at it until playback moves on.
	m.shown().Playback.Position = start.Add(5 * time.Minute)
	m.render()
	if n := strings.Count(timelineOf(m.View()), "✎"); n != 2 {
		t.Errorf("after moving on, timeline %q: want the note laid with m marked too", timelineOf(m.View()))
	}
}

func TestANoteTheReplayCouldNotSaveSaysWhy(t *testing.T) {
	m, _, _ := replayModel(t, 40)
	m.opts.Annotate = func(time.Time, string) error { return pipeline.ErrNotLiveNote }
	m = press(m, runes("m"), runes("x"))
	m = pressRun(t, m, tea.KeyMsg{Type: tea.KeyEnter})
	if got := lastLine(m.View()); !strings.Contains(got, "note not saved: annotating through the pipeline") {
		t.Errorf("footer %q", got)
	}
	if len(m.notes) != 0 {
		t.Errorf("a note not saved is on the timeline: %+v", m.notes)
	}
}
