package alerts

import (
	"context"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Sink delivers alerts somewhere: a command, a webhook.
type Sink interface {
	// Name says which sink it is in logs and on screen; no secret in it.
	Name() string
	// Send delivers one alert, within the sink's own timeout and retries,
	// and returns when it is delivered or given up.
	Send(ctx context.Context, a Alert) error
}

// Route is a sink with how it is fed.
type Route struct {
	Sink Sink
	// MinSeverity is the lowest severity that fires (default Warn).
	MinSeverity events.Severity
	// Concurrency is how many sends may run at once (default 1). A
	// problem's alerts all go through one of them, in order.
	Concurrency int
	// Queue is how many alerts may wait, shared among the workers; past it
	// they are dropped and counted (default DefaultQueue).
	Queue int
}

// DefaultQueue is a route's default queue length: far more than one
// launch's problems open and resolve in the time a sink takes.
const DefaultQueue = 256

// Options configure a Dispatcher.
type Options struct {
	// Launch names the launch in every alert.
	Launch string
	Routes []Route
	// Grace is how long Close waits for queued and running sends before
	// cancelling them (default 5 s).
	Grace time.Duration
	// Log takes a line for every alert sent, failed or dropped; nil drops
	// them.
	Log *slog.Logger
}

// SinkStatus is how a sink is doing, for the screen and the log.
type SinkStatus struct {
	Name string
	// Sent alerts were delivered; Failed ones were given up on; Dropped
	// ones found the queue full; Pending ones wait or are being sent.
	Sent, Failed, Dropped, Pending int
	// LastError is the newest failure, cleaned for a terminal, and
	// LastErrorAt when it happened; LastSent is the newest delivery.
	LastError   string
	LastErrorAt time.Time
	LastSent    time.Time
}

// Failing reports whether the sink's newest outcome is a failure (or a
// drop): what the screen marks.
func (s SinkStatus) Failing() bool {
	return !s.LastErrorAt.IsZero() && !s.LastErrorAt.Before(s.LastSent)
}

// Dispatcher turns consecutive frames' problems into alerts and hands them
// to the sinks; see the package comment.
type Dispatcher struct {
	opts   Options
	routes []*route
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex // Observe and Close
	last   map[string]events.Problem
	closed bool
}

type route struct {
	Route
	// queues has a queue per worker: a problem's alerts all go to the
	// same one (by its key), so they are sent in the order they fired.
	queues []chan Alert
	fired  map[string]events.Severity // open alerts: the severity last sent, by problem key; Observe's only

	mu     sync.Mutex
	status SinkStatus
}

// New starts a dispatcher's workers; Close stops them.
func New(opts Options) *Dispatcher {
	if opts.Grace <= 0 {
		opts.Grace = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{opts: opts, ctx: ctx, cancel: cancel, last: map[string]events.Problem{}}
	for _, r := range opts.Routes {
		if r.MinSeverity < events.Warn {
			r.MinSeverity = events.Warn
		}
		r.Concurrency = max(r.Concurrency, 1)
		if r.Queue <= 0 {
			r.Queue = DefaultQueue
		}
		rt := &route{Route: r, fired: map[string]events.Severity{}, status: SinkStatus{Name: r.Sink.Name()}}
		per := (r.Queue + r.Concurrency - 1) / r.Concurrency
		for range r.Concurrency {
			q := make(chan Alert, per)
			rt.queues = append(rt.queues, q)
			d.wg.Go(func() { d.work(rt, q) })
		}
		d.routes = append(d.routes, rt)
	}
	return d
}

// Observe takes the problems standing as of a snapshot at time at, in
// order, every snapshot: what opened since the last call fires Opened,
// what rose above the severity a sink was last sent fires Escalated, what
// is gone fires Resolved. It never waits on a sink.
func (d *Dispatcher) Observe(at time.Time, problems []events.Problem) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	now := make(map[string]events.Problem, len(problems))
	for _, p := range problems {
		now[p.Key()] = p
	}
	for _, r := range d.routes {
		for _, p := range problems {
			k := p.Key()
			sent, open := r.fired[k]
			switch {
			case !open && p.Severity >= r.MinSeverity:
				d.enqueue(r, newAlert(Opened, d.opts.Launch, p, at))
			case open && p.Severity > sent:
				d.enqueue(r, newAlert(Escalated, d.opts.Launch, p, at))
			default:
				continue
			}
			r.fired[k] = p.Severity
		}
		for k, sent := range r.fired {
			if _, ok := now[k]; ok {
				continue
			}
			delete(r.fired, k)
			// A resolve carries the highest severity the sink was told,
			// so one that pages on crit closes what it opened.
			p := d.last[k]
			p.Severity = max(p.Severity, sent)
			d.enqueue(r, newAlert(Resolved, d.opts.Launch, p, at))
		}
	}
	d.last = now
}

func (d *Dispatcher) enqueue(r *route, a Alert) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := fnv.New32a()
	h.Write([]byte(a.Key()))
	select {
	case r.queues[h.Sum32()%uint32(len(r.queues))] <- a:
		r.status.Pending++
	default:
		r.status.Dropped++
		r.status.LastError = "queue full: " + string(a.State) + " " + a.Key() + " dropped"
		r.status.LastErrorAt = time.Now()
		d.opts.Log.Error("alert dropped: the sink's queue is full", "sink", r.status.Name, "state", a.State, "problem", a.Key(), "dropped", r.status.Dropped)
	}
}

func (d *Dispatcher) work(r *route, queue <-chan Alert) {
	for a := range queue {
		start := time.Now()
		err := r.Sink.Send(d.ctx, a)
		r.mu.Lock()
		r.status.Pending--
		if err != nil {
			r.status.Failed++
			r.status.LastError = snapshot.CleanText(err.Error(), maxText)
			r.status.LastErrorAt = time.Now()
			d.opts.Log.Error("alert failed", "sink", r.status.Name, "state", a.State, "problem", a.Key(), "err", r.status.LastError, "failed", r.status.Failed)
		} else {
			r.status.Sent++
			r.status.LastSent = time.Now()
			d.opts.Log.Info("alert sent", "sink", r.status.Name, "state", a.State, "problem", a.Key(), "took", time.Since(start).Round(time.Millisecond))
		}
		r.mu.Unlock()
	}
}

// Status returns every sink's status, in the order the routes were given.
func (d *Dispatcher) Status() []SinkStatus {
	if d == nil {
		return nil
	}
	out := make([]SinkStatus, len(d.routes))
	for i, r := range d.routes {
		r.mu.Lock()
		out[i] = r.status
		r.mu.Unlock()
	}
	return out
}

// Close stops taking problems, waits up to the grace period for the queued
// and running sends, then cancels what is left (a command is killed) and
// returns once every worker has stopped.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	for _, r := range d.routes {
		for _, q := range r.queues {
			close(q)
		}
	}
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d.opts.Grace):
		d.opts.Log.Warn("alerts still sending at exit: cancelled", "grace", d.opts.Grace)
		d.cancel()
		<-done
	}
	d.cancel()
}
