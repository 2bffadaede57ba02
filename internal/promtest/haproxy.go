package promtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// HAProxy is a running haproxy: Server is its built-in Prometheus
// exporter (URL, where /metrics is), SiteURL its one HTTP frontend.
type HAProxy struct {
	*Server
	// SiteURL is the frontend's base URL, e.g. http://127.0.0.1:41235.
	SiteURL string
	// Target is the exporter's address as a scrape target (host:port).
	Target string
}

// StartHAProxy starts Debian's haproxy (2.6, built with the Prometheus
// exporter as a service) in the foreground: a frontend named "web" on a
// free loopback port that sends every request to backend (host:port), and
// the exporter on another port at /metrics. It returns once both answer.
func StartHAProxy(t testing.TB, backend string) *HAProxy {
	t.Helper()
	bin := binary(t, "haproxy", "LAUNCHWATCH_HAPROXY_BIN")
	dir := t.TempDir()
	h := &HAProxy{}
	h.Server = start(t, "haproxy", "/metrics", func(exporter string) *exec.Cmd {
		site, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		h.SiteURL, h.Target = "http://"+site, exporter
		cfg := fmt.Sprintf(`global
	maxconn 1000
defaults
	mode http
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend web
	bind %s
	default_backend app
frontend exporter
	bind %s
	http-request use-service prometheus-exporter if { path /metrics }
backend app
	server app1 %s
`, site, exporter, backend)
		file := filepath.Join(dir, "haproxy.cfg")
		if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		// -db: the foreground, logs to stderr; -W would fork a master.
		return exec.Command(bin, "-db", "-f", file)
	})
	if err := answers(h.SiteURL); err != nil {
		t.Fatalf("haproxy's frontend %s: %v\n%s", h.SiteURL, err, tail(h.LogPath))
	}
	return h
}
