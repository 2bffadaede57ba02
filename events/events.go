// Package events names the failure modes of a launch as they happen: a
// data source down, a limit or an endpoint's ceiling near, an error burst,
// the page growing heavy, the sale falling behind its pace, the refresh
// avalanche at T0, the phase changing, and what the probe of the sale page
// finds: the purchase button missing, the page heavier than the plan, its
// resources failing.
//
// Detect is a pure function of the previous State and the newest snapshot
// with its assessment, so the live screen, a replay and the report derive
// the same events from the same snapshots.
package events

import (
	"fmt"
	"maps"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Severity is how loud an event is.
type Severity int

// Severities.
const (
	Info Severity = iota
	Warn
	Crit
)

// String names the severity.
func (s Severity) String() string {
	switch s {
	case Warn:
		return "warn"
	case Crit:
		return "crit"
	}
	return "info"
}

// MarshalText writes the severity as its name, so JSON reads "crit", not 2.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "info":
		*s = Info
	case "warn":
		*s = Warn
	case "crit":
		*s = Crit
	default:
		return fmt.Errorf("severity %q: want info, warn or crit", b)
	}
	return nil
}

// Kind is what happened.
type Kind string

// Kinds of events.
const (
	KindSource     Kind = "source"      // a data source went down or came back
	KindLimit      Kind = "limit"       // bandwidth, connections or memory near a limit
	KindEndpoint   Kind = "endpoint"    // a dynamic endpoint near its ceiling
	KindErrors     Kind = "errors"      // an error burst
	KindPageWeight Kind = "page-weight" // bytes per page view far above plan
	KindDrift      Kind = "drift"       // connections or memory far above the plan at the PV now
	KindPace       Kind = "pace"        // sell-out pace far behind plan
	KindAvalanche  Kind = "avalanche"   // PV jump at the countdown's end
	KindPhase      Kind = "phase"       // launch started, sold out
	KindWarm       Kind = "warm-start"  // the watch started: what is before it came from history
)

// Event is one thing worth a line on the screen and in the post-mortem.
type Event struct {
	Time     time.Time `json:"time"`
	Kind     Kind      `json:"kind"`
	Severity Severity  `json:"severity"`
	// Subject is what the event is about: "bandwidth", "buy", "prometheus".
	Subject string `json:"subject,omitempty"`
	Message string `json:"message"`
	// Past marks an event found in history from before the watch started
	// (a warm start): listed, never alerted on.
	Past bool `json:"past,omitempty"`
}

// State is what one observation leaves for the next. The zero State is
// the start of a watch.
type State struct {
	levels map[string]capacity.Level
	// falling holds, by kind/subject, when a figure first read below its
	// level: it falls only after Hold below (hysteresis).
	falling  map[string]time.Time
	sources  map[string]sourceState
	problems map[string]Problem // what is wrong now, by kind/subject
	phase    capacity.Phase
	// Smoothed PV and requests before T0: the avalanche's baselines.
	preLaunchPV, preLaunchReq float64
	avalanche                 bool // already reported
}

// Avalanche detection: a PV this many times the pre-launch level, within
// this long after T0, is the refresh avalanche of the story.
const (
	avalancheFactor = 3
	avalancheWindow = 2 * time.Minute
	avalancheMinPV  = 5 // below this any jump is noise
)

// Detect returns the events that the newest snapshot s (with its
// assessment a) raises against the previous state, and the next state.
// Events fire on changes: a level rising (ok → warn → crit) or falling back
// to ok, a source going down or coming back, a phase starting.
func Detect(prev State, s snapshot.Snapshot, a capacity.Assessment, th capacity.Thresholds) ([]Event, State) {
	d := detector{
		now: s.Time,
		next: State{levels: maps.Clone(prev.levels), falling: maps.Clone(prev.falling), sources: maps.Clone(prev.sources), problems: maps.Clone(prev.problems),
			phase: a.Phase, preLaunchPV: prev.preLaunchPV, preLaunchReq: prev.preLaunchReq, avalanche: prev.avalanche},
		prev: prev,
	}
	if d.next.levels == nil {
		d.next.levels = make(map[string]capacity.Level)
	}
	if d.next.sources == nil {
		d.next.sources = make(map[string]sourceState)
	}
	if d.next.falling == nil {
		d.next.falling = make(map[string]time.Time)
	}
	if d.next.problems == nil {
		d.next.problems = make(map[string]Problem)
	}
	d.sources(s, th)
	d.phase(a)
	d.limits(a, th)
	d.drift(a, th)
	d.endpoints(a, th)
	d.errors(s, th)
	d.pageWeight(a, th)
	d.pace(a, th)
	d.avalancheCheck(s, a)
	d.probe(s, a, th)
	return d.out, d.next
}

type detector struct {
	now  time.Time
	prev State
	next State
	out  []Event
}

func (d *detector) emit(kind Kind, sev Severity, subject, format string, args ...any) {
	d.out = append(d.out, Event{Time: d.now, Kind: kind, Severity: sev, Subject: subject, Message: fmt.Sprintf(format, args...)})
}

