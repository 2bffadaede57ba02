package alerts

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/launchwatch/launchwatch/events"
)

// pdReceiver is shaped like PagerDuty's Events API v2: it checks each
// event as PagerDuty documents it (routing_key, event_action, dedup_key,
// the payload's summary, severity and source, the timestamp, the links)
// and answers 202, or 400 with PagerDuty's error shape to one it refuses.
// It listens on a fixed loopback port and can be taken down (connections
// refused) and brought back, hang (take the event, never answer), answer
// late, or throttle (429 with Retry-After).
type pdReceiver struct {
	t    *testing.T
	key  string
	addr string

	mu         sync.Mutex
	srv        *httptest.Server
	got        []pdGot  // every valid event taken, repeats included, in order
	invalid    []string // why each refused event was refused
	hang       int      // this many more events are taken and never answered
	delay      time.Duration
	throttle   int // this many more events are answered 429
	retryAfter int // seconds, with a 429
	seen       chan struct{}
}

// pdGot is an event as the receiver took it.
type pdGot struct {
	Action, DedupKey, Severity, State string
	At                                time.Time
}

// id is which alert of which problem the event is: an escalation is a
// second trigger under the same dedup_key, told apart by its state.
func (g pdGot) id() string { return g.DedupKey + " " + g.State }

func newPDReceiver(t *testing.T, key string) *pdReceiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &pdReceiver{t: t, key: key, addr: ln.Addr().String(), seen: make(chan struct{}, 10000)}
	r.serve(ln)
	t.Cleanup(r.down)
	return r
}

func (r *pdReceiver) url() string { return "http://" + r.addr + "/v2/enqueue" }

func (r *pdReceiver) serve(ln net.Listener) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(r.handle))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
}

func (r *pdReceiver) up() {
	r.t.Helper()
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		r.t.Fatalf("listen again on %s: %v", r.addr, err)
	}
	r.serve(ln)
}

func (r *pdReceiver) down() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

func (r *pdReceiver) set(f func(r *pdReceiver)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r)
}

// pdWire is an event as PagerDuty reads it.
type pdWire struct {
	RoutingKey  string `json:"routing_key"`
	EventAction string `json:"event_action"`
	DedupKey    string `json:"dedup_key"`
	Payload     *struct {
		Summary       string         `json:"summary"`
		Severity      string         `json:"severity"`
		Source        string         `json:"source"`
		Timestamp     string         `json:"timestamp"`
		CustomDetails map[string]any `json:"custom_details"`
	} `json:"payload"`
	Links []struct {
		Href string `json:"href"`
		Text string `json:"text"`
	} `json:"links"`
	Client string `json:"client"`
}

// check says what PagerDuty would refuse in ev, or "".
func (r *pdReceiver) check(ev pdWire) string {
	switch {
	case ev.RoutingKey != r.key:
		return "routing_key is not the integration's"
	case ev.EventAction != "trigger" && ev.EventAction != "acknowledge" && ev.EventAction != "resolve":
		return fmt.Sprintf("event_action %q", ev.EventAction)
	case ev.DedupKey == "" || len(ev.DedupKey) > 255:
		return "dedup_key missing or over 255 characters"
	case ev.Payload == nil:
		return "no payload"
	}
	p := ev.Payload
	switch {
	case ev.EventAction == "trigger" && (p.Summary == "" || utf8.RuneCountInString(p.Summary) > 1024):
		return "payload.summary missing or over 1024 characters"
	case ev.EventAction == "trigger" && p.Source == "":
		return "payload.source missing"
	case p.Severity != "critical" && p.Severity != "error" && p.Severity != "warning" && p.Severity != "info":
		return fmt.Sprintf("payload.severity %q", p.Severity)
	}
	if _, err := time.Parse(time.RFC3339, p.Timestamp); err != nil {
		return "payload.timestamp is not ISO 8601: " + err.Error()
	}
	for _, l := range ev.Links {
		if !strings.HasPrefix(l.Href, "https://") || l.Text == "" {
			return fmt.Sprintf("link %+v", l)
		}
	}
	if _, ok := p.CustomDetails["state"].(string); !ok {
		return "custom_details.state missing"
	}
	return ""
}

