// Package replay plays a recording back into the pipeline: at a chosen
// speed, paused, sought to any moment, from event to event. Every snapshot
// is handed over in order whatever the speed, so a replay at 1000x raises
// the same events as the live run; a seek rebuilds what the screen shows
// from the recording itself.
package replay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Speeds are the playback speeds Faster and Slower step through.
var Speeds = []float64{1, 2, 5, 10, 30, 100, 300, 1000}

// maxBatch bounds one hand-over, so a screen catching up at 1000x still
// sees frames while it does.
const maxBatch = 4096

// minStep is the shortest wall time between two hand-overs: at high speed
// the due snapshots are handed over in batches, none skipped, rather than
// one timer a millisecond.
const minStep = 15 * time.Millisecond

// CheckpointEvery is how many snapshots apart Index keeps a checkpoint of
// the derived state: a seek derives at most this many snapshots, besides
// reading back the history the frame holds. At 1 s, a day's recording
// keeps 84 checkpoints of about 80 KB each.
const CheckpointEvery = 1024

// supersedeEvery is how many snapshots a seek's rebuild reads between two
// looks for a newer seek.
const supersedeEvery = 256

// Options configure a Player.
type Options struct {
	// Plan and Thresholds derive the recording's events for the timeline
	// and for jumping between them, as the pipeline does.
	Plan       capacity.Plan
	Thresholds capacity.Thresholds
	// Speed is the starting speed (default 1).
	Speed float64
	// Wall is the wall clock; tests inject one.
	Wall func() time.Time
	// CheckpointEvery is how many snapshots apart Index keeps a
	// checkpoint (default CheckpointEvery).
	CheckpointEvery int
}

// Player is a pipeline.Player over a recording. Its controls are safe to
// call from any goroutine.
type Player struct {
	rec  *recording.Recording
	opts Options
	wake chan struct{}

	mu         sync.Mutex
	next       int       // index of the next record to hand over
	pos        time.Time // the playback clock at anchor
	anchor     time.Time // wall time pos was set
	speed      float64
	paused     bool
	seek       bool // a seek is pending
	seekTo     time.Time
	rebuilding bool // a seek's rebuild is under way: the clock holds still
	changed    bool // the status changed since the last hand-over
	marks      []events.Event
	indexErr   error

	// What Index has derived so far: checkpoints of the derived state
	// every Options.CheckpointEvery snapshots, in order, and how far it has come
	// (indexed snapshots; every one once it is done). progress is closed
	// and replaced whenever it moves on, for a seek waiting on it.
	cps      []*pipeline.Checkpoint
	indexing bool
	indexed  int
	progress chan struct{}
}

// New returns a player at the start of the recording, playing.
func New(rec *recording.Recording, opts Options) *Player {
	if opts.Wall == nil {
		opts.Wall = time.Now
	}
	if opts.Speed <= 0 {
		opts.Speed = 1
	}
	if opts.CheckpointEvery <= 0 {
		opts.CheckpointEvery = CheckpointEvery
	}
	p := &Player{rec: rec, opts: opts, wake: make(chan struct{}, 1), speed: opts.Speed, progress: make(chan struct{})}
	if rec.Len() > 0 {
		p.pos = rec.Time(0)
	}
	p.anchor = opts.Wall()
	return p
}

// Index derives every event of the recording, for the timeline and for
// NextEvent and PrevEvent, and keeps a checkpoint of the derived state
// every Options.CheckpointEvery snapshots, from which a seek derives its
// frame. It
// reads the whole recording once; run it on a goroutine of its own, as the
// replay opens. The events are those the pipeline raises when it plays the
// recording through, and the checkpoints those it passes through, provided
// the pipeline holds the recording against the same Plan and Thresholds
// (a seek passes over checkpoints made under others). A seek to a moment
// the index has not reached yet waits for it: the index derives the same
// snapshots the seek would.
func (p *Player) Index(ctx context.Context) error {
	p.mu.Lock()
	p.indexing = true
	p.mu.Unlock()
	an := pipeline.NewAnalyst(p.opts.Plan, p.opts.Thresholds, pipeline.NoHistory)
	var marks []events.Event
	err := p.rec.ScanAhead(0, p.rec.Len(), func(i int, s snapshot.Snapshot) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if i > 0 && i%p.opts.CheckpointEvery == 0 {
			p.checkpointed(an.Checkpoint())
		}
		marks = append(marks, an.StepEvents(s)...)
		return nil
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.indexErr = err
	} else {
		p.marks = marks
		p.indexed = p.rec.Len()
	}
	p.indexing = false
	p.moved()
	p.changed = true
	p.signal()
	return err
}

// checkpointed keeps the index's checkpoint c.
func (p *Player) checkpointed(c *pipeline.Checkpoint) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cps = append(p.cps, c)
	p.indexed = c.Next()
	p.moved()
}

// moved tells a seek waiting on the index that it moved on. Call with mu
// held.
func (p *Player) moved() {
	close(p.progress)
	p.progress = make(chan struct{})
}

