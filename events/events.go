// Package events names the failure modes of a launch as they happen: a
// data source down, a limit or an endpoint's ceiling near, an error burst,
// users waiting, the page growing heavy, the sale falling behind its pace,
// the refresh avalanche at T0, the phase changing, what the probe of the
// sale page finds (the purchase button missing, the page heavier than the
// plan, its resources failing), and one server of the fleet standing out:
// carrying many times its share, failing or slow far past the rest, gone.
//
// Detect is a pure function of the previous State and the newest snapshot
// with its assessment, so the live screen, a replay and the report derive
// the same events from the same snapshots.
package events

import (
	"fmt"
	"maps"
	"slices"
	"strings"
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

// Server reports whether the kind's subject is one server of the fleet
// (capacity.ServerKinds).
func (k Kind) Server() bool { return slices.Contains(capacity.ServerKinds, string(k)) }

// WorstByServer returns each server's worst problem of a server's kind,
// in the harm order (Compare), by the server's name: the order the fleet
// is shown in. Nil when no problem names a server.
func WorstByServer(problems []Problem) map[string]*Problem {
	var worst map[string]*Problem
	for i := range problems {
		p := &problems[i]
		if !p.Kind.Server() {
			continue
		}
		if worst == nil {
			worst = make(map[string]*Problem)
		}
		if w, ok := worst[p.Subject]; !ok || Compare(*p, *w) < 0 {
			worst[p.Subject] = p
		}
	}
	return worst
}

// Kinds of events.
// The kinds of the subjects the thresholds judge are capacity's (see
// capacity.Subject), so a problem's Key is its subject's.
const (
	KindSource     Kind = "source"                // a data source went down or came back
	KindLimit      Kind = capacity.KindLimit      // bandwidth, connections or memory near a limit
	KindEndpoint   Kind = capacity.KindEndpoint   // a dynamic endpoint near its ceiling
	KindErrors     Kind = capacity.KindErrors     // an error burst
	KindPageWeight Kind = capacity.KindPageWeight // bytes per page view taking the link at the peak
	KindDrift      Kind = capacity.KindDrift      // connections or memory per view taking a limit at the peak
	KindPace       Kind = capacity.KindPace       // sell-out pace far behind plan
	KindButton     Kind = capacity.KindButton     // the purchase button missing from the sale page, or back
	KindResource   Kind = capacity.KindResource   // resources of the sale page failing to load
	KindLatency    Kind = capacity.KindLatency    // users waiting: the site's p95 past its lines
	// KindEndpointLatency: an endpoint's p95 near the one its stress test
	// found at its ceiling.
	KindEndpointLatency Kind = capacity.KindEndpointLatency
	// A server of the fleet; the subject is its name.
	KindImbalance     Kind = capacity.KindImbalance     // one server carrying many times the mean share
	KindServerErrors  Kind = capacity.KindServerErrors  // one server failing far more than the rest
	KindServerLatency Kind = capacity.KindServerLatency // one server answering far slower than the rest
	KindGone          Kind = capacity.KindGone          // a server that stopped answering
	KindAvalanche     Kind = "avalanche"                // PV jump at the countdown's end
	KindPhase         Kind = "phase"                    // launch started, sold out
	KindWarm          Kind = "warm-start"               // the watch started: what is before it came from history
	KindAck           Kind = "ack"                      // a person acknowledged a problem (its subject is the problem's key)
)

// ProblemKinds are the kinds a problem can be, as alerts name them (the
// kind label, a runbook's key).
var ProblemKinds = []Kind{KindSource, KindLimit, KindDrift, KindEndpoint, KindEndpointLatency, KindErrors, KindLatency,
	KindPageWeight, KindPace, KindButton, KindResource, KindImbalance, KindServerErrors, KindServerLatency, KindGone}

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
	// level: it falls only after Thresholds.CloseAfter below.
	falling map[string]time.Time
	// rising holds, by kind/subject, since when a figure has read at or
	// over each level: it rises only after Thresholds.OpenAfter there.
	rising   map[string]standing
	problems map[string]Problem // what is wrong now, by kind/subject
	phase    capacity.Phase
	// th are the thresholds the state was derived under: its problems'
	// Lines are worded from them, and are kept while they stay.
	th capacity.Thresholds
	// unworded marks a state DetectJudged derived, or one derived from
	// such a state: its problems' Messages may be older than their
	// figures (see DetectJudged), so it has no Problems to show.
	unworded bool
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
	return detect(prev, s, a, th, nil, true)
}

