package replay

import (
	"context"
	"testing"

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

// BenchmarkSeekToTheEndOf24h is the worst seek: to the last snapshot of a
// day recorded at 1 s, rebuilt from the start (the index of events is
// derived the same way, once, in the background when a replay opens).
func BenchmarkSeekToTheEndOf24h(b *testing.B) {
	const n = 86_400
	rec, _ := scripted(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		seekToTheEnd(b, rec)
	}
}

// seekToTheEnd seeks a new player to the end of rec and rebuilds every
// snapshot through an analyst, as the pipeline does.
func seekToTheEnd(b *testing.B, rec *recording.Recording) {
	pl := New(rec, Options{Plan: launchtest.Plan()})
	pl.SeekEnd()
	batch, err := pl.Next(context.Background())
	if err != nil || batch.Rebuild == nil {
		b.Fatalf("seek: rebuild %v, %v", batch.Rebuild != nil, err)
	}
	an := pipeline.NewAnalyst(launchtest.Plan(), capacity.Thresholds{}, 0)
	got := 0
	if err := batch.Rebuild(func(s snapshot.Snapshot) { an.Add(s); got++ }); err != nil || got != rec.Len() {
		b.Fatalf("rebuilt %d of %d: %v", got, rec.Len(), err)
	}
}
