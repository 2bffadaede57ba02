package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/alerts"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/sim"
)

// These tests post the crash demo's problems to a real Alertmanager
// (Debian's prometheus-alertmanager 0.25), routing group_by [launch, kind]
// to a webhook receiver the test runs.

// amAlertBack is an alert as the Alertmanager's GET /api/v2/alerts lists it.
type amAlertBack struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Status       struct {
		State      string   `json:"state"`
		SilencedBy []string `json:"silencedBy"`
	} `json:"status"`
}

// amSilenceBack is a silence as GET /api/v2/silences lists it.
type amSilenceBack struct {
	ID       string `json:"id"`
	Matchers []struct {
		Name    string `json:"name"`
		Value   string `json:"value"`
		IsRegex bool   `json:"isRegex"`
		IsEqual bool   `json:"isEqual"`
	} `json:"matchers"`
	CreatedBy string `json:"createdBy"`
	Comment   string `json:"comment"`
	Status    struct {
		State string `json:"state"`
	} `json:"status"`
}

func amGet(t *testing.T, base, path string, v any) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// launchAlerts are the alerts the Alertmanager holds (firing, silenced
// included) of the launch named.
func launchAlerts(t *testing.T, base, name string) []amAlertBack {
	t.Helper()
	var all []amAlertBack
	amGet(t, base, "/api/v2/alerts?filter="+url.QueryEscape(fmt.Sprintf("launch=%q", name)), &all)
	return all
}

// notification is a notification of the Alertmanager's webhook receiver,
// with when it came.
type notification struct {
	Status      string            `json:"status"`
	GroupKey    string            `json:"groupKey"`
	GroupLabels map[string]string `json:"groupLabels"`
	Alerts      []struct {
		Status   string            `json:"status"`
		Labels   map[string]string `json:"labels"`
		StartsAt time.Time         `json:"startsAt"`
		EndsAt   time.Time         `json:"endsAt"`
	} `json:"alerts"`
	at time.Time
}

// amReceiver is the Alertmanager's webhook receiver: it keeps every
// notification.
type amReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	notes []notification
}

func newAMReceiver(t *testing.T) *amReceiver {
	r := &amReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var n notification
		if err := json.NewDecoder(req.Body).Decode(&n); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n.at = time.Now()
		r.mu.Lock()
		r.notes = append(r.notes, n)
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *amReceiver) all() []notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.notes)
}

// alertKey names an alert in a notification by the labels that tell
// launchwatch's apart.
func alertKey(l map[string]string) string {
	return l["kind"] + "/" + l["subject"] + "/" + l["severity"]
}

