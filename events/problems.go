package events

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Problem is something wrong now: a figure at or over its warning line, a
// source down or failing in part. Events say what changed; problems say
// what still stands, so a problem raised in a burst of events stays in
// view until it clears.
type Problem struct {
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	Subject  string   `json:"subject"`
	// Title names it for people: "bandwidth limit", "error burst".
	Title string `json:"title,omitempty"`
	// Since is when the problem opened: the first snapshot at or over its
	// warning line in this run, once it had stood there for OpenAfter.
	Since time.Time `json:"since"`
	// Message describes it with the newest figure, rewritten every
	// snapshot while the figure stands at the problem's severity. While
	// the figure eases under it (see Easing) it keeps the last words that
	// were true at that severity.
	Message string `json:"message"`
	// Harm is what the problem threatens, the first key of the order
	// after severity (see Problems).
	Harm Harm `json:"harm"`
	// Size is how large the problem is in its own measure (the share of a
	// limit in use, of requests failing): within a harm, the larger first.
	Size float64 `json:"size"`
	// Worst is the message at the worst the problem reached (its highest
	// severity, then its largest size), quoted when it resolves.
	Worst         string   `json:"worst"`
	WorstSeverity Severity `json:"worst_severity"`
	// Easing is since when the figure has read under the problem's
	// severity: the problem holds for Thresholds.CloseAfter before it
	// falls. Zero while the figure stands at it.
	Easing time.Time `json:"easing_since,omitzero"`
	// Cause is the Key of the open problem this one follows from (link
	// full → 502s), empty for a root. Problems lists a cause before the
	// problems it causes.
	Cause string `json:"cause,omitempty"`
	// Lines names the lines the problem is judged against, in words:
	// "warn 1%, crit 5%", "warn 80%, crit 95%"; empty for a problem
	// without lines (a source down).
	Lines string `json:"lines,omitempty"`
	// Ack is who acknowledged the problem and when (snapshot.Acks); nil
	// while nobody has. An acknowledged problem stands below the
	// unacknowledged ones of its severity and rings no bell.
	Ack *snapshot.Ack `json:"ack,omitempty"`

	worstSize float64
}

// Key names a problem by its kind and subject ("endpoint/cart"): what the
// problems, their levels and everything that follows a problem (acks on
// screen, alerts) tell them apart by.
func Key(kind Kind, subject string) string { return string(kind) + "/" + subject }

// Key is the problem's Key.
func (p Problem) Key() string { return Key(p.Kind, p.Subject) }

// Harm is what a problem threatens, in the order the war room must see
// them: users failing before the room's sight of the launch, before a
// limit, before cost, before the sale's pace.
type Harm int

// Harms, worst first.
const (
	// HarmUsers: requests failing or waiting (the site's, an endpoint's,
	// one server's), the purchase button missing.
	HarmUsers Harm = iota
	// HarmSight: a data source down, failing or behind, a server that
	// stopped answering; what the other problems rest on.
	HarmSight
	// HarmCapacity: a limit or an endpoint's ceiling near or crossed, a
	// server carrying many times its share.
	HarmCapacity
	// HarmCost: what a page view costs departing from the plan (page
	// weight, connections or memory per view), resources of the page
	// failing.
	HarmCost
	// HarmPace: the sale behind its planned pace.
	HarmPace
)

// String names the harm.
func (h Harm) String() string {
	switch h {
	case HarmUsers:
		return "users"
	case HarmSight:
		return "sight"
	case HarmCapacity:
		return "capacity"
	case HarmCost:
		return "cost"
	}
	return "pace"
}

// MarshalText writes the harm as its name.
func (h Harm) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads a harm's name; an unknown one is pace, the least.
func (h *Harm) UnmarshalText(b []byte) error {
	*h = HarmPace
	for c := HarmUsers; c < HarmPace; c++ {
		if c.String() == string(b) {
			*h = c
		}
	}
	return nil
}

