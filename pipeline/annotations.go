package pipeline

import (
	"errors"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// ErrNotLiveNote is why a replay's pipeline takes no annotation: a replay
// appends its annotations to its recording itself.
var ErrNotLiveNote = errors.New("annotating through the pipeline is for a live watch: a replay appends to its recording")

// ErrNotesFull is Annotate's refusal while as many notes as it holds
// (maxPendingNotes) wait for the next snapshot: the note is not wrong,
// only early, and is taken once that snapshot has taken the others.
var ErrNotesFull = errors.New("too many annotations wait for the next snapshot")

// maxPendingNotes bounds the annotations waiting for the next snapshot: a
// poll that hangs must not let a held-down key grow them without end.
const maxPendingNotes = 100

// Annotate lays a note (text, by a person) on the moment at for every
// screen of the pipeline: the next snapshot taken carries it
// (Snapshot.Annotations), so every subscriber sees it with that frame and
// the recorder writes it into the recording. Text and by are cleaned for
// a terminal; an empty text is refused.
func (p *Pipeline) Annotate(at time.Time, text, by string) error {
	if p.opts.Player != nil {
		return ErrNotLiveNote
	}
	a := snapshot.Annotation{At: at.UTC(), Text: text, By: by}.Clean()
	if strings.TrimSpace(a.Text) == "" {
		return errors.New("an annotation needs text")
	}
	if at.IsZero() {
		return errors.New("an annotation needs a time")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return ErrClosed
	}
	if len(p.notes) >= maxPendingNotes {
		return ErrNotesFull
	}
	p.notes = append(p.notes, a)
	return nil
}

// stampNotes moves the annotations given since the last snapshot into s.
// p.mu is held.
func (p *Pipeline) stampNotes(s snapshot.Snapshot) snapshot.Snapshot {
	if len(p.notes) > 0 {
		s.Annotations = append(s.Annotations, p.notes...)
		p.notes = nil
	}
	return s
}
