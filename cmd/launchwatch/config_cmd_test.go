package main

import (
	"strings"
	"testing"
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
