package pipeline

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

func TestHistoryViewsNeverChangeAsTheStoreMovesOn(t *testing.T) {
	h := newHistoryStore(1500)
	snaps := launch(5000)
	var views []History
	for i, s := range snaps {
		h.add(s)
		if i%700 == 0 {
			views = append(views, h.view())
		}
	}
	for _, v := range views {
		last := v.At(v.Len() - 1)
		idx := int(last.Time.Sub(snaps[0].Time) / time.Second)
		if v.Len() != min(idx+1, 1500) {
			t.Errorf("view ending at %d holds %d snapshots", idx, v.Len())
		}
		for i := 0; i < v.Len(); i++ {
			want := snaps[idx-v.Len()+1+i]
			if !v.At(i).Time.Equal(want.Time) {
				t.Fatalf("view ending at %d: snapshot %d is %v, want %v", idx, i, v.At(i).Time, want.Time)
			}
		}
	}
	if got := len(h.chunks); got > 1500/chunkSize+2 {
		t.Errorf("the store holds %d blocks for a cap of 1500: old blocks are not dropped", got)
	}
	last := h.view()
	got := last.Between(snaps[4990].Time, snaps[4995].Time)
	if len(got) != 6 || !got[0].Time.Equal(snaps[4990].Time) || !got[5].Time.Equal(snaps[4995].Time) {
		t.Errorf("Between(4990, 4995) = %d snapshots", len(got))
	}
	w := last.Window(snaps[4990].Time, snaps[4995].Time)
	if w.Len() != 6 || !w.At(0).Time.Equal(snaps[4990].Time) || !w.At(5).Time.Equal(snaps[4995].Time) {
		t.Errorf("Window(4990, 4995) holds %d snapshots", w.Len())
	}
	if s := w.Slice(2, 4); s.Len() != 2 || !s.At(0).Time.Equal(snaps[4992].Time) {
		t.Errorf("Window(4990, 4995).Slice(2, 4) starts at %v, holds %d", s.At(0).Time, s.Len())
	}
	if n := len(last.Since(snaps[4999].Time.Add(-9 * time.Second))); n != 10 {
		t.Errorf("Since(the last 10 s) = %d, want 10", n)
	}
	if n := len(last.Between(snaps[0].Time, snaps[10].Time)); n != 0 {
		t.Errorf("snapshots older than the view: %d, want none", n)
	}
}

func TestEventLogViewsAreStableAndBounded(t *testing.T) {
	ev := func(n int) events.Event { return events.Event{Message: strconv.Itoa(n)} }
	batch := func(from, to int) []events.Event {
		var out []events.Event
		for n := from; n < to; n++ {
			out = append(out, ev(n))
		}
		return out
	}
	messages := func(l EventLog) string {
		var b []string
		for _, e := range l.All() {
			b = append(b, e.Message)
		}
		return strings.Join(b, ",")
	}
	s := eventStore{cap: 5}
	s.add(batch(0, 3))
	v1 := s.view()
	s.add(batch(3, 4)) // appended past v1's end, into its array
	v2 := s.view()
	s.add(batch(4, 9)) // past the cap: the oldest go
	v3 := s.view()
	if got := messages(v1); got != "0,1,2" {
		t.Errorf("the first view changed: %s", got)
	}
	if got := messages(v2); got != "0,1,2,3" {
		t.Errorf("the second view changed: %s", got)
	}
	if got := messages(v3); got != "4,5,6,7,8" {
		t.Errorf("the bounded log holds %s, want the newest five", got)
	}
}

func run(t *testing.T, p *Pipeline) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func TestTwoSubscribersSeeIdenticalFrames(t *testing.T) {
	prod := &scripted{snaps: launch(200)}
	p := New(Options{Producer: prod, Interval: 2 * time.Millisecond, Plan: testPlan()})
	a, b := p.Subscribe(), p.Subscribe()
	stop := run(t, p)
	seen := [2]map[uint64]Frame{{}, {}}
	taken := [2]int{}
	for len(seen[0]) < 100 || len(seen[1]) < 100 {
		for i, sub := range []*Subscription{a, b} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			f, err := sub.Next(ctx)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			seen[i][f.Seq] = f
			taken[i] += 1 + f.Skipped
		}
	}
	stop()
	common := 0
	for seq, fa := range seen[0] {
		fb, ok := seen[1][seq]
		if !ok {
			continue
		}
		common++
		if !reflect.DeepEqual(fa.Snapshot, fb.Snapshot) || !reflect.DeepEqual(fa.Assessment, fb.Assessment) ||
			!reflect.DeepEqual(fa.Events, fb.Events) || !reflect.DeepEqual(fa.Problems, fb.Problems) {
			t.Fatalf("frame %d differs between subscribers", seq)
		}
	}
	if common < 50 {
		t.Errorf("only %d frames seen by both", common)
	}
	for i := range seen {
		var newest uint64
		for seq := range seen[i] {
			newest = max(newest, seq)
		}
		// Every frame is either taken or counted as skipped.
		if uint64(taken[i]) != newest {
			t.Errorf("subscriber %d took or skipped %d frames, the newest it saw is %d", i, taken[i], newest)
		}
	}
}