// harmOf is each kind's harm.
func harmOf(k Kind) Harm {
	switch k {
	case KindErrors, KindButton, KindLatency, KindEndpointLatency, KindServerErrors, KindServerLatency:
		return HarmUsers
	case KindSource, KindGone:
		return HarmSight
	case KindLimit, KindEndpoint, KindImbalance:
		return HarmCapacity
	case KindPageWeight, KindDrift, KindResource:
		return HarmCost
	}
	return HarmPace
}

// causes lists, for a problem's kind and subject, the problems that can
// cause it, in the order they are preferred; "endpoint/*" stands for any
// endpoint, a "server-errors/*" entry for every server's errors, and
// "imbalance/=" for the same server's. It is the launch story's chain:
// pages heavier than planned → more bytes and longer connections per view
// → a limit full → 502s and users waiting → a sale behind its pace; a
// missing button → a sale behind its pace; a server carrying twice its
// share → its own errors and latency → the site's.
var causes = map[string][]string{
	Key(KindErrors, capacity.SubjectErrorRate): {Key(KindLimit, capacity.CheckBandwidth), Key(KindLimit, capacity.CheckConnections), Key(KindLimit, capacity.CheckMemory), Key(KindEndpoint, "*"), Key(KindServerErrors, "*")},
	Key(KindLatency, capacity.SubjectLatency):  {Key(KindLimit, capacity.CheckBandwidth), Key(KindLimit, capacity.CheckConnections), Key(KindLimit, capacity.CheckMemory), Key(KindEndpoint, "*"), Key(KindServerLatency, "*")},
	Key(KindLimit, capacity.CheckBandwidth):    {Key(KindPageWeight, capacity.SubjectPage), Key(KindPageWeight, capacity.SubjectSalePage)},
	Key(KindLimit, capacity.CheckConnections):  {Key(KindDrift, capacity.CheckConnections), Key(KindPageWeight, capacity.SubjectPage)},
	Key(KindLimit, capacity.CheckMemory):       {Key(KindDrift, capacity.CheckMemory), Key(KindDrift, capacity.CheckConnections)},
	Key(KindDrift, capacity.CheckConnections):  {Key(KindPageWeight, capacity.SubjectPage)},
	Key(KindDrift, capacity.CheckMemory):       {Key(KindDrift, capacity.CheckConnections)},
	Key(KindPageWeight, capacity.SubjectPage):  {Key(KindPageWeight, capacity.SubjectSalePage)},
	Key(KindPace, capacity.SubjectSellOut):     {Key(KindButton, capacity.SubjectPurchase), Key(KindErrors, capacity.SubjectErrorRate)},
	Key(KindServerErrors, "*"):                 {Key(KindImbalance, sameSubject)},
	Key(KindServerLatency, "*"):                {Key(KindImbalance, sameSubject)},
}

// sameSubject, as a cause's subject, names the subject of the problem it
// causes: a server's own imbalance.
const sameSubject = "="

// Problems returns what is wrong as of the state's last snapshot, grouped
// by cause and worst first. The order of two problems is: the more severe
// first, then by harm (users, sight, capacity, cost, pace), then the
// larger first, then the older. A problem caused by another open one (see
// Problem.Cause) is listed after its cause, and a group (a root and what
// follows from it) stands where its worst member would.
//
// It panics on a state DetectJudged derived, whose problems' words may be
// old: a caller that shows problems derives with Detect.
func (s State) Problems() []Problem {
	if s.unworded {
		panic("events: Problems of a state derived by DetectJudged, which does not word them")
	}
	return grouped(s.problems)
}

// Acknowledge returns ps, a list Problems returned, with the problem under
// key acknowledged by a and the list ordered anew; ps itself is left as
// it is. A key not in ps, or one already acknowledged, changes nothing.
func Acknowledge(ps []Problem, key string, a snapshot.Ack) []Problem {
	open := make(map[string]Problem, len(ps))
	found := false
	for _, p := range ps {
		if p.Key() == key && p.Ack == nil {
			a.By = snapshot.CleanText(a.By, snapshot.MaxAckBy)
			p.Ack, found = &a, true
		}
		open[p.Key()] = p
	}
	if !found {
		return ps
	}
	return grouped(open)
}

