// Package sourcetest polls one source as collectors.Poller does, for the
// tests of the sources, which cannot import the poller above them: each
// answer is laid into a snapshot by a source.Tracker.
package sourcetest

import (
	"context"
	"time"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Poller polls one source, remembering it from poll to poll.
type Poller struct {
	// Source is what is polled.
	Source source.Source
	// Timeout bounds one poll when above zero.
	Timeout time.Duration
	// Clock is the snapshot clock (default time.Now).
	Clock func() time.Time

	tracker source.Tracker
}

// Poll collects once and returns the snapshot the poller would assemble.
func (p *Poller) Poll(ctx context.Context) snapshot.Snapshot {
	now := time.Now()
	if p.Clock != nil {
		now = p.Clock()
	}
	if p.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.Timeout)
		defer cancel()
	}
	start := time.Now()
	res, err := p.Source.Collect(ctx, now)
	o := source.Outcome{Result: res, Err: err, Took: time.Since(start)}
	snap := snapshot.Snapshot{Time: now, Sources: make(map[string]snapshot.Source, 1)}
	snap.Sources[p.Source.Name()] = p.tracker.Merge(&snap, p.Source.Signals(), o, now)
	return snap
}
