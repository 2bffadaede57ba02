package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// warmRun runs a pipeline whose producer goes on from the scripted launch's
// live part, warmed with warm, and returns its first frame, the pipeline
// and the sink.
func warmRun(t *testing.T, live []snapshot.Snapshot, warm WarmFunc, timeout time.Duration) (Frame, *Pipeline, *countingSink) {
	t.Helper()
	prod := &scripted{snaps: live, lastTime: live[0].Time}
	p := New(Options{Producer: prod, Interval: 5 * time.Millisecond, Plan: testPlan(), Warm: warm, WarmTimeout: timeout})
	sink := &countingSink{}
	p.AddSink(sink)
	sub := p.Subscribe()
	stop := run(t, p)
	t.Cleanup(stop)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return f, p, sink
}

func TestAWarmStartListsHistorysEventsAsPastAndPublishesOnlyLiveFrames(t *testing.T) {
	snaps := launch(120) // T0-30s .. T0+89s: the avalanche at T0
	hist, live := snaps[:90], snaps[90:]
	var asked time.Time
	warm := func(_ context.Context, until time.Time) ([]snapshot.Snapshot, error) {
		asked = until
		return hist, nil
	}
	f, p, sink := warmRun(t, live, warm, time.Second)

	if !asked.Equal(live[0].Time) {
		t.Errorf("history was asked until %v, the producer's clock at the start was %v", asked, live[0].Time)
	}
	// Live snapshots that came while history was fetched are published
	// in order once it is in; a subscriber takes the newest.
	if f.Snapshot.Time.Before(live[0].Time) {
		t.Fatalf("the first frame is of %v, before the first live snapshot's %v: history must never be a frame of its own", f.Snapshot.Time, live[0].Time)
	}
	for _, e := range f.Events {
		if e.Past {
			t.Errorf("the first live frame raises a past event as fresh: %+v", e)
		}
	}
	if got, want := f.History.Len(), len(hist)+1; got < want {
		t.Errorf("the first frame's history holds %d snapshots, want at least %d (history and the first live one)", got, want)
	}
	if !f.History.At(0).Time.Equal(hist[0].Time) {
		t.Errorf("the history starts at %v, want the warm start's first snapshot %v", f.History.At(0).Time, hist[0].Time)
	}
	var avalanche, marker *events.Event
	for i, e := range f.Log.All() {
		switch e.Kind {
		case events.KindAvalanche:
			avalanche = &f.Log.All()[i]
		case events.KindWarm:
			marker = &f.Log.All()[i]
		}
	}
	switch {
	case avalanche == nil:
		t.Fatalf("the avalanche in history is not in the log: %+v", f.Log.All())
	case !avalanche.Past || !strings.HasPrefix(avalanche.Message, "before start: "):
		t.Errorf("the avalanche from history is not marked past: %+v", *avalanche)
	}
	switch {
	case marker == nil:
		t.Errorf("no event marks where the live watch starts")
	case !marker.Time.Equal(live[0].Time):
		t.Errorf("the warm start is marked at %v, want the first live snapshot's time %v", marker.Time, live[0].Time)
	}
	// Frames after the first raise only live events.
	sub := p.Subscribe()
	for range 10 {
		next, err := sub.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range next.Events {
			if e.Past {
				t.Errorf("frame %d raises a past event: %+v", next.Seq, e)
			}
		}
	}
	for _, at := range sink.got() {
		if at.Before(live[0].Time) {
			t.Fatalf("the recorder was given a history snapshot of %v", at)
		}
	}
}

func TestAFailedOrSlowWarmStartStillShowsTheLiveScreen(t *testing.T) {
	snaps := launch(120)
	hist, live := snaps[:90], snaps[90:]
	cases := []struct {
		name     string
		warm     WarmFunc
		wantHist int // history snapshots before the first live one
	}{
		{"an error after half the history keeps that half", func(context.Context, time.Time) ([]snapshot.Snapshot, error) {
			return hist[:45], errors.New("chunk 2 of 2: server answered 500")
		}, 45},
		{"a hung server is given up at the timeout", func(ctx context.Context, _ time.Time) ([]snapshot.Snapshot, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _, _ := warmRun(t, live, c.warm, 50*time.Millisecond)
			n := 0
			for i := range f.History.Len() {
				if f.History.At(i).Time.Before(live[0].Time) {
					n++
				}
			}
			if n != c.wantHist {
				t.Errorf("the first frame's history holds %d snapshots from before the start, want %d", n, c.wantHist)
			}
			if f.Snapshot.Time.Before(live[0].Time) {
				t.Errorf("the first frame is of %v, before the first live snapshot's %v", f.Snapshot.Time, live[0].Time)
			}
		})
	}
}
