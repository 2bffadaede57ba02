package pipeline

import "sync"

// queue hands items to take on a goroutine of its own, in order, none
// skipped, behind an unbounded buffer: a slow consumer (a disk, an alert
// sink) never slows the loop. close waits until everything pushed has been
// taken. The sinks of snapshots and of frames both run on one.
type queue[T any] struct {
	take   func(T)
	finish func() // after the last item, before close returns; may be nil

	mu      sync.Mutex
	items   []T
	closing bool
	wake    chan struct{}
	done    chan struct{}
}

func newQueue[T any](take func(T), finish func()) *queue[T] {
	return &queue[T]{take: take, finish: finish, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func (q *queue[T]) push(item T) {
	q.mu.Lock()
	q.items = append(q.items, item)
	q.mu.Unlock()
	q.signal()
}

func (q *queue[T]) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// run takes items until closed and drained, then finishes.
func (q *queue[T]) run() {
	defer close(q.done)
	if q.finish != nil {
		defer q.finish()
	}
	for {
		q.mu.Lock()
		batch, closing := q.items, q.closing
		q.items = nil
		q.mu.Unlock()
		for _, item := range batch {
			q.take(item)
		}
		switch {
		case len(batch) == 0 && closing:
			return
		case len(batch) == 0:
			<-q.wake
		}
	}
}

// close waits until every item pushed has been taken and finish has run.
func (q *queue[T]) close() {
	q.mu.Lock()
	q.closing = true
	q.mu.Unlock()
	q.signal()
	<-q.done
}
