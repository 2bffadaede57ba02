package replay

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// producer hands out scripted snapshots, one a poll, then the last again
// with time moving on.
type producer struct {
	mu    sync.Mutex
	snaps []snapshot.Snapshot
	i     int
}

func (p *producer) Poll(context.Context) snapshot.Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.snaps[min(p.i, len(p.snaps)-1)]
	p.i++
	return s
}

func (p *producer) Now() time.Time { return time.Now() }

// liveRun runs the pipeline live over the script into a recording and
// returns every frame a fast subscriber saw, by snapshot time.
func liveRun(t *testing.T, snaps []snapshot.Snapshot, path string, step time.Duration) map[time.Time]pipeline.Frame {
	t.Helper()
	plan := launchtest.Plan()
	w := createWriter(t, path, step)
	prod := &producer{snaps: snaps}
	p := pipeline.New(pipeline.Options{Producer: prod, Interval: 5 * time.Millisecond, Plan: plan, Thresholds: quick()})
	p.AddSink(w)
	sub := p.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.Run(ctx); close(done) }()
	frames := map[time.Time]pipeline.Frame{}
	for {
		f, err := sub.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		frames[f.Snapshot.Time] = f
		if f.Snapshot.Time.Equal(snaps[len(snaps)-1].Time) {
			break
		}
	}
	cancel()
	<-done
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Count() < len(snaps) {
		t.Fatalf("recorded %d of %d snapshots", w.Count(), len(snaps))
	}
	return frames
}

// play replays a recording through a pipeline at a speed until its last
// snapshot and returns the frames a fast subscriber saw, by snapshot time.
// counter is a sink counting the snapshots a replay derives.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) Append(snapshot.Snapshot) error { c.mu.Lock(); c.n++; c.mu.Unlock(); return nil }

func playCounting(t *testing.T, path string, speed float64) (map[time.Time]pipeline.Frame, *Player, pipeline.Frame, *counter) {
	t.Helper()
	rec, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rec.Close() })
	plan := launchtest.Plan()
	pl := New(rec, Options{Plan: plan, Thresholds: quick(), Speed: speed})
	p := pipeline.New(pipeline.Options{Player: pl, Interval: time.Duration(rec.Header().Interval), Plan: plan, Thresholds: quick()})
	derived := &counter{}
	p.AddSink(derived)
	sub := p.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = p.Run(ctx) }()
	frames := map[time.Time]pipeline.Frame{}
	end := rec.Time(rec.Len() - 1)
	for {
		nctx, ncancel := context.WithTimeout(context.Background(), 20*time.Second)
		f, err := sub.Next(nctx)
		ncancel()
		if err != nil {
			t.Fatal(err)
		}
		if !f.Snapshot.Time.IsZero() {
			frames[f.Snapshot.Time] = f
		}
		if f.Snapshot.Time.Equal(end) {
			return frames, pl, f, derived
		}
	}
}

func sameFrame(a, b pipeline.Frame) bool {
	ja, _ := json.Marshal(a) // snapshot, assessment, events, problems
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// truth derives every frame of the script straight, as the live pipeline
// does.
func truth(snaps []snapshot.Snapshot) map[time.Time]pipeline.Frame {
	an := pipeline.NewAnalyst(launchtest.Plan(), quick(), 0)
	out := map[time.Time]pipeline.Frame{}
	for _, s := range snaps {
		out[s.Time] = an.Add(s)
	}
	return out
}

// quick are the thresholds of a script played at 50 ms a snapshot: the
// standing times shrink with it, so the script's events all fire.
func quick() capacity.Thresholds {
	th := capacity.DefaultThresholds()
	th.OpenAfter, th.CloseAfter = 100*time.Millisecond, 500*time.Millisecond
	return th
}

func TestAReplayAtAnySpeedGivesTheLiveFrames(t *testing.T) {
	step := 50 * time.Millisecond
	snaps := launchtest.Snapshots(90, step)
	want := truth(snaps)
	path := filepath.Join(t.TempDir(), "launch.lwrec.jsonl")
	live := liveRun(t, snaps, path, step)
	liveLast := live[snaps[len(snaps)-1].Time]
	// Subscribers see the frames they are fast enough for; each one seen,
	// live or replayed, is the frame derived straight from the script.
	for at, f := range live {
		if !sameFrame(f, want[at]) {
			t.Fatalf("live: the frame at %v is not the one derived from the script", at)
		}
	}
	for _, speed := range []float64{1, 1000} {
		start := time.Now()
		replayed, _, last, derived := playCounting(t, path, speed)
		took := time.Since(start)
		for at, f := range replayed {
			if !sameFrame(f, want[at]) {
				t.Fatalf("%gx: the frame at %v differs from the live one", speed, at)
			}
		}
		// Whatever a subscriber skipped, every snapshot is derived, in
		// order, and the event log is the whole run's.
		n := 0
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			derived.mu.Lock()
			n = derived.n
			derived.mu.Unlock()
			if n >= len(snaps) { // the sink runs behind the frames
				break
			}
		}
		if n != len(snaps) {
			t.Errorf("%gx: %d of %d snapshots derived", speed, n, len(snaps))
		}
		if !reflect.DeepEqual(last.Log.All(), liveLast.Log.All()) || last.Log.Len() < 4 {
			t.Errorf("%gx: %d events replayed, %d live", speed, last.Log.Len(), liveLast.Log.Len())
		}
		t.Logf("%gx: %d frames seen, %d events, %s", speed, len(replayed), last.Log.Len(), took.Round(time.Millisecond))
		if speed == 1 && took < time.Duration(len(snaps)-2)*step {
			t.Errorf("1x played %s of recording in %s", time.Duration(len(snaps)-1)*step, took)
		}
	}
}

