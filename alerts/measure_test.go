package alerts

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
)

// measureEnv turns on the measurements below: they take real minutes, so
// they are not part of the normal run (scripts/measure-alerts.sh sets it).
const measureEnv = "LAUNCHWATCH_MEASURE_ALERTS"

// TestMeasureAnOutageOfTheReceiver prints how many of the alerts fired
// while a webhook's receiver is down for 45 s reach it once it is back,
// with the config's default timeout, retries and backoff.
func TestMeasureAnOutageOfTheReceiver(t *testing.T) {
	if os.Getenv(measureEnv) == "" {
		t.Skip("a measurement of about two minutes: set " + measureEnv + "=1")
	}
	const (
		outage  = 45 * time.Second
		fired   = 6
		spacing = 5 * time.Second
	)
	hook := newFlakyHook(t, 0)
	w, err := NewWebhook(WebhookOptions{URL: hook.url(), Timeout: 5 * time.Second, Retries: 3, Backoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d := mustNew(t, Options{Launch: "measure", Routes: []Route{webhookRoute(t, w, time.Second)}, Grace: 5 * time.Second})
	hook.down()
	start := time.Now()
	var open []events.Problem
	for i := range fired {
		time.Sleep(spacing)
		open = append(open, problem(events.KindEndpoint, fmt.Sprint("ep", i), events.Crit, time.Duration(i)*spacing, "over its ceiling"))
		d.Observe(t0.Add(time.Duration(i+1)*spacing), open)
	}
	time.Sleep(outage - time.Since(start))
	hook.up()
	back := time.Now()
	got := hook.waitFor(fired, 60*time.Second)
	d.Close()
	st := d.Status()[0]
	inOrder := true
	for i, a := range got {
		if i < fired && a.Subject != fmt.Sprint("ep", i) {
			inOrder = false
		}
	}
	last := time.Duration(0)
	if len(got) > 0 {
		last = got[len(got)-1].At.Sub(back).Round(100 * time.Millisecond)
	}
	fmt.Printf("outage %s, %d alerts fired during it: %d received after it (in order: %v, the last %s after the receiver was back); %d lost (status: %d sent, %d failed, %d dropped, %d kept)\n",
		outage, fired, len(got), inOrder, last, fired-len(got), st.Sent, st.Failed, st.Dropped, st.Kept)
}

// webhookRoute routes to w as the command line does (cmd/launchwatch's
// alertRoutes): held until delivered, queued in a file.
func webhookRoute(t *testing.T, w *Webhook, backoff time.Duration) Route {
	return Route{Sink: w, Hold: true, HoldWait: backoff, Queue: 1000, QueueFile: filepath.Join(t.TempDir(), "hook.queue")}
}

// TestMeasureASlowReceiver prints how often each alert reaches a receiver
// that answers in 4 s when the webhook's timeout is 2 s.
func TestMeasureASlowReceiver(t *testing.T) {
	if os.Getenv(measureEnv) == "" {
		t.Skip("a measurement of about a minute: set " + measureEnv + "=1")
	}
	const window = 40 * time.Second
	hook := newFlakyHook(t, 4*time.Second)
	w, err := NewWebhook(WebhookOptions{URL: hook.url(), Timeout: 2 * time.Second, Retries: 3, Backoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d := mustNew(t, Options{Launch: "measure", Routes: []Route{webhookRoute(t, w, time.Second)}, Grace: time.Second})
	d.Observe(t0, []events.Problem{problem(events.KindErrors, "", events.Crit, 0, "error burst")})
	time.Sleep(window)
	d.Close()
	got := hook.received()
	keys := map[string]int{}
	for _, a := range got {
		keys[a.DedupKey]++
	}
	fmt.Printf("receiver answering in 4s, timeout 2s, over %s: 1 alert received %d times, carrying %d distinct dedup_key values %v\n",
		window, len(got), len(keys), keys)
}
