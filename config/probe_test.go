package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTheProbeBlockLoadsWithDefaults(t *testing.T) {
	cfg, err := Load("testdata/good-probe.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Sources.Probe
	if p.Interval != 10*time.Second || p.Timeout != 8*time.Second || p.MaxPageBytes != 5<<20 || p.MaxResources != 200 || p.Concurrency != 6 {
		t.Errorf("defaults: %+v", p)
	}
	o := p.ProbeOptions()
	if o.Headers.Get("Authorization") != "Bearer hunter2" || o.Marker.Selector != "button#buy" || o.Marker.Text != "Buy now" || !o.Marker.RequireEnabled || len(o.CDNHosts) != 3 {
		t.Errorf("probe options: %+v", o)
	}
	plan, err := cfg.CapacityPlan()
	if err != nil || !plan.FromProbe {
		t.Errorf("plan.from_probe: %v, %v", plan.FromProbe, err)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "hunter2") || !strings.Contains(string(out), "Authorization: <secret>") {
		t.Errorf("a probe header must print as a secret:\n%s", out)
	}
	if _, err := Parse("effective.yaml", out); err != nil {
		t.Errorf("the effective config does not load back: %v", err)
	}
}

func TestABadProbeBlockNamesEachFieldAndLine(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"probe-bad-fields.yaml", []string{
			"probe-bad-fields.yaml:4: sources.probe.url: \"shop.example/sale\" is not an http(s) URL with a host",
			"probe-bad-fields.yaml:6: sources.probe.timeout: 5s must be shorter than the probe's interval (5s)",
			"probe-bad-fields.yaml:7: sources.probe.selector: \"#buy[\" is not a CSS selector",
			"probe-bad-fields.yaml:9: sources.probe.headers.Bad Header: \"Bad Header\" is not an HTTP header name",
			"probe-bad-fields.yaml:10: sources.probe.cdn_hosts[1]: \"https://cdn2.example\" is not a host name",
			"probe-bad-fields.yaml:11: sources.probe.max_page_bytes: must not be negative, got -1",
			"probe-bad-fields.yaml:12: sources.probe.max_resources: 20000 is beyond any real page; at most 10000 is accepted",
			"probe-bad-fields.yaml:13: sources.probe.concurrency: must not be negative, got -2",
			"probe-bad-fields.yaml:14: sources.probe.button_before_t0: \"before\" is not one of optional, required",
		}},
		{"probe-bad-interval.yaml", []string{"probe-bad-interval.yaml:5: sources.probe.interval: must be at least 1s, got 500ms"}},
		{"probe-bad-unknown-field.yaml", []string{"probe-bad-unknown-field.yaml:5: sources.probe.selectr: unknown field \"selectr\""}},
		{"probe-bad-from-probe-without-probe.yaml", []string{"probe-bad-from-probe-without-probe.yaml:9: plan.from_probe: needs sources.probe"}},
	}
	var files []string
	for _, tc := range cases {
		files = append(files, tc.file)
	}
	requireCovered(t, "testdata", "probe-bad-", files, "the probe's cases")
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load("testdata/" + tc.file)
			if err == nil {
				t.Fatal("loaded; want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("want typed field errors, got %T", err)
			}
		})
	}
}
