package launch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/launchwatch/launchwatch/config"
)

func TestWebhooksAreBuiltInTheirFormatAndAPagerDutyOneReadsItsKeyFile(t *testing.T) {
	const key = "R0UT1NGK3Y0000000000000000000042"
	keyFile := filepath.Join(t.TempDir(), "pagerduty-key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := parse(t, fmt.Sprintf("alerts:\n  webhooks:\n    - format: pagerduty\n      routing_key_file: %s\n"+
		"    - format: slack\n      url: https://hooks.slack.example/services/T0/B0/token\n    - url: https://hooks.example/x\n", keyFile))
	routes, err := alertRoutes(cfg.Alerts, "/data/launch.lwrec.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"webhook https://events.pagerduty.com (pagerduty)", "webhook https://hooks.slack.example (slack)", "webhook https://hooks.example"}
	if len(routes) != len(want) {
		t.Fatalf("%d routes, want %d", len(routes), len(want))
	}
	for i, r := range routes {
		if r.Sink.Name() != want[i] {
			t.Errorf("sink %d is %q, want %q", i, r.Sink.Name(), want[i])
		}
		if strings.Contains(r.QueueFile, key[:8]) || !strings.HasPrefix(r.QueueFile, "/data/launch.lwrec.jsonl.webhook-") {
			t.Errorf("queue file %q", r.QueueFile)
		}
	}

	// A key file that cannot be read fails the start, placed, without
	// the key.
	missing := parse(t, "alerts:\n  webhooks:\n    - format: pagerduty\n      routing_key_file: /nonexistent/pagerduty-key\n")
	_, err = alertRoutes(missing.Alerts, "")
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Field != "alerts.webhooks[0]" || !strings.Contains(ce.Msg, "routing_key_file: open /nonexistent/pagerduty-key") {
		t.Errorf("err = %v, want a placed error naming routing_key_file", err)
	}
}
