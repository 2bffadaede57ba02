package pipeline

import (
	"sync"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Sink takes every snapshot, in order, none skipped: the recorder. It runs
// on a goroutine of its own behind an unbounded queue, so a slow disk never
// slows the loop; the pipeline drains the queue before Run returns.
type Sink interface {
	Append(snapshot.Snapshot) error
}

// sinkRunner runs a Sink on a queue and keeps its count and last error.
type sinkRunner struct {
	*queue[snapshot.Snapshot]

	mu    sync.Mutex
	count int    // snapshots appended
	err   string // the last error, cleaned
}

func newSinkRunner(s Sink) *sinkRunner {
	r := &sinkRunner{}
	r.queue = newQueue(func(snap snapshot.Snapshot) {
		err := s.Append(snap)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.err = snapshot.CleanText(err.Error(), 500)
		} else {
			r.count++
		}
	}, nil)
	return r
}

func (r *sinkRunner) status() (int, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count, r.err
}
