package tui

import (
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// history keeps the newest snapshots for sparklines, charts and the sell
// rate, dropping the oldest past its capacity.
type history struct {
	buf   []snapshot.Snapshot
	start int // index of the oldest
	n     int
}

func newHistory(capacity int) *history {
	return &history{buf: make([]snapshot.Snapshot, max(capacity, 1))}
}

func (h *history) add(s snapshot.Snapshot) {
	if h.n < len(h.buf) {
		h.buf[(h.start+h.n)%len(h.buf)] = s
		h.n++
		return
	}
	h.buf[h.start] = s
	h.start = (h.start + 1) % len(h.buf)
}

func (h *history) len() int { return h.n }

func (h *history) at(i int) snapshot.Snapshot { return h.buf[(h.start+i)%len(h.buf)] }

// since returns the snapshots taken at or after t, oldest first.
func (h *history) since(t time.Time) []snapshot.Snapshot {
	if h.n == 0 {
		return nil
	}
	return h.between(t, h.at(h.n-1).Time)
}

// between returns the snapshots taken from t0 to t1, both included, oldest
// first.
func (h *history) between(t0, t1 time.Time) []snapshot.Snapshot {
	end := h.n
	for end > 0 && h.at(end-1).Time.After(t1) {
		end--
	}
	start := end
	for start > 0 && !h.at(start-1).Time.Before(t0) {
		start--
	}
	out := make([]snapshot.Snapshot, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, h.at(i))
	}
	return out
}
