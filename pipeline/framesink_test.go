package pipeline

import (
	"context"
	"sync"
	"testing"
	"time"
)

// frameRecorder is a frame sink that keeps the sequence numbers it is
// given, slowly if asked, and whether and when it was closed.
type frameRecorder struct {
	delay time.Duration

	mu     sync.Mutex
	seqs   []uint64
	closed int
	after  int // frames taken after Close
}

func (r *frameRecorder) TakeFrame(f Frame) {
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed > 0 {
		r.after++
	}
	r.seqs = append(r.seqs, f.Seq)
}

func (r *frameRecorder) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed++
}

func TestAFrameSinkGetsEveryFrameInOrderAndIsClosedAfterTheLast(t *testing.T) {
	prod := &scripted{snaps: launch(1000)}
	p := New(Options{Producer: prod, Interval: time.Millisecond, Plan: testPlan()})
	sink := &frameRecorder{delay: 3 * time.Millisecond} // slower than the loop
	p.AddFrameSink(sink)
	sub := p.Subscribe()
	stop := run(t, p)
	var f Frame
	for f.Seq < 100 {
		f, _ = sub.Next(context.Background())
	}
	stop()
	last, _ := p.Last()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if uint64(len(sink.seqs)) != last.Seq {
		t.Fatalf("the frame sink took %d frames of %d", len(sink.seqs), last.Seq)
	}
	for i, seq := range sink.seqs {
		if seq != uint64(i+1) {
			t.Fatalf("frame %d came as seq %d: out of order or skipped", i+1, seq)
		}
	}
	if sink.closed != 1 || sink.after != 0 {
		t.Errorf("closed %d times, %d frames after Close: want once, after the last", sink.closed, sink.after)
	}
}

func TestARepublishedFrameDoesNotReachAFrameSinkTwice(t *testing.T) {
	p := New(Options{Producer: &scripted{snaps: launch(3)}, Plan: testPlan()})
	sink := &frameRecorder{}
	p.AddFrameSink(sink)
	r := p.frameSinks[0]
	go r.run()
	an := NewAnalyst(testPlan(), p.opts.Thresholds, 10)
	f := an.Add(launch(1)[0])
	p.publish(f, nil)
	p.republish(&Playback{Paused: true}) // a replay paused: the same frame
	p.publish(an.Add(launch(2)[1]), nil)
	r.close()
	if len(sink.seqs) != 2 || sink.seqs[0] != 1 || sink.seqs[1] != 2 {
		t.Errorf("the frame sink took %v, want [1 2]", sink.seqs)
	}
}
