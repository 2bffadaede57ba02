package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Options configure a Pipeline.
type Options struct {
	// Producer makes the snapshots; required unless Player is set.
	Producer Producer
	// Player replaces Producer for a recording played back.
	Player Player
	// Interval is the time between polls (default 1 s).
	Interval time.Duration
	// Deadline bounds one poll (default: the interval).
	Deadline time.Duration
	// Plan and Thresholds are what every snapshot is held against.
	Plan       capacity.Plan
	Thresholds capacity.Thresholds
	// HistoryCap is how many snapshots frames can look back over (default:
	// three hours at the interval, the longest chart window, and at most
	// MaxHistory).
	HistoryCap int
	// Log takes the loop's own notes (missed deadlines); nil drops them.
	Log *slog.Logger
	// Warm, with a live Producer, fills the history from before the start
	// (see Analyst.Warm): polling starts at once, and the first frame
	// waits for the history, at most WarmTimeout (default
	// DefaultWarmTimeout).
	Warm        WarmFunc
	WarmTimeout time.Duration
}

// MaxHistory bounds the default history whatever the interval: an hour of
// 100 ms polls.
const MaxHistory = 36_000

// Pipeline is the loop: see the package comment.
type Pipeline struct {
	opts    Options
	analyst *Analyst
	sinks   []*sinkRunner
	// frameSinks take every new frame (framesink.go).
	frameSinks []*queue[Frame]

	mu      sync.Mutex
	subs    map[*Subscription]struct{}
	acks    map[string]snapshot.Ack // the acknowledgements that stand, by problem key (acks.go)
	notes   []snapshot.Annotation   // annotations given since the last snapshot (annotations.go)
	last    Frame
	hasLast bool
	done    bool
	err     error // what Run failed with
}