// firing are the alerts notified firing, by alertKey.
func (r *amReceiver) firing() []string {
	var out []string
	for _, n := range r.all() {
		for _, a := range n.Alerts {
			if k := alertKey(a.Labels); a.Status == "firing" && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// resolvedAt is when the alert key was first notified resolved, and its
// endsAt then.
func (r *amReceiver) resolvedAt(key string) (at, endsAt time.Time, ok bool) {
	for _, n := range r.all() {
		for _, a := range n.Alerts {
			if a.Status == "resolved" && alertKey(a.Labels) == key {
				return n.at, a.EndsAt, true
			}
		}
	}
	return time.Time{}, time.Time{}, false
}

// poll calls ok every 200 ms until it holds; it fails the test after
// limit, which is a bound on a broken run, not on speed.
func poll(t *testing.T, what string, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// frameSink feeds a dispatcher the pipeline's frames and leaves it open
// when the pipeline ends: the test resolves what stands itself.
type frameSink struct{ d *alerts.Dispatcher }

func (f frameSink) TakeFrame(fr pipeline.Frame) { f.d.Observe(fr.Snapshot.Time, fr.Problems) }
func (frameSink) Close()                        {}

func TestTheCrashReachesARealAlertmanagerGroupedSilencedWhenAcknowledgedAndResolved(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts Alertmanager and the simulator")
	}
	hook := newAMReceiver(t)
	amSrv := promtest.StartAlertmanager(t, promtest.AlertmanagerOptions{Receiver: hook.URL})
	shop, base := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 20, StartIn: 5 * time.Second, Seed: 1})
	cfg, err := launch.DemoConfig(base+"/metrics", shop)
	if err != nil {
		t.Fatal(err)
	}
	w, err := launch.Start(launch.Options{Config: cfg, Clock: shop.Now, NoRecord: true})
	if err != nil {
		t.Fatal(err)
	}
	const resend = time.Second
	am, err := alerts.NewAlertmanager(alerts.AlertmanagerOptions{URL: amSrv.URL, Timeout: 2 * time.Second, Resend: resend})
	if err != nil {
		t.Fatal(err)
	}
	name := launch.Name(cfg)
	d, err := alerts.New(alerts.Options{
		Launch: name, Alertmanagers: []*alerts.Alertmanager{am}, Labels: map[string]string{"team": "shop"},
		Runbooks:     map[string]string{"errors": "https://wiki.example/runbooks/errors"},
		DashboardURL: "https://grafana.example/d/launch",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	w.Pipeline.AddFrameSink(frameSink{d})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- w.Pipeline.Run(ctx) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-ran; err != nil {
				t.Errorf("the pipeline: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("closing the watch: %v", err)
			}
		}
	}
	defer stop()

	// The crash's problems reach the Alertmanager: the error burst, the
	// hot server, and a kind with several subjects.
	var got []amAlertBack
	multi := ""
	poll(t, "the crash's alerts in Alertmanager", 90*time.Second, func() bool {
		got = launchAlerts(t, amSrv.URL, name)
		kinds := map[string]int{}
		for _, a := range got {
			kinds[a.Labels["kind"]]++
		}
		multi = ""
		for k, n := range kinds {
			if n >= 2 {
				multi = k
			}
		}
		return findAlert(got, "errors", "error_rate") != nil && findAlert(got, "imbalance", "web-3:8080") != nil && multi != ""
	})
	now := time.Now()
	for _, a := range got {
		l, an := a.Labels, a.Annotations
		want := map[string]string{"alertname": alerts.AlertName(events.Kind(l["kind"])), "launch": name, "team": "shop"}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("alert %v: label %s = %q, want %q", l, k, l[k], v)
			}
		}
		if l["severity"] != "warning" && l["severity"] != "critical" || l["subject"] == "" {
			t.Errorf("alert %v: want severity warning or critical and a subject", l)
		}
		if s := an["summary"]; s == "" || strings.Contains(s, "CRIT") || strings.HasPrefix(s, l["kind"]) || s[:1] != strings.ToUpper(s[:1]) {
			t.Errorf("alert %v: summary %q is not in words", l, s)
		}
		if !strings.Contains(an["description"], "Standing since ") || an["dashboard_url"] != "https://grafana.example/d/launch" || a.GeneratorURL != "https://grafana.example/d/launch" {
			t.Errorf("alert %v: annotations %q, generatorURL %q", l, an, a.GeneratorURL)
		}
		if (l["kind"] == "errors") != (an["runbook_url"] == "https://wiki.example/runbooks/errors") {
			t.Errorf("alert %v: runbook_url %q", l, an["runbook_url"])
		}
		// Each post ends 4 resends after it is made; posts come every
		// resend, so a standing alert always ends in the future.
		if !a.EndsAt.After(a.StartsAt) || a.EndsAt.After(now.Add(4*resend+time.Second)) || a.Status.State != "active" {
			t.Errorf("alert %v: startsAt %s, endsAt %s, state %s: want active, ending at most 4 resends after now (%s)", l, a.StartsAt, a.EndsAt, a.Status.State, now)
		}
	}
	errs := findAlert(got, "errors", "error_rate")
	if !strings.HasPrefix(errs.Annotations["summary"], "Error burst: ") || !strings.Contains(errs.Annotations["summary"], "(plan: ") {
		t.Errorf("the error burst's summary: %q", errs.Annotations["summary"])
	}

	// The receiver gets them grouped by launch and kind: the kind with
	// several subjects arrives as one group holding them all.
	var subjects []string
	for _, a := range got {
		if a.Labels["kind"] == multi {
			subjects = append(subjects, a.Labels["subject"])
		}
	}
	sort.Strings(subjects)
	poll(t, fmt.Sprintf("a notification of the %s group with %v", multi, subjects), 30*time.Second, func() bool {
		for _, n := range hook.all() {
			var in []string
			for _, a := range n.Alerts {
				in = append(in, a.Labels["subject"])
			}
			sort.Strings(in)
			if n.GroupLabels["kind"] == multi && n.GroupLabels["launch"] == name && len(n.GroupLabels) == 2 && slices.Equal(in, subjects) {
				return true
			}
		}
		return false
	})
	for _, n := range hook.all() {
		for _, a := range n.Alerts {
			if a.Labels["kind"] != n.GroupLabels["kind"] || a.Labels["launch"] != n.GroupLabels["launch"] {
				t.Errorf("group %v holds %v", n.GroupLabels, a.Labels)
			}
		}
	}

	// An acknowledgement silences exactly its alert.
	if err := w.Pipeline.Acknowledge("errors/error_rate", "alice@war-room"); err != nil {
		t.Fatal(err)
	}
	// The silence and the post saying who acknowledged are made apart:
	// either may come first.
	poll(t, "the error burst silenced and saying who acknowledged it", 30*time.Second, func() bool {
		a := findAlert(launchAlerts(t, amSrv.URL, name), "errors", "error_rate")
		return a != nil && len(a.Status.SilencedBy) == 1 && a.Status.State == "suppressed" &&
			strings.Contains(a.Annotations["description"], "Acknowledged by alice@war-room at ")
	})
	got = launchAlerts(t, amSrv.URL, name)
	errs = findAlert(got, "errors", "error_rate")
	for _, a := range got {
		if alertKey(a.Labels) != alertKey(errs.Labels) && len(a.Status.SilencedBy) > 0 {
			t.Errorf("alert %v is silenced too: %v", a.Labels, a.Status.SilencedBy)
		}
	}
	var sils []amSilenceBack
	amGet(t, amSrv.URL, "/api/v2/silences", &sils)
	if len(sils) != 1 || sils[0].ID != errs.Status.SilencedBy[0] || sils[0].CreatedBy != "alice@war-room" ||
		!strings.HasPrefix(sils[0].Comment, "acknowledged in launchwatch: Error burst: ") || sils[0].Status.State != "active" {
		t.Fatalf("silences %+v: want one, by alice, over the error burst", sils)
	}
	matchers := map[string]string{}
	for _, m := range sils[0].Matchers {
		if m.IsRegex || !m.IsEqual {
			t.Errorf("matcher %+v: want an equality", m)
		}
		matchers[m.Name] = m.Value
	}
	if fmt.Sprint(matchers) != fmt.Sprint(map[string]string{"alertname": "LaunchErrors", "launch": name, "kind": "errors", "subject": "error_rate"}) {
		t.Errorf("matchers %v", matchers)
	}

	// The crash ends: every alert resolves at once, and the silence goes.
	stop()
	standing := launchAlerts(t, amSrv.URL, name)
	told := hook.firing()
	d.Observe(time.Now(), nil)
	resolvedAt := time.Now()
	poll(t, "every alert resolved", 30*time.Second, func() bool { return len(launchAlerts(t, amSrv.URL, name)) == 0 })
	poll(t, "the silence expired", 30*time.Second, func() bool {
		amGet(t, amSrv.URL, "/api/v2/silences", &sils)
		return len(sils) == 1 && sils[0].Status.State == "expired"
	})
	// Every alert the receiver was told firing it is told resolved, with
	// the endsAt of the resolve; one that opened too late for its group
	// to be sent is not told either way.
	poll(t, fmt.Sprintf("the receiver told of the resolves of %v", told), 30*time.Second, func() bool {
		for _, k := range told {
			_, ends, ok := hook.resolvedAt(k)
			if !ok || ends.After(resolvedAt) {
				return false
			}
		}
		return true
	})
	st := d.Status()
	if len(st) != 1 || st[0].Lost() != 0 || st[0].Pending != 0 || st[0].Sent < 2*len(standing) {
		t.Errorf("status %+v: want every alert opened and resolved, nothing lost (%d alerts)", st, len(standing))
	}
	t.Logf("%d alerts of %d kinds posted, grouped, resolved; %s had %v", len(standing), len(kindsOf(standing)), multi, subjects)
}

