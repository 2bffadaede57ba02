package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// amGroup is the Dispatcher's Alertmanagers: one set of standing
// problems and one silencer for them all (the Alertmanagers of a cluster
// gossip silences, so each is made on one only).
type amGroup struct {
	opts    Options
	log     *slog.Logger
	ams     []*Alertmanager
	minSev  events.Severity // the lowest any of them is posted: a silence needs an alert
	resend  time.Duration   // the shortest: how often a failed silence is tried again
	timeout time.Duration   // the longest: Close's bound for one last try
	now     func() time.Time
	ctx     context.Context
	cancel  context.CancelFunc
	closing chan struct{}
	wg      sync.WaitGroup
	silWake chan struct{}

	mu       sync.Mutex // what follows; taken before an Alertmanager's mu
	standing map[string]*amProblem
	silences map[string]*amSilence // by problem ID
	seen     map[string]bool       // observe's scratch
	closed   bool
}

// amProblem is a standing problem as the Alertmanagers are told it.
type amProblem struct {
	id       string
	key      string
	sev      events.Severity // the highest it reached: an alert does not fall back to warning
	last     events.Problem
	alert    *amAlert
	acked    bool
	silenced bool // a silence was asked for
}

// startAlertmanagers starts the posters and the silencer of ams; nil
// without any.
func startAlertmanagers(opts Options) *amGroup {
	if len(opts.Alertmanagers) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &amGroup{
		opts: opts, log: opts.Log, ams: opts.Alertmanagers, minSev: events.Crit, resend: opts.Alertmanagers[0].opts.Resend,
		now: opts.Alertmanagers[0].opts.Now, ctx: ctx, cancel: cancel, closing: make(chan struct{}), silWake: make(chan struct{}, 1),
		standing: map[string]*amProblem{}, silences: map[string]*amSilence{}, seen: map[string]bool{},
	}
	for _, am := range g.ams {
		g.minSev = min(g.minSev, am.opts.MinSeverity)
		g.resend = min(g.resend, am.opts.Resend)
		g.timeout = max(g.timeout, am.opts.Timeout)
		g.wg.Go(func() { am.run(ctx, g.closing, &g.mu, g.log) })
	}
	g.wg.Go(g.runSilencer)
	return g
}

// observe takes a frame's problems: what opened, escalated, was
// acknowledged or resolved is posted at once; a new figure goes with the
// next resend. It never waits on an Alertmanager.
func (g *amGroup) observe(problems []events.Problem) {
	if g == nil {
		return
	}
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	clear(g.seen)
	for _, p := range problems {
		if p.Severity < events.Warn {
			continue
		}
		k := p.Key()
		g.seen[k] = true
		id := problemID(snapshot.LaunchLabel(g.opts.Launch), p)
		st := g.standing[k]
		if st != nil && st.id != id {
			// The same kind and subject opened anew: the old one is over.
			g.resolve(st, now)
			st = nil
		}
		changed := st == nil
		if st == nil {
			st = &amProblem{id: id, key: k, sev: p.Severity}
			g.standing[k] = st
		}
		was := st.sev
		if p.Severity > st.sev {
			st.sev, changed = p.Severity, true
		}
		if p.Ack != nil && !st.acked {
			st.acked, changed = true, true
		}
		st.last = p
		st.alert = g.build(Opened, p, st.sev, now)
		for _, am := range g.ams {
			am.put(st, was, changed, now)
		}
		if st.acked && !st.silenced && st.sev >= g.minSev {
			st.silenced = true
			g.addSilence(st, now)
		}
	}
	for k, st := range g.standing {
		if !g.seen[k] {
			g.resolve(st, now)
			delete(g.standing, k)
		}
	}
}

// resolve tells every Alertmanager that st is over and has its silence
// removed. g.mu is held.
func (g *amGroup) resolve(st *amProblem, now time.Time) {
	a := g.build(Resolved, st.last, st.sev, now)
	for _, am := range g.ams {
		am.resolve(fingerprint(st.key, st.sev), a, now)
	}
	if s, ok := g.silences[st.id]; ok {
		s.resolved = true
		wakeUp(g.silWake)
	}
}

