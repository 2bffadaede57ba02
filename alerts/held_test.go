package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
)

// fastHook is a webhook that tries twice, 20 ms apart: the receivers below
// are down (answering at once) for longer. Its timeout is long enough that
// a receiver slowed by a loaded machine under -race is not taken for a
// down one (a timed-out answer is delivered again, a repeat these tests
// would count).
func fastHook(t *testing.T, url string) *Webhook {
	t.Helper()
	w, err := NewWebhook(WebhookOptions{URL: url, Timeout: 5 * time.Second, Retries: 1, Backoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// heldRoute routes to sink as the command line routes a webhook: held,
// queued in file (none when ""), capped at cap alerts.
func heldRoute(sink Sink, file string, cap int) Route {
	return Route{Sink: sink, Hold: true, HoldWait: 20 * time.Millisecond, Queue: cap, QueueFile: file}
}

// fire opens n (two or more) problems one frame apart, from ep<first>, on top of the
// ones already open, resolves the first of them and escalates the second,
// and returns the alerts as "state subject", in the order they fired.
func fire(d *Dispatcher, first, n int) []string {
	var open []events.Problem
	var want []string
	at := t0
	for i := first; i < first+n; i++ {
		at = at.Add(time.Second)
		open = append(open, problem(events.KindEndpoint, fmt.Sprint("ep", i), events.Warn, at.Sub(t0), "over its ceiling"))
		d.Observe(at, open)
		want = append(want, fmt.Sprintf("opened ep%d", i))
	}
	open = open[1:]
	open[0].Severity = events.Crit
	d.Observe(at.Add(time.Second), open)
	return append(want, fmt.Sprintf("escalated ep%d", first+1), fmt.Sprintf("resolved ep%d", first))
}

// waitSent waits for the first sink to have delivered n alerts.
func waitSent(t *testing.T, d *Dispatcher, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for d.Status()[0].Sent < n {
		if time.Now().After(deadline) {
			t.Fatalf("status %+v: %d alerts not delivered in 30 s", d.Status()[0], n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func states(got []receivedAlert) []string {
	var out []string
	for _, a := range got {
		out = append(out, a.State+" "+a.Subject)
	}
	return out
}

func TestAWebhookDownForAWhileGetsEveryAlertInOrderOnceBack(t *testing.T) {
	hook := newFlakyHook(t, 0)
	hook.down()
	d := mustNew(t, Options{Launch: "Winter drop", Routes: []Route{heldRoute(fastHook(t, hook.url()), filepath.Join(t.TempDir(), "hook.queue"), 100)}})
	want := fire(d, 0, 5)
	// Down long enough for every alert's own retries to run out many
	// times over.
	time.Sleep(time.Second)
	if st := d.Status()[0]; st.Sent != 0 || st.Lost() != 0 || st.Pending != len(want) || !st.Failing() {
		t.Fatalf("while the receiver is down: %+v, want every alert pending, none lost, the sink failing", st)
	}
	hook.up()
	got := hook.waitFor(len(want), 30*time.Second)
	d.Close()
	if strings.Join(states(got), ", ") != strings.Join(want, ", ") {
		t.Errorf("the receiver got\n%s\nwant, each once and in order:\n%s", strings.Join(states(got), "\n"), strings.Join(want, "\n"))
	}
	keys := map[string]bool{}
	for _, a := range got {
		keys[a.DedupKey] = true
	}
	if len(keys) != len(want) {
		t.Errorf("%d distinct dedup_keys for %d alerts", len(keys), len(want))
	}
	if st := d.Status()[0]; st.Sent != len(want) || st.Lost() != 0 || st.Kept != 0 || st.Failing() {
		t.Errorf("after: %+v, want every alert sent, none lost or kept", st)
	}
}

func TestASlowReceiverGetsRepeatsThatCarryOneDedupKey(t *testing.T) {
	// The receiver takes each POST, then answers after the client's
	// timeout: every attempt reaches it.
	hook := newFlakyHook(t, 600*time.Millisecond)
	impatient, err := NewWebhook(WebhookOptions{URL: hook.url(), Timeout: 200 * time.Millisecond, Retries: 1, Backoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	d := mustNew(t, Options{Launch: "Winter drop", Routes: []Route{heldRoute(impatient, "", 100)}})
	d.Observe(t0, []events.Problem{problem(events.KindErrors, "", events.Crit, 0, "error burst")})
	d.Observe(t0.Add(time.Second), nil)
	hook.waitFor(5, 30*time.Second)
	hook.answerIn(0) // it catches up
	waitSent(t, d, 2)
	d.Close()
	got := hook.received()
	byKey := map[string][]string{}
	var order []string
	for _, a := range got {
		if len(byKey[a.DedupKey]) == 0 {
			order = append(order, a.State)
		}
		byKey[a.DedupKey] = append(byKey[a.DedupKey], a.State)
	}
	if len(got) < 5 || len(byKey) != 2 || strings.Join(order, " ") != "opened resolved" {
		t.Fatalf("the receiver got %d POSTs under %d dedup_keys (%v), want 5 or more under 2: the opening's and the resolving's", len(got), len(byKey), byKey)
	}
	for key, st := range byKey {
		for _, s := range st {
			if s != st[0] {
				t.Errorf("dedup_key %s was sent for %v: one key, one alert", key, st)
			}
		}
	}
	if opened := byKey[got[0].DedupKey]; len(opened) < 2 {
		t.Errorf("the opening reached the receiver %d times: the test did not make repeats", len(opened))
	}
	if st := d.Status()[0]; st.Lost() != 0 {
		t.Errorf("status %+v: a slow receiver lost alerts", st)
	}
}

func TestAlertsKeptAtExitAreSentFirstByTheNextStart(t *testing.T) {
	hook := newFlakyHook(t, 0)
	hook.down()
	file := filepath.Join(t.TempDir(), "rec.lwrec.jsonl.webhook-1.queue")
	d := mustNew(t, Options{Launch: "Winter drop", Routes: []Route{heldRoute(fastHook(t, hook.url()), file, 100)}, Grace: time.Minute})
	want := fire(d, 0, 3)
	closed := make(chan struct{})
	go func() { d.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("Close waited out its minute of grace for a receiver that is down")
	}
	if st := d.Status()[0]; st.Kept != len(want) || st.Lost() != 0 || st.Pending != 0 || st.QueueFile != file {
		t.Fatalf("at exit: %+v, want %d kept in %s, none lost", st, len(want), file)
	}

	hook.up()
	d = mustNew(t, Options{Launch: "Winter drop", Routes: []Route{heldRoute(fastHook(t, hook.url()), file, 100)}})
	if st := d.Status()[0]; st.Recovered != len(want) {
		t.Errorf("at the next start: %+v, want %d recovered", st, len(want))
	}
	want = append(want, fire(d, 10, 2)...)
	got := hook.waitFor(len(want), 30*time.Second)
	d.Close()
	if strings.Join(states(got), ", ") != strings.Join(want, ", ") {
		t.Errorf("the receiver got\n%s\nwant the last run's alerts first, each once:\n%s", strings.Join(states(got), "\n"), strings.Join(want, "\n"))
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the queue file stays with nothing in it: %v", err)
	}
}

// stuckSink takes an alert and never answers, until cancelled.
type stuckSink struct{ entered chan struct{} }

func (stuckSink) Name() string { return "stuck" }

func (s stuckSink) Send(ctx context.Context, _ Alert) error {
	s.entered <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

func TestAFullHeldQueueDropsTheOldestWaitingAndCountsItLost(t *testing.T) {
	file := filepath.Join(t.TempDir(), "hook.queue")
	stuck := stuckSink{entered: make(chan struct{}, 1)}
	d := mustNew(t, Options{Routes: []Route{heldRoute(stuck, file, 3)}, Grace: 100 * time.Millisecond})
	open := []events.Problem{problem(events.KindEndpoint, "ep0", events.Warn, 0, "over")}
	d.Observe(t0, open)
	<-stuck.entered // ep0 is being sent, so it cannot be dropped
	for i := 1; i <= 5; i++ {
		open = append(open, problem(events.KindEndpoint, fmt.Sprint("ep", i), events.Warn, 0, "over"))
		d.Observe(t0.Add(time.Duration(i)*time.Second), open)
	}
	st := d.Status()[0]
	if st.Dropped != 3 || st.Pending != 3 || !strings.Contains(st.LastError, "queue full (3): dropped the oldest alert, opened endpoint/ep3") {
		t.Fatalf("status %+v: want ep1, ep2, ep3 dropped in turn and 3 waiting", st)
	}
	d.Close()
	if st = d.Status()[0]; st.Lost() != 3 || st.Kept != 3 {
		t.Fatalf("at exit: %+v, want 3 lost (the drops) and 3 kept", st)
	}
	// The file holds what waited, not what was dropped.
	hook := newFlakyHook(t, 0)
	d = mustNew(t, Options{Routes: []Route{heldRoute(fastHook(t, hook.url()), file, 3)}})
	got := hook.waitFor(3, 30*time.Second)
	d.Close()
	if want := "opened ep0, opened ep4, opened ep5"; strings.Join(states(got), ", ") != want {
		t.Errorf("the receiver got %v, want %s", states(got), want)
	}
}

func TestARefusedAlertIsGivenUpWithoutHoldingTheOnesBehind(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a receivedAlert
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &a)
		if a.Subject == "ep1" {
			http.Error(w, "unknown service", http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, a.State+" "+a.Subject)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	d := mustNew(t, Options{Routes: []Route{heldRoute(fastHook(t, srv.URL), filepath.Join(t.TempDir(), "hook.queue"), 100)}})
	fire(d, 0, 3)
	d.Close() // waits for the queue to drain: nothing is held
	st := d.Status()[0]
	mu.Lock()
	defer mu.Unlock()
	if want := "opened ep0, opened ep2, resolved ep0"; strings.Join(got, ", ") != want {
		t.Errorf("the receiver got %v, want %s", got, want)
	}
	if st.Failed != 2 || st.Sent != 3 || st.Kept != 0 || !strings.Contains(st.LastError, "answered 400 Bad Request") {
		t.Errorf("status %+v: want ep1's opening and escalation refused and counted lost", st)
	}
}
