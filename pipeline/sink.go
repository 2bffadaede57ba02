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

type sinkRunner struct {
	sink Sink

	mu      sync.Mutex
	queue   []snapshot.Snapshot
	closing bool
	wake    chan struct{}
	done    chan struct{}
	count   int    // snapshots appended
	err     string // the last error, cleaned
}

func newSinkRunner(s Sink) *sinkRunner {
	return &sinkRunner{sink: s, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func (r *sinkRunner) push(s snapshot.Snapshot) {
	r.mu.Lock()
	r.queue = append(r.queue, s)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// run appends until closed and drained.
func (r *sinkRunner) run() {
	defer close(r.done)
	for {
		r.mu.Lock()
		batch, closing := r.queue, r.closing
		r.queue = nil
		r.mu.Unlock()
		for _, s := range batch {
			err := r.sink.Append(s)
			r.mu.Lock()
			if err != nil {
				r.err = snapshot.CleanText(err.Error(), 500)
			} else {
				r.count++
			}
			r.mu.Unlock()
		}
		if len(batch) == 0 && closing {
			return
		}
		if len(batch) == 0 {
			<-r.wake
		}
	}
}

func (r *sinkRunner) close() {
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	<-r.done
}

func (r *sinkRunner) status() (int, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count, r.err
}
