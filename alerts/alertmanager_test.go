package alerts

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fakeAM is an Alertmanager's v2 API over a real socket: it keeps every
// post of alerts, makes, lists and expires silences, and answers with the
// status the test sets, or not at all.
type fakeAM struct {
	*httptest.Server
	mu       sync.Mutex
	status   int    // for posts of alerts and silences; 0 answers 200
	answer   string // the body of a refusal
	hang     bool   // never answer
	hangOnce bool   // make the next silence, then answer nothing
	posts    []amPost
	silences []amSilenceBody
	deletes  []string
	auth     []string
}

// amPost is one post of alerts as the fake took it.
type amPost struct {
	at     time.Time
	alerts []amAlert
}

func newFakeAM(t *testing.T) *fakeAM {
	f := &fakeAM{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v2/alerts", func(w http.ResponseWriter, r *http.Request) {
		var as []amAlert
		if err := json.NewDecoder(r.Body).Decode(&as); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if f.refuse(w, r) {
			return
		}
		f.mu.Lock()
		f.posts = append(f.posts, amPost{at: time.Now(), alerts: as})
		f.mu.Unlock()
	})
	mux.HandleFunc("POST /api/v2/silences", func(w http.ResponseWriter, r *http.Request) {
		var s amSilenceBody
		if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		once := f.hangOnce
		f.hangOnce = false
		f.mu.Unlock()
		if !once && f.refuse(w, r) {
			return
		}
		f.mu.Lock()
		s.ID = fmt.Sprintf("sil-%d", len(f.silences)+1)
		s.Status = &struct {
			State string `json:"state"`
		}{"active"}
		f.silences = append(f.silences, s)
		f.mu.Unlock()
		if once {
			<-r.Context().Done()
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"silenceID": s.ID})
	})
	mux.HandleFunc("GET /api/v2/silences", func(w http.ResponseWriter, r *http.Request) {
		if f.refuse(w, r) {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(f.silences)
	})
	mux.HandleFunc("DELETE /api/v2/silence/{id}", func(w http.ResponseWriter, r *http.Request) {
		if f.refuse(w, r) {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		id := r.PathValue("id")
		for i := range f.silences {
			if f.silences[i].ID == id {
				f.silences[i].Status.State = "expired"
				f.deletes = append(f.deletes, id)
				return
			}
		}
		// As Alertmanager 0.25 answers for a silence it does not know.
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `"silence not found"`)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// refuse answers as the test set, true when it did.
func (f *fakeAM) refuse(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	status, answer, hang := f.status, f.answer, f.hang
	if user, pass, ok := r.BasicAuth(); ok {
		f.auth = append(f.auth, user+":"+pass)
	}
	f.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return true
	}
	if status != 0 {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
		return true
	}
	return false
}

func (f *fakeAM) set(status int, answer string, hang bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.answer, f.hang = status, answer, hang
}

func (f *fakeAM) allPosts() []amPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.posts)
}

func (f *fakeAM) silenceList() ([]amSilenceBody, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.silences), slices.Clone(f.deletes)
}

// waitFor polls cond for up to 10 s: long enough for a loaded machine,
// never a bound on speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10 s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// lastOf returns the newest posted alert whose labels hold every pair of
// match, and the index of its post; -1 when none is.
func lastOf(posts []amPost, match ...string) (amAlert, int) {
	for i := len(posts) - 1; i >= 0; i-- {
	next:
		for _, a := range posts[i].alerts {
			for j := 0; j+1 < len(match); j += 2 {
				if a.Labels[match[j]] != match[j+1] {
					continue next
				}
			}
			return a, i
		}
	}
	return amAlert{}, -1
}

type amTest struct {
	t     *testing.T
	clock *testtool.Clock
	d     *Dispatcher
	ams   []*Alertmanager
}

