package pipeline

import (
	"errors"
	"fmt"
	"maps"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// ErrNotLive is why a replay takes no acknowledgement: it shows the ones
// its recording holds.
var ErrNotLive = errors.New("acknowledging is for a live watch: a replay shows the acknowledgements it recorded")

// Acknowledge acknowledges the standing problem under key ("errors/
// error_rate") for every screen of the pipeline, by (a person, cleaned for
// a terminal), at the producer's clock. Every subscriber gets the newest
// frame again at once with the problem acknowledged, and so do the frame
// sinks (the alerts, which tell their receivers); from the next snapshot
// on the acknowledgement is written into each snapshot (Snapshot.Acks),
// so the recording keeps it and the event log says who took it. It holds
// until the problem resolves. A problem already acknowledged keeps its
// first acknowledgement.
func (p *Pipeline) Acknowledge(key, by string) error {
	if p.opts.Player != nil {
		return ErrNotLive
	}
	at := p.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return ErrClosed
	}
	if !p.hasLast || !standing(p.last.Problems, key) {
		return fmt.Errorf("no problem %q stands now", key)
	}
	if _, ok := p.acks[key]; ok {
		return nil
	}
	if p.acks == nil {
		p.acks = make(map[string]snapshot.Ack)
	}
	a := snapshot.Ack{By: snapshot.CleanText(by, snapshot.MaxAckBy), At: at}
	p.acks[key] = a
	f := p.last
	f.Problems = events.Acknowledge(f.Problems, key, a)
	p.last = f
	for s := range p.subs {
		s.offer(f)
	}
	for _, r := range p.frameSinks {
		r.push(f)
	}
	return nil
}

// stampAcks writes the acknowledgements that stand into a new snapshot,
// before it is recorded and derived.
func (p *Pipeline) stampAcks(s snapshot.Snapshot) snapshot.Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.acks) > 0 {
		s.Acks = maps.Clone(p.acks)
	}
	return p.stampNotes(s)
}

// keepAcks follows a new frame: acknowledgements of problems that
// resolved are forgotten, and one given while the frame was being derived
// (not in its snapshot) is laid on it, so no screen sees it flicker off.
// p.mu is held.
func (p *Pipeline) keepAcks(f Frame) Frame {
	for key, a := range p.acks {
		if !standing(f.Problems, key) {
			delete(p.acks, key)
			continue
		}
		if _, ok := f.Snapshot.Acks[key]; !ok {
			f.Problems = events.Acknowledge(f.Problems, key, a)
		}
	}
	return f
}

func standing(ps []events.Problem, key string) bool {
	for _, q := range ps {
		if q.Key() == key {
			return true
		}
	}
	return false
}
