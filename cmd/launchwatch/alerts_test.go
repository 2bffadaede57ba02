package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/alerts"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

// alertConfig is a config over the simulator whose cart endpoint has a
// ceiling the sale passes at once and stays over (the crash's buys are
// too sparse to stand over a line for open_after), with the given alerts
// block.
func alertConfig(t *testing.T, target, alerts string) string {
	t.Helper()
	body := fmt.Sprintf("interval: 200ms\npreset: sim\nsources:\n  scrape:\n    targets: [%s]\nendpoints:\n  - name: cart\n    max_qps: 0.01\nalerts:\n%s", target, alerts)
	path := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hookReceiver is a webhook receiver whose answer the test sets; it keeps
// the alerts it accepted, in order.
type hookReceiver struct {
	*httptest.Server
	status atomic.Int32
	posts  atomic.Int32
	mu     sync.Mutex
	taken  []map[string]any
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	h := &hookReceiver{}
	h.status.Store(int32(status))
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.posts.Add(1)
		status := int(h.status.Load())
		if status >= 300 {
			http.Error(w, "pager on fire", status)
			return
		}
		var a map[string]any
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.taken = append(h.taken, a)
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) accepted() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.taken...)
}

// runUntil runs the command line until done says so (or 30 s pass), then
// stops it as a signal does, and returns its exit status and standard
// error.
func runUntil(t *testing.T, args []string, done func() bool) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr strings.Builder
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, args, &stdout, &stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for !done() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	return <-exited, stderr.String()
}

// recordUntil runs record over cfg into rec until done says so.
func recordUntil(t *testing.T, cfg, rec string, done func() bool) (int, string) {
	t.Helper()
	return runUntil(t, []string{"record", "--config", cfg, "-o", rec}, done)
}

