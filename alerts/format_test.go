package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// testRoutingKey is a routing key as PagerDuty issues them: 32 characters.
const testRoutingKey = "R0UT1NGK3Y0000000000000000000042"

// burstAlerts are an error burst's four alerts as a dispatcher with a
// runbook, a dashboard and labels makes them: opened at warn, escalated
// to crit, acknowledged by alice, resolved after 4m10s.
func burstAlerts() []Alert {
	d := &Dispatcher{opts: Options{Launch: "Winter drop",
		Runbooks:     map[string]string{"errors": "https://wiki.example/runbooks/errors?team=shop&lang=en"},
		DashboardURL: "https://grafana.example/d/launch", Labels: map[string]string{"team": "shop", "env": "prod"}}}
	p := events.Problem{Kind: events.KindErrors, Subject: "error_rate", Title: "error burst", Severity: events.Warn, Since: t0,
		Message: "error burst: 2.1% of requests failing (6/s), measured", Lines: "warn 1%, crit 5%"}
	opened := d.alert(Opened, p, t0)
	p.Severity, p.Message = events.Crit, "error burst: 42% of requests failing (120/s), measured"
	p.Worst = p.Message
	escalated := d.alert(Escalated, p, t0.Add(20*time.Second))
	p.Ack = &snapshot.Ack{By: "alice@war-room", At: t0.Add(time.Minute)}
	acknowledged := d.alert(Acknowledged, p, t0.Add(time.Minute))
	p.Message = "error burst: 0.4% of requests failing (1/s), measured"
	resolved := d.alert(Resolved, p, t0.Add(4*time.Minute+10*time.Second))
	return []Alert{opened, escalated, acknowledged, resolved}
}

// postedBody sends a with a webhook of format f to a real server and returns
// the body it got, indented.
func postedBody(t *testing.T, f Format, a Alert) []byte {
	t.Helper()
	srv := newHookServer(t, http.StatusAccepted)
	o := WebhookOptions{URL: srv.URL + "/v2/enqueue", Timeout: 5 * time.Second, Format: f}
	if f == FormatPagerDuty {
		o.RoutingKeyFile = secretFile(t, "routing-key", testRoutingKey)
	}
	w, err := NewWebhook(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if srv.requests() != 1 {
		t.Fatalf("%d requests, want 1", srv.requests())
	}
	if ct := srv.headers[0].Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, srv.raw[0], "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// TestWebhookBodiesPerFormatAndState holds each format's body for each
// state to its golden file (go test ./alerts -run TestWebhookBodies
// -update rewrites them).
func TestWebhookBodiesPerFormatAndState(t *testing.T) {
	for _, f := range []Format{FormatJSON, FormatPagerDuty, FormatSlack} {
		for _, a := range burstAlerts() {
			t.Run(string(f)+"/"+string(a.State), func(t *testing.T) {
				golden.RequireEqual(t, postedBody(t, f, a))
			})
		}
	}
}

func TestAPagerDutyEventFollowsTheProblem(t *testing.T) {
	as := burstAlerts()
	wantAction := map[State]string{Opened: "trigger", Escalated: "trigger", Acknowledged: "acknowledge", Resolved: "resolve"}
	for _, a := range as {
		ev := pagerDutyEvent(a, testRoutingKey, "host")
		if ev.EventAction != wantAction[a.State] || ev.DedupKey != as[0].ProblemID || ev.RoutingKey != testRoutingKey {
			t.Errorf("%s: action %s, dedup_key %s; want %s under the problem's id %s", a.State, ev.EventAction, ev.DedupKey, wantAction[a.State], as[0].ProblemID)
		}
	}
	if sev := []string{pagerDutyEvent(as[0], "", "").Payload.Severity, pagerDutyEvent(as[1], "", "").Payload.Severity}; sev[0] != "warning" || sev[1] != "critical" {
		t.Errorf("severities %v, want warning then critical", sev)
	}
	if ack := pagerDutyEvent(as[2], "", "").Payload.CustomDetails; ack.AckedBy != "alice@war-room" || ack.AckedAt == nil || !ack.AckedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("acknowledge details %+v, want alice and when", ack)
	}

	// The launch is the source; without one, the host.
	nameless := as[0]
	nameless.Launch = ""
	if ev := pagerDutyEvent(nameless, "", "shop-watch-1"); ev.Payload.Source != "shop-watch-1" || ev.Payload.Group != "" {
		t.Errorf("source %q group %q, want the host and no group", ev.Payload.Source, ev.Payload.Group)
	}

	// A summary past PagerDuty's 1024 characters is cut to them.
	long := as[0]
	long.Summary = strings.Repeat("é", 2000)
	if s := pagerDutyEvent(long, "", "").Payload.Summary; utf8.RuneCountInString(s) != maxPDSummary || !strings.HasSuffix(s, "…") {
		t.Errorf("summary of %d characters, want %d ending in an ellipsis", utf8.RuneCountInString(s), maxPDSummary)
	}
}

func TestASlackMessageEscapesWhatCouldMakeALinkOrAMention(t *testing.T) {
	p := events.Problem{Kind: events.KindEndpoint, Subject: "cart", Title: "cart <endpoint>", Severity: events.Crit, Since: t0,
		Message: "cart at 186% <!channel> & <https://evil.example|click>", Lines: "warn 80%, crit 95%"}
	d := &Dispatcher{opts: Options{Launch: "Drop <&> 1", DashboardURL: "https://grafana.example/d/x?a=1&b=2|3"}}
	msg := slackMessage(d.alert(Opened, p, t0))
	var all []string
	all = append(all, msg.Text)
	for _, b := range msg.Blocks {
		if b.Text != nil {
			all = append(all, b.Text.Text)
		}
		for _, e := range b.Elements {
			all = append(all, e.Text)
		}
	}
	joined := strings.Join(all, "\n")
	for _, bad := range []string{"<!channel>", "<https://evil", "Drop <&>", "& <"} {
		if strings.Contains(joined, bad) {
			t.Errorf("%q is in the message unescaped:\n%s", bad, joined)
		}
	}
	for _, want := range []string{"&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;", "*CRITICAL · Cart &lt;endpoint&gt;*",
		"Drop &lt;&amp;&gt; 1 · critical · since <!date^", "<https://grafana.example/d/x?a=1&amp;b=2%7C3|Dashboard>"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the message lacks %q:\n%s", want, joined)
		}
	}
}