// DetectJudged is Detect for a walk that reads the events alone (the
// report), given the judgements of s and a by th
// (capacity.Thresholds.Judgements), which such a caller needs too and
// judges once for both. It raises the same events as Detect, but does not
// word a problem again while it stands at its severity short of its worst
// (every frame, on a screen): its Message stays as it was last worded,
// and the state it returns, and every state derived from that one, have
// no Problems (they panic).
func DetectJudged(prev State, s snapshot.Snapshot, a capacity.Assessment, th capacity.Thresholds, judged []capacity.Judgement) ([]Event, State) {
	if judged == nil {
		judged = []capacity.Judgement{} // judged, and nothing to judge
	}
	return detect(prev, s, a, th, judged, false)
}

// detect is Detect and DetectJudged: judged nil judges s here, one row at
// a time; worded words every problem that stands anew.
func detect(prev State, s snapshot.Snapshot, a capacity.Assessment, th capacity.Thresholds, judged []capacity.Judgement, worded bool) ([]Event, State) {
	// The next state starts as the previous one, sharing its maps: a
	// State never changes once returned, so a map is copied on its first
	// write (see writable), and a frame that changes nothing copies
	// nothing.
	d := detector{
		now: s.Time,
		th:  th,
		next: State{levels: prev.levels, falling: prev.falling, rising: prev.rising, problems: prev.problems,
			phase: a.Phase, th: th, unworded: prev.unworded || !worded, preLaunchPV: prev.preLaunchPV, preLaunchReq: prev.preLaunchReq, avalanche: prev.avalanche},
		prev: prev,
	}
	addKeys(&d.kinds, prev.levels)
	addKeys(&d.kinds, prev.rising)
	d.sources(s, th)
	d.phase(a)
	if judged != nil {
		for i := range judged {
			d.judge(&judged[i], a) // read, never kept past this Detect
		}
	} else {
		var row capacity.Judgement // one row at a time: no copy of each on the heap
		for j := range th.Judged(a, s) {
			row = j
			d.judge(&row, a)
		}
	}
	d.fleet(s)
	d.avalancheCheck(s, a)
	d.acks(s)
	return d.out, d.next
}

// acks marks the standing problems acknowledged in s (snapshot.Acks) and
// says so once in the log. An acknowledgement given before its problem
// opened is of an earlier one with the same key, and is passed over.
func (d *detector) acks(s snapshot.Snapshot) {
	if len(s.Acks) == 0 {
		return // nothing to sort: most frames
	}
	for _, key := range slices.Sorted(maps.Keys(s.Acks)) {
		a := s.Acks[key]
		p, ok := d.next.problems[key]
		if !ok || p.Ack != nil || a.At.Before(p.Since) {
			continue
		}
		a.By = snapshot.CleanText(a.By, snapshot.MaxAckBy)
		p.Ack = &a
		set(&d.next.problems, &d.own.problems, key, p)
		d.emit(KindAck, Info, key, "%s acknowledged by %s", p.Name(), a.By)
	}
}

// judge follows one judged subject: its level, its problem, its events.
// Once sold out, the pace and the button say nothing more: nothing is
// left to sell behind pace, and a missing button is expected, so their
// problems close without a "back" (a level unknown from here would keep
// them open forever).
//
// A subject at OK with nothing standing (no level over OK, no problem, no
// time at or over a line) changes nothing and is passed over without
// building its key: of 500 servers judged every frame, the few that stand
// out cost anything.
func (d *detector) judge(j *capacity.Judgement, a capacity.Assessment) {
	kind := Kind(j.Kind)
	if a.Phase == capacity.PhaseSoldOut && (kind == KindPace || kind == KindButton) {
		d.reset(kind, j.Name)
		return
	}
	if j.Level <= capacity.LevelOK && !d.standing(kind, j.Name) {
		return
	}
	d.level(reading{kind: kind, subject: j.Name, title: j.Title, level: j.Level, size: j.Size, atOnce: j.AtOnce, j: j})
}

