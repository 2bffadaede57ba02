package config

import (
	"strings"
	"testing"
	"time"
)

// The Alertmanager read back is a source like the others: its timeout
// defaults to 80% of the interval, and a password in its URL never
// reaches the effective config (config check, a recording's header).
func TestTheAlertmanagerSourcesDefaultsAndSecrets(t *testing.T) {
	cfg, err := Parse("lw.yaml", []byte(`interval: 2s
sources:
  probe: {url: "http://127.0.0.1:9/"}
  alertmanager:
    url: "http://oncall:hunter2@127.0.0.1:9093"
    http_client_config: {basic_auth: {username: oncall, password: hunter3}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Sources.Alertmanager.Timeout; got != 1600*time.Millisecond {
		t.Errorf("timeout = %s, want 80%% of the 2s interval", got)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, "hunter2") || strings.Contains(s, "hunter3") {
		t.Fatalf("a password of the Alertmanager is printed:\n%s", s)
	}
	if !strings.Contains(s, "http://oncall:xxxxx@127.0.0.1:9093") {
		t.Errorf("the effective config lacks the redacted URL:\n%s", s)
	}
	if cfg.Sources.Alertmanager.URL != "http://oncall:hunter2@127.0.0.1:9093" {
		t.Errorf("printing changed the config itself: %s", cfg.Sources.Alertmanager.URL)
	}
}