func TestSeekingBackRebuildsFromTheRecording(t *testing.T) {
	rec, snaps := scripted(t, 120)
	pl := New(rec, Options{Plan: launchtest.Plan(), Speed: 1000})
	p := pipeline.New(pipeline.Options{Player: pl, Plan: launchtest.Plan()})
	sub := p.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = p.Run(ctx) }()
	waitFor := func(at time.Time) pipeline.Frame {
		t.Helper()
		for {
			nctx, ncancel := context.WithTimeout(context.Background(), 10*time.Second)
			f, err := sub.Next(nctx)
			ncancel()
			if err != nil {
				t.Fatalf("no frame at %v: %v", at, err)
			}
			if f.Snapshot.Time.Equal(at) {
				return f
			}
		}
	}
	last := waitFor(snaps[len(snaps)-1].Time)
	want := truth(snaps[:41])[snaps[40].Time] // T+10s, derived from T-30s on
	pl.Seek(snaps[40].Time)
	got := waitFor(snaps[40].Time)
	if !sameFrame(got, want) || !reflect.DeepEqual(got.Log.All(), want.Log.All()) || got.History.Len() != 41 {
		t.Errorf("after seeking back: %d events, %d snapshots of history; want %d and 41", got.Log.Len(), got.History.Len(), want.Log.Len())
	}
	if got.Log.Len() >= last.Log.Len() {
		t.Errorf("the log after seeking back holds %d events, as many as at the end (%d): not rebuilt", got.Log.Len(), last.Log.Len())
	}
}