// standing reports whether the previous state holds anything of a
// subject: a level over OK (which every open problem and every hold-down
// has) or a time at or over a line not yet stood. It looks the key up
// without allocating it, and only for a kind the state holds anything of:
// of the rows at OK every frame, most are of another kind than the few
// standing.
func (d *detector) standing(kind Kind, subject string) bool {
	p := &d.prev
	if len(p.levels)+len(p.rising) == 0 {
		return false
	}
	if !d.kinds.has(kind) {
		return false
	}
	d.key = append(append(append(d.key[:0], kind...), '/'), subject...)
	if _, ok := p.levels[string(d.key)]; ok {
		return true
	}
	_, ok := p.rising[string(d.key)]
	return ok
}

type detector struct {
	now  time.Time
	th   capacity.Thresholds
	prev State
	next State
	// own says which of next's maps are its own: a copy it may write.
	own struct{ levels, falling, rising, problems bool }
	out []Event
	key []byte // standing's scratch key
	// kinds are the kinds of the subjects the previous state holds
	// anything of (standing).
	kinds kindSet
}

// kindSet is a few kinds, held in an array so that the detector holding
// one stays on the stack.
type kindSet struct {
	k    [8]Kind
	n    int
	full bool // more kinds than fit: every kind counts as in the set
}

// addKeys adds the kinds of m's keys.
func addKeys[V any](set *kindSet, m map[string]V) {
	for key := range m {
		if set.full {
			return
		}
		kind, _, _ := strings.Cut(key, "/")
		if !set.has(Kind(kind)) {
			if set.n == len(set.k) {
				set.full = true
				return
			}
			set.k[set.n] = Kind(kind)
			set.n++
		}
	}
}

// has reports whether kind is in the set.
func (s *kindSet) has(kind Kind) bool { return s.full || slices.Contains(s.k[:s.n], kind) }

// writable returns the map *m of the next state ready to be written: on
// the first write of a Detect it is copied from the previous state's,
// which it shares until then.
func writable[V any](m *map[string]V, owned *bool) map[string]V {
	if !*owned {
		if *m == nil {
			*m = make(map[string]V)
		} else {
			*m = maps.Clone(*m)
		}
		*owned = true
	}
	return *m
}

// set writes key in a map of the next state; writing the value it holds
// already costs no copy (a problem standing still, a level held).
func set[V comparable](m *map[string]V, owned *bool, key string, v V) {
	if was, ok := (*m)[key]; ok && was == v {
		return
	}
	writable(m, owned)[key] = v
}

// del deletes key from a map of the next state; a key it lacks costs no
// copy.
func del[V any](m *map[string]V, owned *bool, key string) {
	if _, ok := (*m)[key]; ok {
		delete(writable(m, owned), key)
	}
}

func (d *detector) emit(kind Kind, sev Severity, subject, format string, args ...any) {
	d.out = append(d.out, Event{Time: d.now, Kind: kind, Severity: sev, Subject: subject, Message: fmt.Sprintf(format, args...)})
}

// reading is one figure judged: its level now and how it is worded.
type reading struct {
	kind    Kind
	subject string
	title   string // its name for people (capacity.Subject.Title)
	level   capacity.Level
	// size is how large the problem is in its own measure (the share of a
	// limit in use, of requests failing): the order within a harm and the
	// worst a problem reached.
	size float64
	// atOnce opens the problem without a standing time: a probe's finding
	// is one look at the page that stands until the next.
	atOnce bool
	// text words the figure as it stands; back says it recovered. A
	// judged subject's come from its judgement j, asked only when shown.
	text func() string
	back string
	j    *capacity.Judgement
}

// words words the figure as it stands.
func (r reading) words() string {
	if r.j != nil {
		return r.j.Text()
	}
	return r.text()
}

