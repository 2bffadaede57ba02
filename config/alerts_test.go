package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTheAlertsBlockLoadsWithDefaults(t *testing.T) {
	cfg, err := Load("testdata/alerts/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Alerts
	if len(a.Commands) != 2 || len(a.Webhooks) != 2 {
		t.Fatalf("alerts = %+v", a)
	}
	first := a.Commands[0]
	if first.Timeout != DefaultCommandTimeout || first.MaxConcurrent != DefaultCommandMaxConcurrent || first.MinSeverity != "warn" {
		t.Errorf("a command without settings takes the defaults: %+v", first)
	}
	if got := first.Pos.String(); got != "testdata/alerts/good.yaml:7" {
		t.Errorf("the first command is placed at %q, want its list item's line", got)
	}
	second := a.Commands[1]
	if second.Timeout != 3*time.Second || second.MaxConcurrent != 4 || second.MinSeverity != "crit" {
		t.Errorf("the second command keeps what the file says: %+v", second)
	}
	hook := a.Webhooks[0]
	if hook.Timeout != DefaultWebhookTimeout || hook.Retries != DefaultWebhookRetries || hook.Backoff != DefaultWebhookBackoff || hook.Queue != DefaultWebhookQueue {
		t.Errorf("a webhook without settings takes the defaults: %+v", hook)
	}
	// retries: 0 written is no retry, not the default.
	if w := a.Webhooks[1]; w.Retries != 0 || w.Backoff != 250*time.Millisecond || w.Queue != 50 || w.HeaderFiles["X-Signature"] != "/etc/launchwatch/signature" {
		t.Errorf("the second webhook keeps what the file says: %+v", w)
	}
}

func TestTheEffectiveConfigHidesWebhookSecrets(t *testing.T) {
	cfg, err := Load("testdata/alerts/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, secret) || strings.Contains(s, "T000") {
		t.Fatalf("a webhook secret is printed:\n%s", s)
	}
	for _, want := range []string{"https://hooks.slack.example/xxxxx", "X-Team: xxxxx", "retries: 0", "max_concurrent: 2", "queue: 50"} {
		if !strings.Contains(s, want) {
			t.Errorf("effective config lacks %q:\n%s", want, s)
		}
	}
	// What config check prints loads again.
	if _, err := Parse("effective.yaml", out); err != nil {
		t.Errorf("the effective config does not load back: %v", err)
	}
}

// badAlertConfigs is every bad-*.yaml in testdata/alerts with what its
// error must say.
var badAlertConfigs = []struct {
	file string
	want []string
}{
	{"bad-command-no-run.yaml", []string{"bad-command-no-run.yaml:7: alerts.commands[0].run: give the program and its arguments as a list"}},
	{"bad-command-bounds.yaml", []string{
		"bad-command-bounds.yaml:8: alerts.commands[0].timeout: must be within 1ms..10m0s, got 1h0m0s",
		"bad-command-bounds.yaml:9: alerts.commands[0].max_concurrent: must be within 1..16, got 100",
		`bad-command-bounds.yaml:10: alerts.commands[0].min_severity: "info" is not one of warn, crit`,
	}},
	{"bad-command-run-string.yaml", []string{"bad-command-run-string.yaml:7: alerts.commands[0].run:", "cannot unmarshal"}},
	{"bad-webhook-no-url.yaml", []string{"bad-webhook-no-url.yaml:7: alerts.webhooks[0]: set url, or url_file"}},
	{"bad-webhook-both-urls.yaml", []string{"bad-webhook-both-urls.yaml:7: alerts.webhooks[0].url: set url or url_file, not both"}},
	{"bad-webhook-url.yaml", []string{`bad-webhook-url.yaml:7: alerts.webhooks[0].url: "ftp://hooks.slack.example/xxxxx" is not an http(s) URL with a host`}},
	{"bad-webhook-port.yaml", []string{`bad-webhook-port.yaml:7: alerts.webhooks[0].url:`, "99999"}},
	{"bad-webhook-headers.yaml", []string{
		`bad-webhook-headers.yaml:9: alerts.webhooks[0].headers.Bad Name: "Bad Name" is not a valid header name`,
		`bad-webhook-headers.yaml:12: alerts.webhooks[0].header_files.X-Team: header "X-Team" is also set in headers`,
		`bad-webhook-headers.yaml:13: alerts.webhooks[0].header_files.X-Token: name the file`,
	}},
	{"bad-webhook-bounds.yaml", []string{
		"bad-webhook-bounds.yaml:8: alerts.webhooks[0].timeout: must be within 1ms..1m0s, got 5m0s",
		"bad-webhook-bounds.yaml:9: alerts.webhooks[0].retries: must be within 0..10, got 50",
		"bad-webhook-bounds.yaml:10: alerts.webhooks[0].backoff: must be within 1ms..1m0s, got -1s",
		`bad-webhook-bounds.yaml:11: alerts.webhooks[0].min_severity: "loud" is not one of warn, crit`,
		"bad-webhook-bounds.yaml:12: alerts.webhooks[0].queue: must be within 1..100000 alerts, got -5",
	}},
	{"bad-webhook-format.yaml", []string{
		`bad-webhook-format.yaml:8: alerts.webhooks[0].format: "opsgenie" is not one of json, pagerduty, slack`,
		"bad-webhook-format.yaml:9: alerts.webhooks[1].routing_key_file: format pagerduty needs the file holding the integration's routing key",
		"bad-webhook-format.yaml:13: alerts.webhooks[2].routing_key_file: is for format pagerduty only",
	}},
	{"bad-alertmanager.yaml", []string{
		"bad-alertmanager.yaml:7: alerts.alertmanager[0].url: give the Alertmanager's base URL",
		"bad-alertmanager.yaml:8: alerts.alertmanager[0].timeout: must be within 1ms..1m0s, got 5m0s",
		"bad-alertmanager.yaml:9: alerts.alertmanager[0].resend: must be within 100ms..10m0s, got 10ms",
		`bad-alertmanager.yaml:10: alerts.alertmanager[0].min_severity: "page" is not one of warn, crit`,
		`bad-alertmanager.yaml:13: alerts.labels.severity: "severity" is set by launchwatch on every alert`,
		`bad-alertmanager.yaml:14: alerts.labels.9lives: "9lives" is not a label name`,
		`bad-alertmanager.yaml:18: alerts.runbooks.cpu: "cpu" is not a problem kind; kinds are source, limit,`,
		`bad-alertmanager.yaml:19: alerts.runbooks.latency: "file:///etc/runbook" is not an http(s) URL with a host`,
		`bad-alertmanager.yaml:20: alerts.dashboard_url: "grafana/d/launch" is not an http(s) URL with a host`,
	}},
	{"bad-alerts-unknown-field.yaml", []string{`bad-alerts-unknown-field.yaml:6: alerts.pagers: unknown field "pagers"`}},
}

func TestBadAlertBlocksNameFileLineAndField(t *testing.T) {
	for _, tt := range badAlertConfigs {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", "alerts", tt.file))
			if err == nil {
				t.Fatalf("%s loaded without error", tt.file)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error prints the webhook's secret:\n%v", err)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Pos.Line == 0 || !strings.HasPrefix(ce.Field, "alerts") {
				t.Errorf("the error is not a placed config.Error on an alerts field: %#v", ce)
			}
		})
	}
}

func TestEveryBadAlertFileIsCoveredByATest(t *testing.T) {
	var files []string
	for _, b := range badAlertConfigs {
		files = append(files, b.file)
	}
	requireCovered(t, filepath.Join("testdata", "alerts"), "bad-", files, "badAlertConfigs")
}

func TestRedactWebhookURLKeepsOnlySchemeAndHost(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"a Slack URL loses its path", "https://hooks.slack.com/services/T0/B0/abc", "https://hooks.slack.com/xxxxx"},
		{"a query loses its token", "http://127.0.0.1:8080?token=abc", "http://127.0.0.1:8080/xxxxx"},
		{"a bare host stays", "https://alerts.example", "https://alerts.example"},
		{"a password goes", "https://u:pw@alerts.example/hook", "https://u@alerts.example/xxxxx"},
		{"what does not parse is hidden whole", "::not a url", "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactWebhookURL(tt.in); got != tt.want {
				t.Errorf("RedactWebhookURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
