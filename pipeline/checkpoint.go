package pipeline

import (
	"reflect"
	"slices"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// NoHistory as an analyst's history capacity keeps no history: its frames'
// History is empty. A walk that reads only the assessments and the events
// (the report, a replay's index) spares itself the copies.
const NoHistory = -1

// Checkpoint is an analyst's derived state after the first snapshots of a
// recording: everything a derive carries from one snapshot to the next
// except the history, which is the recording's own snapshots and is read
// back from it. A replay keeps one every so often while it indexes the
// recording, so that a seek derives from the nearest one before its target
// rather than from the start (see Analyst.Rebuild), to the same frame.
//
// A checkpoint shares what never changes once made (the events.State, the
// event log's view, the history's fleet) and copies the rest.
type Checkpoint struct {
	next     int
	state    events.State
	recent   *capacity.Window
	log      EventLog
	fleet    []snapshot.Server // the history's fleet thinning (see historyStore.add)
	fleetAge int
	plan     capacity.Plan
	th       capacity.Thresholds
}

// Next returns how many snapshots were derived before the checkpoint: the
// index of the snapshot a rebuild goes on from.
func (c *Checkpoint) Next() int { return c.next }

// Checkpoint returns the analyst's derived state as it stands. It must be
// called between two Adds, never during one.
func (a *Analyst) Checkpoint() *Checkpoint {
	return &Checkpoint{
		next: a.hist.n, state: a.state, recent: a.recent.Clone(), log: clipped(a.log.view()),
		fleet: a.hist.fleet, fleetAge: a.hist.fleetAge, plan: a.plan, th: a.th,
	}
}

// fits reports whether c was derived under the analyst's plan and
// thresholds: one made under others would derive other frames.
func (c *Checkpoint) fits(a *Analyst) bool {
	return c.th == a.th && reflect.DeepEqual(c.plan, a.plan)
}

// ScanFunc reads a recording's snapshots [from, to) in order and calls fn
// with each; it stops at fn's first error and returns it
// (recording.Recording's Scan, with whatever checks a caller wraps it in).
type ScanFunc func(from, to int, fn func(i int, s snapshot.Snapshot) error) error

// Rebuild drops everything derived and derives the frame of the
// recording's snapshot at, the frame deriving every snapshot from the
// first one would give (but its Seq, which goes on counting). It starts
// from the latest of cps (ordered by Next) at or before at that was
// derived under the analyst's plan and thresholds; it reads the history
// the frame holds from before that checkpoint back with scan without
// deriving it, with the history's fleet thinning carried from the latest
// checkpoint before the history starts. Without a usable checkpoint it
// derives from the first snapshot.
//
// A day's recording at 1 s indexed every 1,024 snapshots costs a seek the
// reading of the history (three hours) and at most 1,024 derives, where
// deriving from the start costs 86,400.
func (a *Analyst) Rebuild(at int, cps []*Checkpoint, scan ScanFunc) (Frame, error) {
	a.reset()
	to := at + 1
	// The state from the latest checkpoint before the target; the history
	// from its start, to - cap, where a derive from the first snapshot
	// would have it begin.
	cs := a.latest(cps, at)
	histFrom := to // no history: nothing to read back
	if a.hist.cap > 0 {
		histFrom = max(to-a.hist.cap, 0)
	}
	var f Frame
	derive := func(_ int, s snapshot.Snapshot) error { f = a.Add(s); return nil }
	switch {
	case cs == nil:
		return f, scan(0, to, derive)
	case cs.next <= histFrom:
		// The history begins after the checkpoint: derive it all.
		a.restore(cs)
		a.restoreHistory(cs)
		return f, scan(cs.next, to, derive)
	}
	if ch := a.latest(cps, histFrom); ch != nil {
		a.restoreHistory(ch)
	}
	fill := func(_ int, s snapshot.Snapshot) error { a.hist.add(s); return nil }
	if err := scan(a.hist.n, cs.next, fill); err != nil {
		return f, err
	}
	a.restore(cs)
	return f, scan(cs.next, to, derive)
}

// latest returns the latest checkpoint of cps made at or before snapshot i
// that fits the analyst; nil when none does.
func (a *Analyst) latest(cps []*Checkpoint, i int) *Checkpoint {
	for k := len(cps) - 1; k >= 0; k-- {
		if c := cps[k]; c.next <= i {
			if !c.fits(a) {
				return nil
			}
			return c
		}
	}
	return nil
}

// restore takes c's derived state, the history aside.
func (a *Analyst) restore(c *Checkpoint) {
	a.state = c.state
	a.recent = c.recent.Clone()
	a.log = eventStore{events: c.log.events, cap: EventLogCap}
}

// restoreHistory starts an empty history at c: the next snapshot is c's
// Next, thinned as after it.
func (a *Analyst) restoreHistory(c *Checkpoint) {
	h := historyFor(a.histCap)
	h.base, h.n, h.fleet, h.fleetAge = c.next, c.next, c.fleet, c.fleetAge
	a.hist = h
}

// clipped is a log view whose array has no room past its end: an analyst
// restored from the checkpoint appends to a copy, never into the array
// the index's analyst (or another restore) goes on writing and older
// frames' views read.
func clipped(l EventLog) EventLog { return EventLog{events: slices.Clip(l.events)} }