// recovery says the figure came back under its lines.
func (r reading) recovery() string {
	if r.j != nil {
		return r.j.Recovery()
	}
	return r.back
}

// standing is since when a figure has read at or over warn and crit; zero
// when it does not now.
type standing struct{ warn, crit time.Time }

// level judges a reading: the level rises once the figure has stood at or
// over it for OpenAfter, and falls once it has stayed under for
// CloseAfter, so a step or a figure dancing on a line opens a problem once
// and closes it once. Unknown levels (no data) change nothing: a gap is
// not a recovery. While a level is held over a figure that fell (easing),
// its problem keeps the last words that were true at its level.
func (d *detector) level(r reading) {
	if r.level == capacity.LevelUnknown {
		return
	}
	key := Key(r.kind, r.subject)
	was := d.prev.levels[key]
	stood := d.stood(key, r)
	l := max(was, stood)
	if r.level < was {
		since, ok := d.prev.falling[key]
		if !ok {
			since = d.now
		}
		if d.now.Sub(since) < d.th.CloseAfter {
			set(&d.next.falling, &d.own.falling, key, since)
		} else {
			del(&d.next.falling, &d.own.falling, key)
			l = stood
		}
	} else {
		del(&d.next.falling, &d.own.falling, key)
	}
	// OK is kept as no level at all, so a state over a fleet of 500
	// healthy servers holds nothing of them.
	if l == capacity.LevelOK {
		del(&d.next.levels, &d.own.levels, key)
	} else {
		set(&d.next.levels, &d.own.levels, key, l)
	}
	if l >= capacity.LevelWarn {
		d.open(key, r, l)
	} else {
		del(&d.next.problems, &d.own.problems, key)
	}
	switch {
	case l > was && l >= capacity.LevelWarn:
		d.emit(r.kind, severityOf(l), r.subject, "%s", r.words())
	case l == capacity.LevelOK && was >= capacity.LevelWarn:
		d.emit(r.kind, Info, r.subject, "%s%s", r.recovery(), d.lasted(key))
	}
}

// stood returns the highest level the reading's figure has stood at or
// over for OpenAfter (at once for an atOnce reading), keeping since when.
func (d *detector) stood(key string, r reading) capacity.Level {
	st := d.prev.rising[key]
	since := func(t *time.Time, at bool) {
		switch {
		case !at:
			*t = time.Time{}
		case t.IsZero():
			*t = d.now
		}
	}
	since(&st.warn, r.level >= capacity.LevelWarn)
	since(&st.crit, r.level >= capacity.LevelCrit)
	if st == (standing{}) {
		del(&d.next.rising, &d.own.rising, key)
	} else {
		set(&d.next.rising, &d.own.rising, key, st)
	}
	wait := d.th.OpenAfter
	if r.atOnce {
		wait = 0
	}
	stood := func(t time.Time) bool { return !t.IsZero() && d.now.Sub(t) >= wait }
	switch {
	case stood(st.crit):
		return capacity.LevelCrit
	case stood(st.warn):
		return capacity.LevelWarn
	}
	return capacity.LevelOK
}

// reset puts a subject back to OK and closes its problem without the
// "back" event level would emit: what it warned of is now expected (the
// purchase button gone at sell-out).
func (d *detector) reset(kind Kind, subject string) {
	key := Key(kind, subject)
	del(&d.next.levels, &d.own.levels, key)
	del(&d.next.falling, &d.own.falling, key)
	del(&d.next.rising, &d.own.rising, key)
	del(&d.next.problems, &d.own.problems, key)
}

// lasted says how long the problem under key stood and the worst it
// reached, for the line that says it cleared: " (resolved after 4m12s;
// worst: error burst: 73% of requests failing)".
func (d *detector) lasted(key string) string {
	p, ok := d.prev.problems[key]
	if !ok {
		return ""
	}
	out := " (resolved after " + capacity.FormatDuration(d.now.Sub(p.Since))
	if p.Worst != "" {
		out += "; worst: " + p.Worst
	}
	return out + ")"
}

