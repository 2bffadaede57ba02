package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/snapshot"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// fakeAM is an Alertmanager's v2 API as far as the source reads it: the
// alerts it holds, its silences by id, and how often each was asked;
// unit tests only.
type fakeAM struct {
	mu       sync.Mutex
	alerts   []map[string]any
	silences map[string]map[string]any
	status   int // the alerts' answer's status; 0 is 200
	reads    map[string]int
	alertsQ  string // the alerts' request's query, as last asked
}

func (f *fakeAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reads == nil {
		f.reads = map[string]int{}
	}
	f.reads[r.URL.Path]++
	switch {
	case r.URL.Path == "/api/v2/alerts":
		f.alertsQ = r.URL.RawQuery
		if f.status != 0 {
			http.Error(w, "boom", f.status)
			return
		}
		_ = json.NewEncoder(w).Encode(f.alerts)
	case strings.HasPrefix(r.URL.Path, "/api/v2/silence/"):
		s, ok := f.silences[strings.TrimPrefix(r.URL.Path, "/api/v2/silence/")]
		if !ok {
			http.Error(w, "silence not found", http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(s)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAM) readsOf(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads[path]
}

func amAlert(labels, annotations map[string]string, startsAt time.Time, state string, silencedBy ...string) map[string]any {
	if silencedBy == nil {
		silencedBy = []string{}
	}
	return map[string]any{
		"labels": labels, "annotations": annotations, "startsAt": startsAt, "endsAt": startsAt.Add(time.Hour),
		"updatedAt": startsAt, "fingerprint": "f", "receivers": []map[string]string{{"name": "team"}},
		"status": map[string]any{"state": state, "silencedBy": silencedBy, "inhibitedBy": []string{}},
	}
}

func amSilence(id, by, comment string, endsAt time.Time, state string) map[string]any {
	return map[string]any{
		"id": id, "createdBy": by, "comment": comment, "startsAt": t0, "endsAt": endsAt, "updatedAt": t0,
		"matchers": []map[string]any{{"name": "alertname", "value": "LaunchErrors", "isRegex": false, "isEqual": true}},
		"status":   map[string]string{"state": state},
	}
}

func newSource(t *testing.T, url, launch string) *Source {
	t.Helper()
	s, err := New(&config.AlertmanagerSource{URL: url, Timeout: 2 * time.Second}, launch)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ours is a launchwatch alert of the launch "shop" for the problem
// errors/error_rate.
func ours(state string, silencedBy ...string) map[string]any {
	return amAlert(map[string]string{"alertname": "LaunchErrors", "severity": "critical", "launch": "shop", "kind": "errors", "subject": "error_rate"},
		map[string]string{"summary": "Error burst: 42% of requests failing"}, t0, state, silencedBy...)
}

func TestTheTeamsAlertsAreToldFromLaunchwatchsOwnAndItsSilencesRead(t *testing.T) {
	am := &fakeAM{
		alerts: []map[string]any{
			amAlert(map[string]string{"alertname": "DiskFilling", "severity": "warning", "instance": "db-1:9100", "job": "node"},
				map[string]string{"description": "disk 91% full"}, t0.Add(-10*time.Minute), "active"),
			amAlert(map[string]string{"alertname": "HighLatency", "severity": "critical", "service": "checkout"},
				map[string]string{"summary": "p99 over 2 s", "description": "long words"}, t0.Add(-2*time.Minute), "active"),
			amAlert(map[string]string{"alertname": "NodeDown", "severity": "critical", "instance": "web-3:9100"},
				map[string]string{"summary": "web-3 is down"}, t0.Add(-time.Minute), "suppressed", "other-silence"),
			// launchwatch's own problem, under two silences: the one that
			// ends last is shown.
			ours("suppressed", "s-short", "s-long"),
			// Another launch's launchwatch is another team's, to this one.
			amAlert(map[string]string{"alertname": "LaunchErrors", "severity": "warning", "launch": "other", "kind": "errors", "subject": "error_rate"},
				map[string]string{"summary": "Error burst elsewhere"}, t0.Add(-30*time.Second), "active"),
			// An own alert without a silence says nothing.
			amAlert(map[string]string{"alertname": "LaunchLatency", "severity": "warning", "launch": "shop", "kind": "latency", "subject": "latency_p95"},
				nil, t0, "active"),
			// A state this reader does not know is not shown as firing.
			amAlert(map[string]string{"alertname": "Weird"}, nil, t0, "resolved"),
		},
		silences: map[string]map[string]any{
			"s-short": amSilence("s-short", "bob", "short", t0.Add(10*time.Minute), "active"),
			"s-long":  amSilence("s-long", "alice@oncall", "deploying the fix", t0.Add(time.Hour), "active"),
		},
	}
	srv := httptest.NewServer(am)
	defer srv.Close()
	src := newSource(t, srv.URL+"/", "shop")
	res, err := src.Collect(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if am.alertsQ != "active=true&silenced=true&inhibited=true" {
		t.Errorf("the alerts were asked with %q: silenced and inhibited ones must be asked too", am.alertsQ)
	}
	want := []snapshot.TeamAlert{
		{Name: "HighLatency", Severity: "critical", Summary: "p99 over 2 s", Since: t0.Add(-2 * time.Minute), Labels: "service=checkout"},
		{Name: "NodeDown", Severity: "critical", Summary: "web-3 is down", Since: t0.Add(-time.Minute), Silenced: true, Labels: "instance=web-3:9100"},
		{Name: "DiskFilling", Severity: "warning", Summary: "disk 91% full", Since: t0.Add(-10 * time.Minute), Labels: "job=node instance=db-1:9100"},
		{Name: "LaunchErrors", Severity: "warning", Summary: "Error burst elsewhere", Since: t0.Add(-30 * time.Second),
			Labels: "kind=errors launch=other subject=error_rate"},
	}
	if got, w := fmt.Sprint(res.TeamAlerts), fmt.Sprint(want); got != w {
		t.Errorf("team alerts:\n got %s\nwant %s", got, w)
	}
	key := events.Key(events.KindErrors, "error_rate")
	wantSilences := map[string]snapshot.Silence{key: {ID: "s-long", By: "alice@oncall", Comment: "deploying the fix", Until: t0.Add(time.Hour)}}
	if got, w := fmt.Sprint(res.Silences), fmt.Sprint(wantSilences); got != w {
		t.Errorf("silences:\n got %s\nwant %s", got, w)
	}
	if n := am.readsOf("/api/v2/silence/other-silence"); n != 0 {
		t.Errorf("a silence over a team alert was read %d times: only those over launchwatch's problems are", n)
	}
	if len(res.Warnings) != 0 || len(res.Errors) != 0 {
		t.Errorf("warnings %q, errors %v on a clean read", res.Warnings, res.Errors)
	}
}

func TestSilencesAreReadOnceAMinuteAndForgottenWhenNoAlertNamesThem(t *testing.T) {
	am := &fakeAM{
		alerts:   []map[string]any{ours("suppressed", "s1")},
		silences: map[string]map[string]any{"s1": amSilence("s1", "bob", "first words", t0.Add(time.Hour), "active")},
	}
	srv := httptest.NewServer(am)
	defer srv.Close()
	wall := testtool.NewClock(t0)
	src := newSource(t, srv.URL, "shop")
	src.wall = wall.Now
	collect := func() snapshot.Silence {
		t.Helper()
		res, err := src.Collect(context.Background(), wall.Now())
		if err != nil {
			t.Fatal(err)
		}
		return res.Silences["errors/error_rate"]
	}
	collect()
	wall.Advance(30 * time.Second)
	am.mu.Lock()
	am.silences["s1"] = amSilence("s1", "bob", "edited words", t0.Add(2*time.Hour), "active")
	am.mu.Unlock()
	if s := collect(); s.Comment != "first words" || am.readsOf("/api/v2/silence/s1") != 1 {
		t.Fatalf("within a minute the silence is the one read (%+v), read once (%d)", s, am.readsOf("/api/v2/silence/s1"))
	}
	wall.Advance(31 * time.Second)
	if s := collect(); s.Comment != "edited words" || !s.Until.Equal(t0.Add(2*time.Hour)) || am.readsOf("/api/v2/silence/s1") != 2 {
		t.Fatalf("after a minute the silence is read again: %+v, %d reads", s, am.readsOf("/api/v2/silence/s1"))
	}
	// The silence ends: the alert fires again, unsilenced.
	am.mu.Lock()
	am.alerts = []map[string]any{ours("active")}
	am.mu.Unlock()
	res, err := src.Collect(context.Background(), wall.Now())
	if err != nil || len(res.Silences) != 0 {
		t.Fatalf("an alert no silence holds has none: %v, %v", res.Silences, err)
	}
	if len(src.silences) != 0 {
		t.Errorf("the cache keeps a silence no alert names: %v", src.silences)
	}
}

func TestASilenceThatCannotBeReadIsStillASilenceAndAWarning(t *testing.T) {
	am := &fakeAM{alerts: []map[string]any{ours("suppressed", "gone\x1b[31m")}}
	srv := httptest.NewServer(am)
	defer srv.Close()
	res, err := newSource(t, srv.URL, "shop").Collect(context.Background(), t0)
	if err != nil {
		t.Fatalf("a silence that cannot be read fails the source: %v", err)
	}
	s, ok := res.Silences["errors/error_rate"]
	if !ok || s.By != "" || s.ID != "gone" {
		t.Errorf("silence = %+v, %v: want its id, cleaned, and nobody named", s, ok)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "status 404") {
		t.Errorf("warnings = %q, want the silence's 404", res.Warnings)
	}
}

func TestAPollReadsAtMostEightNewSilencesAndTheRestLater(t *testing.T) {
	am := &fakeAM{silences: map[string]map[string]any{}}
	for i := range 10 {
		id := fmt.Sprintf("s%02d", i)
		am.alerts = append(am.alerts, amAlert(map[string]string{"alertname": "LaunchEndpoint", "launch": "shop", "kind": "endpoint",
			"subject": fmt.Sprintf("e%02d", i)}, nil, t0, "suppressed", id))
		am.silences[id] = amSilence(id, "bob", "", t0.Add(time.Hour), "active")
	}
	srv := httptest.NewServer(am)
	defer srv.Close()
	src := newSource(t, srv.URL, "shop")
	named := func(res map[string]snapshot.Silence) int {
		n := 0
		for _, s := range res {
			if s.By == "bob" {
				n++
			}
		}
		return n
	}
	res, err := src.Collect(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Silences) != 10 || named(res.Silences) != maxSilenceReads {
		t.Fatalf("first poll: %d silences, %d read; want 10, %d read", len(res.Silences), named(res.Silences), maxSilenceReads)
	}
	res, _ = src.Collect(context.Background(), t0)
	if named(res.Silences) != 10 {
		t.Errorf("second poll: %d silences read, want all 10", named(res.Silences))
	}
}

func TestHostileTextIsCleanedAndTheTeamsAlertsCapped(t *testing.T) {
	am := &fakeAM{}
	for i := range snapshot.MaxTeamAlerts + 7 {
		sev := "warning"
		if i == snapshot.MaxTeamAlerts+6 {
			sev = "critical" // the last listed is the worst: it is kept
		}
		am.alerts = append(am.alerts, amAlert(map[string]string{"alertname": "Evil\x1b]52;c;aGk=\x07\u202e", "severity": sev,
			"instance": fmt.Sprintf("web-%02d\nFAKE", i)}, map[string]string{"summary": strings.Repeat("x", 500) + "\x9b2J"},
			t0.Add(time.Duration(i)*time.Second), "active"))
	}
	srv := httptest.NewServer(am)
	defer srv.Close()
	res, err := newSource(t, srv.URL, "shop").Collect(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.TeamAlerts) != snapshot.MaxTeamAlerts {
		t.Fatalf("%d team alerts kept, want %d", len(res.TeamAlerts), snapshot.MaxTeamAlerts)
	}
	if res.TeamAlerts[0].Severity != "critical" || res.TeamAlerts[1].Since != t0 {
		t.Errorf("not worst first: %+v, then %+v", res.TeamAlerts[0], res.TeamAlerts[1])
	}
	for _, a := range res.TeamAlerts {
		for _, s := range []string{a.Name, a.Summary, a.Labels} {
			if snapshot.CleanText(s, 0) != s || strings.ContainsAny(s, "\x1b\x07\n\u202e\u009b") {
				t.Fatalf("uncleaned text reached the snapshot: %q", s)
			}
		}
		if len([]rune(a.Summary)) > snapshot.MaxAlertSummary {
			t.Fatalf("summary of %d runes, over %d", len([]rune(a.Summary)), snapshot.MaxAlertSummary)
		}
	}
	if want := fmt.Sprintf("%d of the team's alerts fire; the %d worst are shown", snapshot.MaxTeamAlerts+7, snapshot.MaxTeamAlerts); len(res.Infos) != 1 || res.Infos[0] != want {
		t.Errorf("infos = %q, want %q", res.Infos, want)
	}
}

func TestAnAlertmanagerThatFailsIsTheSourcesError(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"a 503 with its words", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "not ready\x1b[2J", http.StatusServiceUnavailable)
		}, "GET /api/v2/alerts: status 503 Service Unavailable: not ready"},
		{"an answer that is not JSON", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("<html>login</html>"))
		}, "not the v2 API's JSON"},
		{"an answer past the cap", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("[" + strings.Repeat(" ", int(maxAlertsBody)) + "]"))
		}, "the answer exceeds 8388608 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			res, err := newSource(t, srv.URL, "shop").Collect(context.Background(), t0)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to hold %q", err, tt.want)
			}
			if res.TeamAlerts != nil || res.Errors[source.ErrorKey] == "" {
				t.Errorf("a failed read answers team alerts %v, errors %v", res.TeamAlerts, res.Errors)
			}
		})
	}
}