// build makes the alert of p at severity sev: its labels, its annotations
// in words, when it started.
func (g *amGroup) build(state State, p events.Problem, sev events.Severity, now time.Time) *amAlert {
	a := newAlert(state, g.opts.Launch, p, now)
	labels := make(map[string]string, 5+len(g.opts.Labels))
	for k, v := range g.opts.Labels {
		labels[k] = v
	}
	labels["alertname"] = AlertName(p.Kind)
	labels["severity"] = severityLabel(sev)
	labels["launch"] = a.Launch
	labels["kind"] = string(p.Kind)
	labels["subject"] = a.Subject
	for k, v := range labels {
		if v == "" {
			delete(labels, k) // as the Alertmanager does: an empty label is no label
		}
	}
	ann := map[string]string{"summary": a.Summary, "description": description(a)}
	if u := g.opts.Runbook(p.Kind, p.Subject); u != "" {
		ann["runbook_url"] = u
	}
	if u := g.opts.DashboardURL; u != "" {
		ann["dashboard_url"] = u
	}
	starts := p.Since
	if starts.IsZero() || starts.After(now) {
		starts = now // an Alertmanager refuses an alert that ends before it starts
	}
	return &amAlert{Labels: labels, Annotations: ann, StartsAt: starts, GeneratorURL: g.opts.DashboardURL}
}

// description says the problem in a few lines: its figure, the lines it
// is held against, since when it stands (or how long it stood), who
// acknowledged it.
func description(a Alert) string {
	var b strings.Builder
	b.WriteString(capitalize(a.Message))
	if a.Lines != "" {
		b.WriteString("\nLines: " + a.Lines + ".")
	}
	if a.State == Resolved {
		fmt.Fprintf(&b, "\nResolved after %s (it opened %s).", a.Duration, stamp(a.Since))
	} else if !a.Since.IsZero() {
		b.WriteString("\nStanding since " + stamp(a.Since) + ".")
	}
	if a.Ack != nil {
		fmt.Fprintf(&b, "\nAcknowledged by %s at %s.", a.Ack.By, stamp(a.Ack.At))
	}
	return b.String()
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") }

// AlertName is the alertname of a problem's kind: Launch and the kind in
// CamelCase (LaunchErrors, LaunchEndpointLatency).
func AlertName(k events.Kind) string {
	var b strings.Builder
	b.WriteString("Launch")
	for _, part := range strings.FieldsFunc(string(k), func(r rune) bool { return r == '-' || r == '_' || r == ' ' }) {
		b.WriteString(capitalize(part))
	}
	return b.String()
}

func severityLabel(s events.Severity) string {
	if s >= events.Crit {
		return "critical"
	}
	return "warning"
}

// fingerprint names an alert by what makes it one in an Alertmanager: its
// labels, which its kind, subject and severity decide (the launch and
// alerts.labels are the same on all).
func fingerprint(key string, sev events.Severity) string { return key + "\x00" + sev.String() }

func (g *amGroup) status() []SinkStatus {
	if g == nil {
		return nil
	}
	out := make([]SinkStatus, len(g.ams))
	for i, am := range g.ams {
		out[i] = am.sinkStatus()
	}
	return out
}

// close stops taking problems, gives the posters one last try at what
// changed (a resolve above all) and the silencer one at removing its
// silences, within grace; then says what each Alertmanager is left
// holding. Nothing standing is lost: an Alertmanager resolves it at its
// endsAt. An alert it never took is.
func (g *amGroup) close(grace time.Duration) {
	if g == nil {
		return
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	g.mu.Unlock()
	close(g.closing)
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(max(grace, g.timeout+time.Second)):
		g.log.Warn("alertmanager: still posting at exit: cancelled")
		g.cancel()
		<-done
	}
	g.cancel()
	left := make([]AlertmanagerLeft, len(g.ams))
	g.mu.Lock()
	for _, s := range g.silences {
		for _, i := range s.maybe {
			left[i].Silences++
			left[i].SilencesUntil = later(left[i].SilencesUntil, s.endsAt)
		}
		if s.id != "" && !slices.Contains(s.maybe, s.at) {
			left[s.at].Silences++
			left[s.at].SilencesUntil = later(left[s.at].SilencesUntil, s.endsAt)
		}
	}
	g.mu.Unlock()
	for i, am := range g.ams {
		l := am.leave(g.log)
		l.Silences, l.SilencesUntil = left[i].Silences, left[i].SilencesUntil
		if l.Silences > 0 {
			g.log.Warn("silences of acknowledged problems not removed by exit: they end by themselves", "sink", am.name, "count", l.Silences, "until", l.SilencesUntil)
		}
		am.mu.Lock()
		am.left = l
		am.mu.Unlock()
	}
}

// AlertmanagersLeft says, once the Dispatcher is closed, what each
// Alertmanager still holds of launchwatch's and until when; nil before
// Close or without Alertmanagers.
func (d *Dispatcher) AlertmanagersLeft() []AlertmanagerLeft {
	if d == nil || d.am == nil {
		return nil
	}
	var out []AlertmanagerLeft
	for _, am := range d.am.ams {
		am.mu.Lock()
		if am.left.Name != "" {
			out = append(out, am.left)
		}
		am.mu.Unlock()
	}
	return out
}
