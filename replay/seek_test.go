package replay

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// aroundT0 records n snapshots of launchtest's day with T0 in their
// middle, with a fleet of servers.
func aroundT0(tb testing.TB, n, servers int) *recording.Recording {
	tb.Helper()
	return launchtest.RecordDay(tb, scriptedHeader(tb, time.Second), 43_200-n/2, n, servers)
}

// derivedFromTheStart derives every frame of rec from its first snapshot,
// as a replay played through does, keeping hist snapshots of history.
func derivedFromTheStart(t *testing.T, rec *recording.Recording, hist int) []pipeline.Frame {
	t.Helper()
	an := pipeline.NewAnalyst(launchtest.Plan(), capacity.Thresholds{}, hist)
	frames := make([]pipeline.Frame, 0, rec.Len())
	if err := rec.Scan(0, rec.Len(), func(_ int, s snapshot.Snapshot) error { frames = append(frames, an.Add(s)); return nil }); err != nil {
		t.Fatal(err)
	}
	return frames
}

// sameFrameFields compares two frames field by field, the frame count
// (Seq) aside: what a screen and an export read of it. It returns the
// first field that differs, or "". The history is compared snapshot by
// snapshot in its times and in how it thins a fleet (which snapshots share
// their predecessor's), and in whole at its ends and every 50th snapshot.
func sameFrameFields(got, want pipeline.Frame) string {
	switch {
	case !reflect.DeepEqual(got.Snapshot, want.Snapshot):
		return "Snapshot"
	case !reflect.DeepEqual(got.Assessment, want.Assessment):
		return "Assessment"
	case !reflect.DeepEqual(got.Events, want.Events):
		return "Events"
	case !reflect.DeepEqual(got.Problems, want.Problems):
		return "Problems"
	case !reflect.DeepEqual(got.Log.All(), want.Log.All()):
		return "Log"
	case got.History.Len() != want.History.Len():
		return "History (length)"
	}
	shares := func(h pipeline.History, i int) bool {
		a, b := h.At(i).Fleet, h.At(i-1).Fleet
		return len(a) > 0 && len(b) > 0 && &a[0] == &b[0]
	}
	for i := range got.History.Len() {
		g, w := got.History.At(i), want.History.At(i)
		switch {
		case !g.Time.Equal(w.Time):
			return "History (times)"
		case i > 0 && shares(got.History, i) != shares(want.History, i):
			return "History (fleet thinning)"
		case (i%50 == 0 || i == got.History.Len()-1) && !reflect.DeepEqual(g, w):
			return "History"
		}
	}
	ja, _ := json.Marshal(got)
	jb, _ := json.Marshal(want)
	if string(ja) != string(jb) {
		return "JSON"
	}
	return ""
}

// counting wraps a recording's Scan, counting the snapshots read.
func counting(rec *recording.Recording, n *int) pipeline.ScanFunc {
	return func(from, to int, fn func(int, snapshot.Snapshot) error) error {
		return rec.Scan(from, to, func(i int, s snapshot.Snapshot) error { *n++; return fn(i, s) })
	}
}

// A seek restores the nearest checkpoint before its target, reads back
// the history before it, derives forward from it, and gets the frame a
// derive from the first snapshot gets, field by field: at checkpoints,
// just before and after them, across a fleet thinned in the history,
// while a server is gone and when one joins, while problems open and
// close. It reads the history and at most a checkpoint's span more.
func TestASeekFromACheckpointGivesTheFrameOfADeriveFromTheStart(t *testing.T) {
	const n, every, hist = 4000, 128, 700
	rec := aroundT0(t, n, 60) // 60 servers: the history keeps the fleet every 2nd snapshot
	pl := New(rec, Options{Plan: launchtest.Plan(), CheckpointEvery: every})
	if err := pl.Index(context.Background()); err != nil {
		t.Fatal(err)
	}
	cps := pl.checkpoints()
	if len(cps) != (n-1)/every {
		t.Fatalf("%d checkpoints, want %d", len(cps), (n-1)/every)
	}
	for _, h := range []int{hist, 0, pipeline.NoHistory} {
		want := derivedFromTheStart(t, rec, h)
		targets := []int{0, 1, every - 1, every, every + 1, 2*every - 1, hist - 1, hist, hist + every, n / 2, n/2 + 1, n - 2, n - 1}
		step := 97
		if h != hist {
			step = 397 // a longer history is slower to compare: fewer targets
		}
		for at := 3; at < n; at += step {
			targets = append(targets, at)
		}
		// Where a problem opens or clears, and either side of it.
		opened, cleared := 0, 0
		for i, f := range want {
			for _, e := range f.Events {
				if e.Severity > events.Info {
					opened++
				} else if strings.Contains(e.Message, "resolved after") {
					cleared++
				}
				if h == hist {
					targets = append(targets, i-1, i, min(i+1, n-1))
				}
			}
		}
		if opened < 8 || cleared < 5 {
			t.Fatalf("the recording raises %d problems and clears %d: too few to test a seek among them", opened, cleared)
		}
		for _, at := range targets {
			an := pipeline.NewAnalyst(launchtest.Plan(), capacity.Thresholds{}, h)
			read := 0
			got, err := an.Rebuild(at, cps, counting(rec, &read))
			if err != nil {
				t.Fatal(err)
			}
			if field := sameFrameFields(got, want[at]); field != "" {
				t.Fatalf("history %d: the frame sought at %d differs from the one derived from the start in its %s", h, at, field)
			}
			if limit := max(h, 0) + 2*every; h != 0 && read > limit {
				t.Errorf("history %d: the seek to %d read %d snapshots, more than the history and two checkpoints' span (%d)", h, at, read, limit)
			}
			// And it goes on as a derive from the start does.
			for k := at + 1; k < min(at+20, n); k++ {
				s, err := rec.Read(k)
				if err != nil {
					t.Fatal(err)
				}
				if field := sameFrameFields(an.Add(s), want[k]); field != "" {
					t.Fatalf("history %d: %d snapshots after a seek to %d the frame differs in its %s", h, k-at, at, field)
				}
			}
		}
	}
}

