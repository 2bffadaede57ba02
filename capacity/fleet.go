package capacity

import (
	"fmt"
	"slices"

	"github.com/launchwatch/launchwatch/snapshot"
)

// ImbalanceMinRequests is the mean requests per second a server below
// which the fleet's shares are not judged. Under it shares are lumpy by
// nature and harm nothing: a balancer places connections, not requests,
// so a few keep-alive browsers, one health checker or one scraper pinned
// to a server make it carry two or three times the mean while every
// server idles. Ten requests a second a server is far below what any web
// server carries, so a balancer that matters is judged long before it
// overloads anything.
const ImbalanceMinRequests = 10

// fleetStats are the fleet's figures a server is held against: only the
// servers that answer count, a gone one has no figures.
type fleetStats struct {
	// answering is how many servers answer; requests the sum of their
	// requests per second, over withRequests of them that carry it.
	answering, withRequests int
	requests                float64
	// errors and p95 are the answering servers' error rates and 95th
	// percentiles that are known, sorted: the medians of the others.
	errors, p95 []float64
}

// newFleetStats sums and sorts the fleet's figures once a frame.
func newFleetStats(fleet []snapshot.Server) *fleetStats {
	f := &fleetStats{}
	n := 0
	for i := range fleet {
		if !fleet[i].Gone {
			n++
		}
	}
	// One array holds both sorted lists.
	buf := make([]float64, 0, 2*n)
	for i := range fleet {
		srv := &fleet[i]
		if srv.Gone {
			continue
		}
		f.answering++
		if r, ok := srv.Requests.Get(); ok {
			f.requests += r
			f.withRequests++
		}
		if e, ok := srv.ErrorRate.Get(); ok {
			buf = append(buf, e)
		}
	}
	f.errors = buf[:len(buf):len(buf)]
	for i := range fleet {
		if p, ok := fleet[i].LatencyP95.Get(); ok && !fleet[i].Gone {
			buf = append(buf, p)
		}
	}
	f.p95 = buf[len(f.errors):]
	slices.Sort(f.errors)
	slices.Sort(f.p95)
	return f
}

// medianOfOthers is the median of a sorted list without one element equal
// to v (a server's own figure): a server is held against the rest of the
// fleet, so that in a fleet of two the other one is the measure.
func medianOfOthers(sorted []float64, v float64) (float64, bool) {
	n := len(sorted) - 1
	if n < 1 {
		return 0, false
	}
	skip, _ := slices.BinarySearch(sorted, v)
	at := func(rank int) float64 {
		if rank >= skip {
			rank++
		}
		return sorted[rank]
	}
	if n%2 == 1 {
		return at(n / 2), true
	}
	return (at(n/2-1) + at(n/2)) / 2, true
}

// mean is the mean requests per second of an answering server.
func (f *fleetStats) mean() float64 {
	if f.withRequests == 0 {
		return 0
	}
	return f.requests / float64(f.withRequests)
}

// share is a server's share of the fleet's requests, or an even share
// when requests are not known.
func (f *fleetStats) share(srv *snapshot.Server) float64 {
	if r, ok := srv.Requests.Get(); ok && f.requests > 0 {
		return r / f.requests
	}
	if f.answering > 0 {
		return 1 / float64(f.answering)
	}
	return 0
}

// gone classifies a server that stopped answering: a warning while the
// servers that answer still carry traffic worth losing one from (a mean
// of ImbalanceMinRequests or more), unknown at lower traffic (a pod
// scaled down after the sale is no threat; unknown neither opens a
// problem nor reads as the server back), OK when it answers.
func (t Thresholds) gone(srv *snapshot.Server, f *fleetStats) Level {
	switch {
	case !srv.Gone:
		return LevelOK
	case f.mean() >= ImbalanceMinRequests:
		return LevelWarn
	}
	return LevelUnknown
}

// Imbalance classifies a server's requests against the fleet's mean
// share: how many times the mean it carries, by ImbalanceWarn and
// ImbalanceCrit, while the mean is at least ImbalanceMinRequests. A gone
// server, or one without requests, is unknown.
func (t Thresholds) imbalance(srv *snapshot.Server, f *fleetStats) (Level, snapshot.Value) {
	r, ok := srv.Requests.Get()
	mean := f.mean()
	switch {
	case srv.Gone || !ok || !(mean > 0):
		return LevelUnknown, snapshot.Value{}
	case mean < ImbalanceMinRequests:
		return LevelOK, snapshot.Some(r / mean)
	}
	times := r / mean
	switch {
	case times >= t.ImbalanceCrit:
		return LevelCrit, snapshot.Some(times)
	case times >= t.ImbalanceWarn:
		return LevelWarn, snapshot.Some(times)
	}
	return LevelOK, snapshot.Some(times)
}

// serverErrors classifies a server's error rate: past the error rate's
// lines (with at least MinFailures of its own failing a second) and at
// least FleetOutlier times the other servers' median. A fleet failing
// alike is the site's error burst, not one server's.
func (t Thresholds) serverErrors(srv *snapshot.Server, f *fleetStats) Level {
	if srv.Gone {
		return LevelUnknown
	}
	// Failing like the rest is the site's burst.
	return t.outlier(t.ErrorRate(srv.ErrorRate, srv.Requests), srv.ErrorRate.Or(0), f.errors)
}