// newAMTest starts a Dispatcher posting to the given Alertmanager URLs,
// each with the given resend and timeout, its clock at t0.
func newAMTest(t *testing.T, opts Options, resend, timeout time.Duration, urls ...string) *amTest {
	t.Helper()
	at := &amTest{t: t, clock: testtool.NewClock(t0)}
	for _, u := range urls {
		am, err := NewAlertmanager(AlertmanagerOptions{URL: u, Timeout: timeout, Resend: resend, Now: at.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		at.ams = append(at.ams, am)
	}
	opts.Alertmanagers = at.ams
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	at.d = d
	t.Cleanup(d.Close)
	return at
}

func errorBurst(sev events.Severity, msg string) events.Problem {
	p := problem(events.KindErrors, "error_rate", sev, 10*time.Second, msg)
	p.Title, p.Lines = "error burst", "warn 1%, crit 5%"
	p.Worst = "42% of requests failing (120/s), measured"
	return p
}

func TestAlertmanagerIsPostedEveryStandingProblemWithItsLabelsAnnotationsAndTimes(t *testing.T) {
	am := newFakeAM(t)
	const resend = time.Hour // only the opening is posted: the test reads one post
	at := newAMTest(t, Options{
		Launch: "Winter drop", Labels: map[string]string{"team": "shop"}, DashboardURL: "https://grafana.example/d/launch",
		Runbooks: map[string]string{"errors": "https://wiki.example/errors", "endpoint/cart": "https://wiki.example/cart"},
	}, resend, time.Second, am.URL)
	at.clock.Set(t0.Add(20 * time.Second))
	lat := problem(events.KindEndpointLatency, "search", events.Crit, 15*time.Second, "search p95 at 2.1s")
	at.d.Observe(t0.Add(20*time.Second), []events.Problem{errorBurst(events.Warn, "3% of requests failing (9/s), measured"), lat})
	waitFor(t, "a post", func() bool { return len(am.allPosts()) > 0 })

	posts := am.allPosts()
	if len(posts[0].alerts) != 2 {
		t.Fatalf("the first post holds %d alerts, want both problems: %+v", len(posts[0].alerts), posts[0].alerts)
	}
	errs, _ := lastOf(posts, "alertname", "LaunchErrors")
	wantLabels := map[string]string{"alertname": "LaunchErrors", "severity": "warning", "launch": "Winter drop", "kind": "errors", "subject": "error_rate", "team": "shop"}
	if fmt.Sprint(errs.Labels) != fmt.Sprint(wantLabels) {
		t.Errorf("labels %v, want %v", errs.Labels, wantLabels)
	}
	wantDesc := "3% of requests failing (9/s), measured\nLines: warn 1%, crit 5%.\nStanding since 2026-11-27 12:00:10 UTC."
	wantAnn := map[string]string{
		"summary":       "Error burst: 3% of requests failing (9/s), measured (plan: warn 1%, crit 5%)",
		"description":   wantDesc,
		"runbook_url":   "https://wiki.example/errors",
		"dashboard_url": "https://grafana.example/d/launch",
	}
	if fmt.Sprint(errs.Annotations) != fmt.Sprint(wantAnn) {
		t.Errorf("annotations\n%q\nwant\n%q", errs.Annotations, wantAnn)
	}
	if !errs.StartsAt.Equal(t0.Add(10*time.Second)) || !errs.EndsAt.Equal(t0.Add(20*time.Second+EndsAtResends*resend)) || errs.GeneratorURL != "https://grafana.example/d/launch" {
		t.Errorf("startsAt %s, endsAt %s, generatorURL %q; want when it opened, now plus 4 resends, the dashboard", errs.StartsAt, errs.EndsAt, errs.GeneratorURL)
	}
	search, _ := lastOf(posts, "alertname", "LaunchEndpointLatency")
	if search.Labels["severity"] != "critical" || search.Labels["subject"] != "search" {
		t.Errorf("the endpoint-latency alert: %v", search.Labels)
	}
	if _, ok := search.Annotations["runbook_url"]; ok {
		t.Errorf("a problem without a runbook has a runbook_url: %v", search.Annotations)
	}
}

func TestAnAlertmanagerWithoutLinksIsPostedNoEmptyAnnotation(t *testing.T) {
	am := newFakeAM(t)
	at := newAMTest(t, Options{}, time.Hour, time.Second, am.URL)
	at.d.Observe(t0, []events.Problem{problem(events.KindSource, "prometheus", events.Crit, 0, "source prometheus down: connection refused")})
	waitFor(t, "a post", func() bool { return len(am.allPosts()) > 0 })
	a := am.allPosts()[0].alerts[0]
	if len(a.Annotations) != 2 || a.Annotations["summary"] == "" || a.Annotations["description"] == "" || a.GeneratorURL != "" {
		t.Errorf("annotations %q, generatorURL %q: want summary and description only", a.Annotations, a.GeneratorURL)
	}
	if _, ok := a.Labels["launch"]; ok {
		t.Errorf("an empty launch is a label: %v", a.Labels)
	}
}

func TestAStandingAlertIsPostedAgainEveryResendWithItsNewestFigureAndALaterEnd(t *testing.T) {
	am := newFakeAM(t)
	const resend = 30 * time.Millisecond
	at := newAMTest(t, Options{}, resend, time.Second, am.URL)
	at.d.Observe(t0, []events.Problem{errorBurst(events.Warn, "3% failing")})
	waitFor(t, "the opening", func() bool { return len(am.allPosts()) >= 1 })
	at.clock.Advance(time.Minute)
	at.d.Observe(t0.Add(time.Minute), []events.Problem{errorBurst(events.Warn, "4% failing")})
	waitFor(t, "two resends after the new figure", func() bool {
		a, i := lastOf(am.allPosts(), "alertname", "LaunchErrors")
		return i >= 2 && strings.Contains(a.Annotations["summary"], "4% failing")
	})
	a, _ := lastOf(am.allPosts(), "alertname", "LaunchErrors")
	if want := t0.Add(time.Minute + EndsAtResends*resend); !a.EndsAt.Equal(want) {
		t.Errorf("a resend ends %s, want %s (now plus 4 resends)", a.EndsAt, want)
	}
	if s := at.d.Status()[0]; s.Sent != 1 || s.Pending != 0 || s.Failing() {
		t.Errorf("status %+v: want the one alert counted once, not each resend", s)
	}
}

func TestAResolvedProblemIsPostedOnceWithEndsAtNow(t *testing.T) {
	am := newFakeAM(t)
	const resend = 20 * time.Millisecond
	at := newAMTest(t, Options{}, resend, time.Second, am.URL)
	// The clock moves less than 4 resends between the posts: the
	// Alertmanager still holds the alert when it resolves.
	at.clock.Set(t0.Add(4 * time.Minute))
	at.d.Observe(t0.Add(4*time.Minute), []events.Problem{errorBurst(events.Crit, "42% failing")})
	waitFor(t, "the opening", func() bool { return len(am.allPosts()) >= 1 })
	end := t0.Add(4*time.Minute + resend)
	at.clock.Set(end)
	at.d.Observe(end, nil)
	waitFor(t, "the resolve", func() bool {
		a, _ := lastOf(am.allPosts(), "alertname", "LaunchErrors")
		return a.EndsAt.Equal(end)
	})
	n := len(am.allPosts())
	time.Sleep(10 * resend)
	if got := len(am.allPosts()); got != n {
		t.Errorf("%d posts after the resolve was taken, want none: nothing stands", got-n)
	}
	a, _ := lastOf(am.allPosts(), "alertname", "LaunchErrors")
	if !strings.Contains(a.Annotations["summary"], "42% of requests failing (120/s)") || !strings.Contains(a.Annotations["description"], "Resolved after 3m50s") {
		t.Errorf("the resolve says %q: want the worst figure and how long it stood", a.Annotations)
	}
	if s := at.d.Status()[0]; s.Sent != 2 || s.Pending != 0 {
		t.Errorf("status %+v: want the opening and the resolve sent", s)
	}
}

func TestAnEscalationEndsTheWarningAndOpensTheCriticalAlertWhichHoldsWhenTheFigureEases(t *testing.T) {
	am := newFakeAM(t)
	at := newAMTest(t, Options{}, time.Hour, time.Second, am.URL)
	at.d.Observe(t0, []events.Problem{errorBurst(events.Warn, "3% failing")})
	waitFor(t, "the warning", func() bool { return len(am.allPosts()) >= 1 })
	at.clock.Advance(time.Minute)
	at.d.Observe(t0.Add(time.Minute), []events.Problem{errorBurst(events.Crit, "9% failing")})
	waitFor(t, "the escalation", func() bool { return len(am.allPosts()) >= 2 })
	post := am.allPosts()[1]
	warn, _ := lastOf([]amPost{post}, "severity", "warning")
	crit, _ := lastOf([]amPost{post}, "severity", "critical")
	if len(post.alerts) != 2 || !warn.EndsAt.Equal(t0.Add(time.Minute)) || !crit.EndsAt.After(t0.Add(time.Minute)) {
		t.Fatalf("the escalation posted %+v: want the warning ended now and the critical alert standing", post.alerts)
	}
	at.d.Observe(t0.Add(time.Minute+time.Second), []events.Problem{errorBurst(events.Warn, "3% failing")})
	at.d.Observe(t0.Add(time.Minute+2*time.Second), nil)
	waitFor(t, "the resolve", func() bool { return len(am.allPosts()) >= 3 })
	last := am.allPosts()[len(am.allPosts())-1]
	if len(last.alerts) != 1 || last.alerts[0].Labels["severity"] != "critical" || !last.alerts[0].EndsAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("the last post %+v: want the critical alert resolved, with no warning opened when the figure eased", last.alerts)
	}
}

func TestAResolveIsPostedAgainUntilTakenButNotPastTheEndAlertmanagerHasAlready(t *testing.T) {
	const resend = 20 * time.Millisecond
	for _, tc := range []struct {
		name      string
		pastEnd   bool
		wantTaken bool
	}{
		{"an Alertmanager back before the alert's endsAt is told the resolve", false, true},
		{"one back after it is not: it resolved the alert by itself", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			am := newFakeAM(t)
			at := newAMTest(t, Options{}, resend, time.Second, am.URL)
			at.d.Observe(t0, []events.Problem{errorBurst(events.Crit, "42% failing")})
			waitFor(t, "the opening", func() bool { return len(am.allPosts()) >= 1 })
			am.set(http.StatusServiceUnavailable, "draining", false)
			at.clock.Advance(resend)
			at.d.Observe(t0.Add(resend), nil)
			waitFor(t, "a failed try", func() bool { return at.d.Status()[0].Failing() })
			if tc.pastEnd {
				at.clock.Advance(EndsAtResends * resend)
			}
			am.set(0, "", false)
			if tc.wantTaken {
				waitFor(t, "the resolve", func() bool { return at.d.Status()[0].Pending == 0 })
				a, _ := lastOf(am.allPosts(), "alertname", "LaunchErrors")
				if !a.EndsAt.Equal(t0.Add(resend)) {
					t.Errorf("the resolve ends %s, want %s: when it resolved", a.EndsAt, t0.Add(resend))
				}
				return
			}
			waitFor(t, "the resolve given up", func() bool { return at.d.Status()[0].Pending == 0 })
			time.Sleep(5 * resend)
			if n := len(am.allPosts()); n != 1 {
				t.Errorf("%d posts, want the opening only", n)
			}
			if s := at.d.Status()[0]; s.Lost() != 0 {
				t.Errorf("status %+v: a resolve past its endsAt is no loss", s)
			}
		})
	}
}

