// Package probe is the sale-page probe (package probe at the top of the
// module: the page as a first visitor's browser fetches it) as a source,
// run in the background at its own cadence so a heavy page never delays a
// poll.
package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	pageprobe "github.com/launchwatch/launchwatch/probe"
	"github.com/launchwatch/launchwatch/snapshot"
)

// maxWarnings caps the failed resources named one by one in a
// result's warnings; the rest are counted.
const maxWarnings = 5

// Source is the sale-page probe as a source. A probe of a heavy page takes
// seconds, so it runs in the background at its own cadence (Interval,
// 10 s by default), like the host's netlink dump, and every poll answers
// at once with the last finished probe: a slow page never delays the
// poll.
//
// The answer is as fresh as the cadence allows while probes keep
// finishing on time: the source's newest sample is the poll's own time,
// and probe.age_seconds says how old the probe really is. Once the last
// finished probe is older than two intervals and a timeout (probes stuck
// or slower than their deadline), the newest sample is the time that
// probe started, so the source reads behind, then stale, like any other.
// Without cdn_hosts the CDN's share is unknown, and left missing. A probe
// whose page failed (no answer, an error status, over the size cap) is the
// source's error, and the poller carries the last good
// figures, marked stale.
type Source struct {
	run     func(context.Context) (pageprobe.Result, error)
	cdn     bool // CDN hosts are named, so the CDN's share is known
	every   time.Duration
	timeout time.Duration
	wallNow func() time.Time

	mu sync.Mutex // guards st
	st state
}

// state is the last finished probe and the one in flight.
type state struct {
	done     bool // a probe has finished at least once
	res      pageprobe.Result
	err      error
	started  time.Time     // wall time the last finished probe started
	snapAt   time.Time     // the snapshot clock when it started
	inFlight chan struct{} // closed when the running probe finishes; nil if none
	lastRun  time.Time     // wall time the newest probe started
	runSnap  time.Time     // the snapshot clock when the newest probe started
}

// New returns the probe source for a sources.probe block; missing
// defaults are filled in as config.Load would.
func New(cfg *config.Probe) (*Source, error) {
	if cfg == nil {
		return nil, errors.New("probe: no configuration")
	}
	c := *cfg
	if c.Interval <= 0 {
		c.Interval = config.DefaultProbeInterval
	}
	if c.Timeout <= 0 {
		c.Timeout = config.SourceTimeout(c.Interval)
	}
	pr, err := pageprobe.New(c.ProbeOptions())
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	return &Source{run: pr.Run, cdn: len(c.CDNHosts) > 0, every: c.Interval, timeout: c.Timeout, wallNow: time.Now}, nil
}

// Name implements source.Source.
func (p *Source) Name() string { return config.SourceProbe }

// Signals implements source.Source.
func (p *Source) Signals() []string { return slices.Clone(snapshot.ProbeSignals) }

// Unanswerable implements source.Unanswerable: without cdn_hosts the
// CDN's share is not measured.
func (p *Source) Unanswerable() map[string]string {
	if p.cdn {
		return nil
	}
	return map[string]string{snapshot.SignalProbeCDNShare: "no value: sources.probe.cdn_hosts names no CDN host, so the share the CDN serves is not measured"}
}

// Collect implements source.Source: it starts a probe when none is running and
// the last started an interval ago, and answers with the last finished
// one. Only until the very first probe has finished does it wait, and
// then no longer than ctx allows.
func (p *Source) Collect(ctx context.Context, now time.Time) (source.Result, error) {
	wall := p.wallNow()
	p.mu.Lock()
	if p.st.inFlight == nil && (p.st.lastRun.IsZero() || wall.Sub(p.st.lastRun) >= p.every) {
		p.st.inFlight = make(chan struct{})
		p.st.lastRun, p.st.runSnap = wall, now
		go p.probe(p.st.inFlight, wall, now)
	}
	st := p.st
	p.mu.Unlock()

	if !st.done {
		select {
		case <-st.inFlight:
		case <-ctx.Done():
			return source.Result{Infos: []string{"the first probe of the sale page is still running"}}, nil
		}
		p.mu.Lock()
		st = p.st
		p.mu.Unlock()
	}
	return p.result(st, wall, now)
}

// probe runs one probe with its own deadline (Collect's context ends when
// Collect returns) and publishes the outcome.
func (p *Source) probe(done chan struct{}, wall, snap time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	res, err := safeProbe(ctx, p.run)
	p.mu.Lock()
	p.st.done, p.st.res, p.st.err, p.st.started, p.st.snapAt = true, res, err, wall, snap
	p.st.inFlight = nil
	p.mu.Unlock()
	close(done)
}

// safeProbe turns a panic in a probe into an error: it runs in its own
// goroutine, where a panic would end the program.
func safeProbe(ctx context.Context, run func(context.Context) (pageprobe.Result, error)) (res pageprobe.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("probe: internal error: %v", r)
		}
	}()
	return run(ctx)
}

// result turns the last finished probe into the source's answer.
func (p *Source) result(st state, wall, now time.Time) (source.Result, error) {
	age := max(wall.Sub(st.started), 0)
	res := source.Result{NewestSample: now}
	if age > 2*p.every+p.timeout {
		res.NewestSample = st.snapAt
		res.Warnings = append(res.Warnings, fmt.Sprintf("the last probe is %s old", age.Round(time.Second)))
	}
	if st.err != nil {
		res.AddError("page", st.err)
		return res, st.err
	}
	r := st.res
	button := 0.0
	if r.Button.Present {
		button = 1
	} else {
		res.Infos = append(res.Infos, "purchase button missing: "+r.Button.Why)
	}
	failed := r.Failed()
	res.Values = map[string]snapshot.Value{
		snapshot.SignalProbeButton:       snapshot.Some(button),
		snapshot.SignalProbePageBytes:    snapshot.Some(float64(r.Weight())),
		snapshot.SignalProbeResources:    snapshot.Some(float64(len(r.Resources))),
		snapshot.SignalProbeUncompressed: snapshot.Some(float64(r.UncompressedBytes())),
		snapshot.SignalProbeFailed:       snapshot.Some(float64(len(failed))),
		// On the snapshots' clock, which the events hold the launch on.
		snapshot.SignalProbeAge: snapshot.Some(max(now.Sub(st.snapAt), 0).Seconds()),
	}
	if share, ok := r.CDNShare(); ok && p.cdn {
		res.Values[snapshot.SignalProbeCDNShare] = snapshot.Some(share)
	}
	for i, f := range failed {
		if i == maxWarnings {
			res.Warnings = append(res.Warnings, fmt.Sprintf("and %d more resources failing", len(failed)-i))
			break
		}
		res.Warnings = append(res.Warnings, "resource "+f.URL+" "+failure(f))
	}
	if r.LeftOut > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d more resources past max_resources were not weighed", r.LeftOut))
	}
	return res, nil
}

// failure says how a resource failed: "answered 404 Not Found" or the
// error.
func failure(r pageprobe.Resource) string {
	if r.Err != "" {
		return "failed: " + r.Err
	}
	return fmt.Sprintf("answered %d %s", r.Status, http.StatusText(r.Status))
}