// serverLatency classifies a server's 95th percentile: past the latency
// lines and at least FleetOutlier times the other servers' median. A
// server at 80 ms in a fleet at 20 ms harms no one.
func (t Thresholds) serverLatency(srv *snapshot.Server, f *fleetStats) Level {
	if srv.Gone {
		return LevelUnknown
	}
	// Slow like the rest is the site's latency.
	return t.outlier(t.Latency(srv.LatencyP95, srv.Requests), srv.LatencyP95.Or(0), f.p95)
}

// outlier keeps a server's level l of its figure x only when x stands at
// least FleetOutlier times the other servers' median (fleet holds every
// answering server's figure, sorted): a server alone, or like the rest,
// is no problem of its own.
func (t Thresholds) outlier(l Level, x float64, fleet []float64) Level {
	if l < LevelWarn {
		return l
	}
	if m, ok := medianOfOthers(fleet, x); !ok || x < t.FleetOutlier*m {
		return LevelOK
	}
	return l
}

// The lines of the fleet's subjects, worded.
func imbalanceLine(t Thresholds, l Level) string {
	return lineWords(l, t.ImbalanceWarn, t.ImbalanceCrit, "", func(v float64) string { return FormatNumber(v) + "x" })
}

func timesTheMean(v float64) string { return FormatNumber(v) + "x the mean share" }

// fleetKinds are the subjects of each server of the fleet, in the
// table's order.
var fleetKinds = [...]string{KindImbalance, KindServerErrors, KindServerLatency, KindGone}

// serverWords are a server subject's title and recovery, after the
// server's name.
type serverWords struct{ title, back string }

// fleetWords returns a server subject's words by its kind.
func fleetWords(kind string) serverWords {
	switch kind {
	case KindImbalance:
		return serverWords{" imbalance", " back within its share of requests"}
	case KindServerErrors:
		return serverWords{" errors", " errors back in line with the fleet"}
	case KindServerLatency:
		return serverWords{" latency", " latency back in line with the fleet"}
	case KindGone:
		return serverWords{" gone", " answering again"}
	}
	return serverWords{}
}

// fleetJudgements yields each server of the fleet: its share of
// requests, its errors and its latency against the rest of the fleet,
// and whether it answers. A server's problems are sized by the part of
// the fleet's requests it carries, so that of 500 servers the one that
// harms most users comes first; its latency as latencySize sizes the
// site's. It reports whether yield asked for more.
func (t Thresholds) fleetJudgements(s *snapshot.Snapshot, yield func(Judgement) bool) bool {
	if len(s.Fleet) == 0 {
		return true
	}
	f := newFleetStats(s.Fleet)
	crit := t.LatencyP95Crit
	for i := range s.Fleet {
		srv := &s.Fleet[i]
		share := f.share(srv)
		imb, times := t.imbalance(srv, f)
		gone := t.gone(srv, f)
		rows := [len(fleetKinds)]Judgement{
			{Subject: Subject{Format: timesTheMean, Line: imbalanceLine},
				Level: imb, Figure: times, Size: share, words: imbalanceWords},
			{Subject: Subject{Format: failing, Line: errorLine},
				Level: t.serverErrors(srv, f), Figure: srv.ErrorRate, Size: srv.ErrorRate.Or(0) * share, words: serverErrorWords},
			{Subject: Subject{Format: p95Words, Line: latencyLine},
				Level: t.serverLatency(srv, f), Figure: srv.LatencyP95, Size: latencySize(srv.LatencyP95, crit) * share, words: serverLatencyWords},
			{Level: gone, Figure: snapshot.Some(flag(srv.Gone)), words: goneWords},
		}
		for k := range rows {
			j := &rows[k]
			j.Kind, j.Name, j.s, j.srv, j.fleet = fleetKinds[k], srv.Name, s, srv, f
			if j.Level >= LevelWarn {
				j.Title = srv.Name + fleetWords(j.Kind).title
			}
			if !yield(*j) {
				return false
			}
		}
	}
	return true
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func imbalanceWords(j *Judgement) string {
	srv, f := j.srv, j.fleet
	return fmt.Sprintf("%s carries %sx the mean share of requests (%s of %s req/s), measured", srv.Name,
		FormatNumber(j.Figure.Or(0)), FormatPercent(f.share(srv)), FormatNumber(f.requests))
}

func serverErrorWords(j *Judgement) string {
	srv := j.srv
	rate := srv.ErrorRate.Or(0)
	msg := fmt.Sprintf("%s: %s of its requests failing", srv.Name, FormatPercent(rate))
	if req, ok := srv.Requests.Get(); ok {
		msg += " (" + FormatNumber(rate*req) + "/s)"
	}
	if m, ok := medianOfOthers(j.fleet.errors, rate); ok {
		msg += ", the other servers' median " + FormatPercent(m)
	}
	return msg + ", measured"
}

func serverLatencyWords(j *Judgement) string {
	srv := j.srv
	p := srv.LatencyP95.Or(0)
	msg := fmt.Sprintf("%s: p95 latency %s", srv.Name, formatSeconds(p))
	if m, ok := medianOfOthers(j.fleet.p95, p); ok {
		msg += ", the other servers' median " + formatSeconds(m)
	}
	return msg + ", measured"
}

// goneWords says when the server last answered, on the snapshot's clock.
func goneWords(j *Judgement) string {
	srv := j.srv
	if srv.GoneSince.IsZero() {
		return srv.Name + " stopped answering"
	}
	return fmt.Sprintf("%s stopped answering at %s", srv.Name, srv.GoneSince.In(j.s.Time.Location()).Format("15:04:05"))
}