func TestOneAlertmanagerDownOrHangingDoesNotHoldTheOthers(t *testing.T) {
	down := newFakeAM(t)
	down.Close()
	hanging := newFakeAM(t)
	hanging.set(0, "", true)
	refusing := newFakeAM(t)
	refusing.set(http.StatusInternalServerError, "boom \x1b]0;owned\x07 \x1b[2J", false)
	up := newFakeAM(t)
	at := newAMTest(t, Options{}, 50*time.Millisecond, 100*time.Millisecond, down.URL, hanging.URL, refusing.URL, up.URL)
	for i := range 20 { // Observe never waits on a post: a hanging one included
		at.d.Observe(t0.Add(time.Duration(i)*time.Second), []events.Problem{errorBurst(events.Crit, "42% failing")})
	}
	waitFor(t, "the healthy one posted three times", func() bool { return len(up.allPosts()) >= 3 })
	waitFor(t, "the others failing", func() bool {
		st := at.d.Status()
		return st[0].Failing() && st[1].Failing() && st[2].Failing()
	})
	st := at.d.Status()
	for i, want := range []string{"connect: connection refused", "no answer within 100ms", "answered 500 Internal Server Error: boom"} {
		if !strings.Contains(st[i].LastError, want) || strings.ContainsAny(st[i].LastError, "\x1b\x07") {
			t.Errorf("%s: last error %q, want %q, cleaned for a terminal", st[i].Name, st[i].LastError, want)
		}
		if st[i].Pending != 1 || st[i].Sent != 0 {
			t.Errorf("%s: %+v, want the alert pending", st[i].Name, st[i])
		}
	}
	if s := st[3]; s.Failing() || s.Sent != 1 || !strings.HasPrefix(s.Name, "alertmanager 127.0.0.1:") {
		t.Errorf("the healthy one: %+v", s)
	}
}