func TestRecordKeepsWhatAWebhookDidNotTakeAndTheNextRunSendsItFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator and polls it")
	}
	_, base := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 10, StartIn: time.Second, Seed: 1})
	hook := newHookReceiver(t, http.StatusInternalServerError)
	dir := t.TempDir()
	got := filepath.Join(dir, "alerts.jsonl")
	script := filepath.Join(dir, "alert.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncat >> \"$1\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := alertConfig(t, base+"/metrics", fmt.Sprintf(
		"  commands:\n    - run: [%s, %s]\n  webhooks:\n    - url: %s/hook/token\n      retries: 1\n      backoff: 10ms\n      min_severity: crit\n", script, got, hook.URL))
	rec := filepath.Join(dir, "rec.lwrec.jsonl")

	// The receiver is down (500) all through the first run.
	code, stderr := recordUntil(t, cfg, rec, func() bool {
		b, _ := os.ReadFile(got)
		return strings.Contains(string(b), `"subject":"cart"`) && hook.posts.Load() >= 2
	})
	b, _ := os.ReadFile(got)
	var cart map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var a map[string]any
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("the command read a line that is not JSON: %q", l)
		}
		if a["subject"] == "cart" && a["state"] == "opened" {
			cart = a
		}
	}
	if cart == nil || cart["kind"] != "endpoint" || !strings.Contains(cart["text"].(string), "Cart endpoint: ") || len(cart["dedup_key"].(string)) != 32 {
		t.Fatalf("the command got no opening alert for cart, with its dedup_key: %s", b)
	}
	queues, _ := filepath.Glob(rec + ".webhook-*.queue")
	m := regexp.MustCompile(`alerts: webhook ` + regexp.QuoteMeta(hook.URL) + `: 0 sent, 0 failed, 0 dropped, (\d+) kept in (\S+) for the next start; last error: .*answered 500 Internal Server Error: pager on fire`).FindStringSubmatch(stderr)
	if code != 1 || m == nil || len(queues) != 1 || m[2] != queues[0] {
		t.Fatalf("exit %d, queue files %v; want 1 and the webhook's alerts kept in one file beside the recording, said:\n%s", code, queues, stderr)
	}
	kept, _ := strconv.Atoi(m[1])
	if want := fmt.Sprintf("launchwatch: alerts not delivered by exit: %d to webhook %s, kept in %s", kept, hook.URL, queues[0]); !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if strings.Contains(stderr, "/hook/token") {
		t.Errorf("the webhook's path is printed:\n%s", stderr)
	}

	// The receiver is back; the same recording continues, and the first
	// run's alerts go first.
	between := time.Now()
	hook.status.Store(http.StatusAccepted)
	code, stderr = recordUntil(t, cfg, rec, func() bool { return len(hook.accepted()) > kept })
	if code != 0 {
		t.Fatalf("the second run exited %d:\n%s", code, stderr)
	}
	taken := hook.accepted()
	keys := map[string]bool{}
	for i, a := range taken {
		at, err := time.Parse(time.RFC3339Nano, a["time"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if (i < kept) != at.Before(between) || keys[a["dedup_key"].(string)] {
			t.Fatalf("alert %d of %d taken is from %s (the second run started %s), want the %d kept ones first, each once", i, len(taken), at, between, kept)
		}
		keys[a["dedup_key"].(string)] = true
	}
	if _, err := os.Stat(queues[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the emptied queue file stays: %v", err)
	}
	t.Logf("%d alerts kept by the first run, taken first by the second, of %d it took", kept, len(taken))
}

func TestRecordAndServeExitNonZeroNamingTheWebhookThatLostAlerts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator and polls it")
	}
	_, base := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 10, StartIn: time.Second, Seed: 1})
	for _, command := range []string{"record", "serve"} {
		t.Run(command, func(t *testing.T) {
			// 400 is a refusal: retrying will not help, so the alert is lost.
			hook := newHookReceiver(t, http.StatusBadRequest)
			cfg := alertConfig(t, base+"/metrics", fmt.Sprintf("  webhooks:\n    - url: %s/hook/token\n      min_severity: crit\n", hook.URL))
			dir := t.TempDir()
			args := []string{"record", "--config", cfg, "-o", filepath.Join(dir, "rec.lwrec.jsonl")}
			if command == "serve" {
				args = []string{"serve", "--config", cfg, "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "host_key"),
					"--record", filepath.Join(dir, "rec.lwrec.jsonl"), "--warm", "0"}
			}
			code, stderr := runUntil(t, args, func() bool { return hook.posts.Load() >= 1 })
			lost := int(hook.posts.Load()) // each refused once, none retried
			want := fmt.Sprintf("launchwatch: alerts lost: %d to webhook %s (%d failed or refused, 0 dropped from a full queue)", lost, hook.URL, lost)
			if code != 1 || lost == 0 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "answered 400 Bad Request") {
				t.Errorf("exit %d, want 1 and %q:\n%s", code, want, stderr)
			}
		})
	}
}

func TestTheDemoExitsNonZeroNamingTheWebhookThatLostAlerts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	hook := newHookReceiver(t, http.StatusBadRequest)
	cfg := alertConfig(t, "http://127.0.0.1:9/metrics", fmt.Sprintf("  webhooks:\n    - url: %s/hook/token\n", hook.URL))
	s := startTmux(t, 120, 40, bin+" demo --scenario first-launch --speed 20 --start-in 5s --no-record --alerts-from "+cfg)
	deadline := time.Now().Add(30 * time.Second)
	for hook.posts.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if hook.posts.Load() == 0 {
		t.Fatalf("the demo sent no alert in 30 s:\n%s", s.capture())
	}
	s.tmux("send-keys", "-t", s.name, "q")
	if status := s.exitStatus(20 * time.Second); status != "1" {
		t.Errorf("exit status %s, want 1", status)
	}
	lost := int(hook.posts.Load())
	want := fmt.Sprintf("alerts lost: %d to webhook %s", lost, hook.URL)
	if screen := s.capture(); !strings.Contains(strings.ReplaceAll(screen, "\n", ""), want) {
		t.Errorf("the terminal after exit does not say %q:\n%s", want, screen)
	}
	s.requireRestored()
}

// downSink is a receiver that never answers: every send fails.
type downSink struct{}

