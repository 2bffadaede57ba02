package replay

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// BenchmarkReplay1000x plays an hour recorded at 1 s through the pipeline
// at 1000x, every snapshot derived, and reports how many times real time
// the whole path (read, decode, assess, detect, publish) could go on one
// core: above 1000 it keeps up.
func BenchmarkReplay1000x(b *testing.B) {
	const n = 3600
	rec, _ := scripted(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		pl := New(rec, Options{Plan: launchtest.Plan(), Speed: 1000})
		p := pipeline.New(pipeline.Options{Player: pl, Plan: launchtest.Plan()})
		sub := p.Subscribe()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { _ = p.Run(ctx) }()
		end := rec.Time(n - 1)
		for {
			f, err := sub.Next(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if f.Snapshot.Time.Equal(end) {
				break
			}
		}
		cancel()
	}
	perSnap := b.Elapsed().Seconds() / float64(b.N) / n
	b.ReportMetric(perSnap*1e6, "µs/snapshot")
}

// BenchmarkDerive is the work per snapshot alone, with no pacing: read,
// decode, assess, detect; 1/its time is the fastest replay one core allows.
func BenchmarkDerive(b *testing.B) {
	const n = 3600
	rec, _ := scripted(b, n)
	b.ReportAllocs()
	for b.Loop() {
		an := pipeline.NewAnalyst(launchtest.Plan(), capacity.Thresholds{}, 0)
		if err := rec.Scan(0, n, func(_ int, s snapshot.Snapshot) error { an.Add(s); return nil }); err != nil {
			b.Fatal(err)
		}
	}
	perSnap := b.Elapsed().Seconds() / float64(b.N) / n
	b.ReportMetric(perSnap*1e6, "µs/snapshot")
	b.ReportMetric(1/perSnap, "x-realtime-at-1s")
}

// day is a day's recording at 1 s (86,400 snapshots, T0 in its middle,
// no fleet), written once per test binary for the benchmarks.
var day struct {
	once sync.Once
	rec  *recording.Recording
	dir  string
}

// TestMain removes the day's recording the benchmarks wrote, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	if day.rec != nil {
		_ = day.rec.Close()
	}
	if day.dir != "" {
		_ = os.RemoveAll(day.dir)
	}
	os.Exit(code)
}

// dayRecording returns the day's recording.
func dayRecording(b *testing.B) *recording.Recording {
	b.Helper()
	day.once.Do(func() {
		// Written outside any one benchmark's TempDir, so that every
		// benchmark of the run reads the same file; TestMain removes it.
		dir, err := os.MkdirTemp("", "launchwatch-bench-")
		if err != nil {
			b.Fatal(err)
		}
		day.dir = dir
		path := filepath.Join(dir, "day.lwrec.jsonl")
		w, err := recording.Create(path, scriptedHeader(b, time.Second), recording.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 86_400 {
			if err := w.Append(launchtest.DaySnapshot(i, 0)); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if day.rec, err = recording.Open(path); err != nil {
			b.Fatal(err)
		}
	})
	if day.rec == nil {
		b.Fatal("no day recording")
	}
	return day.rec
}

// BenchmarkSeek24h seeks in a day's recording at 1 s, as `g` and End do:
// from the player's index of checkpoints (built once, as a replay builds
// it in the background when it opens), into an analyst keeping the
// pipeline's history (three hours), reading as a seek reads. The
// from-the-start cases derive every snapshot up to the target, as a seek
// did before checkpoints. cpu-s/op is the processor time, every
// goroutine's.
func BenchmarkSeek24h(b *testing.B) {
	rec := dayRecording(b)
	pl := New(rec, Options{Plan: launchtest.Plan()})
	if err := pl.Index(context.Background()); err != nil {
		b.Fatal(err)
	}
	hist := int(3*time.Hour/time.Second) + 1 // the pipeline's default at 1 s
	targets := []struct {
		name string
		at   int
	}{{"end", rec.Len() - 1}, {"middle", rec.Len() / 2}, {"T+05:00", rec.Len()/2 + 300}}
	for _, from := range []string{"checkpoint", "start"} {
		for _, tt := range targets {
			b.Run(from+"/"+tt.name, func(b *testing.B) {
				var cps []*pipeline.Checkpoint
				if from == "checkpoint" {
					cps = pl.checkpoints()
				}
				b.ReportAllocs()
				cpu := launchtest.CPUTime()
				for b.Loop() {
					an := pipeline.NewAnalyst(launchtest.Plan(), capacity.Thresholds{}, hist)
					f, err := an.Rebuild(tt.at, cps, pl.scanner(context.Background()))
					if err != nil || !f.Snapshot.Time.Equal(rec.Time(tt.at)) {
						b.Fatalf("seek to %d: %v at %v", tt.at, err, f.Snapshot.Time)
					}
				}
				b.ReportMetric((launchtest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
			})
		}
	}
}

// BenchmarkIndex24h is the index of a day's recording at 1 s: its events
// and checkpoints, derived in the background when a replay opens. A seek
// beyond where it has come waits for it.
func BenchmarkIndex24h(b *testing.B) {
	rec := dayRecording(b)
	b.ReportAllocs()
	cpu := launchtest.CPUTime()
	for b.Loop() {
		pl := New(rec, Options{Plan: launchtest.Plan()})
		if err := pl.Index(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((launchtest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}
