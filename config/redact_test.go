package config

import (
	"strings"
	"testing"
)

func TestTheEffectiveConfigHidesThePasswordInEveryURL(t *testing.T) {
	cfg, err := Load("testdata/secrets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, secret) {
		t.Fatalf("a password is printed:\n%s", s)
	}
	for _, want := range []string{
		"url: https://launch:xxxxx@prometheus.example.internal:9090/prom",
		"proxy_url: http://proxy:xxxxx@proxy.example:3128",
		"- http://scraper:xxxxx@127.0.0.1:9400/metrics",
		"url: http://buyer:xxxxx@shop.example.com/sale",
		"password: <secret>",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("effective config lacks %q:\n%s", want, s)
		}
	}
	// Printing must not change the config the sources are built from.
	if cfg.Sources.Prometheus.URL != "https://launch:"+secret+"@prometheus.example.internal:9090/prom" || cfg.Sources.Scrape.Targets[0] != "http://scraper:"+secret+"@127.0.0.1:9400/metrics" {
		t.Errorf("YAML redacted the config itself: %q %q", cfg.Sources.Prometheus.URL, cfg.Sources.Scrape.Targets)
	}
}

func TestRedactText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a password in a URL is hidden", "http://user:pw@host:9090/x", "http://user:xxxxx@host:9090/x"},
		{"a URL without a password is kept", "http://user@host/x", "http://user@host/x"},
		{"a URL without userinfo is kept", "http://host:9090/metrics", "http://host:9090/metrics"},
		{"a password with an @ in it is hidden whole", "http://u:p@ss@host", "http://u:xxxxx@host"},
		{"every URL in a message is redacted", `"http://a:b@h" and 'https://c:d@i/p'`, `"http://a:xxxxx@h" and 'https://c:xxxxx@i/p'`},
		{"an at sign after the path is not userinfo", "http://host/a:b@c", "http://host/a:b@c"},
		{"text without URLs is kept", "plan.download_speed: must be > 0", "plan.download_speed: must be > 0"},
		{"a scheme at the very end is kept", "see ://", "see ://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactText(tt.in); got != tt.want {
				t.Errorf("redactText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzRedactText(f *testing.F) {
	for _, s := range []string{"http://u:p@h", "x://:@", "://@:", "a://b:c@d://e:f@g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = redactText(s)
		_ = RedactURL(s)
	})
}