func TestABlockedSubscriberDelaysNeitherTheLoopNorOthers(t *testing.T) {
	prod := &scripted{snaps: launch(100)}
	p := New(Options{Producer: prod, Interval: 2 * time.Millisecond, Plan: testPlan()})
	stuck := p.Subscribe() // never reads until the end
	live := p.Subscribe()
	stop := run(t, p)
	var f Frame
	for f.Seq < 60 {
		var err error
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		f, err = live.Next(ctx)
		cancel()
		if err != nil {
			t.Fatalf("the live subscriber starved at frame %d: %v", f.Seq, err)
		}
	}
	stop()
	got, err := stuck.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq < 60 || got.Skipped != int(got.Seq)-1 {
		t.Errorf("the stuck subscriber got frame %d having skipped %d: want the newest, with every other counted", got.Seq, got.Skipped)
	}
	if _, err := stuck.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("after the pipeline stopped: %v, want ErrClosed", err)
	}
}

func TestAHungProducerIsSkippedNotStacked(t *testing.T) {
	prod := &scripted{snaps: launch(50), hangAt: 3, hang: make(chan struct{})}
	p := New(Options{Producer: prod, Interval: 5 * time.Millisecond, Deadline: 4 * time.Millisecond, Plan: testPlan()})
	sub := p.Subscribe()
	stop := run(t, p)
	defer stop()
	next := func() Frame {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		f, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for f := next(); f.Seq < 2; f = next() {
	}
	// The third poll hangs: twenty intervals pass without a second poll.
	time.Sleep(100 * time.Millisecond)
	if n := prod.pollCount(); n != 3 {
		t.Errorf("%d polls started while one hung, want 3 (no stacking)", n)
	}
	close(prod.hang)
	for f := next(); f.Seq < 10; f = next() {
	}
	if c := prod.maxConc.Load(); c != 1 {
		t.Errorf("%d polls ran at once", c)
	}
}

func TestASinkGetsEverySnapshotAndIsDrainedBeforeRunReturns(t *testing.T) {
	prod := &scripted{snaps: launch(1000)}
	p := New(Options{Producer: prod, Interval: time.Millisecond, Plan: testPlan()})
	sink := &countingSink{delay: 3 * time.Millisecond} // slower than the loop
	p.AddSink(sink)
	sub := p.Subscribe()
	stop := run(t, p)
	var f Frame
	for f.Seq < 100 {
		f, _ = sub.Next(context.Background())
	}
	stop()
	got := sink.got()
	last, _ := p.Last()
	if uint64(len(got)) != last.Seq {
		t.Fatalf("the sink took %d snapshots of %d", len(got), last.Seq)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Sub(got[i-1]) != time.Second {
			t.Fatalf("snapshot %d came out of order or was skipped: %v after %v", i, got[i], got[i-1])
		}
	}
}

func TestTheAnalystDerivesTheSameFramesEveryTime(t *testing.T) {
	snaps := launch(120)
	a, b := NewAnalyst(testPlan(), capacity.Thresholds{}, 100), NewAnalyst(testPlan(), capacity.Thresholds{}, 100)
	var kinds []string
	for _, s := range snaps {
		fa, fb := a.Add(s), b.Add(s)
		if !reflect.DeepEqual(fa.Assessment, fb.Assessment) || !reflect.DeepEqual(fa.Events, fb.Events) {
			t.Fatalf("frame at %v differs", s.Time)
		}
		for _, e := range fa.Events {
			kinds = append(kinds, string(e.Kind))
		}
	}
	// The script's launch: the phase, the avalanche, buy over its ceiling,
	// the error burst.
	for _, want := range []string{"phase", "avalanche", "endpoint", "errors"} {
		if !contains(kinds, want) {
			t.Errorf("no %s event in %v", want, kinds)
		}
	}
	last := a.Add(snapshot.Snapshot{Time: snaps[119].Time.Add(time.Second)})
	if last.Log.Len() != len(kinds) {
		t.Errorf("the log holds %d events, %d were raised", last.Log.Len(), len(kinds))
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// failing is a Player whose recording breaks after one snapshot.
type failing struct{ calls int }

func (f *failing) Next(context.Context) (Batch, error) {
	f.calls++
	if f.calls == 1 {
		return Batch{Snapshots: launch(1)}, nil
	}
	return Batch{}, errors.New("rec.jsonl:7: bad record")
}
func (f *failing) Now() time.Time   { return launchtest.T0 }
func (f *failing) Status() Playback { return Playback{} }

func TestAPlayersErrorEndsTheRunAndReachesSubscribers(t *testing.T) {
	p := New(Options{Player: &failing{}, Plan: testPlan()})
	sub := p.Subscribe()
	if err := p.Run(context.Background()); err == nil || err.Error() != "rec.jsonl:7: bad record" {
		t.Fatalf("Run = %v", err)
	}
	if f, err := sub.Next(context.Background()); err != nil || f.Seq != 1 {
		t.Errorf("the frame before the failure: %d, %v", f.Seq, err)
	}
	if _, err := sub.Next(context.Background()); err == nil || err.Error() != "rec.jsonl:7: bad record" {
		t.Errorf("after the failure a subscriber is told why, got %v", err)
	}
	late := p.Subscribe()
	if f, err := late.Next(context.Background()); err != nil || f.Seq != 1 {
		t.Errorf("a late subscriber first gets the last frame: %d, %v", f.Seq, err)
	}
	if _, err := late.Next(context.Background()); err == nil || errors.Is(err, ErrClosed) {
		t.Errorf("then the error: %v", err)
	}
}
