package pipeline

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// noteSink keeps the annotations of every snapshot it is given.
type noteSink struct {
	mu    sync.Mutex
	notes []snapshot.Annotation
}

func (n *noteSink) Append(s snapshot.Snapshot) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notes = append(n.notes, s.Annotations...)
	return nil
}
func (n *noteSink) Close() error { return nil }

// An annotation rides in the next snapshot taken, once: every subscriber
// sees it with that frame and the sinks (the recorder) are given it.
func TestAnAnnotationRidesInTheNextSnapshotOnce(t *testing.T) {
	prod := &scripted{snaps: launch(40), hangAt: 10, hang: make(chan struct{})}
	p := New(Options{Producer: prod, Interval: 2 * time.Millisecond, Plan: testPlan(), Thresholds: capacity.DefaultThresholds()})
	sink := &noteSink{}
	p.AddSink(sink)
	a, b := p.Subscribe(), p.Subscribe()
	stopRun := run(t, p)
	var once sync.Once
	stop := func() { once.Do(stopRun) }
	defer stop()

	held := nextWith(t, a, func(f Frame) bool { return f.Snapshot.Time.Equal(prod.snaps[8].Time) })
	at := prod.snaps[8].Time.Add(300 * time.Millisecond)
	if err := p.Annotate(at, "deploy 1.4.2\x1b[31m", "alice@war-room"); err != nil {
		t.Fatal(err)
	}
	if err := p.Annotate(at, "  ", "alice"); err == nil {
		t.Error("an empty annotation was taken")
	}
	close(prod.hang)
	want := snapshot.Annotation{At: at.UTC(), Text: "deploy 1.4.2", By: "alice@war-room"}
	for name, sub := range map[string]*Subscription{"a": a, "b": b} {
		f := nextWith(t, sub, func(f Frame) bool { return f.Seq > held.Seq && len(f.Snapshot.Annotations) > 0 })
		if len(f.Snapshot.Annotations) != 1 || f.Snapshot.Annotations[0] != want {
			t.Errorf("subscriber %s: annotations %+v, want %+v", name, f.Snapshot.Annotations, want)
		}
		if !f.Snapshot.Time.After(held.Snapshot.Time) {
			t.Errorf("subscriber %s: carried by the snapshot of %s, not one taken after it was given", name, f.Snapshot.Time)
		}
	}
	nextWith(t, a, func(f Frame) bool { return f.Snapshot.Time.Equal(prod.snaps[20].Time) })
	stop()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.notes) != 1 || sink.notes[0] != want {
		t.Errorf("the sink was given %+v, want the annotation once", sink.notes)
	}
}

func TestAReplaysPipelineTakesNoAnnotation(t *testing.T) {
	p := New(Options{Player: &failing{}, Plan: testPlan()})
	if err := p.Annotate(time.Now(), "deploy", "alice"); !errors.Is(err, ErrNotLiveNote) {
		t.Errorf("Annotate on a replay: %v, want ErrNotLiveNote", err)
	}
}

// A pipeline holding as many notes as it takes for one snapshot refuses
// the next with ErrNotesFull, a note that is only early, and takes notes
// again once a snapshot has carried them; a note with no text is refused
// for itself, not as full.
func TestAFullPipelineRefusesANoteAsEarlyNotWrong(t *testing.T) {
	p := New(Options{Producer: &scripted{snaps: launch(3)}, Plan: testPlan()})
	at := time.Now()
	for i := range maxPendingNotes {
		if err := p.Annotate(at, "deploy", "ci"); err != nil {
			t.Fatalf("note %d: %v", i+1, err)
		}
	}
	if err := p.Annotate(at, "one more", "ci"); !errors.Is(err, ErrNotesFull) {
		t.Errorf("note %d: %v, want ErrNotesFull", maxPendingNotes+1, err)
	}
	if err := p.Annotate(at, " ", "ci"); err == nil || errors.Is(err, ErrNotesFull) {
		t.Errorf("a note without text: %v, want its own refusal", err)
	}
	p.mu.Lock()
	s := p.stampNotes(snapshot.Snapshot{Time: at})
	p.mu.Unlock()
	if len(s.Annotations) != maxPendingNotes {
		t.Errorf("the snapshot carried %d notes, want %d", len(s.Annotations), maxPendingNotes)
	}
	if err := p.Annotate(at, "one more", "ci"); err != nil {
		t.Errorf("after a snapshot took the notes: %v", err)
	}
}
