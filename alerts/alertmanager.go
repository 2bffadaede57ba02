package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
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
	// Now is the clock of endsAt (default time.Now), which the
	// Alertmanager reads against its own clock. startsAt is the
	// problem's opening on the producer's clock (wall time live), and
	// no later than Now: in the demo, whose simulated clock runs ahead,
	// an alert starts when it is first posted.
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
