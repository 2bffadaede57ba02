package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

func TestConfigCheckNeverPrintsAPassword(t *testing.T) {
	tests := []struct {
		name string
		file string
		code int
		want string
	}{
		{"a valid config with passwords in its URLs", "secrets.yaml", 0, "https://launch:xxxxx@prometheus.example.internal:9090/prom"},
		{"a Prometheus URL with a password and a bad port", "bad-prometheus-url-port.yaml", 1, "sources.prometheus.url: port 99999"},
		{"a Prometheus URL with a password that does not parse", "bad-prometheus-url-secret.yaml", 1, "launch:xxxxx@"},
		{"a scrape target with a password and a bad port", "bad-scrape-target-port.yaml", 1, "sources.scrape.targets[1]: port 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := execute(t, "config", "check", "../../config/testdata/"+tt.file)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("output lacks %q:\n%s%s", tt.want, out, errOut)
			}
			if strings.Contains(out+errOut, "hunter2") {
				t.Errorf("the password is printed:\n%s%s", out, errOut)
			}
		})
	}
}

// TestConfigCheckOnlineFailsOnlyOnErrors probes the demo shop's real sale
// page: a config without CDN hosts has no CDN share, which is a note and
// passes; the same page with its CDN path named measures the share; a
// page that is not there is an error and fails.
func TestConfigCheckOnlineFailsOnlyOnErrors(t *testing.T) {
	_, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Minute, Seed: 1})
	host := strings.TrimPrefix(base, "http://")
	tests := []struct {
		name  string
		probe string
		code  int
		want  []string
		not   string
	}{
		{"a valid config without CDN hosts passes with a note", "url: " + base + "/", 0,
			[]string{`probe probe\.cdn_share\s+note: no value: sources\.probe\.cdn_hosts names no CDN host`, `probe probe\.page_bytes\s+ok \d`, `; 1 note\(s\)\.`}, "PROBLEM"},
		{"the CDN share is measured once CDN hosts are named", "url: " + base + "/\n    cdn_hosts: [" + host + "/cdn/]", 0,
			[]string{`every signal answered\.`, `probe probe\.cdn_share\s+ok 0\.\d`}, "note: no value"},
		{"a page that is not there still fails", "url: " + base + "/no-such-page", 1,
			[]string{`probe page\s+PROBLEM: .*404`, `: 7 problem\(s\) found online`}, "every signal answered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "launchwatch.yaml")
			body := "interval: 1s\nsources:\n  probe:\n    " + tt.probe + "\n"
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := execute(t, "config", "check", "--online", path)
			if code != tt.code {
				t.Fatalf("exit %d, want %d:\n%s%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !regexp.MustCompile(w).MatchString(out + errOut) {
					t.Errorf("output lacks %s:\n%s%s", w, out, errOut)
				}
			}
			if strings.Contains(out+errOut, tt.not) {
				t.Errorf("output has %q:\n%s%s", tt.not, out, errOut)
			}
		})
	}
}
