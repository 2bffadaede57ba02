package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The Alertmanager sink is state-based, as Prometheus is towards its
// Alertmanagers: every standing problem is posted as an alert with an
// endsAt a few resends ahead, posted again at once when it opens,
// escalates, is acknowledged or resolves, and every Resend while it
// stands. An Alertmanager that stops hearing of an alert resolves it at
// its endsAt, so a watcher that stops or dies leaves nothing open for
// long; a resolve is an alert posted with endsAt now. The queue of
// route.go does not fit: what counts is the newest state, not each event.
//
//	Observe ──> amGroup (standing problems, silences) ──> per Alertmanager: its alerts ──> poster (one goroutine)
//	                                                  └─> silencer (one goroutine for the cluster)

// EndsAtResends is how many Resends ahead each posted alert ends:
// Prometheus' own rule (its alerts end 4 resend delays after they are
// sent), so one or two lost posts do not resolve a standing alert.
const EndsAtResends = 4

// SilenceFor is how long a silence made for an acknowledgement lasts. It is
// removed when its problem resolves or launchwatch stops; this bounds what
// a launchwatch killed before it could remove it leaves behind.
const SilenceFor = 24 * time.Hour

// AlertmanagerOptions describe an Alertmanager as the config writes it.
type AlertmanagerOptions struct {
	// URL is its base URL (http://am:9093, a path prefix included when it
	// runs under one); /api/v2/alerts and /api/v2/silences are added.
	// A user and password in it are sent as basic auth and never shown.
	URL string
	// Timeout bounds one request.
	Timeout time.Duration
	// Resend is how often every standing alert is posted again; each post
	// says it ends EndsAtResends Resends later.
	Resend time.Duration
	// MinSeverity is the lowest severity posted (default Warn).
	MinSeverity events.Severity
	// HTTPClientConfig is Prometheus' client block: basic auth,
	// authorization, TLS, proxy.
	HTTPClientConfig promconfig.HTTPClientConfig
	// Now is the clock of startsAt and endsAt (default time.Now): they
	// are read by the Alertmanager against its own clock, not the
	// producer's.
	Now func() time.Time
}

// Alertmanager is one Alertmanager posted the standing problems. Made by
// NewAlertmanager and handed to the Dispatcher (Options.Alertmanagers),
// which feeds it.
type Alertmanager struct {
	opts   AlertmanagerOptions
	client *http.Client
	base   *url.URL
	name   string // "alertmanager host:port": never the user or password
	wake   chan struct{}

	mu     sync.Mutex // what follows
	items  map[string]*amItem
	dirty  bool // something changed since the last post began
	status SinkStatus
	left   AlertmanagerLeft
}

// amItem is one alert as this Alertmanager is to be told it.
type amItem struct {
	alert *amAlert
	// resolved is when the alert stopped (its problem resolved, or rose
	// to another severity, another alert); zero while it stands.
	resolved time.Time
	// endsAt is the latest endsAt posted while it stood (whether or not
	// an answer came): the Alertmanager resolves it by then at the
	// latest, so a resolve not delivered by then is not needed.
	endsAt time.Time
	// accepted says the Alertmanager took a post of it.
	accepted bool
}

// amAlert is an alert of the v2 API, without its endsAt, which each post
// sets. It is not changed once made: posts share it.
type amAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// NewAlertmanager checks the URL and builds the HTTP client; it starts
// nothing. Its errors show no secret.
func NewAlertmanager(o AlertmanagerOptions) (*Alertmanager, error) {
	if o.Timeout <= 0 {
		return nil, fmt.Errorf("timeout must be positive, got %s", o.Timeout)
	}
	if o.Resend <= 0 {
		return nil, fmt.Errorf("resend must be positive, got %s", o.Resend)
	}
	if o.MinSeverity < events.Warn {
		o.MinSeverity = events.Warn
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("the Alertmanager URL is not an http(s) URL with a host")
	}
	client, err := promconfig.NewClientFromConfig(o.HTTPClientConfig, "launchwatch")
	if err != nil {
		return nil, fmt.Errorf("http_client_config: %w", err)
	}
	name := "alertmanager " + u.Host
	return &Alertmanager{
		opts: o, client: client, base: u, name: name, wake: make(chan struct{}, 1),
		items: map[string]*amItem{}, status: SinkStatus{Name: name},
	}, nil
}