// sources judges each data source like any other subject, through
// level: down (never answered, silent past StaleAfter, or every signal of
// a poll failed) is critical, failing in part or behind a warning, and
// each opens after OpenAfter and closes after CloseAfter, so one slow poll
// pages nobody. A source is behind when its newest sample is older than
// StaleAfter and one scrape interval of the series it reads: a Prometheus
// scraping every 15 s holds samples up to 15 s old between scrapes.
//
// A source answering with nothing standing changes nothing and is passed
// over as judge passes a subject at OK, its words unwritten: every frame
// judges every source.
func (d *detector) sources(s snapshot.Snapshot, th capacity.Thresholds) {
	now := s.Time
	var buf [8]string // the names of a few sources, sorted without the heap
	for _, name := range s.AppendSourceNames(buf[:0]) {
		h := s.Sources[name]
		age, _ := h.DataAge(now)
		scrape := time.Duration(h.ScrapeInterval * float64(time.Second))
		r := reading{kind: KindSource, subject: name, level: capacity.LevelOK}
		down := h.Down(now, th.StaleAfter)
		switch {
		case down:
			r.level, r.size = capacity.LevelCrit, 1
		case !h.OK:
			r.level, r.size = capacity.LevelWarn, 0.5
		case age > th.StaleAfter+scrape:
			r.level, r.size = capacity.LevelWarn, age.Seconds()
		}
		// Worded only past here: most frames every source answers, and
		// one with nothing standing changes nothing.
		if r.level == capacity.LevelOK && !d.standing(KindSource, name) {
			continue
		}
		r.title, r.back = "source "+name, "source "+name+" back"
		why, noData := h.Error, h.Age(now)
		switch {
		case down:
			r.text = func() string { return fmt.Sprintf("source %s down: %s", name, whyNot(why, noData)) }
		case !h.OK:
			r.text = func() string { return fmt.Sprintf("source %s failing in part: %s", name, whyNot(why, noData)) }
		default:
			r.text = func() string { return behind(name, age) }
		}
		d.level(r)
	}
}

// whyNot says why a source gives nothing: its error, else how long it has
// had no data.
func whyNot(err string, noData time.Duration) string {
	if err != "" {
		return err
	}
	return fmt.Sprintf("no data for %s", noData.Round(time.Second))
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

// avalancheCheck looks for the refresh avalanche at T0 in page views and in
// requests: when the origin is saturated, served page views stay flat while
// the refreshes show as requests answered 502 (the story's first launch).
//
// The jump itself is expected at a launch: it is a warning only when it
// takes PV past the planned peak or comes with failing requests, and
// information otherwise.
func (d *detector) avalancheCheck(s snapshot.Snapshot, a capacity.Assessment) {
	if !a.LaunchKnown || d.next.avalanche {
		return
	}
	signals := [...]struct {
		name string
		v    snapshot.Value
	}{{"PV/s", a.PV}, {"requests/s", s.Requests}}
	for i, sig := range signals {
		v, ok := sig.v.Get()
		if !ok {
			continue
		}
		// Each signal's baseline, pointed to apart from the words: a
		// pointer beside a name handed to fmt would take the whole
		// detector to the heap, every frame.
		at := &d.next.preLaunchPV
		if i == 1 {
			at = &d.next.preLaunchReq
		}
		if a.SinceLaunch < 0 {
			// Smooth the pre-launch level so one noisy second neither
			// hides nor fakes the jump.
			if *at == 0 {
				*at = v
			} else {
				*at += (v - *at) * 0.3
			}
			continue
		}
		base := *at
		if a.SinceLaunch <= avalancheWindow && v >= avalancheMinPV && base > 0 && v >= avalancheFactor*base {
			d.next.avalanche = true
			sev := Info
			if a.PV.Or(0) > a.Peak.PV || d.th.ErrorRate(s.ErrorRate, s.Requests) >= capacity.LevelWarn {
				sev = Warn
			}
			d.emit(KindAvalanche, sev, "pv", "refresh avalanche: %s %s at T+%s, %sx the pre-launch level",
				capacity.FormatNumber(v), sig.name, capacity.FormatDuration(a.SinceLaunch), capacity.FormatNumber(v/base))
			return
		}
	}
}