// awaitIndex returns once the index has passed snapshot at, or stopped,
// so that a seek there starts from a checkpoint close before it; ErrSuperseded when a newer seek comes in meanwhile.
func (p *Player) awaitIndex(ctx context.Context, at int) error {
	for {
		p.mu.Lock()
		seek, wait, progress := p.seek, p.indexing && p.indexed <= at, p.progress
		p.mu.Unlock()
		switch {
		case seek:
			return pipeline.ErrSuperseded
		case !wait:
			return nil
		}
		// A wake taken here is no loss: Next looks at the state before it
		// sleeps.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-progress:
		case <-p.wake:
		}
	}
}

// checkpoints returns the index's checkpoints so far.
func (p *Player) checkpoints() []*pipeline.Checkpoint {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cps
}

func (p *Player) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// position is the playback clock now. Call with mu held.
func (p *Player) position() time.Time {
	if p.rec.Len() == 0 {
		return time.Time{}
	}
	pos := p.pos
	// The clock holds still while a seek waits for its rebuild, so a seek
	// at 1000x does not land half an hour past its target.
	if !p.paused && !p.seek && !p.rebuilding {
		pos = pos.Add(time.Duration(float64(p.opts.Wall().Sub(p.anchor)) * p.speed))
	}
	if end := p.rec.Time(p.rec.Len() - 1); pos.After(end) {
		pos = end
	}
	return pos
}

// setPos moves the playback clock. Call with mu held.
func (p *Player) setPos(t time.Time) {
	p.pos, p.anchor = t, p.opts.Wall()
}

// Now returns the playback clock: the recording's time being shown.
func (p *Player) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.position()
}

// Status says where the playback stands.
func (p *Player) Status() pipeline.Playback {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := pipeline.Playback{
		Position: p.position(), Speed: p.speed, Paused: p.paused, Index: p.next, Len: p.rec.Len(),
		Ended: p.rec.Len() > 0 && p.next == p.rec.Len(), Marks: p.marks, Seeking: p.seek || p.rebuilding,
	}
	if n := p.rec.Len(); n > 0 {
		st.Start, st.End = p.rec.Time(0), p.rec.Time(n-1)
	}
	return st
}

// Next hands the pipeline what is due: a rebuild after a seek, the
// snapshots whose time the playback clock has passed, or an empty batch
// when only the status changed.
func (p *Player) Next(ctx context.Context) (pipeline.Batch, error) {
	for {
		p.mu.Lock()
		switch {
		case p.seek:
			p.seek, p.changed, p.rebuilding = false, false, true
			// The frame of the last snapshot at or before the target is
			// derived again.
			to := p.rec.Search(p.seekTo.Add(time.Nanosecond))
			p.next = to
			if to == p.rec.Len() {
				p.pausedAt(p.rec.Time(to - 1)) // sought to the end: hold there, as when played to it
			}
			p.mu.Unlock()
			return pipeline.Batch{Rebuild: func(an *pipeline.Analyst) (pipeline.Frame, error) {
				defer p.rebuilt()
				if err := p.awaitIndex(ctx, to-1); err != nil {
					return pipeline.Frame{}, err
				}
				return an.Rebuild(to-1, p.checkpoints(), p.scanner(ctx))
			}}, nil
		case p.changed:
			p.changed = false
			p.mu.Unlock()
			return pipeline.Batch{}, nil
		}
		wait := time.Duration(-1) // until woken
		if !p.paused && p.next < p.rec.Len() {
			now := p.position()
			due := p.rec.Search(now.Add(time.Nanosecond))
			if due > p.next {
				from, to := p.next, min(due, p.next+maxBatch)
				p.next = to
				if to == p.rec.Len() {
					p.pausedAt(p.rec.Time(to - 1)) // the end: hold there
				}
				p.mu.Unlock()
				snaps, err := p.read(ctx, from, to)
				if err != nil {
					return pipeline.Batch{}, err
				}
				return pipeline.Batch{Snapshots: snaps}, nil
			}
			wait = max(time.Duration(float64(p.rec.Time(p.next).Sub(now))/p.speed), minStep)
		}
		p.mu.Unlock()
		if err := p.sleep(ctx, wait); err != nil {
			return pipeline.Batch{}, err
		}
	}
}

// scanner reads the recording for a seek's rebuild, which gives way to a
// newer seek (ErrSuperseded) and to ctx.
func (p *Player) scanner(ctx context.Context) pipeline.ScanFunc {
	return func(from, to int, fn func(int, snapshot.Snapshot) error) error {
		n := 0
		return p.rec.ScanAhead(from, to, func(i int, s snapshot.Snapshot) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if n++; n%supersedeEvery == 0 && p.seekPending() {
				return pipeline.ErrSuperseded // sought again while rebuilding: that one wins
			}
			return fn(i, s)
		})
	}
}

// rebuilt lets the clock run again from the seek's target, unless a newer
// seek is waiting.
func (p *Player) rebuilt() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.seek {
		p.rebuilding = false
		p.anchor = p.opts.Wall()
	}
}

func (p *Player) seekPending() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seek
}

