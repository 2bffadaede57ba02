package alerts

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Permanent wraps err to say that sending the alert again cannot help (a
// receiver that refused it): a held route gives it up, counted lost,
// rather than stop every alert behind it.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was wrapped by Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// route is a Route at work: its queue, split in lanes, one worker each.
type route struct {
	Route
	fired   map[string]events.Severity // open alerts: the severity last sent, by problem key; Observe's only
	acked   map[string]bool            // open alerts whose acknowledgement was sent, by problem key; Observe's only
	nextSeq uint64                     // the next alert's place in the queue; Observe's only
	fire    []Alert                    // Observe's scratch: the alerts a frame fires
	file    *queueFile                 // nil: the queue is in memory only
	lanes   []*lane

	mu      sync.Mutex // the lanes' entries, waiting, status
	waiting int        // entries in every lane
	status  SinkStatus
}

// entry is an alert waiting in a lane.
type entry struct {
	queued
	onDisk bool // in the queue file: kept at exit, taken out when done
}

// lane is one worker's queue: a problem's alerts all go to the same one
// (by its key), so they are sent in the order they fired. Its methods are
// called with route.mu held.
type lane struct {
	q    []entry // q[head:] wait, in order; q[head] is being sent while busy
	head int     // taken entries before it are cleared, their room reused
	busy bool
	wake chan struct{}
}

// entries are the lane's waiting entries, the first being sent while busy.
func (l *lane) entries() []entry { return l.q[l.head:] }

// push adds e at the end. The room of taken entries is reused once they
// are half the slice, so a lane that alerts pass through does not
// allocate for each: Observe runs every frame.
func (l *lane) push(e entry) {
	if l.head > 0 && len(l.q) == cap(l.q) && l.head >= len(l.q)/2 {
		n := copy(l.q, l.q[l.head:])
		clear(l.q[n:])
		l.q, l.head = l.q[:n], 0
	}
	l.q = append(l.q, e)
}

// pop takes the first entry out.
func (l *lane) pop() {
	l.q[l.head] = entry{}
	l.head++
	if l.head == len(l.q) {
		l.q, l.head = l.q[:0], 0
	}
}

// remove takes out the i-th waiting entry.
func (l *lane) remove(i int) {
	w := l.entries()
	copy(w[i:], w[i+1:])
	w[len(w)-1] = entry{}
	l.q = l.q[:len(l.q)-1]
}

func (d *Dispatcher) newRoute(r Route) (*route, error) {
	if r.MinSeverity < events.Warn {
		r.MinSeverity = events.Warn
	}
	r.Concurrency = max(r.Concurrency, 1)
	if r.Queue <= 0 {
		r.Queue = DefaultQueue
	}
	if r.HoldWait <= 0 {
		r.HoldWait = time.Second
	}
	rt := &route{Route: r, fired: map[string]events.Severity{}, acked: map[string]bool{}, status: SinkStatus{Name: r.Sink.Name()}}
	for range r.Concurrency {
		rt.lanes = append(rt.lanes, &lane{wake: make(chan struct{}, 1)})
	}
	if r.QueueFile == "" {
		return rt, nil
	}
	log := d.opts.Log
	q, waiting, next, rec, err := openQueueFile(r.QueueFile)
	if errors.Is(err, ErrQueueInUse) {
		log.Warn("alert queue file in use by another launchwatch: this run's queue is in memory only", "sink", rt.status.Name, "file", r.QueueFile)
		return rt, nil
	}
	if err != nil {
		return nil, err
	}
	rt.file, rt.nextSeq = q, next
	rt.status.QueueFile = r.QueueFile
	if rec.cut > 0 {
		log.Warn("alert queue file: a torn or corrupt tail was cut (an alert being queued at a crash)", "sink", rt.status.Name, "file", r.QueueFile, "bytes", rec.cut)
	}
	if len(waiting) > 0 {
		log.Info("alerts left waiting by the last run: sent first", "sink", rt.status.Name, "file", r.QueueFile, "count", len(waiting))
	}
	var dropped []uint64
	rt.mu.Lock()
	for _, it := range waiting {
		dropped = append(dropped, rt.add(entry{queued: it, onDisk: true}, log)...)
	}
	rt.status.Recovered = len(waiting)
	rt.mu.Unlock()
	rt.taken(dropped, log)
	return rt, nil
}

// add puts e in its lane. Past the cap it drops the oldest waiting alert
// that is not being sent, counted lost, or e itself when every waiting one
// is being sent. It returns the seqs to take out of the queue file.
// r.mu is held.
func (r *route) add(e entry, log *slog.Logger) (dropped []uint64) {
	if r.waiting >= r.Queue {
		old, ok := r.dropOldest()
		if !ok {
			old = e
		}
		r.status.Dropped++
		r.noteError(fmt.Sprintf("queue full (%d): dropped the oldest alert, %s %s", r.Queue, old.alert.State, old.alert.Key()))
		log.Error("alert dropped: the sink's queue is full", "sink", r.status.Name, "state", old.alert.State, "problem", old.alert.Key(), "dedup_key", old.alert.DedupKey, "dropped", r.status.Dropped)
		if old.onDisk {
			dropped = append(dropped, old.seq)
		}
		if !ok {
			return dropped
		}
	}
	l := r.lanes[laneOf(e.alert.Key(), len(r.lanes))]
	l.push(e)
	r.waiting++
	r.status.Pending++
	return dropped
}

// dropOldest removes the oldest entry not being sent. r.mu is held.
func (r *route) dropOldest() (entry, bool) {
	var from *lane
	at := 0
	for _, l := range r.lanes {
		i := 0
		if l.busy {
			i = 1
		}
		if w := l.entries(); i < len(w) && (from == nil || w[i].seq < from.entries()[at].seq) {
			from, at = l, i
		}
	}
	if from == nil {
		return entry{}, false
	}
	e := from.entries()[at]
	from.remove(at)
	r.waiting--
	r.status.Pending--
	return e, true
}

// taken records in the queue file that alerts left the queue.
func (r *route) taken(seqs []uint64, log *slog.Logger) {
	if r.file == nil || len(seqs) == 0 {
		return
	}
	if err := r.file.done(seqs...); err != nil {
		// The alert is sent again at the next start, with the same
		// dedup_key: a repeat, not a loss.
		r.fail(err, log)
	}
}

// fail notes a failure of the queue file.
func (r *route) fail(err error, log *slog.Logger) {
	r.mu.Lock()
	r.noteError(err.Error())
	r.mu.Unlock()
	log.Error("alert queue file failed", "sink", r.status.Name, "err", err)
}

// noteError makes msg the sink's newest failure. r.mu is held.
func (r *route) noteError(msg string) {
	r.status.LastError = snapshot.CleanText(msg, maxText)
	r.status.LastErrorAt = time.Now()
}

func (r *route) wakeAll() {
	for _, l := range r.lanes {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

// work sends a lane's alerts, one at a time, in order, until the
// dispatcher closes and the lane is empty or held, or it is cancelled.
func (d *Dispatcher) work(r *route, l *lane) {
	log := d.opts.Log
	wait := r.HoldWait
	for {
		e, ok := d.next(r, l)
		if !ok {
			return
		}
		start := time.Now()
		err := r.Sink.Send(d.ctx, e.alert)
		switch {
		case err == nil:
			r.finish(l, e, nil, start, log)
			wait = r.HoldWait
		case d.ctx.Err() != nil:
			// Cancelled at exit: Close counts it with what else waits.
			r.mu.Lock()
			l.busy = false
			r.noteError(err.Error())
			r.mu.Unlock()
			return
		case !r.Hold || IsPermanent(err):
			r.finish(l, e, err, start, log)
		default:
			r.mu.Lock()
			l.busy = false
			r.noteError(err.Error())
			r.mu.Unlock()
			log.Warn("alert not delivered: held, to be sent again", "sink", r.status.Name, "state", e.alert.State, "problem", e.alert.Key(),
				"dedup_key", e.alert.DedupKey, "again_in", wait, "err", snapshot.CleanText(err.Error(), maxText))
			select {
			case <-time.After(wait):
			case <-d.closing:
				// The receiver is down: waiting out the grace for it
				// would only delay the exit. What waits is kept (a
				// queue file) or counted failed.
				return
			}
			wait = min(2*wait, MaxHoldWait)
		}
	}
}

// next returns the lane's first entry, marked busy, waiting for one; false
// once the dispatcher closes and the lane is empty.
func (d *Dispatcher) next(r *route, l *lane) (entry, bool) {
	for {
		r.mu.Lock()
		if w := l.entries(); len(w) > 0 {
			l.busy = true
			e := w[0]
			r.mu.Unlock()
			return e, true
		}
		r.mu.Unlock()
		select {
		case <-l.wake:
		case <-d.closing:
			r.mu.Lock()
			empty := len(l.entries()) == 0
			r.mu.Unlock()
			if empty {
				return entry{}, false
			}
		}
	}
}

// finish takes the lane's busy first entry out: sent, or failed with err.
func (r *route) finish(l *lane, e entry, err error, start time.Time, log *slog.Logger) {
	if e.onDisk {
		r.taken([]uint64{e.seq}, log)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	l.pop()
	l.busy = false
	r.waiting--
	r.status.Pending--
	if err != nil {
		r.status.Failed++
		r.noteError(err.Error())
		log.Error("alert failed", "sink", r.status.Name, "state", e.alert.State, "problem", e.alert.Key(), "dedup_key", e.alert.DedupKey, "err", r.status.LastError, "failed", r.status.Failed)
		return
	}
	r.status.Sent++
	r.status.LastSent = time.Now()
	log.Info("alert sent", "sink", r.status.Name, "state", e.alert.State, "problem", e.alert.Key(), "dedup_key", e.alert.DedupKey, "took", time.Since(start).Round(time.Millisecond))
}

// closeQueue counts what still waits once the workers have stopped, kept
// in the queue file or failed, and closes the file.
func (r *route) closeQueue(log *slog.Logger) {
	r.mu.Lock()
	kept, failed := 0, 0
	for _, l := range r.lanes {
		for _, e := range l.entries() {
			if e.onDisk {
				kept++
			} else {
				failed++
			}
		}
		l.q, l.head = nil, 0
	}
	r.waiting, r.status.Pending = 0, 0
	r.status.Kept = kept
	r.status.Failed += failed
	if failed > 0 {
		r.noteError(fmt.Sprintf("%d alerts %s", failed, errNotSent))
	}
	r.mu.Unlock()
	if failed > 0 {
		log.Error("alerts not sent by exit: lost", "sink", r.status.Name, "count", failed)
	}
	if kept > 0 {
		log.Warn("alerts not sent by exit: kept in the queue file for the next start", "sink", r.status.Name, "file", r.QueueFile, "count", kept)
	}
	if r.file == nil {
		return
	}
	if err := r.file.close(); err != nil {
		r.fail(err, log)
	}
}