// New returns a pipeline; Run starts it.
func New(opts Options) *Pipeline {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Deadline <= 0 || opts.Deadline > opts.Interval {
		opts.Deadline = opts.Interval
	}
	if opts.HistoryCap <= 0 {
		opts.HistoryCap = min(int(3*time.Hour/opts.Interval)+1, MaxHistory)
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.WarmTimeout <= 0 {
		opts.WarmTimeout = DefaultWarmTimeout
	}
	return &Pipeline{
		opts:    opts,
		analyst: NewAnalyst(opts.Plan, opts.Thresholds, opts.HistoryCap),
		subs:    make(map[*Subscription]struct{}),
	}
}

// Now returns the producer's clock.
func (p *Pipeline) Now() time.Time {
	if p.opts.Player != nil {
		return p.opts.Player.Now()
	}
	return p.opts.Producer.Now()
}

// Interval returns the time between polls.
func (p *Pipeline) Interval() time.Duration { return p.opts.Interval }

// AddSink adds a sink that takes every snapshot; call it before Run.
func (p *Pipeline) AddSink(s Sink) { p.sinks = append(p.sinks, newSinkRunner(s)) }

// Subscribe returns a subscription that starts with the newest frame, if
// there is one.
func (p *Pipeline) Subscribe() *Subscription {
	s := newSubscription()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hasLast {
		s.offer(p.last)
	}
	if p.done {
		s.end(p.err)
		return s
	}
	p.subs[s] = struct{}{}
	s.remove = func() {
		p.mu.Lock()
		delete(p.subs, s)
		p.mu.Unlock()
	}
	return s
}

// Last returns the newest frame, and false before the first.
func (p *Pipeline) Last() (Frame, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last, p.hasLast
}

// Run runs the loop until ctx ends, then drains the sinks, ends every
// subscription and returns nil. It returns early only with a Player's
// error.
func (p *Pipeline) Run(ctx context.Context) error {
	for _, r := range p.sinks {
		go r.run()
	}
	p.startFrameSinks()
	var err error
	if p.opts.Player != nil {
		err = p.play(ctx)
	} else {
		p.poll(ctx)
	}
	for _, r := range p.sinks {
		r.close()
	}
	p.closeFrameSinks()
	p.mu.Lock()
	p.done, p.err = true, err
	if p.hasLast { // the sinks' final count
		p.last.Recorded, p.last.RecordErr = p.recordStatus()
	}
	for s := range p.subs {
		s.end(err)
	}
	p.mu.Unlock()
	return err
}

// poll runs a live producer on a tick. One poll at a time: a tick that
// finds the last poll still out (past its deadline, its producer ignoring
// the context) is skipped, never stacked.
func (p *Pipeline) poll(ctx context.Context) {
	results := make(chan snapshot.Snapshot, 1)
	inFlight := false
	start := func() {
		inFlight = true
		go func() {
			pctx, cancel := context.WithTimeout(ctx, p.opts.Deadline)
			defer cancel()
			results <- p.opts.Producer.Poll(pctx)
		}()
	}
	// History before the start is fetched beside the first polls; their
	// snapshots are held from the screen until it is in.
	warm := p.startWarm(ctx)
	var warmDone <-chan []snapshot.Snapshot
	var held []snapshot.Snapshot
	if warm != nil {
		defer warm.wg.Wait()
		warmDone = warm.done
	}
	tick := time.NewTicker(p.opts.Interval)
	defer tick.Stop()
	start()
	skipped := 0
	for {
		select {
		case <-ctx.Done():
			return
		case hist := <-warmDone:
			warmDone = nil
			p.warmed(warm, hist, held)
			held = nil
		case <-tick.C:
			if inFlight {
				skipped++
				p.opts.Log.Warn("poll still running past its deadline: tick skipped", "skipped", skipped, "deadline", p.opts.Deadline)
				continue
			}
			skipped = 0
			start()
		case s := <-results:
			inFlight = false
			if ctx.Err() != nil {
				return
			}
			s = p.stampAcks(s)
			p.take(s)
			if warmDone != nil {
				held = append(held, s)
				continue
			}
			p.publish(p.analyst.Add(s), nil)
		}
	}
}

// play runs a Player: what it hands over is derived in order; a rebuild
// starts over and publishes only its last frame.
func (p *Pipeline) play(ctx context.Context) error {
	pl := p.opts.Player
	for {
		b, err := pl.Next(ctx)
		switch {
		case ctx.Err() != nil:
			return nil //nolint:nilerr // the run ends: a player stopped by it is no failure
		case err != nil:
			return err
		}
		switch {
		case b.Rebuild != nil:
			// The screens say a seek is under way, the old figures still
			// up, until its frame comes.
			seeking := pl.Status()
			p.republish(&seeking) // frames keep the status: each its own
			f, err := b.Rebuild(p.analyst)
			switch {
			case errors.Is(err, ErrSuperseded):
				continue
			case ctx.Err() != nil:
				return nil //nolint:nilerr // the run ends: a rebuild cut by it is no failure
			case err != nil:
				return err
			}
			status := pl.Status()
			if f.Seq > 0 {
				p.publish(f, &status)
			} else {
				p.republish(&status)
			}
		case len(b.Snapshots) == 0:
			status := pl.Status()
			p.republish(&status)
		default:
			status := pl.Status()
			for _, s := range b.Snapshots {
				p.take(s)
				p.publish(p.analyst.Add(s), &status)
			}
		}
	}
}

// take hands a new snapshot to the sinks.
func (p *Pipeline) take(s snapshot.Snapshot) {
	for _, r := range p.sinks {
		r.push(s)
	}
}

func (p *Pipeline) recordStatus() (int, string) {
	n, last := 0, ""
	for _, r := range p.sinks {
		c, err := r.status()
		n += c
		if err != "" {
			last = err
		}
	}
	return n, last
}

func (p *Pipeline) publish(f Frame, pb *Playback) {
	f.Playback = pb
	f.Recorded, f.RecordErr = p.recordStatus()
	p.mu.Lock()
	defer p.mu.Unlock()
	f = p.keepAcks(f)
	p.pushFrame(f, p.last.Seq)
	p.last, p.hasLast = f, true
	for s := range p.subs {
		s.offer(f)
	}
}

// republish sends the newest frame again with a new playback status (a
// replay paused, sped up).
func (p *Pipeline) republish(pb *Playback) {
	p.mu.Lock()
	f, ok := p.last, p.hasLast
	p.mu.Unlock()
	if !ok {
		f = Frame{}
	}
	p.publish(f, pb)
}