// A checkpoint made under other thresholds (or another plan) would derive
// other frames: a seek passes over it and derives from the start.
func TestASeekPassesOverCheckpointsOfOtherThresholds(t *testing.T) {
	rec := aroundT0(t, 1500, 0)
	th := capacity.DefaultThresholds()
	th.ErrorRateWarn /= 2
	pl := New(rec, Options{Plan: launchtest.Plan(), Thresholds: th, CheckpointEvery: 100})
	if err := pl.Index(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := derivedFromTheStart(t, rec, 0)
	an := pipeline.NewAnalyst(launchtest.Plan(), capacity.Thresholds{}, 0)
	read := 0
	got, err := an.Rebuild(1400, pl.checkpoints(), counting(rec, &read))
	if err != nil {
		t.Fatal(err)
	}
	if field := sameFrameFields(got, want[1400]); field != "" {
		t.Fatalf("the frame differs in its %s", field)
	}
	if read != 1401 {
		t.Errorf("read %d snapshots, want all 1,401 from the start", read)
	}
}

// Through the pipeline: a seek says so on the screen from the moment it
// starts (the old figures, Seeking set) until its frame comes, the one a
// derive from the start gives; End lands on the last frame; a time
// outside the recording is refused with where it lies, and the playback
// stays.
func TestASeekThroughThePipelineSaysSoThenShowsTheFrame(t *testing.T) {
	const n = 3000
	rec := aroundT0(t, n, 0)
	want := derivedFromTheStart(t, rec, 0)
	pl := New(rec, Options{Plan: launchtest.Plan(), CheckpointEvery: 256})
	pl.TogglePause()
	// The index has not started: the first seek waits for it, saying so.
	pl.mu.Lock()
	pl.indexing = true
	pl.mu.Unlock()
	p := pipeline.New(pipeline.Options{Player: pl, Plan: launchtest.Plan()})
	sub := p.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = p.Run(ctx) }()
	next := func() pipeline.Frame {
		t.Helper()
		nctx, ncancel := context.WithTimeout(ctx, 20*time.Second)
		defer ncancel()
		f, err := sub.Next(nctx)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	await := func(at int) {
		t.Helper()
		for {
			f := next()
			if f.Playback == nil || f.Playback.Seeking || !f.Snapshot.Time.Equal(want[at].Snapshot.Time) {
				continue
			}
			if field := sameFrameFields(f, want[at]); field != "" {
				t.Fatalf("the frame sought at %d differs in its %s", at, field)
			}
			return
		}
	}
	t0 := launchtest.T0
	if err := pl.SeekTo(FormatTime(want[2000].Snapshot.Time, t0)); err != nil {
		t.Fatal(err)
	}
	for {
		f := next()
		if f.Playback != nil && f.Playback.Seeking {
			if f.Snapshot.Time.Equal(want[2000].Snapshot.Time) || !f.Playback.Position.Equal(want[2000].Snapshot.Time) {
				t.Fatalf("while seeking: the frame at %v, the position at %v", f.Snapshot.Time, f.Playback.Position)
			}
			break
		}
	}
	go func() { _ = pl.Index(ctx) }()
	await(2000)
	for _, at := range []int{700, 1500} {
		if err := pl.SeekTo(FormatTime(want[at].Snapshot.Time, t0)); err != nil {
			t.Fatal(err)
		}
		await(at)
	}
	pl.SeekEnd()
	await(n - 1)
	if st := pl.Status(); !st.Ended || st.Seeking {
		t.Errorf("after End: %+v", st)
	}
	start := want[0].Snapshot.Time
	pl.Seek(start.Add(100 * time.Second))
	await(100)
	for _, bad := range []string{"T+23:00:00", "T-1:00:00"} {
		err := pl.SeekTo(bad)
		if err == nil || !strings.Contains(err.Error(), "it runs from T-25:00 to T+24:59") {
			t.Errorf("go to %s: %v", bad, err)
		}
		if got := pl.Now(); !got.Equal(start.Add(100 * time.Second)) {
			t.Errorf("go to %s moved the playback to %v", bad, got)
		}
	}
	if err := pl.SeekTo("T+23:00:00"); err == nil || !strings.Contains(err.Error(), "T+23:00:00 is after the recording ends") {
		t.Errorf("the error does not say which side: %v", err)
	}
}

// A seek gives way to a newer one at once, even while it waits for the
// index.
func TestANewerSeekSupersedesOneWaitingForTheIndex(t *testing.T) {
	rec := aroundT0(t, 600, 0)
	pl := New(rec, Options{Plan: launchtest.Plan()})
	pl.mu.Lock()
	pl.indexing = true // an index that has not got anywhere yet
	pl.mu.Unlock()
	pl.SeekEnd()
	b, err := pl.Next(context.Background())
	if err != nil || b.Rebuild == nil {
		t.Fatalf("want a rebuild: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.Rebuild(pipeline.NewAnalyst(launchtest.Plan(), capacity.Thresholds{}, 0))
		done <- err
	}()
	pl.SeekStart()
	select {
	case err := <-done:
		if !errors.Is(err, pipeline.ErrSuperseded) {
			t.Errorf("the waiting seek ended with %v, want ErrSuperseded", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiting seek did not give way")
	}
}