// pausedAt holds the playback at t. Call with mu held.
func (p *Player) pausedAt(t time.Time) {
	p.paused, p.pos, p.anchor = true, t, p.opts.Wall()
}

func (p *Player) sleep(ctx context.Context, d time.Duration) error {
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-p.wake:
	case <-timer:
	}
	return nil
}

func (p *Player) read(ctx context.Context, from, to int) ([]snapshot.Snapshot, error) {
	if to <= from {
		return nil, nil
	}
	out := make([]snapshot.Snapshot, 0, to-from)
	err := p.rec.Scan(from, to, func(_ int, s snapshot.Snapshot) error {
		out = append(out, s)
		return ctx.Err()
	})
	return out, err
}

// TogglePause pauses or plays. Played at the end, it starts over.
func (p *Player) TogglePause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused && p.rec.Len() > 0 && p.next == p.rec.Len() {
		p.paused = false
		p.seekLocked(p.rec.Time(0))
		return
	}
	p.pos, p.anchor = p.position(), p.opts.Wall()
	p.paused = !p.paused
	p.changed = true
	p.signal()
}

// Faster and Slower step through Speeds.
func (p *Player) Faster() { p.step(1) }

// Slower steps down through Speeds.
func (p *Player) Slower() { p.step(-1) }

func (p *Player) step(dir int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := 0
	for i < len(Speeds)-1 && Speeds[i] < p.speed {
		i++
	}
	i = min(max(i+dir, 0), len(Speeds)-1)
	p.pos, p.anchor = p.position(), p.opts.Wall()
	p.speed = Speeds[i]
	p.changed = true
	p.signal()
}

// Seek moves the playback to t, clamped to the recording.
func (p *Player) Seek(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seekLocked(t)
}

func (p *Player) seekLocked(t time.Time) {
	n := p.rec.Len()
	if n == 0 {
		return // nowhere to go
	}
	if start := p.rec.Time(0); t.Before(start) {
		t = start
	}
	if end := p.rec.Time(n - 1); t.After(end) {
		t = end
	}
	p.seek, p.seekTo = true, t
	p.setPos(t) // the clock is there at once; the frames follow
	p.signal()
}

// SeekBy moves the playback by d, back when negative.
func (p *Player) SeekBy(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seekLocked(p.position().Add(d))
}

// SeekStart and SeekEnd move to the first and the last snapshot.
func (p *Player) SeekStart() {
	if p.rec.Len() > 0 {
		p.Seek(p.rec.Time(0))
	}
}

// SeekEnd moves to the last snapshot.
func (p *Player) SeekEnd() {
	if n := p.rec.Len(); n > 0 {
		p.Seek(p.rec.Time(n - 1))
	}
}

// ErrNotIndexed is returned while the events are still being derived.
var ErrNotIndexed = errors.New("events still being indexed")

// NextEvent moves to the first event after the playback clock, PrevEvent
// to the last one before it (a second back, so a repeated N walks back
// through events). false: none that way.
func (p *Player) NextEvent() (bool, error) { return p.jump(1) }

// PrevEvent moves to the event before the playback clock.
func (p *Player) PrevEvent() (bool, error) { return p.jump(-1) }

func (p *Player) jump(dir int) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.marks == nil {
		if p.indexErr != nil {
			return false, p.indexErr
		}
		return false, ErrNotIndexed
	}
	now := p.position()
	var i int
	if dir > 0 {
		i = slices.IndexFunc(p.marks, func(e events.Event) bool { return e.Time.After(now) })
	} else {
		i = -1
		for j := len(p.marks) - 1; j >= 0; j-- {
			if p.marks[j].Time.Before(now) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		return false, nil
	}
	p.seekLocked(p.marks[i].Time)
	return true, nil
}

// SeekTo moves to a time written as the user types it: "T+05:00",
// "T-30s", "T+1h2m" relative to the launch's T0, or a clock time
// "14:03" / "14:03:22" on the recording's days. A time outside the
// recording is an error that says where the recording lies, and the
// playback stays where it is.
func (p *Player) SeekTo(s string) error {
	n := p.rec.Len()
	if n == 0 {
		return errors.New("the recording is empty")
	}
	start, end := p.rec.Time(0), p.rec.Time(n-1)
	t0 := p.opts.Plan.LaunchAt
	t, err := ParseTime(s, t0, start, end)
	if err != nil {
		return err
	}
	// A time is typed to the second: one within a second of either end
	// means that end.
	if t.Before(start) && start.Sub(t) < time.Second {
		t = start
	}
	if t.After(end) && t.Sub(end) < time.Second {
		t = end
	}
	if t.Before(start) || t.After(end) {
		side := "before the recording starts"
		if t.After(end) {
			side = "after the recording ends"
		}
		return fmt.Errorf("%s is %s: it runs from %s to %s", FormatTime(t, t0), side, FormatTime(start, t0), FormatTime(end, t0))
	}
	p.Seek(t)
	return nil
}

// String says where the player stands, for logs.
func (p *Player) String() string {
	st := p.Status()
	return fmt.Sprintf("replay %d/%d at %gx, paused %v", st.Index, st.Len, st.Speed, st.Paused)
}
