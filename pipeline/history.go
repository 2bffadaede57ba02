package pipeline

import (
	"slices"
	"sort"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// chunkSize is how many snapshots one block of the history holds.
const chunkSize = 1024

type chunk [chunkSize]snapshot.Snapshot

// historyStore is the pipeline's append-only history of snapshots. Slots
// are written once and never again, and old blocks are dropped whole, so a
// History view taken at any moment stays valid and unchanged however far
// the store moves on: a view shares memory with the store but never sees
// a write.
type historyStore struct {
	chunks []*chunk
	base   int // absolute index of chunks[0][0]
	n      int // absolute index of the next snapshot
	cap    int // snapshots kept at least; older blocks are dropped

	fleet    []snapshot.Server // the fleet the history holds for the newest snapshots (see add)
	fleetAge int               // snapshots since fleet was taken
}

// fleetBudget is how many servers' figures a snapshot of the history holds
// on average: a fleet of more is kept on every k-th snapshot only, k =
// servers / fleetBudget rounded up, the snapshots between sharing it. An
// hour of a 500-server fleet held whole is about 320 MB; thinned it is
// as much as an hour of 50 servers, about 32 MB. Only the history is
// thinned, for the drill-down's charts, whose columns span more than k
// seconds at an hour's window: the frame, the judgement and the recorder
// get every snapshot whole.
const fleetBudget = 50

// newHistoryStore keeps capacity snapshots at least; none for NoHistory.
func newHistoryStore(capacity int) *historyStore {
	if capacity == NoHistory {
		return &historyStore{cap: 0}
	}
	return &historyStore{cap: max(capacity, 1)}
}

func (h *historyStore) add(s snapshot.Snapshot) {
	// The fleet's thinning goes on without a history, so that a
	// checkpoint taken by an analyst that keeps none (a replay's index)
	// carries it to one that does.
	if n := len(s.Fleet); n > 0 {
		every := (n + fleetBudget - 1) / fleetBudget
		if h.fleet != nil && h.fleetAge+1 < every {
			s.Fleet = h.fleet
			h.fleetAge++
		} else {
			h.fleet, h.fleetAge = s.Fleet, 0
		}
	} else {
		h.fleet, h.fleetAge = nil, 0
	}
	if h.cap == 0 {
		h.n++
		h.base = h.n
		return
	}
	off := h.n - h.base
	if off == len(h.chunks)*chunkSize {
		h.chunks = append(h.chunks, new(chunk))
	}
	h.chunks[off/chunkSize][off%chunkSize] = s
	h.n++
	// Drop a whole block once everything in it is older than the cap. The
	// slice is copied so the dropped block is not kept alive by it.
	if h.n-(h.base+chunkSize) >= h.cap {
		h.chunks = slices.Clone(h.chunks[1:])
		h.base += chunkSize
	}
}

// view returns the newest cap snapshots.
func (h *historyStore) view() History {
	if h.cap == 0 {
		return History{}
	}
	return History{chunks: slices.Clone(h.chunks), base: h.base, start: max(h.base, h.n-h.cap), end: h.n}
}

// History is a read-only view of the snapshots up to a frame's, oldest
// first. It never changes once made, and copying it copies no snapshots.
type History struct {
	chunks     []*chunk
	base       int
	start, end int // absolute indices [start, end)
}

// Len returns the number of snapshots in view.
func (h History) Len() int { return h.end - h.start }

// At returns the i-th snapshot in view, 0 being the oldest.
func (h History) At(i int) snapshot.Snapshot {
	off := h.start + i - h.base
	return h.chunks[off/chunkSize][off%chunkSize]
}

// search returns the first index in view whose time is at or after t.
func (h History) search(t time.Time) int {
	return sort.Search(h.Len(), func(i int) bool { return !h.At(i).Time.Before(t) })
}

// Slice returns the view of the snapshots i to j-1 of this one: the same
// memory, nothing copied.
func (h History) Slice(i, j int) History {
	if i < 0 || j > h.Len() || i > j {
		panic("pipeline: History.Slice out of range")
	}
	return History{chunks: h.chunks, base: h.base, start: h.start + i, end: h.start + j}
}

// Window returns the view of the snapshots taken from t0 to t1, both
// included, without copying them: what a chart draws every frame.
func (h History) Window(t0, t1 time.Time) History {
	i, j := h.search(t0), h.search(t1)
	for j < h.Len() && h.At(j).Time.Equal(t1) {
		j++
	}
	if i >= j {
		return History{}
	}
	return h.Slice(i, j)
}

// Between returns the snapshots taken from t0 to t1, both included, oldest
// first, in a slice of the caller's own.
func (h History) Between(t0, t1 time.Time) []snapshot.Snapshot {
	w := h.Window(t0, t1)
	if w.Len() == 0 {
		return nil
	}
	out := make([]snapshot.Snapshot, w.Len())
	for k := range out {
		out[k] = w.At(k)
	}
	return out
}

// Since returns the snapshots taken at or after t, oldest first.
func (h History) Since(t time.Time) []snapshot.Snapshot {
	if h.Len() == 0 {
		return nil
	}
	return h.Between(t, h.At(h.Len()-1).Time)
}