// Hold is how long a figure must stay below a level before the level
// falls: a figure dancing on a threshold raises its problem once and
// clears it once, not every other second. Rising is never held.
const Hold = 10 * time.Second

// level records a subject's level and emits when it rises or recovers.
// Unknown levels (no data) change nothing: a gap is not a recovery. A
// level falls only after the figure has stayed below it for Hold.
func (d *detector) level(kind Kind, subject string, l capacity.Level, rise func(capacity.Level) string, recover string) {
	if l == capacity.LevelUnknown {
		return
	}
	key := Key(kind, subject)
	was := d.prev.levels[key]
	if l < was {
		since, ok := d.prev.falling[key]
		if !ok {
			since = d.now
		}
		if d.now.Sub(since) < Hold {
			d.next.falling[key] = since
			l = was
		} else {
			delete(d.next.falling, key)
		}
	} else {
		delete(d.next.falling, key)
	}
	d.next.levels[key] = l
	if l >= capacity.LevelWarn {
		d.open(kind, subject, severityOf(l), rise(l))
	} else {
		d.close(kind, subject)
	}
	switch {
	case l > was && l >= capacity.LevelWarn:
		d.emit(kind, severityOf(l), subject, "%s", rise(l))
	case l == capacity.LevelOK && was >= capacity.LevelWarn:
		d.emit(kind, Info, subject, "%s%s", recover, d.lasted(key))
	}
}

// reset puts a subject back to OK and closes its problem without the
// "back" event level would emit: what it warned of is now expected (the
// purchase button gone at sell-out).
func (d *detector) reset(kind Kind, subject string) {
	key := Key(kind, subject)
	d.next.levels[key] = capacity.LevelOK
	delete(d.next.falling, key)
	d.close(kind, subject)
}

// lasted says how long the problem under key stood, for the line that
// says it cleared: " (resolved after 4m12s)".
func (d *detector) lasted(key string) string {
	p, ok := d.prev.problems[key]
	if !ok {
		return ""
	}
	return " (resolved after " + capacity.FormatDuration(d.now.Sub(p.Since)) + ")"
}

// sourceState is how a source stands; the zero value is "not seen yet".
type sourceState int

const (
	sourceUnseen sourceState = iota
	sourceUp
	sourceDegraded // answered, but some signals failed
	sourceBehind   // answered, but its newest data is older than StaleAfter
	sourceDown     // never answered, silent past StaleAfter, or every signal failed
)

func (d *detector) sources(s snapshot.Snapshot, th capacity.Thresholds) {
	for _, name := range s.SourceNames() {
		h := s.Sources[name]
		st := sourceUp
		age, _ := h.DataAge(s.Time)
		switch {
		case h.Down(s.Time, th.StaleAfter):
			st = sourceDown
		case !h.OK:
			st = sourceDegraded
		case age > th.StaleAfter:
			st = sourceBehind
		}
		was := d.prev.sources[name]
		d.next.sources[name] = st
		why := h.Error
		if why == "" {
			why = fmt.Sprintf("no data for %s", h.Age(s.Time).Round(time.Second))
		}
		switch st {
		case sourceDown:
			d.open(KindSource, name, Crit, fmt.Sprintf("source %s down: %s", name, why))
		case sourceDegraded:
			d.open(KindSource, name, Warn, fmt.Sprintf("source %s failing in part: %s", name, why))
		case sourceBehind:
			d.open(KindSource, name, Warn, behind(name, age))
		default:
			d.close(KindSource, name)
		}
		if st == was {
			continue
		}
		switch {
		case st == sourceDown:
			d.emit(KindSource, Crit, name, "source %s down: %s", name, why)
		case st == sourceDegraded && was == sourceDown:
			d.emit(KindSource, Warn, name, "source %s back in part: %s", name, why)
		case st == sourceDegraded:
			d.emit(KindSource, Warn, name, "source %s failing in part: %s", name, why)
		case st == sourceBehind:
			d.emit(KindSource, Warn, name, "%s", behind(name, age))
		case st == sourceUp && was != sourceUnseen:
			d.emit(KindSource, Info, name, "source %s back%s", name, d.lasted(Key(KindSource, name)))
		}
	}
}

// behind says a source answers with old data (a VictoriaMetrics holding
// back its newest 30 s, a stalled scrape behind a Prometheus).
func behind(name string, age time.Duration) string {
	return fmt.Sprintf("source %s behind: its newest data is %s old", name, age.Round(time.Second))
}

func (d *detector) phase(a capacity.Assessment) {
	if a.Phase == d.prev.phase || d.prev.phase == capacity.PhaseUnknown {
		return
	}
	switch a.Phase {
	case capacity.PhaseLive:
		d.emit(KindPhase, Info, "launch", "launch started")
	case capacity.PhaseSoldOut:
		if a.LaunchKnown {
			d.emit(KindPhase, Info, "stock", "sold out at T+%s", capacity.FormatDuration(a.SinceLaunch))
		} else {
			d.emit(KindPhase, Info, "stock", "sold out")
		}
	}
}

