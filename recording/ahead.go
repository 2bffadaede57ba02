package recording

import (
	"errors"
	"sync"

	"github.com/launchwatch/launchwatch/snapshot"
)

// aheadBatch is how many records ScanAhead hands over at once, and
// aheadBatches how many batches it reads ahead of the caller at most.
const (
	aheadBatch   = 256
	aheadBatches = 2
)

// errStopped ends ScanAhead's reading when the caller stops.
var errStopped = errors.New("scan stopped")

// batch is a run of records read ahead, from record first, or the error
// the reading ended with after them.
type batch struct {
	first int
	snaps []snapshot.Snapshot
	err   error
}

// ScanAhead is Scan with the reading and decoding on a goroutine of its
// own, a few hundred records ahead of fn: a walk that derives every record
// (the report, a replay's index and its seeks) has the next ones decoded
// on another core meanwhile. fn is called on the caller's goroutine with
// records [from, to) in order, as Scan calls it, and Scan's errors come
// back after the records before them; an error from fn stops the reading
// and is returned as it is. The reading has stopped when ScanAhead
// returns.
func (r *Recording) ScanAhead(from, to int, fn func(i int, s snapshot.Snapshot) error) error {
	return r.scanAhead(from, to, false, fn)
}

// ScanAheadReusing is ScanAhead for an fn that keeps no snapshot's
// Sources and Endpoints maps: once fn has been given the aheadBatch (256)
// records after a snapshot, that snapshot's two maps are emptied and filled
// with a later record's. The maps are the largest part of a record's
// decoding; a walk that reads each snapshot as it comes and keeps only
// what it copies out (the report's) saves making them.
func (r *Recording) ScanAheadReusing(from, to int, fn func(i int, s snapshot.Snapshot) error) error {
	return r.scanAhead(from, to, true, fn)
}

// freed is a batch's array handed back to the reading, cleared, and the
// maps of the batch before it (ScanAheadReusing).
type freed struct {
	snaps []snapshot.Snapshot
	spare spareMaps
}

func (r *Recording) scanAhead(from, to int, reuse bool, fn func(i int, s snapshot.Snapshot) error) error {
	if to-from <= aheadBatch {
		return r.Scan(from, to, fn) // too few to be worth a goroutine
	}
	full := make(chan batch, aheadBatches)
	free := make(chan freed, aheadBatches+2)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(full)
		st := new(scanState) // this goroutine's alone
		b := batch{first: from}
		send := func(b batch) bool {
			select {
			case full <- b:
				return true
			case <-stop:
				return false
			}
		}
		err := r.scan(from, to, st, func(i int, s snapshot.Snapshot) error {
			if b.snaps == nil {
				select {
				case f := <-free:
					b.snaps = f.snaps
					st.spare.sources = append(st.spare.sources, f.spare.sources...)
					st.spare.endpoints = append(st.spare.endpoints, f.spare.endpoints...)
				default:
					b.snaps = make([]snapshot.Snapshot, 0, aheadBatch)
				}
				b.first = i
			}
			b.snaps = append(b.snaps, s)
			if len(b.snaps) == aheadBatch {
				if !send(b) {
					return errStopped
				}
				b = batch{}
			}
			return nil
		})
		if errors.Is(err, errStopped) {
			return
		}
		b.err = err
		send(b)
	})
	defer wg.Wait()
	defer close(stop)
	// held is the maps of the batch fn was given last, handed back with
	// the next batch's array: fn has then been given every record of the
	// batch after theirs.
	var held spareMaps
	for b := range full {
		for k := range b.snaps {
			if err := fn(b.first+k, b.snaps[k]); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
		back := freed{snaps: b.snaps[:0]}
		if reuse {
			for _, m := range held.sources {
				back.spare.sources.give(m)
			}
			for _, m := range held.endpoints {
				back.spare.endpoints.give(m)
			}
			held = spareMaps{}
			for k := range b.snaps {
				if m := b.snaps[k].Sources; m != nil {
					held.sources = append(held.sources, m)
				}
				if m := b.snaps[k].Endpoints; m != nil {
					held.endpoints = append(held.endpoints, m)
				}
			}
		}
		// The batch's snapshots are fn's now (a frame may keep one), so
		// only the array goes back, cleared.
		clear(b.snaps)
		select {
		case free <- back:
		default:
		}
	}
	return nil
}
