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
	if to-from <= aheadBatch {
		return r.Scan(from, to, fn) // too few to be worth a goroutine
	}
	full := make(chan batch, aheadBatches)
	free := make(chan []snapshot.Snapshot, aheadBatches+2)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(full)
		b := batch{first: from}
		send := func(b batch) bool {
			select {
			case full <- b:
				return true
			case <-stop:
				return false
			}
		}
		err := r.Scan(from, to, func(i int, s snapshot.Snapshot) error {
			if b.snaps == nil {
				select {
				case b.snaps = <-free:
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
	for b := range full {
		for k := range b.snaps {
			if err := fn(b.first+k, b.snaps[k]); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
		// The batch's snapshots are fn's now (a frame may keep one), so
		// only the array goes back, cleared.
		clear(b.snaps)
		select {
		case free <- b.snaps[:0]:
		default:
		}
	}
	return nil
}