func (d *detector) limits(a capacity.Assessment, th capacity.Thresholds) {
	for _, c := range a.Checks() {
		d.level(KindLimit, c.Name, th.Headroom(c.Check), func(capacity.Level) string {
			used := 1 - c.Check.Headroom.Or(0)
			return fmt.Sprintf("%s at %s of its limit (%s)", c.Name, capacity.FormatPercent(used), c.Format(c.Check.Limit))
		}, c.Name+" back under its limit's warning level")
	}
}

// drift raises connections and memory far above what the plan predicts at
// the PV now. Bandwidth's drift is the page weight's, raised there.
func (d *detector) drift(a capacity.Assessment, th capacity.Thresholds) {
	for _, c := range a.Checks() {
		if c.Name == "bandwidth" {
			continue
		}
		l := th.Drift(c.Check.Drift)
		if l == capacity.LevelUnknown && c.Check.Ratio.OK() {
			l = capacity.LevelOK // near the plan: too close to judge is no drift
		}
		d.level(KindDrift, c.Name, l, func(capacity.Level) string {
			return fmt.Sprintf("%s %sx the plan at this PV: %s, plan %s", c.Name, capacity.FormatNumber(c.Check.Drift.Or(0)),
				c.Format(c.Check.Measured.Or(0)), c.Format(c.Check.Predicted.Or(0)))
		}, c.Name+" back near the plan")
	}
}

func (d *detector) endpoints(a capacity.Assessment, th capacity.Thresholds) {
	for _, e := range a.Endpoints {
		d.level(KindEndpoint, e.Name, th.Usage(e.Load), func(capacity.Level) string {
			return fmt.Sprintf("%s at %s of its ceiling (%s of %s QPS)", e.Name, capacity.FormatPercent(e.Load.Or(0)),
				capacity.FormatNumber(e.QPS.Or(0)), capacity.FormatNumber(e.MaxQPS))
		}, e.Name+" back under its ceiling's warning level")
	}
}

func (d *detector) errors(s snapshot.Snapshot, th capacity.Thresholds) {
	d.level(KindErrors, "error_rate", th.ErrorRate(s.ErrorRate), func(capacity.Level) string {
		return fmt.Sprintf("error burst: %s of requests failing", capacity.FormatPercent(s.ErrorRate.Or(0)))
	}, "error rate back to normal")
}

func (d *detector) pageWeight(a capacity.Assessment, th capacity.Thresholds) {
	pw := a.PageWeight
	d.level(KindPageWeight, "page", th.PageWeight(pw.Ratio), func(capacity.Level) string {
		return fmt.Sprintf("page weight drift: %s per view, %sx the plan's %s", capacity.FormatBytes(pw.Measured.Or(0)),
			capacity.FormatNumber(pw.Ratio.Or(0)), capacity.FormatBytes(pw.Planned))
	}, "page weight back near plan")
}

func (d *detector) pace(a capacity.Assessment, th capacity.Thresholds) {
	if a.Phase == capacity.PhaseSoldOut {
		// Nothing is left to sell behind pace: the problem ends with the
		// stock (the level, unknown from here, would keep it open forever).
		d.close(KindPace, "sell-out")
		return
	}
	so := a.SellOut
	d.level(KindPace, "sell-out", th.Pace(a), func(capacity.Level) string {
		msg := fmt.Sprintf("selling at %sx the planned pace", capacity.FormatNumber(so.Pace.Or(0)))
		if so.ETAKnown {
			msg += ", sell-out in " + capacity.FormatDuration(so.ETA)
		}
		return msg
	}, "sell-out pace back on plan")
}

// avalancheCheck looks for the refresh avalanche at T0 in page views and in
// requests: when the origin is saturated, served page views stay flat while
// the refreshes show as requests answered 502 (the story's first launch).
func (d *detector) avalancheCheck(s snapshot.Snapshot, a capacity.Assessment) {
	if !a.LaunchKnown || d.next.avalanche {
		return
	}
	signals := []struct {
		name string
		v    snapshot.Value
		base *float64
	}{
		{"PV/s", a.PV, &d.next.preLaunchPV},
		{"requests/s", s.Requests, &d.next.preLaunchReq},
	}
	for _, sig := range signals {
		v, ok := sig.v.Get()
		if !ok {
			continue
		}
		if a.SinceLaunch < 0 {
			// Smooth the pre-launch level so one noisy second neither
			// hides nor fakes the jump.
			if *sig.base == 0 {
				*sig.base = v
			} else {
				*sig.base += (v - *sig.base) * 0.3
			}
			continue
		}
		base := *sig.base
		if a.SinceLaunch <= avalancheWindow && v >= avalancheMinPV && base > 0 && v >= avalancheFactor*base {
			d.next.avalanche = true
			d.emit(KindAvalanche, Warn, "pv", "refresh avalanche: %s %s at T+%s, %sx the pre-launch level",
				capacity.FormatNumber(v), sig.name, capacity.FormatDuration(a.SinceLaunch), capacity.FormatNumber(v/base))
			return
		}
	}
}
