package report

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// maxSignalGaps bounds the stretches kept of one signal: the longest.
// A signal that fails every other poll for a day has tens of thousands,
// which no reader wants listed; they are counted.
const maxSignalGaps = 20

// SignalGaps is one signal's snapshots in which no source measured it.
type SignalGaps struct {
	// Signal is the signal's address ("pv", "endpoints.buy").
	Signal string
	// Missing is how many snapshots lacked it, of the recording's.
	Missing int
	// Stretches counts the stretches; Longest holds the longest of them
	// (at most maxSignalGaps), by start time. Each runs from the first
	// snapshot that lacked the signal to the first that had it again, or
	// to the end of the recording (Open).
	Stretches int
	Longest   []SignalGap
}

// SignalGap is a stretch in which a signal was not measured.
type SignalGap struct {
	Span
	// Snapshots is how many snapshots in it lacked the signal.
	Snapshots int
}

// SourceLag is how far behind its polls a source's data was: the poll's
// time minus the time of the newest sample behind its answer, over the
// polls it answered.
type SourceLag struct {
	Name      string
	Mean, Max time.Duration
}

// minLag is the mean lag from which the report names a source as behind
// its polls.
const minLag = time.Second

// wholeSource is the key of snapshot.Source.Errors under which a failure
// of the whole source (no answer within the deadline) is kept.
const wholeSource = "source"

// signalAcc follows which signals each snapshot's sources failed to
// measure, and how far behind its polls each source's data was.
//
// A signal is not measured in a snapshot when its source failed it: an
// error for it, the whole source failing (no answer, every signal
// failed), or its value carried from an earlier poll. A signal a source
// answered with no value and no error (a percentile of no requests, an
// error rate of none) had nothing to measure: no gap.
type signalAcc struct {
	frame   int
	open    map[string]*signalGapAcc // by signal, while a stretch runs
	all     map[string]*signalGapAcc // every signal ever lacking
	lacking []string                 // this frame's, reused
	lag     map[string]*lagAcc
	// feeds is the signals each source last listed: a source that
	// failed may list none in a snapshot, and its signals are still
	// unmeasured there.
	feeds map[string][]string
}

type signalGapAcc struct {
	SignalGaps
	cur   SignalGap // the stretch open now
	frame int       // the last frame that lacked it
}

type lagAcc struct {
	sum, max time.Duration
	n        int
}

func (g *signalAcc) add(s *snapshot.Snapshot) {
	g.frame++
	g.lacking = g.lacking[:0]
	for name, src := range s.Sources {
		if len(src.Signals) > 0 {
			if g.feeds == nil {
				g.feeds = make(map[string][]string)
			}
			g.feeds[name] = src.Signals
		}
		answered := src.Answered(s.Time)
		if answered && !src.NewestSample.IsZero() {
			g.addLag(name, max(s.Time.Sub(src.NewestSample), 0))
		}
		if src.OK && len(src.Carried) == 0 {
			continue // every signal measured: the common case costs no more
		}
		whole := !answered || src.Errors[wholeSource] != ""
		signals := src.Signals
		if len(signals) == 0 {
			signals = g.feeds[name]
		}
		for _, sig := range signals {
			if _, carried := src.Carried[sig]; whole || carried || src.Errors[sig] != "" {
				g.lacking = append(g.lacking, sig)
			}
		}
	}
	if len(g.lacking) == 0 && len(g.open) == 0 {
		return
	}
	if g.open == nil {
		g.open, g.all = make(map[string]*signalGapAcc), make(map[string]*signalGapAcc)
	}
	for _, sig := range g.lacking {
		a := g.open[sig]
		if a == nil {
			if a = g.all[sig]; a == nil {
				a = &signalGapAcc{SignalGaps: SignalGaps{Signal: sig}}
				g.all[sig] = a
			}
			a.cur = SignalGap{Span: Span{Name: sig, From: s.Time}}
			a.Stretches++
			g.open[sig] = a
		}
		if a.frame != g.frame { // a signal two sources failed counts once
			a.frame = g.frame
			a.cur.Snapshots++
			a.Missing++
		}
		a.cur.To = s.Time
	}
	for sig, a := range g.open {
		if a.frame == g.frame {
			continue
		}
		a.cur.To = s.Time // the first snapshot that has it again
		a.keep()
		delete(g.open, sig)
	}
}

func (g *signalAcc) addLag(name string, d time.Duration) {
	if g.lag == nil {
		g.lag = make(map[string]*lagAcc)
	}
	l := g.lag[name]
	if l == nil {
		l = &lagAcc{}
		g.lag[name] = l
	}
	l.sum, l.n, l.max = l.sum+d, l.n+1, max(l.max, d)
}

// keep files the stretch that just ended among the longest.
func (a *signalGapAcc) keep() {
	if len(a.Longest) < maxSignalGaps {
		a.Longest = append(a.Longest, a.cur)
		return
	}
	shortest := 0
	for i, x := range a.Longest {
		if x.Duration() < a.Longest[shortest].Duration() {
			shortest = i
		}
	}
	if a.cur.Duration() > a.Longest[shortest].Duration() {
		a.Longest[shortest] = a.cur
	}
}

// finish returns each signal's gaps in the signal table's order (the
// endpoints by name after it, then what the table does not know), and
// the sources whose data lagged their polls by minLag or more on
// average, by name.
func (g *signalAcc) finish() ([]SignalGaps, []SourceLag) {
	for _, a := range g.open {
		a.cur.Open = true
		a.keep()
	}
	var out []SignalGaps
	for _, a := range g.all {
		slices.SortFunc(a.Longest, func(x, y SignalGap) int { return x.From.Compare(y.From) })
		out = append(out, a.SignalGaps)
	}
	rank := map[string]int{}
	for sig := range snapshot.All() {
		rank[sig.Name] = len(rank) + 1
	}
	order := func(sig string) int {
		if r, ok := rank[sig]; ok {
			return r
		}
		if strings.HasPrefix(sig, snapshot.EndpointPrefix) {
			return len(rank) + 1
		}
		return len(rank) + 2
	}
	slices.SortFunc(out, func(x, y SignalGaps) int {
		return cmp.Or(cmp.Compare(order(x.Signal), order(y.Signal)), cmp.Compare(x.Signal, y.Signal))
	})
	var lags []SourceLag
	for _, name := range slices.Sorted(maps.Keys(g.lag)) {
		l := g.lag[name]
		if mean := l.sum / time.Duration(l.n); mean >= minLag {
			lags = append(lags, SourceLag{Name: name, Mean: mean, Max: l.max})
		}
	}
	return out, lags
}

// dataTime is when a signal's figure in s was measured: the newest sample
// behind its source's answer (a VictoriaMetrics holding back its newest
// 30 s answers with data that old), or the poll a carried figure came
// from; the snapshot's own time when no source says.
func dataTime(s *snapshot.Snapshot, signal string) time.Time {
	at := s.Time
	for _, src := range s.Sources {
		if !slices.Contains(src.Signals, signal) {
			continue
		}
		if c, ok := src.Carried[signal]; ok && c.Before(at) {
			at = c
		}
		if !src.NewestSample.IsZero() && src.NewestSample.Before(at) {
			at = src.NewestSample
		}
	}
	return at
}
