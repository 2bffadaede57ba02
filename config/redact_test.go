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

// FuzzRedactText puts a URL with a password in any text and checks the
// password never comes out, in the text or alone.
func FuzzRedactText(f *testing.F) {
	f.Add("error: ", "u", "p", "h", " refused")
	f.Add("x://:@", "launch", "s3cr3t", "prometheus:9090", "'")
	f.Add("a://b:c@d", "e", "f@g", "g", "://@:")
	f.Fuzz(func(t *testing.T, prefix, user, pass, host, suffix string) {
		const delims = "/?#\"'` \t\n@:"
		switch {
		case pass == "" || strings.ContainsAny(pass, "/?#\"'` \t\n"),
			strings.ContainsAny(user, delims), strings.ContainsAny(host, delims) || host == "",
			strings.Contains(prefix+suffix, ":"+pass+"@"):
			t.Skip("not a URL with a password of its own")
		}
		secret := ":" + pass + "@" // the password where it stands
		text := prefix + " http://" + user + secret + host + "/ " + suffix
		if got := redactText(text); strings.Contains(got, secret) {
			t.Fatalf("redactText(%q) = %q keeps the password %q", text, got, pass)
		}
		raw := "http://" + user + secret + host + "/"
		if got := RedactURL(raw); strings.Contains(got, secret) {
			t.Fatalf("RedactURL(%q) = %q keeps the password %q", raw, got, pass)
		}
	})
}
