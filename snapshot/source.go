package snapshot

import (
	"slices"
	"strings"
	"time"
)

// Source is one data source's health as of the snapshot.
type Source struct {
	// OK is true when the source's last poll answered every signal without
	// error; a partial failure is not OK but still answered.
	OK bool `json:"ok"`
	// Error is the last poll's error, cleaned for display; empty when OK.
	Error string `json:"error,omitempty"`
	// Warnings are non-fatal notes from the source (Thanos partial results,
	// a vector summed over several series, …), cleaned for display.
	Warnings []string `json:"warnings,omitempty"`
	// LastSuccess is when the source last answered, fully or in part; zero
	// if never.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// Duration is how long the last poll took, in seconds.
	Duration float64 `json:"duration_seconds"`
	// Signals names the signals this source feeds ("pv", "host.cpu",
	// "endpoints.buy", …).
	Signals []string `json:"signals,omitempty"`
	// Carried holds the signals whose value in this snapshot is an earlier
	// poll's, because the last poll failed to measure them, with the time
	// each was measured: shown stale, never blank and never fresh.
	Carried map[string]time.Time `json:"carried,omitempty"`
	// Errors holds each failure of the last poll separately, cleaned for
	// display but not cut to one line: by signal address ("pv",
	// "endpoints.buy") for a signal that failed, by target URL for a scrape
	// target that did not answer, and under "source" for a failure of the
	// whole source (no answer within the deadline). Error is their summary.
	Errors map[string]string `json:"errors,omitempty"`
	// Infos are the server's informational notes (Prometheus' infos, such
	// as "metric might not be a counter") and launchwatch's own about the
	// source (a scrape interval it could not detect, data hidden by
	// VictoriaMetrics' latency offset), cleaned for display.
	Infos []string `json:"infos,omitempty"`
	// Partial lists the signals whose value in this snapshot was computed
	// from only some of the data it sums (a scrape target that did not
	// answer): measured now, but not whole, so not fresh.
	Partial []string `json:"partial,omitempty"`
	// NewestSample is the real time of the newest sample behind the
	// source's answers: for Prometheus, timestamp() of the series its
	// queries read (so a query evaluated in the past, by latency_offset or
	// by VictoriaMetrics' hidden latency, is that old), or the evaluation
	// time where the server gives no sample time; for scrape and host, the
	// poll that read them. It is kept while the source fails. Zero if
	// never answered. The data's age is the snapshot's Time minus this.
	NewestSample time.Time `json:"newest_sample,omitzero"`
	// RateWindow is the range in seconds that $__rate_interval stood for in
	// the last poll's queries (Grafana's formula, from the scrape
	// interval); zero when no query uses it.
	RateWindow float64 `json:"rate_window_seconds,omitempty"`
	// ScrapeInterval is the scrape interval in seconds the rate window was
	// derived from (configured or detected); zero when unknown or unused.
	ScrapeInterval float64 `json:"scrape_interval_seconds,omitempty"`
}

// Age returns how old the source's newest answer is at time now; zero when
// it has never answered (see LastSuccess.IsZero).
func (s Source) Age(now time.Time) time.Duration {
	if s.LastSuccess.IsZero() {
		return 0
	}
	return now.Sub(s.LastSuccess)
}

// Answered reports whether the source answered, fully or in part, in the
// poll of the snapshot taken at now.
func (s Source) Answered(now time.Time) bool {
	return !s.LastSuccess.IsZero() && s.LastSuccess.Equal(now)
}

// DataAge returns how old the source's newest data is at now: from the
// newest sample's real time when the source gives it (a VictoriaMetrics
// holding back 30 s is 30 s old), else from its last answer. never is true
// when it has never answered.
func (s Source) DataAge(now time.Time) (age time.Duration, never bool) {
	if s.LastSuccess.IsZero() {
		return 0, true
	}
	at := s.NewestSample
	if at.IsZero() {
		at = s.LastSuccess
	}
	return max(now.Sub(at), 0), false
}

// Down reports a data source down: it never answered, answered nothing for
// longer than maxAge, or answered nothing in this poll (every signal
// failed). A source that answered in part is not down.
func (s Source) Down(now time.Time, maxAge time.Duration) bool {
	return s.LastSuccess.IsZero() || s.Age(now) > maxAge || (!s.OK && !s.Answered(now))
}

// Staleness says why a figure is not fresh, and how old it is.
type Staleness struct {
	// Age is how old the figure is.
	Age time.Duration
	// Never: its source has never answered.
	Never bool
	// Partial: measured now, but from only some of its targets.
	Partial bool
}

// SignalStale reports whether a signal's value in a snapshot taken at now is
// not fresh, and why: its source never answered; the value was carried
// from an earlier poll; the source is down, or its data older than maxAge;
// or it was summed from only some targets. The screen, the events and the
// text output all judge freshness here.
func (s Source) SignalStale(signal string, now time.Time, maxAge time.Duration) (Staleness, bool) {
	age, never := s.DataAge(now)
	switch {
	case never:
		return Staleness{Never: true}, true
	case !s.Carried[signal].IsZero():
		return Staleness{Age: max(now.Sub(s.Carried[signal]), 0)}, true
	case s.Down(now, maxAge) || age > maxAge:
		return Staleness{Age: age}, true
	case slices.Contains(s.Partial, signal):
		return Staleness{Age: age, Partial: true}, true
	}
	return Staleness{}, false
}

// SourcesAnswered counts the snapshot's sources that answered something,
// and those that failed in part or whole.
func (s Snapshot) SourcesAnswered() (answered, failed int) {
	for _, src := range s.Sources {
		if !src.OK {
			failed++
		}
		if src.Answered(s.Time) {
			answered++
		}
	}
	return answered, failed
}

// DataTime is when the snapshot's data was measured, as far as its
// sources say: the oldest newest sample among the sources that answered
// its poll (a source read latency_offset in the past answers with data
// that old), the snapshot's Time when none is behind. A source that did
// not answer is left out: its last data, however old, is not this poll's;
// so is one that feeds no charted figure (feedsFigures).
// An annotation belongs with the first snapshot whose DataTime is at or
// after it, so that it stands beside the figures of its moment.
func (s Snapshot) DataTime() time.Time {
	at := s.Time
	for _, src := range s.Sources {
		if src.Answered(s.Time) && !src.NewestSample.IsZero() && src.NewestSample.Before(at) && feedsFigures(src.Signals) {
			at = src.NewestSample
		}
	}
	return at
}

// feedsFigures says a source feeds the figures the charts draw: a signal
// other than the probe's. The probe's last look stands for minutes while
// it is stuck (an overload, when notes are written), and a source with no
// signals (Alertmanager) has no data time; neither holds a note back.
func feedsFigures(signals []string) bool {
	for _, sig := range signals {
		if !strings.HasPrefix(sig, probePrefix) {
			return true
		}
	}
	return false
}