// createWriter starts a recording of the scripted launch, snapshots step
// apart.
func createWriter(tb testing.TB, path string, step time.Duration) *recording.Writer {
	tb.Helper()
	w, err := recording.Create(path, scriptedHeader(tb, step), recording.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// scriptedHeader is the header of a recording of the scripted launch taken
// every step.
func scriptedHeader(tb testing.TB, step time.Duration) recording.Header {
	tb.Helper()
	plan := launchtest.Plan()
	planJSON, err := json.Marshal(plan)
	if err != nil {
		tb.Fatal(err)
	}
	return recording.Header{Interval: recording.Duration(step), Plan: planJSON, Launch: recording.Launch{StartsAt: plan.LaunchAt}}
}

// scripted records n snapshots of the scripted launch a second apart and
// opens the recording.
func scripted(tb testing.TB, n int) (*recording.Recording, []snapshot.Snapshot) {
	tb.Helper()
	snaps := launchtest.Snapshots(n, time.Second)
	return launchtest.Record(tb, scriptedHeader(tb, time.Second), snaps), snaps
}

func TestControlsStepSpeedPauseAndJumpBetweenEvents(t *testing.T) {
	rec, snaps := scripted(t, 120)
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return wall }
	advance := func(d time.Duration) { mu.Lock(); wall = wall.Add(d); mu.Unlock() }
	pl := New(rec, Options{Plan: launchtest.Plan(), Wall: clock})
	if _, err := pl.NextEvent(); !errors.Is(err, ErrNotIndexed) {
		t.Errorf("before indexing: %v, want ErrNotIndexed", err)
	}
	if err := pl.Index(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := pl.Status()
	if len(st.Marks) < 4 || st.Speed != 1 || st.Paused {
		t.Fatalf("status after indexing: %+v", st)
	}
	// Playing: 10 s of wall time is 10 s of recording at 1x, 50 at 5x.
	advance(10 * time.Second)
	if got := pl.Now(); !got.Equal(snaps[10].Time) {
		t.Errorf("after 10 s at 1x: %v, want %v", got, snaps[10].Time)
	}
	pl.Faster()
	pl.Faster() // 1 -> 2 -> 5
	advance(8 * time.Second)
	if got, want := pl.Now(), snaps[50].Time; !got.Equal(want) || pl.Status().Speed != 5 {
		t.Errorf("after 8 s at 5x: %v at %gx, want %v", got, pl.Status().Speed, want)
	}
	pl.TogglePause()
	advance(time.Hour)
	if got := pl.Now(); !got.Equal(snaps[50].Time) || !pl.Status().Paused {
		t.Errorf("paused, the clock moved to %v", got)
	}
	for range 20 {
		pl.Faster()
	}
	if s := pl.Status().Speed; s != 1000 {
		t.Errorf("speed tops out at %g, want 1000", s)
	}
	// Events: the next after T+20s is the first raised after it.
	var next time.Time
	for _, e := range st.Marks {
		if e.Time.After(snaps[50].Time) {
			next = e.Time
			break
		}
	}
	if ok, err := pl.NextEvent(); !ok || err != nil || !pl.Now().Equal(next) {
		t.Errorf("next event: %v %v, at %v want %v", ok, err, pl.Now(), next)
	}
	if ok, _ := pl.PrevEvent(); !ok || !pl.Now().Before(next) {
		t.Errorf("previous event: %v at %v", ok, pl.Now())
	}
	pl.SeekEnd()
	if ok, err := pl.NextEvent(); ok || err != nil {
		t.Errorf("past the last event: %v %v", ok, err)
	}
	if err := pl.SeekTo("T+00:30"); err != nil || !pl.Now().Equal(launchtest.T0.Add(30*time.Second)) {
		t.Errorf("go to T+00:30: %v, at %v", err, pl.Now())
	}
	if err := pl.SeekTo("soon"); err == nil {
		t.Error("a time that is no time was taken")
	}
}

func TestParseTimeReadsTheFormsPeopleType(t *testing.T) {
	t0 := launchtest.T0
	start, end := t0.Add(-10*time.Minute), t0.Add(2*time.Hour)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"T+05:00", t0.Add(5 * time.Minute)},
		{"t-30s", t0.Add(-30 * time.Second)},
		{"T+1h2m", t0.Add(time.Hour + 2*time.Minute)},
		{"T+1:05:00", t0.Add(time.Hour + 5*time.Minute)},
		{"12:30", t0.Add(30 * time.Minute)},
		{"11:55:30", t0.Add(-4*time.Minute - 30*time.Second)},
		{"2026-11-27T12:10:00Z", t0.Add(10 * time.Minute)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, t0, start, end)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%q = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "T+", "T+5x", "25:99", "T+1:2:3:4", "yesterday"} {
		if _, err := ParseTime(bad, t0, start, end); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
	if _, err := ParseTime("T+05:00", time.Time{}, start, end); err == nil {
		t.Error("a T-relative time without a T0 was taken")
	}
}

// rebuild takes the player's next batch, which must be a rebuild, runs it
// as the pipeline would and returns its frame.
func rebuild(t *testing.T, pl *Player) pipeline.Frame {
	t.Helper()
	b, err := pl.Next(context.Background())
	if err != nil || b.Rebuild == nil {
		t.Fatalf("want a rebuild: %+v, %v", b, err)
	}
	f, err := b.Rebuild(pipeline.NewAnalyst(launchtest.Plan(), capacity.Thresholds{}, 0))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestTheClockHoldsWhileASeekRebuildsAndTheEndHolds(t *testing.T) {
	rec, snaps := scripted(t, 120)
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return wall }
	advance := func(d time.Duration) { mu.Lock(); wall = wall.Add(d); mu.Unlock() }
	pl := New(rec, Options{Plan: launchtest.Plan(), Speed: 10, Wall: clock})
	target := snaps[20].Time
	pl.Seek(target)
	advance(3 * time.Second) // a slow rebuild: 30 s of recording at 10x
	if got := pl.Now(); !got.Equal(target) {
		t.Errorf("while the seek waits: %v, want %v", got, target)
	}
	if f := rebuild(t, pl); !f.Snapshot.Time.Equal(target) || f.History.Len() != 21 {
		t.Errorf("rebuilt the frame at %v with %d snapshots of history, want %v and 21", f.Snapshot.Time, f.History.Len(), target)
	}
	advance(time.Second)
	if got, want := pl.Now(), target.Add(10*time.Second); !got.Equal(want) {
		t.Errorf("a second after the rebuild at 10x: %v, want %v", got, want)
	}
	pl.SeekEnd()
	rebuild(t, pl)
	if st := pl.Status(); !st.Ended || !st.Paused {
		t.Errorf("sought to the end: %+v, want ended and held", st)
	}
	pl.TogglePause() // at the end: from the start
	if got := pl.Now(); !got.Equal(snaps[0].Time) || pl.Status().Paused {
		t.Errorf("space at the end: %v, paused %v; want playing from %v", got, pl.Status().Paused, snaps[0].Time)
	}
}
