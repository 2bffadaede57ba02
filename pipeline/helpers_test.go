package pipeline

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func testPlan() capacity.Plan {
	return capacity.Plan{
		PeakPV: 200, ResourcesPerPage: 20, ResourceSize: 50e3, DownloadSpeed: 200e3, ConnMemory: 10e3, CDNShare: 0.9,
		Limits:    capacity.Limits{Link: 125e6, MaxConns: 10000, Memory: 512 << 20},
		Endpoints: []capacity.Endpoint{{Name: "buy", MaxQPS: 100}},
		Stock:     capacity.Stock{Total: 1000, SellOut: 10 * time.Minute},
		LaunchAt:  t0,
	}
}

// launch scripts n snapshots a second apart from T-30s: a trickle, the
// avalanche at T0, the buy endpoint climbing over its ceiling, an error
// burst from T+40s.
func launch(n int) []snapshot.Snapshot {
	out := make([]snapshot.Snapshot, n)
	for i := range out {
		at := t0.Add(time.Duration(i-30) * time.Second)
		sec := float64(i - 30)
		pv := 10.0
		if sec >= 0 {
			pv = 150 + 40*math.Sin(sec/7)
		}
		out[i] = snapshot.Snapshot{
			Time: at, PV: snapshot.Some(pv), Requests: snapshot.Some(pv * 3), Bandwidth: snapshot.Some(pv * 1e5),
			Connections: snapshot.Some(pv), ErrorRate: snapshot.Some(math.Max(sec-40, 0) * 0.01),
			Stock: snapshot.Some(math.Max(1000-math.Max(sec, 0)*1.5, 0)), Sold: snapshot.Some(1.5),
			Endpoints: map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(math.Max(sec, 0) * 2)}},
			Sources:   map[string]snapshot.Source{"scrape": {OK: true, LastSuccess: at, Signals: []string{"pv"}}},
		}
	}
	return out
}

// scripted is a producer that hands out scripted snapshots, one a poll,
// repeating the last; it can hang a chosen poll, ignoring its deadline.
type scripted struct {
	snaps  []snapshot.Snapshot
	hangAt int           // the poll (from 1) that hangs; 0 none
	hang   chan struct{} // closed to release it

	mu       sync.Mutex
	polls    int
	running  atomic.Int32
	maxConc  atomic.Int32
	lastTime time.Time
}

func (s *scripted) Poll(context.Context) snapshot.Snapshot {
	if n := s.running.Add(1); n > s.maxConc.Load() {
		s.maxConc.Store(n)
	}
	defer s.running.Add(-1)
	s.mu.Lock()
	s.polls++
	n := s.polls
	snap := s.snaps[min(n-1, len(s.snaps)-1)]
	if n > len(s.snaps) { // past the script: time goes on
		snap = snap.Clone()
		snap.Time = snap.Time.Add(time.Duration(n-len(s.snaps)) * time.Second)
	}
	s.lastTime = snap.Time
	s.mu.Unlock()
	if n == s.hangAt {
		<-s.hang
	}
	return snap
}

func (s *scripted) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastTime
}

func (s *scripted) pollCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

// countingSink records what it is given, slowly if asked.
type countingSink struct {
	mu    sync.Mutex
	times []time.Time
	delay time.Duration
}

func (c *countingSink) Append(s snapshot.Snapshot) error {
	time.Sleep(c.delay)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.times = append(c.times, s.Time)
	return nil
}

func (c *countingSink) got() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.times...)
}