// grouped orders problems by kind/subject as Problems does.
func grouped(problems map[string]Problem) []Problem {
	if len(problems) == 0 {
		return nil
	}
	open := make(map[string]Problem, len(problems))
	for k, p := range problems {
		p.Cause = ""
		open[k] = p
	}
	for k, p := range open {
		p.Cause = causeOf(k, open)
		open[k] = p
	}
	children := make(map[string][]Problem)
	var roots []Problem
	for _, p := range open {
		if p.Cause == "" {
			roots = append(roots, p)
		} else {
			children[p.Cause] = append(children[p.Cause], p)
		}
	}
	for _, c := range children {
		slices.SortFunc(c, Compare)
	}
	// A group ranks by its worst member.
	worst := make(map[string]Problem, len(roots))
	var rank func(p Problem) Problem
	rank = func(p Problem) Problem {
		w := p
		for _, c := range children[p.Key()] {
			if cw := rank(c); Compare(cw, w) < 0 {
				w = cw
			}
		}
		return w
	}
	for _, r := range roots {
		worst[r.Key()] = rank(r)
	}
	slices.SortFunc(roots, func(a, b Problem) int {
		return cmp.Or(Compare(worst[a.Key()], worst[b.Key()]), Compare(a, b))
	})
	out := make([]Problem, 0, len(open))
	var walk func(p Problem)
	walk = func(p Problem) {
		out = append(out, p)
		for _, c := range children[p.Key()] {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out
}

// causeOf returns the key of the open problem that causes the one under
// key, or "". A cause of an error burst must itself be critical: a link
// at 85% fails no request.
func causeOf(key string, open map[string]Problem) string {
	kind, subject, _ := strings.Cut(key, "/")
	list, ok := causes[key]
	if !ok {
		list = causes[kind+"/*"]
	}
	for _, c := range list {
		if k, ok := strings.CutSuffix(c, "/"+sameSubject); ok {
			c = k + "/" + subject
		}
		if kind, ok := cutWildcard(c); ok {
			// The most severe, then by key: never by size, which moves
			// every frame and would swap the groups back and forth.
			var best *Problem
			for _, p := range open {
				if p.Kind == kind && (best == nil || p.Severity > best.Severity || (p.Severity == best.Severity && p.Key() < best.Key())) {
					best = &p
				}
			}
			if best != nil && canCause(key, *best) {
				return best.Key()
			}
			continue
		}
		if p, ok := open[c]; ok && canCause(key, p) {
			return c
		}
	}
	return ""
}

// canCause reports whether the open problem p can cause the one under key
// at its severity: only a critical limit or endpoint fails requests or
// keeps users waiting; a link at 85% does neither.
func canCause(key string, p Problem) bool {
	if key == Key(KindErrors, capacity.SubjectErrorRate) || key == Key(KindLatency, capacity.SubjectLatency) {
		return p.Severity == Crit || (p.Kind != KindLimit && p.Kind != KindEndpoint)
	}
	return true
}

// cutWildcard returns the kind of a "kind/*" cause.
func cutWildcard(c string) (Kind, bool) {
	if len(c) > 2 && c[len(c)-2:] == "/*" {
		return Kind(c[:len(c)-2]), true
	}
	return "", false
}

// Compare orders two problems worst first: the more severe, then the one
// nobody has acknowledged, then by harm, then the larger, then the older,
// then by key.
func Compare(a, b Problem) int {
	return cmp.Or(cmp.Compare(b.Severity, a.Severity), compareBool(a.Ack != nil, b.Ack != nil), cmp.Compare(a.Harm, b.Harm),
		cmp.Compare(b.Size, a.Size), a.Since.Compare(b.Since), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Subject, b.Subject))
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// Worst returns the worst of the problems by Compare (not the first of a
// grouped list, which is its group's root), and false when there is none.
func Worst(ps []Problem) (Problem, bool) {
	if len(ps) == 0 {
		return Problem{}, false
	}
	return slices.MinFunc(ps, Compare), true
}

// open records r's problem (under key) standing at level l, keeping when
// it first opened and the worst it reached. While the figure reads under l
// (a hold-down), the words stay those last true at l.
func (d *detector) open(key string, r reading, l capacity.Level) {
	p := Problem{Kind: r.kind, Severity: severityOf(l), Subject: r.subject, Title: r.title, Since: d.now, Harm: harmOf(r.kind), Size: r.size}
	was, ok := d.prev.problems[key]
	switch {
	case ok && d.prev.th == d.th:
		p.Lines = was.Lines // the lines are the thresholds' alone: worded once, when it opened
	case r.j != nil && r.j.Line != nil:
		p.Lines = r.j.Line(d.th, capacity.LevelWarn) + ", " + r.j.Line(d.th, capacity.LevelCrit)
	}
	if ok {
		p.Since, p.Worst, p.WorstSeverity, p.worstSize = was.Since, was.Worst, was.WorstSeverity, was.worstSize
		p.Ack = was.Ack
		if p.Title == "" {
			p.Title = was.Title // a server's row at OK, held: named when it opened
		}
	}
	easing := r.level < l && ok && was.Severity == p.Severity
	if easing {
		p.Size, p.Easing = was.Size, d.next.falling[key]
	}
	worse := p.Worst == "" || p.Severity > p.WorstSeverity || (p.Severity == p.WorstSeverity && p.Size > p.worstSize)
	switch {
	case easing:
		p.Message = was.Message
	case d.next.unworded && ok && was.Severity == p.Severity && !worse:
		// Nobody reads the words until it changes (DetectJudged): the
		// events quote those it opened with and its worst.
		p.Message = was.Message
	default:
		p.Message = r.words()
	}
	if worse {
		p.Worst, p.WorstSeverity, p.worstSize = p.Message, p.Severity, p.Size
	}
	set(&d.next.problems, &d.own.problems, key, p)
}

func severityOf(l capacity.Level) Severity {
	if l == capacity.LevelCrit {
		return Crit
	}
	return Warn
}

// Depths returns how deep each problem of a list stands under its causes,
// in order: 0 for a root, 1 for what a root causes, and so on. A cause not
// in the list counts as none.
func Depths(ps []Problem) []int {
	at := make(map[string]int, len(ps))
	out := make([]int, len(ps))
	for i, p := range ps {
		if d, ok := at[p.Cause]; ok && p.Cause != "" {
			out[i] = d + 1
		}
		at[p.Key()] = out[i]
	}
	return out
}

// Name names a problem in a few words, as a person says it: its Title
// ("error burst", "bandwidth limit", "source prometheus"), else its kind
// and subject.
func (p Problem) Name() string {
	if p.Title != "" {
		return p.Title
	}
	return string(p.Kind) + " " + p.Subject
}

// Causes returns the chain of problems in ps that p follows from, its
// direct cause first, as far as ps holds them.
func Causes(p Problem, ps []Problem) []Problem {
	by := make(map[string]Problem, len(ps))
	for _, q := range ps {
		by[q.Key()] = q
	}
	var out []Problem
	for c, ok := by[p.Cause]; ok && len(out) < len(ps); c, ok = by[c.Cause] {
		out = append(out, c)
	}
	return out
}

// Summary says the problem in one line a person reads, with message as
// its figure (its Message now, its Worst when it resolves): its title, the
// figure, and the lines it is held against. "Error burst: 42% of requests
// failing (120/s), measured (plan: warn 1%, crit 5%)". A message that
// starts with the title ("source prometheus down: …") is the line itself.
// The alerts, the problem's detail on screen and every sink word a
// problem with it.
func (p Problem) Summary(message string) string {
	line := message
	if p.Title != "" && !strings.HasPrefix(message, p.Title) {
		line = p.Title + ": " + message
	}
	if p.Lines != "" {
		line += " (plan: " + p.Lines + ")"
	}
	return Capitalize(line)
}

// Capitalize upper-cases the first letter of s.
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
