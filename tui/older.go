package tui

import (
	"context"
	"sort"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// HistoryFunc reads the snapshots a source held from from to to, oldest
// first, the way a live poll would have taken them (Prometheus' range
// queries): what the charts draw when + widens them past what the watch
// has seen.
type HistoryFunc func(ctx context.Context, from, to time.Time) ([]snapshot.Snapshot, error)

// olderTimeout bounds one fetch of older history.
const olderTimeout = 30 * time.Second

// olderMsg carries older history fetched for a widened window.
type olderMsg struct {
	from  time.Time
	snaps []snapshot.Snapshot
	err   error
}

// older is the history fetched on demand, before everything the pipeline
// holds; the charts draw it, dotted, like a warm start's. Nothing is
// derived from it: its events are not in the log.
type older struct {
	snaps    []snapshot.Snapshot // oldest first, all before the pipeline's first snapshot
	from     time.Time           // fetched back to here
	fetching bool
}

// fetchOlder asks for the history the window in view lacks: from the
// window's start to the oldest snapshot held. nil when there is nothing to
// fetch, no way to, a fetch is out, or this is a replay.
func (m *Model) fetchOlder() tea.Cmd {
	fr := m.shown()
	if m.opts.History == nil || m.opts.Replay != nil || m.older.fetching || fr.History.Len() == 0 {
		return nil
	}
	oldest := fr.History.At(0).Time
	if len(m.older.snaps) > 0 {
		oldest = m.older.snaps[0].Time
	}
	if !m.older.from.IsZero() && m.older.from.Before(oldest) {
		oldest = m.older.from // fetched before: the server had nothing older
	}
	from := fr.Snapshot.Time.Add(-m.window)
	// Less than two polls missing is no gap worth a query.
	if !from.Before(oldest.Add(-2 * m.opts.Interval)) {
		return nil
	}
	m.older.fetching = true
	fetch, to := m.opts.History, oldest.Add(-time.Millisecond)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), olderTimeout)
		defer cancel()
		snaps, err := fetch(ctx, from, to)
		return olderMsg{from: from, snaps: snaps, err: err}
	}
}

// takeOlder keeps fetched history before what is held, in time order.
func (m *Model) takeOlder(msg olderMsg) {
	m.older.fetching = false
	if msg.err != nil {
		m.note = "older history: " + snapshot.CleanText(msg.err.Error(), 200)
		return
	}
	m.note = ""
	first := time.Time{}
	if len(m.older.snaps) > 0 {
		first = m.older.snaps[0].Time
	} else if h := m.shown().History; h.Len() > 0 {
		first = h.At(0).Time
	}
	var keep []snapshot.Snapshot
	for _, s := range msg.snaps {
		if first.IsZero() || s.Time.Before(first) {
			keep = append(keep, s)
		}
	}
	m.older.snaps = append(keep, m.older.snaps...)
	// Nothing older than the longest window is ever drawn.
	if n := len(m.older.snaps); n > 0 {
		oldest := m.shown().Snapshot.Time.Add(-windows[len(windows)-1])
		i := 0
		for i < n && m.older.snaps[i].Time.Before(oldest) {
			i++
		}
		m.older.snaps = m.older.snaps[i:]
	}
	if m.older.from.IsZero() || msg.from.Before(m.older.from) {
		m.older.from = msg.from
	}
}

// olderIn returns the fetched history from t0 on, oldest first.
func (o older) olderIn(t0 time.Time) []snapshot.Snapshot {
	i := 0
	for i < len(o.snaps) && o.snaps[i].Time.Before(t0) {
		i++
	}
	return o.snaps[i:]
}

// histView is the chart window without a copy: the history fetched on
// demand, then the pipeline's own, oldest first.
type histView struct {
	older []snapshot.Snapshot
	live  pipeline.History
}

// Len returns the number of snapshots in view.
func (h histView) Len() int { return len(h.older) + h.live.Len() }

// At returns the i-th snapshot, 0 being the oldest.
func (h histView) At(i int) snapshot.Snapshot {
	if i < len(h.older) {
		return h.older[i]
	}
	return h.live.At(i - len(h.older))
}

// Slice returns snapshots i to j-1 as a view of their own.
func (h histView) Slice(i, j int) histView {
	n := len(h.older)
	switch {
	case j <= n:
		return histView{older: h.older[i:j]}
	case i >= n:
		return histView{live: h.live.Slice(i-n, j-n)}
	}
	return histView{older: h.older[i:], live: h.live.Slice(0, j-n)}
}

// search returns the first index whose time is at or after t.
func (h histView) search(t time.Time) int {
	return sort.Search(h.Len(), func(i int) bool { return !h.At(i).Time.Before(t) })
}
