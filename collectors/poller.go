package collectors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// maxMessage caps an error or warning from a source: one line of a wide
// terminal, however long the server's message.
const maxMessage = 200

// maxDetail caps each separate error in snapshot.Source.Errors: generous,
// so a server's whole message can be read, yet bounded.
const maxDetail = 2000

// Poller assembles one snapshot a tick from every source.
type Poller struct {
	sources []*polled
	timeout time.Duration
	clock   func() time.Time

	mu sync.Mutex // one Poll at a time; guards the sources' last-good state
}

// polled is a source with what the poller remembers of it.
type polled struct {
	src Source
	// busy is set while a Collect runs. A source that ignores its deadline
	// keeps running in the background; the next tick skips it rather than
	// stacking goroutines on a hung server.
	busy atomic.Bool

	last        map[string]snapshot.Value // last good values, carried while failing
	lastAt      map[string]time.Time      // when each of them was measured
	lastSuccess time.Time                 // the last poll that answered anything
	newest      time.Time                 // the newest sample's time, kept while failing
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
func NewPoller(sources []Source, opts ...PollerOption) *Poller {
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

// outcome is one source's answer to one poll.
type outcome struct {
	res  Result
	err  error
	took time.Duration
}

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

	results := make([]chan outcome, len(p.sources))
	for i, ps := range p.sources {
		ch := make(chan outcome, 1) // buffered: a late sender never blocks
		results[i] = ch
		if !ps.busy.CompareAndSwap(false, true) {
			ch <- outcome{err: errors.New("the previous poll is still running past its deadline")}
			continue
		}
		go func() {
			defer ps.busy.Store(false)
			start := time.Now()
			res, err := safeCollect(ctx, ps.src, now)
			ch <- outcome{res: res, err: err, took: time.Since(start)}
		}()
	}

	snap := snapshot.Snapshot{Time: now, Sources: make(map[string]snapshot.Source, len(p.sources))}
	for i, ps := range p.sources {
		snap.Sources[ps.src.Name()] = ps.merge(&snap, await(ctx, results[i], p.timeout), now)
	}
	return snap
}

// await takes a source's answer, or a timeout error once ctx is done. An
// answer that has already arrived wins over a deadline that has also passed.
func await(ctx context.Context, ch <-chan outcome, timeout time.Duration) outcome {
	select {
	case o := <-ch:
		return o
	default:
	}
	select {
	case o := <-ch:
		return o
	case <-ctx.Done():
		return outcome{err: fmt.Errorf("no answer within %s", timeout), took: timeout}
	}
}

// merge lays one source's outcome into the snapshot and returns its health.
//
// A full success replaces what the source showed: a signal it now leaves
// out (a rate warming up, a division by zero) is missing, not carried. A
// failure, partial or whole, keeps the last good value of every signal it
// did not measure, listed in Carried with the time it was measured.
func (ps *polled) merge(snap *snapshot.Snapshot, o outcome, now time.Time) snapshot.Source {
	h := snapshot.Source{
		OK:       o.err == nil,
		Duration: o.took.Seconds(),
		Signals:  ps.src.Signals(),
	}
	for _, w := range o.res.Warnings {
		h.Warnings = append(h.Warnings, snapshot.CleanText(w, maxDetail))
	}
	for _, i := range o.res.Infos {
		h.Infos = append(h.Infos, snapshot.CleanText(i, maxDetail))
	}
	if o.err != nil {
		// A joined error is one failure a line: keep them apart on one.
		h.Error = snapshot.CleanText(strings.ReplaceAll(o.err.Error(), "\n", "; "), maxMessage)
		h.Errors = make(map[string]string, max(1, len(o.res.Errors)))
		for key, msg := range o.res.Errors {
			h.Errors[snapshot.CleanText(key, maxMessage)] = snapshot.CleanText(msg, maxDetail)
		}
		if len(h.Errors) == 0 {
			h.Errors[ErrorKeySource] = snapshot.CleanText(o.err.Error(), maxDetail)
		}
	}
	h.RateWindow, h.ScrapeInterval = o.res.RateWindow.Seconds(), o.res.ScrapeInterval.Seconds()
	if o.err == nil {
		ps.last = make(map[string]snapshot.Value, len(o.res.Values))
		ps.lastAt = make(map[string]time.Time, len(o.res.Values))
	}
	if ps.last == nil {
		ps.last, ps.lastAt = make(map[string]snapshot.Value), make(map[string]time.Time)
	}
	for sig, v := range o.res.Values {
		ps.last[sig], ps.lastAt[sig] = v, now
	}
	// A poll in which every signal failed answered nothing: the source's
	// last success stays where it was, so it reads down once that is
	// older than stale_after, and "never" if it never answered.
	if o.err == nil || len(o.res.Values) > 0 {
		ps.lastSuccess = now
		ps.newest = now
		if !o.res.NewestSample.IsZero() {
			ps.newest = o.res.NewestSample
		}
	}
	h.LastSuccess, h.NewestSample = ps.lastSuccess, ps.newest
	for _, sig := range o.res.Partial {
		if _, measured := o.res.Values[sig]; measured {
			h.Partial = append(h.Partial, sig)
		}
	}
	for _, sig := range h.Signals {
		v, ok := ps.last[sig]
		if !ok {
			continue
		}
		snap.Set(sig, v)
		if at := ps.lastAt[sig]; !at.Equal(now) {
			if h.Carried == nil {
				h.Carried = make(map[string]time.Time)
			}
			h.Carried[sig] = at
		}
	}
	return h
}

// safeCollect turns a panicking source into an error: a malformed value from
// a server must never take the program down.
func safeCollect(ctx context.Context, src Source, now time.Time) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: internal error: %v", src.Name(), r)
		}
	}()
	return src.Collect(ctx, now)
}