func TestAnAlertmanagerURLsPasswordIsSentButNeverShown(t *testing.T) {
	am := newFakeAM(t)
	am.set(http.StatusUnauthorized, "bad credentials", false)
	u := strings.Replace(am.URL, "http://", "http://ops:hunter2@", 1)
	at := newAMTest(t, Options{}, time.Hour, time.Second, u+"/")
	at.d.Observe(t0, []events.Problem{errorBurst(events.Crit, "42% failing")})
	waitFor(t, "a refusal", func() bool { return at.d.Status()[0].Failing() })
	s := at.d.Status()[0]
	if strings.Contains(s.Name+s.LastError, "hunter2") || strings.Contains(s.Name, "ops") {
		t.Errorf("the password shows: %+v", s)
	}
	if !strings.Contains(s.LastError, "answered 401 Unauthorized: bad credentials") {
		t.Errorf("last error %q", s.LastError)
	}
	am.mu.Lock()
	defer am.mu.Unlock()
	if len(am.auth) == 0 || am.auth[0] != "ops:hunter2" {
		t.Errorf("basic auth sent: %v", am.auth)
	}
}

func TestCloseSaysWhatEachAlertmanagerIsLeftHoldingAndCountsWhatItNeverTook(t *testing.T) {
	up, down := newFakeAM(t), newFakeAM(t)
	down.Close()
	at := newAMTest(t, Options{}, time.Minute, time.Second, up.URL, down.URL)
	p := errorBurst(events.Crit, "42% failing")
	p.Ack = &snapshot.Ack{By: "bob", At: t0}
	at.d.Observe(t0, []events.Problem{p})
	waitFor(t, "the post and the silence", func() bool { s, _ := up.silenceList(); return len(up.allPosts()) >= 1 && len(s) == 1 })
	waitFor(t, "the down one failing", func() bool { return at.d.Status()[1].Failing() })
	at.d.Close()
	left := at.d.AlertmanagersLeft()
	if l := left[0]; l.Standing != 1 || !l.Until.Equal(t0.Add(EndsAtResends*time.Minute)) || l.Silences != 0 {
		t.Errorf("left %+v: want the alert standing until its endsAt, the silence removed at exit", l)
	}
	if _, del := up.silenceList(); len(del) != 1 {
		t.Errorf("the silence was not removed at exit: %v", del)
	}
	st := at.d.Status()
	if st[0].Lost() != 0 || st[1].Failed != 1 || !strings.Contains(st[1].LastError, "1 alerts not taken by exit") {
		t.Errorf("status %+v: the one that never took the alert lost it; the other lost nothing", st)
	}
}

