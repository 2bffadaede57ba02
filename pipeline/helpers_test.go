package pipeline

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

func testPlan() capacity.Plan { return launchtest.Plan() }

// launch scripts n snapshots a second apart (see launchtest.Snapshots).
func launch(n int) []snapshot.Snapshot { return launchtest.Snapshots(n, time.Second) }

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
	for n := s.running.Add(1); ; {
		m := s.maxConc.Load()
		if n <= m || s.maxConc.CompareAndSwap(m, n) {
			break
		}
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
