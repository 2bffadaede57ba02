package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// withFleet gives each snapshot a fleet of n servers whose figures are
// already at the four significant digits a recording keeps, so a replay
// must hand them over exactly. From the middle on a server joins (a new
// roster), and one is gone for a while.
func withFleet(snaps []snapshot.Snapshot, n int) []snapshot.Snapshot {
	out := make([]snapshot.Snapshot, len(snaps))
	for i, s := range snaps {
		size := n
		if i >= len(snaps)/2 {
			size = n + 1
		}
		s.Fleet = make([]snapshot.Server, size)
		for k := range s.Fleet {
			srv := snapshot.Server{
				Name:        fmt.Sprintf("web-%04d", k),
				PV:          snapshot.Some(float64(10 + (i+k)%40)),
				Requests:    snapshot.Some(float64(300+(i*7+k*13)%500) / 2),
				Connections: snapshot.Some(float64(200 + k%100)),
				Bandwidth:   snapshot.Some(float64(1000+(i+k)%9000) * 1000),
				ErrorRate:   snapshot.Some(float64((i+k)%30) / 1000),
				LatencyP50:  snapshot.Some(0.042),
				LatencyP95:  snapshot.Some(float64(100+(i+3*k)%900) / 1000),
				LatencyP99:  snapshot.Some(1.25),
			}
			if k == 1 && i%20 >= 10 {
				srv = snapshot.Server{Name: srv.Name, Gone: true, GoneSince: s.Time.Add(-time.Duration(i%20-9) * time.Second)}
			}
			s.Fleet[k] = srv
		}
		out[i] = s
	}
	return out
}

func TestAFleetReplaysIntactAndAfterASeek(t *testing.T) {
	snaps := withFleet(launchtest.Snapshots(120, time.Second), 5)
	rec := launchtest.Record(t, scriptedHeader(t, time.Second), snaps)
	pl := New(rec, Options{Plan: launchtest.Plan(), Speed: 1000})
	p := pipeline.New(pipeline.Options{Player: pl, Plan: launchtest.Plan()})
	sub := p.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = p.Run(ctx) }()
	fleetJSON := func(s snapshot.Snapshot) string { b, _ := json.Marshal(s.Fleet); return string(b) }
	byTime := map[time.Time]snapshot.Snapshot{}
	for _, s := range snaps {
		byTime[s.Time] = s
	}
	next := func() pipeline.Frame {
		t.Helper()
		nctx, ncancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer ncancel()
		f, err := sub.Next(nctx)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	seen := 0
	for f := next(); ; f = next() {
		if want, ok := byTime[f.Snapshot.Time]; ok {
			seen++
			if got := fleetJSON(f.Snapshot); got != fleetJSON(want) {
				t.Fatalf("frame at %v: fleet %s\nwant %s", f.Snapshot.Time, got, fleetJSON(want))
			}
		}
		if f.Snapshot.Time.Equal(snaps[len(snaps)-1].Time) {
			break
		}
	}
	if seen == 0 {
		t.Fatal("no frame of the recording came")
	}
	// A seek back into the first roster's run: rebuilt from the recording.
	pl.Seek(snaps[30].Time)
	for f := next(); ; f = next() {
		if f.Snapshot.Time.Equal(snaps[30].Time) {
			if got := fleetJSON(f.Snapshot); got != fleetJSON(snaps[30]) || f.History.Len() != 31 {
				t.Errorf("after the seek: fleet %s, %d of history\nwant %s, 31", got, f.History.Len(), fleetJSON(snaps[30]))
			}
			break
		}
	}
}

// BenchmarkSeekToTheEndOfAnHour seeks to the end of an hour recorded at
// 1 s, without a fleet and with one of 500 servers, from the index's
// checkpoints: the seek reads the whole hour back as the frame's history
// (the pipeline keeps three hours), so its time is mostly that reading, a
// fleet's above all.
func BenchmarkSeekToTheEndOfAnHour(b *testing.B) {
	const n = 3600
	for _, servers := range []int{0, 500} {
		b.Run(fmt.Sprintf("servers=%d", servers), func(b *testing.B) {
			snaps := launchtest.Snapshots(n, time.Second)
			if servers > 0 {
				snaps = withFleet(snaps, servers)
			}
			rec := launchtest.Record(b, scriptedHeader(b, time.Second), snaps)
			pl := New(rec, Options{Plan: launchtest.Plan()})
			if err := pl.Index(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				an := pipeline.NewAnalyst(launchtest.Plan(), capacity.Thresholds{}, 3*3600+1)
				if _, err := an.Rebuild(n-1, pl.checkpoints(), rec.Scan); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIndexAnHour indexes an hour recorded at 1 s, without a fleet
// and with one of 500 servers: the events and checkpoints a replay derives
// in the background as it opens; a day's index is 24 times this.
func BenchmarkIndexAnHour(b *testing.B) {
	const n = 3600
	for _, servers := range []int{0, 500} {
		b.Run(fmt.Sprintf("servers=%d", servers), func(b *testing.B) {
			snaps := launchtest.Snapshots(n, time.Second)
			if servers > 0 {
				snaps = withFleet(snaps, servers)
			}
			rec := launchtest.Record(b, scriptedHeader(b, time.Second), snaps)
			b.ReportAllocs()
			for b.Loop() {
				if err := New(rec, Options{Plan: launchtest.Plan()}).Index(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