func findAlert(as []amAlertBack, kind, subject string) *amAlertBack {
	for i := range as {
		if as[i].Labels["kind"] == kind && as[i].Labels["subject"] == subject {
			return &as[i]
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func kindsOf(as []amAlertBack) map[string]bool {
	out := map[string]bool{}
	for _, a := range as {
		out[a.Labels["kind"]] = true
	}
	return out
}

func TestAKilledLaunchwatchLeavesNothingFiringPastEndsAt(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary, starts Alertmanager, drives tmux")
	}
	hook := newAMReceiver(t)
	amSrv := promtest.StartAlertmanager(t, promtest.AlertmanagerOptions{Receiver: hook.URL})
	bin := buildBinary(t)
	cfg := alertConfig(t, "http://127.0.0.1:9/metrics", fmt.Sprintf("  alertmanager:\n    - url: %s\n      resend: 1s\n      timeout: 1s\n", amSrv.URL))
	const name = "demo first-launch 20x"
	pidFile := filepath.Join(t.TempDir(), "pid")
	s := startTmux(t, 120, 40, fmt.Sprintf("sh -c 'echo $$ > %s; exec %s demo --scenario first-launch --speed 20 --start-in 5s --no-record --alerts-from %s'", pidFile, bin, cfg))
	var firing []amAlertBack
	poll(t, "alerts in Alertmanager", 90*time.Second, func() bool {
		firing = launchAlerts(t, amSrv.URL, name)
		return len(firing) >= 3
	})
	poll(t, "the receiver told of them", 30*time.Second, func() bool { return len(hook.firing()) > 0 })
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	if status := s.exitStatus(10 * time.Second); status != "137" {
		t.Fatalf("exit status %s, want 137 (killed)", status)
	}
	keys := hook.firing()
	var last time.Time
	poll(t, "Alertmanager to resolve them", 60*time.Second, func() bool { return len(launchAlerts(t, amSrv.URL, name)) == 0 })
	poll(t, "the receiver told of every resolve", 30*time.Second, func() bool {
		for _, k := range keys {
			if _, _, ok := hook.resolvedAt(k); !ok {
				return false
			}
		}
		return true
	})
	for _, k := range keys {
		at, ends, _ := hook.resolvedAt(k)
		// Its endsAt is the last post's plus 4 resends: nothing was
		// posted after the kill, and the Alertmanager resolved it then,
		// not before.
		if ends.After(killed.Add(4*time.Second)) || at.Before(ends) {
			t.Errorf("%s: ends %s, resolve notified %s; killed %s: want an end at most 4 resends after the kill, notified after it", k, ends, at, killed)
		}
		last = later(last, at)
	}
	t.Logf("%d alerts firing at the kill resolved by Alertmanager at their endsAt; the last resolve notified %s after the kill",
		len(keys), last.Sub(killed).Round(100*time.Millisecond))
}

func TestAStoppedRecordSaysItsAlertsStandInAlertmanagerUntilTheirEndsAt(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts Alertmanager and the simulator")
	}
	amSrv := promtest.StartAlertmanager(t, promtest.AlertmanagerOptions{})
	_, base := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 10, StartIn: time.Second, Seed: 1})
	cfg := alertConfig(t, base+"/metrics", fmt.Sprintf("  alertmanager:\n    - url: %s\n      resend: 1s\n", amSrv.URL))
	code, stderr := recordUntil(t, cfg, filepath.Join(t.TempDir(), "rec.lwrec.jsonl"), func() bool {
		var all []amAlertBack
		amGet(t, amSrv.URL, "/api/v2/alerts", &all)
		return len(all) > 0
	})
	host := strings.TrimPrefix(amSrv.URL, "http://")
	m := regexp.MustCompile(`alerts: alertmanager ` + regexp.QuoteMeta(host) + `: (\d+) alerts stand there until (\d\d:\d\d:\d\d) \(their endsAt\): nothing posts them again, so it resolves them then`).FindStringSubmatch(stderr)
	if code != 0 || m == nil {
		t.Fatalf("exit %d, want 0 and the alerts left standing said:\n%s", code, stderr)
	}
	var all []amAlertBack
	amGet(t, amSrv.URL, "/api/v2/alerts", &all)
	if n, _ := strconv.Atoi(m[1]); n != len(all) {
		t.Errorf("said %d alerts stand, Alertmanager holds %d", n, len(all))
	}
}

