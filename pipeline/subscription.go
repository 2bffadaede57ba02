package pipeline

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is returned by Subscription.Next once the pipeline has stopped
// and the last frame has been taken, or the subscription was closed.
var ErrClosed = errors.New("pipeline closed")

// Subscription receives frames. It holds the newest frame only: a
// subscriber slower than the loop never slows it or anyone else, and is
// told how many frames it missed (Frame.Skipped).
type Subscription struct {
	mu      sync.Mutex
	frame   Frame
	pending bool // frame is new to the subscriber
	skipped int
	closed  bool
	err     error         // why the pipeline stopped, when it failed
	ready   chan struct{} // a token when pending or closed
	remove  func()
}

func newSubscription() *Subscription {
	return &Subscription{ready: make(chan struct{}, 1)}
}

// offer hands the subscription a frame, replacing one it has not taken.
func (s *Subscription) offer(f Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.pending {
		s.skipped++
	}
	s.frame, s.pending = f, true
	s.signal()
}

func (s *Subscription) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Next waits for a frame newer than the last one taken and returns it,
// with Skipped set. Once the pipeline has stopped and nothing newer is
// left it returns the error the pipeline failed with (a recording that
// cannot be read), or ErrClosed; or ctx's error.
func (s *Subscription) Next(ctx context.Context) (Frame, error) {
	for {
		s.mu.Lock()
		if s.pending {
			f := s.frame
			f.Skipped, s.skipped, s.pending = s.skipped, 0, false
			s.mu.Unlock()
			return f, nil
		}
		closed, err := s.closed, s.err
		s.mu.Unlock()
		if closed && err != nil {
			return Frame{}, err
		}
		if closed {
			return Frame{}, ErrClosed
		}
		select {
		case <-s.ready:
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		}
	}
}

// Close ends the subscription: Next returns ErrClosed (after any frame not
// yet taken) and the pipeline forgets it.
func (s *Subscription) Close() {
	s.mu.Lock()
	s.closed = true
	s.signal()
	remove := s.remove
	s.mu.Unlock()
	if remove != nil {
		remove()
	}
}

// end closes from the pipeline's side, keeping a frame not yet taken and
// the error the pipeline failed with, if any.
func (s *Subscription) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed, s.err = true, err
	s.signal()
}