func (r *pdReceiver) handle(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var ev pdWire
	dec := json.NewDecoder(strings.NewReader(string(body)))
	err := dec.Decode(&ev)
	why := ""
	switch {
	case req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json":
		why = "not a JSON POST"
	case err != nil:
		why = "not JSON: " + err.Error()
	default:
		why = r.check(ev)
	}
	r.mu.Lock()
	if why != "" {
		r.invalid = append(r.invalid, why)
		r.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"status":"invalid event","message":"Event object is invalid","errors":["`+why+`"]}`)
		return
	}
	if r.throttle > 0 {
		r.throttle--
		after := r.retryAfter
		r.got = append(r.got, pdGot{Action: "throttled", At: time.Now()})
		r.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(after))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	r.got = append(r.got, pdGot{Action: ev.EventAction, DedupKey: ev.DedupKey, Severity: ev.Payload.Severity,
		State: ev.Payload.CustomDetails["state"].(string), At: time.Now()})
	hang := r.hang > 0
	if hang {
		r.hang--
	}
	delay := r.delay
	r.mu.Unlock()
	r.seen <- struct{}{}
	if hang {
		<-req.Context().Done()
		return
	}
	time.Sleep(delay)
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"`+ev.DedupKey+`"}`)
}

// events returns the events taken, throttled requests left out.
func (r *pdReceiver) events() []pdGot {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []pdGot
	for _, g := range r.got {
		if g.Action != "throttled" {
			out = append(out, g)
		}
	}
	return out
}

// waitDistinct waits until the receiver has taken n distinct alerts.
func (r *pdReceiver) waitDistinct(n int, timeout time.Duration) []pdGot {
	deadline := time.After(timeout)
	for len(distinct(r.events())) < n {
		select {
		case <-r.seen:
		case <-deadline:
			return r.events()
		}
	}
	return r.events()
}

// waitTaken waits until the receiver has taken n events, repeats
// included.
func (r *pdReceiver) waitTaken(n int, timeout time.Duration) {
	deadline := time.After(timeout)
	for len(r.events()) < n {
		select {
		case <-r.seen:
		case <-deadline:
			r.t.Fatalf("the receiver took %d events in %s, want %d", len(r.events()), timeout, n)
		}
	}
}

// distinct is each alert once, in the order first taken.
func distinct(got []pdGot) []pdGot {
	seen := map[string]bool{}
	var out []pdGot
	for _, g := range got {
		if !seen[g.id()] {
			seen[g.id()] = true
			out = append(out, g)
		}
	}
	return out
}

// pdStory fires, one frame each, an error burst's life and a cart
// endpoint's beside it: the burst opens at warn, the cart opens, the
// burst escalates to crit, is acknowledged, the cart resolves, the burst
// resolves, the burst opens again (a new problem) and resolves. It
// returns the events PagerDuty must get, as "action severity problem"
// where problem names the dedup_key each must share: burst, cart, burst2.
func pdStory(d *Dispatcher) []string {
	burst := events.Problem{Kind: events.KindErrors, Subject: "error_rate", Title: "error burst", Severity: events.Warn, Since: t0,
		Message: "error burst: 2.1% of requests failing (6/s), measured", Lines: "warn 1%, crit 5%"}
	cart := events.Problem{Kind: events.KindEndpoint, Subject: "cart", Title: "cart endpoint", Severity: events.Warn, Since: t0.Add(time.Second),
		Message: "cart at 85% of its ceiling", Lines: "warn 80%, crit 95%"}
	crit := burst
	crit.Severity, crit.Message = events.Crit, "error burst: 42% of requests failing (120/s), measured"
	ackd := acked(crit, "alice@war-room", 3*time.Second)
	again := burst
	again.Since = t0.Add(10 * time.Second)
	frames := [][]events.Problem{
		{burst},
		{burst, cart},
		{crit, cart},
		{ackd, cart},
		{ackd},
		nil,
		nil,
		nil,
		nil,
		nil,
		{again},
		nil,
	}
	for i, ps := range frames {
		d.Observe(t0.Add(time.Duration(i)*time.Second), ps)
	}
	return []string{
		"trigger warning burst opened",
		"trigger warning cart opened",
		"trigger critical burst escalated",
		"acknowledge critical burst acknowledged",
		"resolve warning cart resolved",
		"resolve critical burst resolved",
		"trigger warning burst2 opened",
		"resolve warning burst2 resolved",
	}
}