func TestAlertsFromTakesABlockWithOnlyAlertmanagersButNotOneWithOnlyLabels(t *testing.T) {
	only := alertConfig(t, "http://127.0.0.1:9/metrics", "  alertmanager:\n    - url: http://am.example:9093\n  labels: {team: shop}\n  dashboard_url: https://grafana.example/d/launch\n")
	cfg, err := launch.DemoConfig("http://127.0.0.1:9/metrics", mustShop(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := alertsFrom(cfg, only); err != nil {
		t.Fatal(err)
	}
	if a := cfg.Alerts; len(a.Alertmanagers) != 1 || a.Alertmanagers[0].URL != "http://am.example:9093" || a.Labels["team"] != "shop" || a.DashboardURL == "" {
		t.Errorf("alerts taken: %+v", a)
	}
	labelsOnly := alertConfig(t, "http://127.0.0.1:9/metrics", "  labels: {team: shop}\n")
	if err := alertsFrom(cfg, labelsOnly); err == nil || !strings.Contains(err.Error(), "the file has no alerts block") {
		t.Errorf("a block with labels and no sink: %v", err)
	}
}

func mustShop(t *testing.T) *sim.Shop {
	shop, err := sim.New(sim.Options{Scenario: "first-launch", Speed: 1, StartIn: time.Minute, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return shop
}

func TestConfigCheckHidesTheAlertmanagersPassword(t *testing.T) {
	cfg := alertConfig(t, "http://127.0.0.1:9/metrics", "  alertmanager:\n    - url: http://ops:hunter2@am.example:9093\n")
	out, errOut, code := execute(t, "config", "check", cfg)
	if code != 0 || strings.Contains(out+errOut, "hunter2") || !strings.Contains(out, "url: http://ops:xxxxx@am.example:9093") {
		t.Errorf("exit %d, the effective config:\n%s%s", code, out, errOut)
	}
}
