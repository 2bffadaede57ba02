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
}

// New returns a player at the start of the recording, playing.
func New(rec *recording.Recording, opts Options) *Player {
	if opts.Wall == nil {
		opts.Wall = time.Now
	}
	if opts.Speed <= 0 {
		opts.Speed = 1
	}
	p := &Player{rec: rec, opts: opts, wake: make(chan struct{}, 1), speed: opts.Speed}
	if rec.Len() > 0 {
		p.pos = rec.Time(0)
	}
	p.anchor = opts.Wall()
	return p
}

// Index derives every event of the recording, for the timeline and for
// NextEvent and PrevEvent. It reads the whole recording once; run it on a
// goroutine of its own. The events are those the pipeline raises when it
// plays the recording through.
func (p *Player) Index(ctx context.Context) error {
	interval := time.Duration(p.rec.Header().Interval)
	if interval <= 0 {
		interval = time.Second
	}
	// The assessment looks back a minute; nothing else of the history
	// matters to events.
	an := pipeline.NewAnalyst(p.opts.Plan, p.opts.Thresholds, int(2*time.Minute/interval)+1)
	var marks []events.Event
	err := p.rec.Scan(0, p.rec.Len(), func(_ int, s snapshot.Snapshot) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		marks = append(marks, an.Add(s).Events...)
		return nil
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.indexErr = err
	} else {
		p.marks = marks
	}
	p.changed = true
	p.signal()
	return err
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
		Ended: p.rec.Len() > 0 && p.next == p.rec.Len(), Marks: p.marks,
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
			// Everything up to and including the target is derived again.
			to := p.rec.Search(p.seekTo.Add(time.Nanosecond))
			p.next = to
			if to == p.rec.Len() {
				p.pausedAt(p.rec.Time(to - 1)) // sought to the end: hold there, as when played to it
			}
			p.mu.Unlock()
			return pipeline.Batch{Rebuild: func(yield func(snapshot.Snapshot)) error {
				err := p.rec.Scan(0, to, func(i int, s snapshot.Snapshot) error {
					if err := ctx.Err(); err != nil {
						return err
					}
					if i%256 == 0 && p.seekPending() {
						return pipeline.ErrSuperseded // sought again while rebuilding: that one wins
					}
					yield(s)
					return nil
				})
				p.rebuilt()
				return err
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
	if n := p.rec.Len(); n > 0 {
		if start := p.rec.Time(0); t.Before(start) {
			t = start
		}
		if end := p.rec.Time(n - 1); t.After(end) {
			t = end
		}
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
// "14:03" / "14:03:22" on the recording's days.
func (p *Player) SeekTo(s string) error {
	var start, end time.Time
	if n := p.rec.Len(); n > 0 {
		start, end = p.rec.Time(0), p.rec.Time(n-1)
	}
	t, err := ParseTime(s, p.opts.Plan.LaunchAt, start, end)
	if err != nil {
		return err
	}
	p.Seek(t)
	return nil
}

// String says where the player stands, for logs.
func (p *Player) String() string {
	st := p.Status()
	return fmt.Sprintf("replay %d/%d at %gx, paused %v", st.Index, st.Len, st.Speed, st.Paused)
}
