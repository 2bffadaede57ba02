package config

import (
	"strings"
	"testing"
)

func TestAPagerDutyWebhookNeedsItsKeyFileButNoURL(t *testing.T) {
	const base = "interval: 1s\npreset: sim\nsources:\n  scrape:\n    targets: [http://127.0.0.1:9/metrics]\nalerts:\n  webhooks:\n"
	tests := []struct {
		name, hook, wantErr string
	}{
		{"pagerduty without a url posts to PagerDuty's", "    - format: pagerduty\n      routing_key_file: /etc/launchwatch/pd-key\n", ""},
		{"pagerduty to another url (a proxy) is taken", "    - format: pagerduty\n      url: https://pd-proxy.example/v2/enqueue\n      routing_key_file: /k\n", ""},
		{"pagerduty without its key file is refused", "    - format: pagerduty\n", "alerts.webhooks[0].routing_key_file: format pagerduty needs the file"},
		{"json without a url is refused as before", "    - format: json\n", "alerts.webhooks[0]: set url, or url_file"},
		{"slack without a url is refused", "    - format: slack\n", "alerts.webhooks[0]: set url, or url_file"},
		{"an unknown format is refused", "    - format: teams\n      url: https://x.example/y\n", `alerts.webhooks[0].format: "teams" is not one of json, pagerduty, slack`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("launchwatch.yaml", []byte(base+tt.hook))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
