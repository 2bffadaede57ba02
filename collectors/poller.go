package collectors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Poller assembles one snapshot a tick from every source.
type Poller struct {
	sources []*polled
	timeout time.Duration
	clock   func() time.Time

	mu sync.Mutex // one Poll at a time; guards the sources' last-good state
	// roster keeps a server that stops answering, marked gone, rather
	// than dropping it.
	roster source.Roster
}

// polled is a source with what the poller remembers of it.
type polled struct {
	src source.Source
	// busy is set while a Collect runs. A source that ignores its deadline
	// keeps running in the background; the next tick skips it rather than
	// stacking goroutines on a hung server.
	busy atomic.Bool
	// tracker carries its last good values while it fails.
	tracker source.Tracker
}

// PollerOption configures a Poller.
type PollerOption func(*Poller)

// WithTimeout sets the deadline of one poll (default 800 ms: under a 1 s
// interval, so a poll never runs into the next).
func WithTimeout(d time.Duration) PollerOption { return func(p *Poller) { p.timeout = d } }

// WithClock sets the snapshot clock: the demo passes the simulator's, so
// rates, the countdown and timestamps are in simulated time.
func WithClock(now func() time.Time) PollerOption { return func(p *Poller) { p.clock = now } }

// NewPoller returns a poller over the given sources.
func NewPoller(sources []source.Source, opts ...PollerOption) *Poller {
	p := &Poller{timeout: 800 * time.Millisecond, clock: time.Now}
	for _, o := range opts {
		o(p)
	}
	for _, s := range sources {
		p.sources = append(p.sources, &polled{src: s})
	}
	return p
}

// Now returns the poller's clock.
func (p *Poller) Now() time.Time { return p.clock() }

// Poll runs every source concurrently and returns the snapshot once all have
// answered or the deadline has passed, whichever is first. A source that
// failed or missed the deadline keeps its last good values, marked not OK
// with their last success time, so the screen shows them stale, never blank
// and never fresh.
func (p *Poller) Poll(ctx context.Context) snapshot.Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()

	now := p.clock()
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()

	results := make([]chan source.Outcome, len(p.sources))
	for i, ps := range p.sources {
		ch := make(chan source.Outcome, 1) // buffered: a late sender never blocks
		results[i] = ch
		if !ps.busy.CompareAndSwap(false, true) {
			ch <- source.Outcome{Err: errors.New("the previous poll is still running past its deadline")}
			continue
		}
		go func() {
			start := time.Now()
			res, err := safeCollect(ctx, ps.src, now)
			// Free before answering: a poll that follows the answer at once
			// must find the source free, not still running.
			ps.busy.Store(false)
			ch <- source.Outcome{Result: res, Err: err, Took: time.Since(start)}
		}()
	}

	snap := snapshot.Snapshot{Time: now, Sources: make(map[string]snapshot.Source, len(p.sources))}
	for i, ps := range p.sources {
		snap.Sources[ps.src.Name()] = ps.tracker.Merge(&snap, ps.src.Signals(), await(ctx, results[i], p.timeout), now)
	}
	snap.Fleet = p.roster.Mark(snap.Fleet, now)
	return snap
}

// await takes a source's answer, or a timeout error once ctx is done. An
// answer that has already arrived wins over a deadline that has also passed.
func await(ctx context.Context, ch <-chan source.Outcome, timeout time.Duration) source.Outcome {
	select {
	case o := <-ch:
		return o
	default:
	}
	select {
	case o := <-ch:
		return o
	case <-ctx.Done():
		return source.Outcome{Err: fmt.Errorf("no answer within %s", timeout), Took: timeout}
	}
}

// safeCollect turns a panicking source into an error: a malformed value from
// a server must never take the program down.
func safeCollect(ctx context.Context, src source.Source, now time.Time) (res source.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: internal error: %v", src.Name(), r)
		}
	}()
	return src.Collect(ctx, now)
}
