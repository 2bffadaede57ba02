package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// A warm start fills what happened before a watch started (the avalanche
// an engineer opening the screen ten minutes into an incident missed) from
// history, so the charts show it at once. History snapshots are derived
// like any other: they go on the charts and raise events, but those events
// are past: marked Past, said to be "before start", and never a frame's
// fresh Events, so nothing alerts on them. No frame is published from
// history alone: the first frame is the first live snapshot's, so tiles
// show live figures only. The sinks (the recorder) never see history.

// WarmFunc fetches the snapshots taken before until, oldest first. On an
// error it returns what it fetched before.
type WarmFunc func(ctx context.Context, until time.Time) ([]snapshot.Snapshot, error)

// DefaultWarmTimeout bounds a warm start: the first frame waits for it.
const DefaultWarmTimeout = 10 * time.Second

// pastPrefix opens a past event's message, on every screen that lists it.
const pastPrefix = "before start: "

// Warm derives history snapshots from before the start: their events go
// to the log marked past, then one event at start marks where the live
// watch begins (the charts shade what is before it). Snapshots at or after
// start are left out; it is for a fresh analyst, before the first Add.
func (a *Analyst) Warm(snaps []snapshot.Snapshot, start time.Time) {
	n := 0
	for _, s := range snaps {
		if !s.Time.Before(start) {
			break
		}
		a.derive(s, true)
		n++
	}
	if n == 0 {
		return
	}
	a.log.add([]events.Event{{
		Time: start, Kind: events.KindWarm, Severity: events.Info, Subject: "history", Past: true,
		Message: fmt.Sprintf("watching live from here; the %s before came from history", historySpan(snaps[0].Time, start)),
	}})
}

// historySpan words how far back history reaches.
func historySpan(from, to time.Time) string {
	d := to.Sub(from).Round(time.Second)
	if d <= 0 {
		return "moment"
	}
	return capacity.FormatDuration(d)
}

// markPast marks events found in history.
func markPast(evs []events.Event) {
	for i := range evs {
		evs[i].Past = true
		evs[i].Message = pastPrefix + evs[i].Message
	}
}

// warmer runs Options.Warm beside the first polls.
type warmer struct {
	until time.Time // the producer's time when the watch started
	done  chan []snapshot.Snapshot
	wg    sync.WaitGroup
}

// startWarm starts the warm start, or returns nil without one.
func (p *Pipeline) startWarm(ctx context.Context) *warmer {
	if p.opts.Warm == nil {
		return nil
	}
	until := p.Now()
	w := &warmer{until: until, done: make(chan []snapshot.Snapshot, 1)}
	w.wg.Go(func() {
		wctx, cancel := context.WithTimeout(ctx, p.opts.WarmTimeout)
		defer cancel()
		start := time.Now()
		snaps, err := p.opts.Warm(wctx, until)
		if err != nil && ctx.Err() == nil {
			p.opts.Log.Warn("warm start: history in part or not at all", "snapshots", len(snaps), "err", err)
		} else {
			p.opts.Log.Info("warm start", "snapshots", len(snaps), "took", time.Since(start))
		}
		w.done <- snaps
	})
	return w
}

// warmed derives the history, then the live snapshots that came while it
// was fetched, publishing each.
func (p *Pipeline) warmed(w *warmer, hist, held []snapshot.Snapshot) {
	start := w.until
	if len(held) > 0 {
		start = held[0].Time
	}
	p.analyst.Warm(hist, start)
	for _, s := range held {
		p.publish(p.analyst.Add(s), nil)
	}
}