func TestAHangingAlertmanagerIsLeftAtTheTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	src, err := New(&config.AlertmanagerSource{URL: srv.URL, Timeout: 50 * time.Millisecond}, "shop")
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Collect(context.Background(), t0)
	if err == nil || err.Error() != "GET /api/v2/alerts: no answer within 50ms" {
		t.Fatalf("err = %v", err)
	}
}

func TestTheTeamsAlertsAreCarriedWhileTheAlertmanagerFails(t *testing.T) {
	am := &fakeAM{
		alerts: []map[string]any{
			amAlert(map[string]string{"alertname": "DiskFilling", "severity": "warning"}, nil, t0, "active"),
			ours("suppressed", "s1"),
		},
		silences: map[string]map[string]any{"s1": amSilence("s1", "bob", "", t0.Add(time.Hour), "active")},
	}
	srv := httptest.NewServer(am)
	defer srv.Close()
	src := newSource(t, srv.URL, "shop")
	// As the poller lays a source's answer, or its deadline, into a
	// snapshot.
	var tr source.Tracker
	poll := func(at time.Time, o *source.Outcome) snapshot.Snapshot {
		if o == nil {
			res, err := src.Collect(context.Background(), at)
			o = &source.Outcome{Result: res, Err: err}
		}
		snap := snapshot.Snapshot{Time: at}
		snap.Sources = map[string]snapshot.Source{src.Name(): tr.Merge(&snap, src.Signals(), *o, at)}
		return snap
	}
	first := poll(t0, nil)
	if len(first.TeamAlerts) != 1 || first.Silences["errors/error_rate"].By != "bob" {
		t.Fatalf("first poll: %+v, %+v", first.TeamAlerts, first.Silences)
	}
	if h := first.Sources[snapshot.SourceAlertmanager]; !h.OK || len(h.Signals) != 0 {
		t.Errorf("health of a clean read: %+v", h)
	}
	am.mu.Lock()
	am.status = http.StatusBadGateway
	am.mu.Unlock()
	for i, o := range []*source.Outcome{nil, {Err: errors.New("no answer within 900ms")}} {
		at := t0.Add(time.Duration(i+1) * time.Second)
		snap := poll(at, o)
		h := snap.Sources[snapshot.SourceAlertmanager]
		if h.OK || !h.Down(at, time.Minute) || h.Error == "" {
			t.Errorf("poll %d: a failed read must read down with its error: %+v", i+2, h)
		}
		if len(snap.TeamAlerts) != 1 || snap.Silences["errors/error_rate"].By != "bob" || !h.LastSuccess.Equal(t0) {
			t.Errorf("poll %d: the last answer is carried, as of its time: %+v, %+v, last success %v", i+2, snap.TeamAlerts, snap.Silences, h.LastSuccess)
		}
	}
	// Back, with nothing firing: the carried alerts go.
	am.mu.Lock()
	am.status, am.alerts = 0, nil
	am.mu.Unlock()
	last := poll(t0.Add(3*time.Second), nil)
	if len(last.TeamAlerts) != 0 || len(last.Silences) != 0 || !last.Sources[snapshot.SourceAlertmanager].OK {
		t.Errorf("an answer of nothing firing clears them: %+v, %+v", last.TeamAlerts, last.Silences)
	}
}
