package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// ackSink keeps the acknowledgements of every snapshot it is given.
type ackSink struct {
	mu   sync.Mutex
	acks []map[string]snapshot.Ack
}

func (a *ackSink) Append(s snapshot.Snapshot) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.acks = append(a.acks, s.Acks)
	return nil
}
func (a *ackSink) Close() error { return nil }

// failing scripts a launch whose error rate is at crit for the first
// `bad` seconds, fine for `good`, then at crit again.
func errorBurst(bad, good, again int) []snapshot.Snapshot {
	out := launch(bad + good + again)
	for i := range out {
		rate := 0.2
		if i >= bad && i < bad+good {
			rate = 0
		}
		out[i].ErrorRate = snapshot.Some(rate)
	}
	return out
}

func nextWith(t *testing.T, sub *Subscription, ok func(Frame) bool) Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		f, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok(f) {
			return f
		}
	}
}

func problem(f Frame, key string) (events.Problem, bool) {
	for _, p := range f.Problems {
		if p.Key() == key {
			return p, true
		}
	}
	return events.Problem{}, false
}

// An acknowledgement given on one screen reaches every subscriber at once,
// on the frame they already have (the same Seq, no new poll), and the
// alerts' frame sinks; from the next snapshot on it is written into each
// snapshot (so the recording keeps it), the log says who took it, and it
// is forgotten when its problem resolves: the problem opening again is
// not acknowledged.
func TestAnAcknowledgementReachesEveryScreenAtOnceAndHoldsUntilItsProblemResolves(t *testing.T) {
	const bad, good = 20, 60
	key := events.Key(events.KindErrors, capacity.SubjectErrorRate)
	prod := &scripted{snaps: errorBurst(bad, good, 40), hangAt: bad, hang: make(chan struct{})}
	p := New(Options{Producer: prod, Interval: 2 * time.Millisecond, Plan: testPlan(), Thresholds: capacity.DefaultThresholds()})
	sink := &ackSink{}
	p.AddSink(sink)
	frames := &ackFrames{}
	p.AddFrameSink(frames)
	a, b := p.Subscribe(), p.Subscribe()
	stopRun := run(t, p)
	var once sync.Once
	stop := func() { once.Do(stopRun) }
	defer stop()

	if err := p.Acknowledge(key, "alice"); err == nil {
		t.Error("an acknowledgement of a problem that does not stand was taken")
	}
	// The poll that hangs holds the loop on the last frame before it.
	open := nextWith(t, a, func(f Frame) bool {
		_, ok := problem(f, key)
		return ok && f.Snapshot.Time.Equal(prod.snaps[bad-2].Time)
	})
	_ = nextWith(t, b, func(f Frame) bool { return f.Seq == open.Seq })
	if err := p.Acknowledge(key, "alice@war-room\x1b[31m"); err != nil {
		t.Fatal(err)
	}
	if err := p.Acknowledge(key, "bob"); err != nil {
		t.Fatal(err)
	}
	for name, sub := range map[string]*Subscription{"a": a, "b": b} {
		f := nextWith(t, sub, func(Frame) bool { return true })
		pr, _ := problem(f, key)
		// The producer's clock: the last poll answered, or the one that
		// hangs once it has begun.
		if f.Seq != open.Seq || pr.Ack == nil || pr.Ack.By != "alice@war-room" ||
			(!pr.Ack.At.Equal(prod.snaps[bad-2].Time) && !pr.Ack.At.Equal(prod.snaps[bad-1].Time)) {
			t.Fatalf("subscriber %s: frame %d (open at %d), ack %+v: want the same frame acknowledged by the first, cleaned, at the producer's clock", name, f.Seq, open.Seq, pr.Ack)
		}
	}
	if got := frames.ackedAt(open.Seq, key); !got {
		t.Error("the frame sinks (the alerts) were not given the acknowledged frame")
	}
	close(prod.hang)

	next := nextWith(t, a, func(f Frame) bool { return f.Seq > open.Seq })
	if _, ok := next.Snapshot.Acks[key]; !ok {
		t.Fatalf("the next snapshot does not carry the acknowledgement: %v", next.Snapshot.Acks)
	}
	said := false
	for _, e := range next.Log.All() {
		if e.Kind == events.KindAck && e.Subject == key && e.Message == "error burst acknowledged by alice@war-room" {
			said = true
		}
	}
	if !said {
		t.Error("the event log does not say who acknowledged")
	}
	resolved := nextWith(t, a, func(f Frame) bool { _, ok := problem(f, key); return !ok && f.Seq > next.Seq })
	again := nextWith(t, a, func(f Frame) bool { _, ok := problem(f, key); return ok && f.Seq > resolved.Seq })
	if pr, _ := problem(again, key); pr.Ack != nil || len(again.Snapshot.Acks) != 0 {
		t.Errorf("the problem opening again is acknowledged (%+v, %v): an acknowledgement holds until its problem resolves", pr.Ack, again.Snapshot.Acks)
	}
	stop()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	withAck := 0
	for _, acks := range sink.acks {
		if _, ok := acks[key]; ok {
			withAck++
		}
	}
	if withAck == 0 || withAck >= len(sink.acks) {
		t.Errorf("%d of %d recorded snapshots carry the acknowledgement: want those from it until the problem resolved", withAck, len(sink.acks))
	}
}

func TestAReplayTakesNoAcknowledgement(t *testing.T) {
	p := New(Options{Player: &failing{}, Plan: testPlan()})
	if err := p.Acknowledge("errors/error_rate", "alice"); !errors.Is(err, ErrNotLive) {
		t.Fatalf("got %v, want ErrNotLive", err)
	}
}

// ackFrames is a frame sink that keeps the frames it is given.
type ackFrames struct {
	mu     sync.Mutex
	frames []Frame
}

func (r *ackFrames) TakeFrame(f Frame) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames = append(r.frames, f)
}
func (r *ackFrames) Close() {}

func (r *ackFrames) ackedAt(seq uint64, key string) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for _, f := range r.frames {
			if p, ok := problem(f, key); ok && f.Seq == seq && p.Ack != nil {
				r.mu.Unlock()
				return true
			}
		}
		r.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// BenchmarkAcknowledge times an acknowledgement reaching every screen: the
// problems ordered anew and the frame offered to 20 subscribers (serve's
// default cap), with the error burst and 30 other problems standing.
func BenchmarkAcknowledge(b *testing.B) {
	key := events.Key(events.KindErrors, capacity.SubjectErrorRate)
	ps := []events.Problem{{Kind: events.KindErrors, Subject: capacity.SubjectErrorRate, Severity: events.Crit, Title: "error burst"}}
	for i := range 30 {
		ps = append(ps, events.Problem{Kind: events.KindImbalance, Subject: fmt.Sprintf("web-%d", i), Severity: events.Warn})
	}
	p := New(Options{Producer: &scripted{snaps: launch(1)}, Plan: testPlan()})
	for range 20 {
		p.Subscribe()
	}
	b.ReportAllocs()
	for b.Loop() {
		p.mu.Lock()
		p.last, p.hasLast, p.acks = Frame{Seq: 1, Problems: ps}, true, nil
		p.mu.Unlock()
		if err := p.Acknowledge(key, "alice"); err != nil {
			b.Fatal(err)
		}
	}
}
