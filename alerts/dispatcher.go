package alerts

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/events"
)

// Sink delivers alerts somewhere: a command, a webhook.
type Sink interface {
	// Name says which sink it is in logs and on screen; no secret in it.
	Name() string
	// Send delivers one alert, within the sink's own timeout and retries,
	// and returns when it is delivered or given up. An error wrapped by
	// Permanent says that sending it again cannot help.
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
	// Queue is how many alerts may wait, sending ones included, shared
	// among the workers (default DefaultQueue). Past it the oldest waiting
	// alert is dropped and counted lost: the newest says what stands now,
	// and Prometheus' notifier does the same.
	Queue int
	// Hold keeps an alert the sink failed to deliver, unless it failed
	// permanently, at the head of its worker's queue and sends it again
	// after HoldWait, doubling up to MaxHoldWait, until it is delivered:
	// for a receiver that comes back. The alerts behind it wait, so they
	// arrive in order. Without Hold a failed alert is given up and
	// counted lost.
	Hold     bool
	HoldWait time.Duration
	// QueueFile, when set, keeps the queue on disk as well (see
	// queuefile.go): what waits at exit or at a crash is sent first by the
	// next Dispatcher given the same file.
	QueueFile string
}

// DefaultQueue is a route's default queue length: far more than one
// launch's problems open and resolve in the time a sink takes.
const DefaultQueue = 256

// MaxHoldWait caps the wait between sends of a held alert: a receiver
// that is back gets it within about this long.
const MaxHoldWait = 30 * time.Second

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
	// Runbooks map a problem's kind ("errors") or kind/subject
	// ("endpoint/cart") to its runbook; kind/subject wins. DashboardURL
	// and Labels go on every alert.
	Runbooks     map[string]string
	DashboardURL string
	Labels       map[string]string
	// Alertmanagers are posted every standing problem (alertmanager.go):
	// state-based, beside the routes' queues.
	Alertmanagers []*Alertmanager
}

// Runbook is the runbook of a problem: its kind/subject's, else its
// kind's, else "".
func (o Options) Runbook(kind events.Kind, subject string) string {
	if u, ok := o.Runbooks[events.Key(kind, subject)]; ok {
		return u
	}
	return o.Runbooks[string(kind)]
}

// alert makes an alert of p and adds the links and labels every alert
// carries.
func (d *Dispatcher) alert(state State, p events.Problem, at time.Time) Alert {
	a := newAlert(state, d.opts.Launch, p, at)
	a.RunbookURL, a.DashboardURL, a.Labels = d.opts.Runbook(p.Kind, p.Subject), d.opts.DashboardURL, d.opts.Labels
	return a
}