// Name is "alertmanager host:port".
func (am *Alertmanager) Name() string { return am.name }

// MinSeverity is the lowest severity it is posted.
func (am *Alertmanager) MinSeverity() events.Severity { return am.opts.MinSeverity }

// Resend is how often it is posted every standing alert.
func (am *Alertmanager) Resend() time.Duration { return am.opts.Resend }

// AlertmanagerLeft is what an Alertmanager holds of launchwatch's once the
// Dispatcher is closed: nothing re-posts it, so the Alertmanager resolves
// it at its endsAt.
type AlertmanagerLeft struct {
	Name string
	// Standing alerts are firing there until Until, their latest endsAt.
	Standing int
	Until    time.Time
	// Resolves are alerts whose resolve it was not told by exit: it
	// resolves them by ResolvesBy, their endsAt.
	Resolves   int
	ResolvesBy time.Time
	// Silences are silences of acknowledged problems that could not be
	// removed by exit: they end at SilencesUntil.
	Silences      int
	SilencesUntil time.Time
}

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
		id := problemID(snapshot.CleanText(g.opts.Launch, 100), p)
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
	ann := map[string]string{"summary": a.Summary, "description": description(a, now)}
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
func description(a Alert, now time.Time) string {
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

// put has am post st as it stands. An escalation stops the alert of the
// old severity (its labels differ) and starts one at the new.
func (am *Alertmanager) put(st *amProblem, was events.Severity, changed bool, now time.Time) {
	if st.sev < am.opts.MinSeverity {
		return
	}
	am.mu.Lock()
	defer am.mu.Unlock()
	if was != st.sev && was >= am.opts.MinSeverity {
		if old, ok := am.items[fingerprint(st.key, was)]; ok && old.resolved.IsZero() {
			if old.endsAt.IsZero() {
				// Never posted: the alert at the new severity tells it all.
				delete(am.items, fingerprint(st.key, was))
			} else {
				old.resolved = now
			}
		}
	}
	fp := fingerprint(st.key, st.sev)
	it := am.items[fp]
	if it == nil || !it.resolved.IsZero() {
		if it != nil {
			am.forget(it)
		}
		it = &amItem{}
		am.items[fp], changed = it, true
	}
	it.alert = st.alert
	if changed {
		am.dirty = true
		wakeUp(am.wake)
	}
}

// resolve has am post the alert fp resolved, as a, once.
func (am *Alertmanager) resolve(fp string, a *amAlert, now time.Time) {
	am.mu.Lock()
	defer am.mu.Unlock()
	it, ok := am.items[fp]
	if !ok || !it.resolved.IsZero() {
		return
	}
	it.alert, it.resolved = a, now
	am.dirty = true
	wakeUp(am.wake)
}

// forget drops an item that is not to be posted again. One never
// accepted was an alert the Alertmanager never had: counted failed (lost).
// am.mu is held.
func (am *Alertmanager) forget(it *amItem) {
	if !it.accepted {
		am.status.Failed++
		am.noteError(fmt.Sprintf("alert %s %s never taken: it resolved before the Alertmanager answered", it.alert.Labels["alertname"], it.alert.Labels["subject"]))
	}
}

func wakeUp(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// run posts am's alerts when they change and every Resend, until closing;
// then once more if there is something it was not told. frame is
// held by observe while it takes a frame, so a post carries whole frames.
func (am *Alertmanager) run(ctx context.Context, closing <-chan struct{}, frame *sync.Mutex, log *slog.Logger) {
	tick := time.NewTicker(am.opts.Resend)
	defer tick.Stop()
	for {
		select {
		case <-am.wake:
		case <-tick.C:
		case <-closing:
			if am.untold() {
				am.sync(ctx, frame, log)
			}
			return
		}
		am.sync(ctx, frame, log)
	}
}

// untold reports whether am has not been told something: a change since
// its last post began, an alert it has not taken, a resolve.
func (am *Alertmanager) untold() bool {
	am.mu.Lock()
	defer am.mu.Unlock()
	if am.dirty {
		return true
	}
	for _, it := range am.items {
		if !it.accepted || !it.resolved.IsZero() {
			return true
		}
	}
	return false
}

// posted is an item as a post carried it.
type posted struct {
	fp       string
	it       *amItem
	resolved bool
}

// sync posts every alert am is to be told, in one request: the standing
// ones with endsAt EndsAtResends Resends ahead, the resolved ones with
// their endsAt (when they resolved) until it takes them.
func (am *Alertmanager) sync(ctx context.Context, frame *sync.Mutex, log *slog.Logger) {
	frame.Lock()
	now := am.opts.Now()
	ends := now.Add(EndsAtResends * am.opts.Resend)
	am.mu.Lock()
	am.dirty = false
	var batch []amAlert
	var sent []posted
	for fp, it := range am.items {
		a := *it.alert
		if !it.resolved.IsZero() {
			if it.endsAt.IsZero() || !now.Before(it.endsAt) {
				// It ended by its endsAt there already, or it was never
				// posted: telling it now changes nothing.
				am.forget(it)
				delete(am.items, fp)
				continue
			}
			a.EndsAt = it.resolved
		} else {
			a.EndsAt = ends
			it.endsAt = ends
		}
		batch = append(batch, a)
		sent = append(sent, posted{fp: fp, it: it, resolved: !it.resolved.IsZero()})
	}
	am.mu.Unlock()
	frame.Unlock()
	if len(batch) == 0 {
		return
	}
	start := time.Now()
	err := am.postAlerts(ctx, batch)
	am.mu.Lock()
	defer am.mu.Unlock()
	if err != nil {
		am.noteError(err.Error())
		log.Warn("alertmanager did not take the alerts: posted again at the next resend", "sink", am.name, "alerts", len(batch), "again_in", am.opts.Resend, "err", am.status.LastError)
		return
	}
	am.status.LastSent = time.Now()
	for _, s := range sent {
		if !s.it.accepted {
			s.it.accepted = true
			am.status.Sent++
			log.Info("alert posted", "sink", am.name, "alertname", s.it.alert.Labels["alertname"], "subject", s.it.alert.Labels["subject"], "severity", s.it.alert.Labels["severity"], "took", time.Since(start).Round(time.Millisecond))
		}
		if s.resolved && am.items[s.fp] == s.it {
			delete(am.items, s.fp)
			am.status.Sent++
			log.Info("alert resolved", "sink", am.name, "alertname", s.it.alert.Labels["alertname"], "subject", s.it.alert.Labels["subject"], "severity", s.it.alert.Labels["severity"])
		}
	}
}

// noteError makes msg the newest failure. am.mu is held.
func (am *Alertmanager) noteError(msg string) {
	am.status.LastError = snapshot.CleanText(msg, maxText)
	am.status.LastErrorAt = time.Now()
}

// sinkStatus is am's status: Sent counts alerts it took (each opening,
// escalation and resolve once, not the resends), Failed the ones it never
// had, Pending the ones it has not yet taken.
func (am *Alertmanager) sinkStatus() SinkStatus {
	am.mu.Lock()
	defer am.mu.Unlock()
	s := am.status
	s.Pending = 0
	for _, it := range am.items {
		if !it.accepted || !it.resolved.IsZero() {
			s.Pending++
		}
	}
	return s
}

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

// leave counts what am holds at exit and logs it; what it never took is
// counted failed. The posters have stopped.
func (am *Alertmanager) leave(log *slog.Logger) AlertmanagerLeft {
	am.mu.Lock()
	defer am.mu.Unlock()
	l := AlertmanagerLeft{Name: am.name}
	lost := 0
	for fp, it := range am.items {
		switch {
		case !it.accepted:
			lost++
			am.status.Failed++
		case it.resolved.IsZero():
			l.Standing++
			l.Until = later(l.Until, it.endsAt)
		default:
			l.Resolves++
			l.ResolvesBy = later(l.ResolvesBy, it.endsAt)
		}
		delete(am.items, fp)
	}
	if lost > 0 {
		am.noteError(fmt.Sprintf("%d alerts not taken by exit", lost))
		log.Error("alerts the alertmanager never took by exit: lost", "sink", am.name, "count", lost)
	}
	if l.Standing > 0 {
		log.Info("alerts left standing in the alertmanager: nothing re-posts them, so it resolves them at their endsAt", "sink", am.name, "count", l.Standing, "until", l.Until)
	}
	if l.Resolves > 0 {
		log.Warn("resolves the alertmanager was not told by exit: it resolves them at their endsAt", "sink", am.name, "count", l.Resolves, "by", l.ResolvesBy)
	}
	return l
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
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
