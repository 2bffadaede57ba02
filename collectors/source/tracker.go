package source

import (
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// MaxMessage caps a source's one-line error (snapshot.Source.Error): one
// line of a wide terminal, however long the server's message.
const MaxMessage = 200

// Outcome is one source's answer to one poll.
type Outcome struct {
	Result Result
	Err    error
	Took   time.Duration
}

// Tracker is what is remembered of one source from poll to poll: its last
// good values, when each was measured, its last success and the time of
// its newest sample. The zero value is a source never polled.
type Tracker struct {
	last        map[string]snapshot.Value  // last good values, carried while failing
	lastAt      map[string]time.Time       // when each of them was measured
	lastSuccess time.Time                  // the last poll that answered anything
	newest      time.Time                  // the newest sample's time, kept while failing
	fleet       map[string]snapshot.Server // the last fleet answered: its servers stay known while failing
	team        []snapshot.TeamAlert       // the team's alerts last answered, carried while failing
	silences    map[string]snapshot.Silence
}

// Merge lays one outcome of a source answering signals into the snapshot
// and returns the source's health.
//
// A full success replaces what the source showed: a signal it now leaves
// out (a rate warming up, a division by zero) is missing, not carried. A
// failure, partial or whole, keeps the last good value of every signal it
// did not measure, listed in Carried with the time it was measured.
func (t *Tracker) Merge(snap *snapshot.Snapshot, signals []string, o Outcome, now time.Time) snapshot.Source {
	h := snapshot.Source{
		OK:       o.Err == nil,
		Duration: o.Took.Seconds(),
		Signals:  signals,
	}
	for _, w := range o.Result.Warnings {
		h.Warnings = append(h.Warnings, snapshot.CleanText(w, MaxDetail))
	}
	for _, i := range o.Result.Infos {
		h.Infos = append(h.Infos, snapshot.CleanText(i, MaxDetail))
	}
	if o.Err != nil {
		// A joined error is one failure a line: keep them apart on one.
		h.Error = snapshot.CleanText(strings.ReplaceAll(o.Err.Error(), "\n", "; "), MaxMessage)
		h.Errors = make(map[string]string, max(1, len(o.Result.Errors)))
		for key, msg := range o.Result.Errors {
			h.Errors[snapshot.CleanText(key, MaxMessage)] = snapshot.CleanText(msg, MaxDetail)
		}
		if len(h.Errors) == 0 {
			h.Errors[ErrorKey] = snapshot.CleanText(o.Err.Error(), MaxDetail)
		}
	}
	h.RateWindow, h.ScrapeInterval = o.Result.RateWindow.Seconds(), o.Result.ScrapeInterval.Seconds()
	if o.Err == nil {
		t.last = make(map[string]snapshot.Value, len(o.Result.Values))
		t.lastAt = make(map[string]time.Time, len(o.Result.Values))
	}
	if t.last == nil {
		t.last, t.lastAt = make(map[string]snapshot.Value), make(map[string]time.Time)
	}
	for sig, v := range o.Result.Values {
		t.last[sig], t.lastAt[sig] = v, now
	}
	// A poll in which every signal failed answered nothing: the source's
	// last success stays where it was, so it reads down once that is
	// older than stale_after, and "never" if it never answered.
	if o.Err == nil || len(o.Result.Values) > 0 {
		t.lastSuccess = now
		t.newest = now
		if !o.Result.NewestSample.IsZero() {
			t.newest = o.Result.NewestSample
		}
	}
	h.LastSuccess, h.NewestSample = t.lastSuccess, t.newest
	for _, sig := range o.Result.Partial {
		if _, measured := o.Result.Values[sig]; measured {
			h.Partial = append(h.Partial, sig)
		}
	}
	// A failed poll that brought no fleet leaves the servers known and
	// their figures unknown: not gone (the source failed, not they), and
	// not the last figures, which would read as measured now while the
	// source is down. The codes are not carried either: a breakdown of
	// failures no longer measured would be taken for today's.
	fleet, codes := o.Result.Fleet, o.Result.ErrorCodes
	if o.Err == nil || fleet != nil {
		t.fleet = fleet
	} else {
		fleet = make(map[string]snapshot.Server, len(t.fleet))
		for name := range t.fleet {
			fleet[name] = snapshot.Server{}
		}
	}
	for code, v := range codes {
		if snap.ErrorCodes == nil {
			snap.ErrorCodes = make(map[string]snapshot.Value, len(codes))
		}
		snap.ErrorCodes[code] = v
	}
	snap.Fleet = mergeFleet(snap.Fleet, fleet)
	// The team's alerts and the silences are carried while the source
	// fails, as its figures are: the screen shows them as of its last
	// answer (Source.LastSuccess), not blank for one slow read.
	if o.Err == nil || o.Result.TeamAlerts != nil || o.Result.Silences != nil {
		t.team, t.silences = o.Result.TeamAlerts, o.Result.Silences
	}
	snap.TeamAlerts = append(snap.TeamAlerts, t.team...)
	for key, s := range t.silences {
		if snap.Silences == nil {
			snap.Silences = make(map[string]snapshot.Silence, len(t.silences))
		}
		snap.Silences[key] = s
	}
	for _, sig := range h.Signals {
		v, ok := t.last[sig]
		if !ok {
			continue
		}
		snap.Set(sig, v)
		if at := t.lastAt[sig]; !at.Equal(now) {
			if h.Carried == nil {
				h.Carried = make(map[string]time.Time)
			}
			h.Carried[sig] = at
		}
	}
	return h
}

// mergeFleet lays one source's servers into the fleet other sources may
// have begun: a server both answer has each one's figures. The result is
// in no order; the poller sorts it.
func mergeFleet(fleet []snapshot.Server, from map[string]snapshot.Server) []snapshot.Server {
	if len(from) == 0 {
		return fleet
	}
	if len(fleet) == 0 {
		fleet = make([]snapshot.Server, 0, len(from))
		for name, srv := range from {
			srv.Name = name
			fleet = append(fleet, srv)
		}
		return fleet
	}
	at := make(map[string]int, len(fleet))
	for i, srv := range fleet {
		at[srv.Name] = i
	}
	for name, srv := range from {
		i, ok := at[name]
		if !ok {
			srv.Name = name
			fleet = append(fleet, srv)
			continue
		}
		for _, sig := range snapshot.FleetSignals {
			if v := srv.Get(sig); v.OK() {
				fleet[i].Set(sig, v)
			}
		}
	}
	return fleet
}