// story names the received alerts' dedup_keys by the problem they first
// came for, in pdStory's words, and fails when one key is used for two
// problems or one problem has two keys.
func story(t *testing.T, got []pdGot) []string {
	t.Helper()
	names := map[string]string{}
	order := []string{"burst", "cart", "burst2"}
	var out []string
	for _, g := range got {
		name, ok := names[g.DedupKey]
		if !ok {
			if len(names) == len(order) {
				t.Fatalf("a fourth dedup_key %s: %v", g.DedupKey, got)
			}
			// The keys come in the story's order of first mention.
			name = order[len(names)]
			names[g.DedupKey] = name
		}
		out = append(out, strings.Join([]string{g.Action, g.Severity, name, g.State}, " "))
	}
	return out
}

// pdHook is a PagerDuty webhook to r, routed as the command line routes
// a webhook.
func pdHook(t *testing.T, r *pdReceiver, timeout time.Duration) *Webhook {
	t.Helper()
	w, err := NewWebhook(WebhookOptions{URL: r.url(), Timeout: timeout, Retries: 1, Backoff: 20 * time.Millisecond,
		Format: FormatPagerDuty, RoutingKeyFile: secretFile(t, "routing-key", r.key)})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestAPagerDutyReceiverGetsTriggerAcknowledgeAndResolveUnderOneDedupKeyPerProblem(t *testing.T) {
	r := newPDReceiver(t, testRoutingKey)
	d := mustNew(t, Options{Launch: "Winter drop", Routes: []Route{heldRoute(pdHook(t, r, 5*time.Second), "", 100)}})
	want := pdStory(d)
	got := r.waitDistinct(len(want), 30*time.Second)
	d.Close()
	if s := story(t, got); strings.Join(s, "\n") != strings.Join(want, "\n") {
		t.Errorf("PagerDuty got\n%s\nwant\n%s", strings.Join(s, "\n"), strings.Join(want, "\n"))
	}
	if len(r.invalid) > 0 {
		t.Errorf("PagerDuty refused events: %v", r.invalid)
	}
	if st := d.Status()[0]; st.Sent != len(want) || st.Lost() != 0 || st.Failing() {
		t.Errorf("status %+v, want %d sent", st, len(want))
	}
}

// TestAPagerDutyReceiverThatFailsLosesNothing runs pdStory against each
// fault and holds the same: every event arrives at least once when the
// receiver is back, in the story's order; an event that arrives again is
// a repeat of one already taken, under its dedup_key and with its state;
// none is lost.
func TestAPagerDutyReceiverThatFailsLosesNothing(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		// fault sets the receiver up before the story; recover is called
		// once the story is fired.
		fault, recover func(r *pdReceiver)
		// check holds what the fault must have done, given every event
		// taken, throttled ones included.
		check func(t *testing.T, r *pdReceiver, got []pdGot)
	}{
		{
			name: "down (connection refused), then back: held, and delivered once each in order",
			// Long enough that a loaded machine is not taken for a down
			// receiver: a timed-out answer would be delivered again.
			timeout: 5 * time.Second,
			fault:   func(r *pdReceiver) { r.down() },
			recover: func(r *pdReceiver) {
				time.Sleep(500 * time.Millisecond) // every event's own retries run out, more than once
				r.up()
			},
			check: func(t *testing.T, _ *pdReceiver, got []pdGot) {
				if len(got) != len(distinct(got)) {
					t.Errorf("%d events taken for %d alerts: a refused connection delivered nothing, so nothing repeats", len(got), len(distinct(got)))
				}
			},
		},
		{
			name:    "hanging (takes the first two events, never answers): each times out and is sent again",
			timeout: 300 * time.Millisecond,
			fault:   func(r *pdReceiver) { r.set(func(r *pdReceiver) { r.hang = 2 }) },
			recover: func(*pdReceiver) {},
			check: func(t *testing.T, _ *pdReceiver, got []pdGot) {
				if len(got) < len(distinct(got))+2 {
					t.Errorf("%d events taken for %d alerts: the two hung ones were not sent again", len(got), len(distinct(got)))
				}
			},
		},
		{
			name:    "slow past the timeout: every attempt reaches it, and the repeats carry the same dedup_key",
			timeout: 200 * time.Millisecond,
			fault:   func(r *pdReceiver) { r.set(func(r *pdReceiver) { r.delay = 600 * time.Millisecond }) },
			recover: func(r *pdReceiver) {
				// The first event reaches it three times, each too late.
				r.waitTaken(3, 30*time.Second)
				r.set(func(r *pdReceiver) { r.delay = 0 }) // it catches up
			},
			check: func(t *testing.T, _ *pdReceiver, got []pdGot) {
				times := map[string]int{}
				for _, g := range got {
					times[g.id()]++
				}
				if first := got[0].id(); times[first] < 3 {
					t.Errorf("the first event reached the receiver %d times, want 3 or more: the test made too few repeats", times[first])
				}
			},
		},
		{
			name:    "429 with Retry-After: waits as told, then delivers",
			timeout: 5 * time.Second,
			fault: func(r *pdReceiver) {
				r.set(func(r *pdReceiver) { r.throttle, r.retryAfter = 1, 1 })
			},
			recover: func(*pdReceiver) {},
			check: func(t *testing.T, r *pdReceiver, _ []pdGot) {
				r.mu.Lock()
				defer r.mu.Unlock()
				if len(r.got) < 2 || r.got[0].Action != "throttled" {
					t.Fatalf("taken %v: want a throttled request first", r.got)
				}
				// The webhook's own backoff is 20 ms: a gap of a second
				// is the Retry-After's.
				if gap := r.got[1].At.Sub(r.got[0].At); gap < 900*time.Millisecond {
					t.Errorf("sent again %s after a 429 with Retry-After: 1", gap)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newPDReceiver(t, testRoutingKey)
			tt.fault(r)
			d := mustNew(t, Options{Launch: "Winter drop", Routes: []Route{heldRoute(pdHook(t, r, tt.timeout), "", 100)}})
			want := pdStory(d)
			tt.recover(r)
			got := r.waitDistinct(len(want), 60*time.Second)
			waitSent(t, d, len(want))
			d.Close()
			if s := story(t, distinct(got)); strings.Join(s, "\n") != strings.Join(want, "\n") {
				t.Errorf("PagerDuty got, first of each\n%s\nwant\n%s", strings.Join(s, "\n"), strings.Join(want, "\n"))
			}
			// A repeat follows the event it repeats, or another repeat of
			// it: one attempt after another, never out of order.
			for i := 1; i < len(got); i++ {
				if seenBefore(got[:i-1], got[i]) && got[i].id() != got[i-1].id() {
					t.Errorf("event %d (%s) repeats an older one after %s", i, got[i].id(), got[i-1].id())
				}
			}
			if len(r.invalid) > 0 {
				t.Errorf("PagerDuty refused events: %v", r.invalid)
			}
			if st := d.Status()[0]; st.Sent != len(want) || st.Lost() != 0 || st.Kept != 0 {
				t.Errorf("status %+v, want %d sent and none lost", st, len(want))
			}
			tt.check(t, r, got)
		})
	}
}

func seenBefore(got []pdGot, g pdGot) bool {
	for _, o := range got {
		if o.id() == g.id() {
			return true
		}
	}
	return false
}

func TestTheRoutingKeyGoesInTheBodyAloneNeverInALogAnErrorOrTheQueueFile(t *testing.T) {
	for _, pad := range []int{0, 472} {
		t.Run(fmt.Sprintf("a receiver that echoes the event after %d bell characters", pad), func(t *testing.T) {
			// A receiver that refuses each event with a 500 quoting it,
			// routing key and all. Padded, the key straddles the 512 bytes
			// of the answer a webhook reads, so only its start is there,
			// and the padding, which cleaning drops, would bring that start
			// into the error's first 200 characters.
			var mu sync.Mutex
			var bodies []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies = append(bodies, string(body))
				mu.Unlock()
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, strings.Repeat("\a", pad)+"cannot take "+string(body))
			}))
			defer srv.Close()
			var logMu sync.Mutex
			var logBuf strings.Builder
			log := slogTo(&logMu, &logBuf)
			w, err := NewWebhook(WebhookOptions{URL: srv.URL + "/v2/enqueue", Timeout: 5 * time.Second, Retries: 1, Backoff: 10 * time.Millisecond,
				Format: FormatPagerDuty, RoutingKeyFile: secretFile(t, "routing-key", testRoutingKey)})
			if err != nil {
				t.Fatal(err)
			}
			file := t.TempDir() + "/pd.queue"
			d := mustNew(t, Options{Launch: "Winter drop", Log: log, Routes: []Route{heldRoute(w, file, 100)}})
			d.Observe(t0, []events.Problem{problem(events.KindErrors, "error_rate", events.Crit, 0, "error burst")})
			deadline := time.Now().Add(30 * time.Second)
			for d.Status()[0].LastError == "" && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			st := d.Status()[0]
			d.Close()
			mu.Lock()
			if len(bodies) == 0 || !strings.Contains(bodies[0], `"routing_key":"`+testRoutingKey+`"`) {
				t.Fatalf("the receiver got %q: want the routing key in the body", bodies)
			}
			mu.Unlock()
			queue, err := readQueueFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(queue, `"state":"opened"`) || d.Status()[0].Kept != 1 {
				t.Fatalf("the alert is not kept in the queue file (status %+v): the test saw no queue", d.Status()[0])
			}
			if pad == 0 && !strings.Contains(st.LastError, `"routing_key":"xxxxx"`) {
				t.Errorf("last error %q: want the echo with the key hidden", st.LastError)
			}
			logMu.Lock()
			logged := logBuf.String()
			logMu.Unlock()
			for what, s := range map[string]string{"the last error": st.LastError, "the log": logged, "the queue file": queue,
				"the name": w.Name(), "the id": w.ID()} {
				if strings.Contains(s, testRoutingKey[:8]) {
					t.Errorf("%s holds the routing key, or its start:\n%s", what, s)
				}
			}
		})
	}
}