func (downSink) Name() string { return "webhook https://hooks.example" }
func (downSink) Send(context.Context, alerts.Alert) error {
	return errors.New("connection refused")
}

func TestTheScreenCountsAlertsWaitingBehindAFailureAsNotSent(t *testing.T) {
	d, err := alerts.New(alerts.Options{Routes: []alerts.Route{{Sink: downSink{}, Hold: true, HoldWait: time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	d.Observe(at, []events.Problem{
		{Kind: events.KindEndpoint, Subject: "cart", Severity: events.Crit, Since: at, Message: "over"},
		{Kind: events.KindEndpoint, Subject: "buy", Severity: events.Crit, Since: at, Message: "over"},
	})
	failures := alertFailures(d)
	deadline := time.Now().Add(10 * time.Second)
	for len(failures()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := failures()
	if len(got) != 1 || got[0].Failed != 2 || got[0].Error != "connection refused" {
		t.Errorf("the screen is told %+v, want the sink failing with its 2 alerts not sent", got)
	}
}

func TestEveryExitErrorIsSaid(t *testing.T) {
	err := errors.Join(&exitError{code: 1, msg: "writing the recording failed: disk full"}, fmt.Errorf("wrapped: %w", &exitError{code: 1, msg: "alerts lost: 2 to webhook https://hooks.slack.com"}))
	var got []string
	for _, ee := range exitErrors(err) {
		got = append(got, ee.msg)
	}
	if want := "writing the recording failed: disk full | alerts lost: 2 to webhook https://hooks.slack.com"; strings.Join(got, " | ") != want {
		t.Errorf("exitErrors: %q, want %q", strings.Join(got, " | "), want)
	}
}

func TestAnAlertProgramMissingHereIsAPlacedError(t *testing.T) {
	cfg := alertConfig(t, "http://127.0.0.1:9/metrics", "  commands:\n    - run: [launchwatch-no-such-pager]\n")
	_, errOut, code := execute(t, "record", "--config", cfg, "-o", filepath.Join(t.TempDir(), "r.lwrec.jsonl"))
	if code != 1 || !strings.Contains(errOut, "launchwatch.yaml:11: alerts.commands[0].run: program \"launchwatch-no-such-pager\"") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}

func TestTheDemoTakesAlertsFromAConfigThatHasThem(t *testing.T) {
	noAlerts := writeConfig(t, "http://127.0.0.1:9/metrics", false)
	_, errOut, code := execute(t, "demo", "--no-record", "--alerts-from", noAlerts)
	if code != 1 || !strings.Contains(errOut, "--alerts-from "+noAlerts+": the file has no alerts block") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
	missing := alertConfig(t, "http://127.0.0.1:9/metrics", "  commands:\n    - run: [launchwatch-no-such-pager]\n")
	_, errOut, code = execute(t, "demo", "--no-record", "--alerts-from", missing)
	if code != 1 || !strings.Contains(errOut, "alerts.commands[0].run: program \"launchwatch-no-such-pager\"") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}

func TestTheDemoTakesAlertsFromAnAlertsOnlyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alerts.yaml")
	if err := os.WriteFile(path, []byte("# the team's pager, for any launch\nalerts:\n  commands:\n    - run: [launchwatch-no-such-pager]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The program is looked up when the sinks start: the file got that far.
	_, errOut, code := execute(t, "demo", "--no-record", "--alerts-from", path)
	if code != 1 || !strings.Contains(errOut, path+":4: alerts.commands[0].run: program \"launchwatch-no-such-pager\"") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
	if strings.Contains(errOut, "no source is configured") {
		t.Errorf("an alerts-only file is refused for its missing sources: %s", errOut)
	}
	bad := filepath.Join(t.TempDir(), "alerts.yaml")
	if err := os.WriteFile(bad, []byte("alerts:\n  commands:\n    - run: [notify-send]\n      timeout: 1h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = execute(t, "demo", "--no-record", "--alerts-from", bad)
	if code != 1 || !strings.Contains(errOut, bad+":4: alerts.commands[0].timeout: must be within 1ms..10m0s, got 1h0m0s") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}