// SinkStatus is how a sink is doing, for the screen and the log.
type SinkStatus struct {
	Name string
	// Sent alerts were delivered. Failed ones were given up on: a command
	// that failed or timed out, an alert a webhook refused (a 4xx), one
	// still unsent at exit with no queue file to keep it. Dropped ones
	// were the oldest waiting when the queue was full. Pending ones wait
	// or are being sent. Kept ones were still waiting at exit and are in
	// the queue file for the next start; Recovered ones were found there
	// at this start.
	Sent, Failed, Dropped, Pending, Kept, Recovered int
	// QueueFile is where the queue is kept on disk; "" when in memory.
	QueueFile string
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

// Lost is how many alerts will never reach the sink: given up on or
// dropped. Kept ones are not lost: the next start sends them.
func (s SinkStatus) Lost() int { return s.Failed + s.Dropped }

// Dispatcher turns consecutive frames' problems into alerts and hands them
// to the sinks; see the package comment.
type Dispatcher struct {
	opts    Options
	routes  []*route
	ctx     context.Context
	cancel  context.CancelFunc
	closing chan struct{} // closed by Close: workers stop once their queue is empty
	wg      sync.WaitGroup

	mu     sync.Mutex // Observe and Close
	last   map[string]events.Problem
	closed bool
	am     *amGroup // nil without Alertmanagers
}

// New opens the routes' queue files, sending first what they hold, and
// starts the workers; Close stops them. A queue file that another
// launchwatch holds leaves its route's queue in memory, logged; one that
// cannot be opened fails New.
func New(opts Options) (*Dispatcher, error) {
	if opts.Grace <= 0 {
		opts.Grace = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{opts: opts, ctx: ctx, cancel: cancel, closing: make(chan struct{}), last: map[string]events.Problem{}}
	for _, r := range opts.Routes {
		rt, err := d.newRoute(r)
		if err != nil {
			for _, open := range d.routes {
				if open.file != nil {
					_ = open.file.close()
				}
			}
			cancel()
			return nil, fmt.Errorf("%s: %w", r.Sink.Name(), err)
		}
		d.routes = append(d.routes, rt)
	}
	for _, rt := range d.routes {
		for _, l := range rt.lanes {
			d.wg.Go(func() { d.work(rt, l) })
		}
	}
	d.am = startAlertmanagers(opts)
	return d, nil
}

// Observe takes the problems standing as of a snapshot at time at, in
// order, every snapshot: what opened since the last call fires Opened,
// what rose above the severity a sink was last sent fires Escalated, what
// a person acknowledged fires Acknowledged once on each sink that has it
// open, what is gone fires Resolved. It never waits on a sink; a route
// with a queue file waits for its new alerts to be synced to it, a frame
// that fires nothing touches no file.
func (d *Dispatcher) Observe(at time.Time, problems []events.Problem) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.am.observe(problems)
	now := make(map[string]events.Problem, len(problems))
	for _, p := range problems {
		now[p.Key()] = p
	}
	for _, r := range d.routes {
		fire := r.fire[:0]
		for _, p := range problems {
			k := p.Key()
			sent, open := r.fired[k]
			switch {
			case !open && p.Severity >= r.MinSeverity:
				fire = append(fire, d.alert(Opened, p, at))
				r.fired[k], sent, open = p.Severity, p.Severity, true
			case open && p.Severity > sent:
				fire = append(fire, d.alert(Escalated, p, at))
				r.fired[k], sent = p.Severity, p.Severity
			}
			if open && p.Ack != nil && !r.acked[k] {
				// Told once, after the opening when both come in one
				// frame; like a resolve it carries the highest severity
				// the sink was told. A sink that never opened the
				// problem is told nothing.
				acked := p
				acked.Severity = max(p.Severity, sent)
				fire = append(fire, d.alert(Acknowledged, acked, at))
				r.acked[k] = true
			}
		}
		for k, sent := range r.fired {
			if _, ok := now[k]; ok {
				continue
			}
			delete(r.fired, k)
			delete(r.acked, k)
			// A resolve carries the highest severity the sink was told,
			// so one that pages on crit closes what it opened.
			p := d.last[k]
			p.Severity = max(p.Severity, sent)
			fire = append(fire, d.alert(Resolved, p, at))
		}
		if len(fire) > 0 {
			d.enqueue(r, fire)
		}
		clear(fire)
		r.fire = fire
	}
	d.last = now
}

// enqueue numbers the alerts, syncs them to the route's queue file, and
// hands them to the workers, dropping the oldest waiting past the cap.
func (d *Dispatcher) enqueue(r *route, fire []Alert) {
	first := r.nextSeq
	r.nextSeq += uint64(len(fire))
	onDisk := false
	if r.file != nil {
		items := make([]queued, len(fire))
		for i, a := range fire {
			items[i] = queued{seq: first + uint64(i), alert: a}
		}
		if err := r.file.put(items); err != nil {
			r.fail(err, d.opts.Log)
		} else {
			onDisk = true
		}
	}
	var dropped []uint64
	r.mu.Lock()
	for i, a := range fire {
		dropped = append(dropped, r.add(entry{queued: queued{seq: first + uint64(i), alert: a}, onDisk: onDisk}, d.opts.Log)...)
	}
	r.mu.Unlock()
	r.wakeAll()
	r.taken(dropped, d.opts.Log)
}

// laneOf is the lane a problem's alerts all go through, so they are sent
// in the order they fired.
func laneOf(key string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
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
	return append(out, d.am.status()...)
}

// Close stops taking problems and waits up to the grace period for the
// queued and running sends; a held alert whose receiver is down does not
// wait for its next try. Then it cancels what is left (a command is
// killed) and, once every worker has stopped, counts what still waits:
// kept, when it is in the route's queue file, else failed. Sinks that
// hold something of their own (a command's leftover processes) are
// closed last.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	close(d.closing)
	d.mu.Unlock()
	// The Alertmanagers get their last post (the resolves) beside the
	// routes' grace, not after it: a hung webhook delays neither.
	amDone := make(chan struct{})
	go func() { d.am.close(d.opts.Grace); close(amDone) }()
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
	for _, r := range d.routes {
		r.closeQueue(d.opts.Log)
		if c, ok := r.Sink.(io.Closer); ok {
			if err := c.Close(); err != nil {
				d.opts.Log.Warn("alert sink did not close cleanly", "sink", r.status.Name, "err", err)
			}
		}
	}
	<-amDone
}

// errNotSent is why an alert still waiting at exit failed.
var errNotSent = errors.New("not sent by exit")
