package config

import (
	"strings"
	"testing"
)

func TestTheOnCallBlocksLoadWithDefaults(t *testing.T) {
	cfg, err := Parse("oncall.yaml", []byte(`sources:
  scrape:
    targets: [http://127.0.0.1:9400/metrics]
  alertmanager:
    url: http://lw:s3cr3t@127.0.0.1:9093
preset: sim
alerts:
  alertmanager:
    - url: http://am-1:9093
    - url: http://am-2:9093
      resend: 1s
      http_client_config:
        basic_auth: {username: lw, password: hunter2}
  webhooks:
    - url: https://events.pagerduty.example/v2/enqueue
      format: pagerduty
      routing_key_file: /etc/launchwatch/pd.key
    - url: https://hooks.slack.example/services/T0
  labels: {team: shop}
  runbooks: {errors: "https://wiki.example/errors", "endpoint/cart": "https://wiki.example/cart"}
  dashboard_url: https://grafana.example/d/launch
annotations:
  grafana: {url: "https://lw:gr4f4n4@grafana.example"}
`))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Alerts
	if len(a.Alertmanagers) != 2 || a.Alertmanagers[0].Resend != DefaultAlertmanagerResend || a.Alertmanagers[1].Resend.Seconds() != 1 ||
		a.Alertmanagers[0].Timeout != DefaultAlertmanagerTimeout || a.Alertmanagers[0].MinSeverity != "warn" {
		t.Errorf("alertmanagers = %+v", a.Alertmanagers)
	}
	if a.Webhooks[0].Format != WebhookPagerDuty || a.Webhooks[1].Format != WebhookJSON {
		t.Errorf("formats %q %q: want pagerduty as written and json by default", a.Webhooks[0].Format, a.Webhooks[1].Format)
	}
	if am := cfg.Sources.Alertmanager; am == nil || am.Timeout != SourceTimeout(cfg.Interval) {
		t.Errorf("sources.alertmanager = %+v: want the sources' default timeout", am)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "hunter2") || strings.Contains(string(out), "s3cr3t") || strings.Contains(string(out), "gr4f4n4") {
		t.Errorf("the effective config prints an Alertmanager's or Grafana's password:\n%s", out)
	}
}