func TestAnAlertnameIsLaunchAndTheKindInCamelCase(t *testing.T) {
	for kind, want := range map[events.Kind]string{
		events.KindErrors: "LaunchErrors", events.KindEndpointLatency: "LaunchEndpointLatency", events.KindSource: "LaunchSource",
		events.KindPageWeight: "LaunchPageWeight", events.KindServerErrors: "LaunchServerErrors",
	} {
		if got := AlertName(kind); got != want {
			t.Errorf("AlertName(%s) = %s, want %s", kind, got, want)
		}
	}
}

func TestNewAlertmanagerRefusesWhatCannotWork(t *testing.T) {
	for _, tc := range []struct {
		o    AlertmanagerOptions
		want string
	}{
		{AlertmanagerOptions{URL: "am:9093", Timeout: time.Second, Resend: time.Second}, "not an http(s) URL"},
		{AlertmanagerOptions{URL: "http://am", Resend: time.Second}, "timeout must be positive"},
		{AlertmanagerOptions{URL: "http://am", Timeout: time.Second}, "resend must be positive"},
	} {
		if _, err := NewAlertmanager(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
	}
}

func TestCloseTellsAnAlertmanagerWhatItHasNotTakenOnceMore(t *testing.T) {
	am := newFakeAM(t)
	at := newAMTest(t, Options{}, time.Hour, time.Second, am.URL) // no resend comes before Close
	at.d.Observe(t0, []events.Problem{errorBurst(events.Crit, "42% failing")})
	waitFor(t, "the opening", func() bool { return len(am.allPosts()) == 1 })
	am.set(http.StatusServiceUnavailable, "restarting", false)
	at.clock.Advance(time.Second)
	at.d.Observe(t0.Add(time.Second), nil)
	waitFor(t, "the resolve refused", func() bool { return at.d.Status()[0].Failing() })
	am.set(0, "", false)
	at.d.Close()
	a, i := lastOf(am.allPosts(), "alertname", "LaunchErrors")
	if i != 1 || !a.EndsAt.Equal(t0.Add(time.Second)) {
		t.Errorf("post %d ends %s: want the resolve posted at Close", i, a.EndsAt)
	}
	if l := at.d.AlertmanagersLeft(); len(l) != 1 || l[0].Standing != 0 || l[0].Resolves != 0 {
		t.Errorf("left %+v: want nothing", l)
	}
}
