package promtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Caddy is a running `caddy run`: Server is its admin API (URL, where
// /metrics is), SiteURL its one site.
type Caddy struct {
	*Server
	// SiteURL is the site's base URL, e.g. http://127.0.0.1:41235.
	SiteURL string
	// Target is the admin address as a scrape target (host:port): its
	// series carry it as their instance label.
	Target string
}

// StartCaddy starts Caddy (Debian's caddy 2.6) with its HTTP metrics on
// (`servers { metrics }` in the global options), its admin API on a free
// loopback port and one site on another, and returns once both answer.
// site is the Caddyfile text inside the site block, e.g. `respond "ok"`
// or `reverse_proxy 127.0.0.1:9000`.
//
// The site is addressed by host (http://127.0.0.1:PORT), so Caddy wraps
// its routes in one subroute: the only top-level handler, hence each
// request is counted once in caddy_http_requests_total. Caddy's data and
// config dirs (and its autosave.json) go to a temporary directory.
func StartCaddy(t testing.TB, site string) *Caddy {
	t.Helper()
	bin := binary(t, "caddy", "LAUNCHWATCH_CADDY_BIN")
	dir := t.TempDir()
	c := &Caddy{}
	c.Server = start(t, "caddy", "/metrics", func(admin string) *exec.Cmd {
		siteAddr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		c.SiteURL = "http://" + siteAddr
		c.Target = admin
		body := fmt.Sprintf(`{
	admin %s
	auto_https off
	servers {
		metrics
	}
}
%s {
%s
}
`, admin, c.SiteURL, indent(site))
		file := filepath.Join(dir, "Caddyfile")
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "run", "--config", file, "--adapter", "caddyfile")
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
		return cmd
	})
	// The admin API answers before the site listens: wait for the site
	// too (any HTTP answer will do; the site may be made to fail).
	if err := answers(c.SiteURL); err != nil {
		t.Fatalf("caddy's site %s: %v\n%s", c.SiteURL, err, tail(c.LogPath))
	}
	return c
}

// answers polls url until it gives any HTTP response, or readyTimeout
// passes.
func answers(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer after %s: %w", readyTimeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "\t" + strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}
