package source

import (
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// ForgetGone is how long a server that stopped answering stays in the
// fleet, marked gone: long enough to be seen and named in a post-mortem,
// short enough that a fleet of short-lived pods does not grow without end.
const ForgetGone = time.Hour

// Roster is when each server of a fleet last answered, so that a server
// that stops answering is kept, marked gone, rather than dropped: the
// poller's live snapshots and a Prometheus history's alike. The zero
// value is a roster that has seen no server.
type Roster struct {
	seen map[string]time.Time
}

// Mark marks the servers of a snapshot's fleet as seen at now and adds
// those seen before that did not answer, gone since they were last seen
// (their figures missing, never zero), until ForgetGone has passed; sorted
// by name.
func (r *Roster) Mark(fleet []snapshot.Server, now time.Time) []snapshot.Server {
	if len(fleet) == 0 && len(r.seen) == 0 {
		return fleet
	}
	if r.seen == nil {
		r.seen = make(map[string]time.Time, len(fleet))
	}
	for _, srv := range fleet {
		r.seen[srv.Name] = now
	}
	for name, at := range r.seen {
		switch {
		case at.Equal(now):
		case now.Sub(at) > ForgetGone:
			delete(r.seen, name)
		default:
			fleet = append(fleet, snapshot.Server{Name: name, Gone: true, GoneSince: at})
		}
	}
	snapshot.SortFleet(fleet)
	return fleet
}