func TestARoutingKeyFileThatIsNotAKeyIsRefusedWithoutShowingIt(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"two lines", testRoutingKey + "\n" + testRoutingKey, "holds more than one line"},
		{"blank", "   ", "holds only spaces"},
		{"far too long", strings.Repeat(testRoutingKey, 5), "not a routing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWebhook(WebhookOptions{Timeout: time.Second, Format: FormatPagerDuty, RoutingKeyFile: secretFile(t, "routing-key", tt.content)})
			if err == nil || !strings.Contains(err.Error(), "routing_key_file: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), testRoutingKey[:8]) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
	if _, err := NewWebhook(WebhookOptions{Timeout: time.Second, Format: FormatPagerDuty}); err == nil || !strings.Contains(err.Error(), "needs routing_key_file") {
		t.Errorf("without a key file: err = %v", err)
	}
	if _, err := NewWebhook(WebhookOptions{URL: "https://hooks.example/x", Timeout: time.Second, Format: FormatSlack, RoutingKeyFile: "/k"}); err == nil ||
		!strings.Contains(err.Error(), "routing_key_file is for format pagerduty only") {
		t.Errorf("a slack webhook with a key file: err = %v", err)
	}
}

func TestAPagerDutyWebhookWithoutAURLPostsToPagerDuty(t *testing.T) {
	key := secretFile(t, "routing-key", testRoutingKey)
	w, err := NewWebhook(WebhookOptions{Timeout: time.Second, Format: FormatPagerDuty, RoutingKeyFile: key})
	if err != nil {
		t.Fatal(err)
	}
	if w.url != PagerDutyEventsURL || w.Name() != "webhook https://events.pagerduty.com (pagerduty)" {
		t.Errorf("url %q, name %q: want PagerDuty's events URL", w.url, w.Name())
	}
	// Two services behind the one URL keep a queue each.
	other, err := NewWebhook(WebhookOptions{Timeout: time.Second, Format: FormatPagerDuty, RoutingKeyFile: secretFile(t, "other-key", strings.Repeat("7", 32))})
	if err != nil {
		t.Fatal(err)
	}
	if w.ID() == other.ID() {
		t.Errorf("two routing keys share the queue id %s", w.ID())
	}
}

// slogTo is a logger writing text lines to b under mu.
func slogTo(mu *sync.Mutex, b io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(lockedWriter{mu, b}, nil))
}

// readQueueFile is a queue file's bytes, framing and all.
func readQueueFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
