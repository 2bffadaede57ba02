package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/serve"
	"github.com/launchwatch/launchwatch/sim"
)

// queryCounter is a reverse proxy in front of a Prometheus that counts the
// instant queries it passes on, by expression.
type queryCounter struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
}

func newQueryCounter(t *testing.T, target string) *queryCounter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := &queryCounter{counts: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	q.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/query" {
			// client_golang POSTs the form: read it, then hand the body on.
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			form, _ := url.ParseQuery(string(body))
			expr := form.Get("query")
			if expr == "" {
				expr = r.URL.Query().Get("query")
			}
			q.mu.Lock()
			q.counts[expr]++
			q.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(q.Close)
	return q
}

func (q *queryCounter) snapshot() map[string]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[string]int, len(q.counts))
	for k, v := range q.counts {
		out[k] = v
	}
	return out
}

// sshKey makes a throwaway key pair and returns the private key's path.
func sshKey(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	return path
}

// sshArgs are an OpenSSH client's arguments for a throwaway server: no
// user config, no known hosts, only the given key, never a prompt.
func sshArgs(key, port string) []string {
	return []string{"-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-p", port, "127.0.0.1"}
}

// promConfig is the demo's plan over a Prometheus scraping the simulator.
func promConfig(t *testing.T, promURL string) string {
	t.Helper()
	return serveConfig(t, "serve e2e", fmt.Sprintf(`  prometheus:
    url: %s
    scrape_interval: 1s
`, promURL))
}

// serveConfig writes the serve tests' config: the demo plan and the buy
// endpoint, watching sources (a sources block's body, indented).
func serveConfig(t *testing.T, name, sources string) string {
	t.Helper()
	body := fmt.Sprintf(`launch:
  name: %s
interval: 1s
preset: sim
sources:
%sendpoints:
  - name: buy
    max_qps: 100
plan:
  peak_pv: 200
  resources_per_page: 20
  resource_size: 50KB
  download_speed: 200KB/s
  cdn_share: 0.9
  stock:
    total: 1000
    sell_out: 10m
`, name, sources)
	path := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// servingOn finds the port in serve's first line.
var servingOn = regexp.MustCompile(`on ssh://127\.0\.0\.1:(\d+) `)

func TestTwoSSHScreensWatchOneServeThatPollsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary, starts Prometheus and drives OpenSSH in tmux")
	}
	testtool.Require(t, "ssh")
	testtool.Require(t, "ssh-keygen")
	testtool.Require(t, "tmux")
	bin := buildBinary(t)
	_, shop := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Minute, Seed: 1})
	prom := promtest.StartPrometheus(t, []string{strings.TrimPrefix(shop, "http://")}, time.Second)
	counter := newQueryCounter(t, prom.URL)

	dir := t.TempDir()
	engineer, stranger := sshKey(t, dir, "engineer"), sshKey(t, dir, "stranger")
	pub, err := os.ReadFile(engineer + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	authorized := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authorized, append([]byte("# the war room\n"), pub...), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, bin, dir, "--config", promConfig(t, counter.URL), "--authorized-keys", authorized, "--max-sessions", "2")
	port := srv.port
	if fi, err := os.Stat(filepath.Join(dir, "launchwatch", serve.HostKeyName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the host key in the state directory: %v %v, want mode 0600", fi, err)
	}

	// Two engineers, two terminal sizes, one server.
	ssh := "ssh " + strings.Join(sshArgs(engineer, port), " ")
	wide := startTmux(t, 120, 40, ssh)
	narrow := startTmux(t, 100, 30, ssh)
	wide.waitFor("the wide screen's tiles to show numbers", 60*time.Second, tilesShowNumbers)
	narrowScreen := narrow.waitFor("the narrow screen's tiles to show numbers", 60*time.Second, tilesShowNumbers)
	if strings.Contains(narrowScreen, "PV/s · plan peak") {
		t.Errorf("the 100x30 session shows the charts of a large screen: its size is not its own\n%s", narrowScreen)
	}

	// While both watch, the sources are polled once: each query reaches
	// Prometheus once a poll, not once a screen.
	const window = 6 * time.Second
	before := counter.snapshot()
	time.Sleep(window)
	after := counter.snapshot()
	polls := int(window/time.Second) + 2 // the interval is 1 s; a poll either side of the window
	for expr, n := range after {
		d := n - before[expr]
		t.Logf("%2d queries in %s: %s", d, window, expr)
		if d > polls {
			t.Errorf("%q reached Prometheus %d times in %s with two screens: more than one poller's %d", expr, d, window, polls)
		}
	}
	if len(after) == 0 {
		t.Fatal("no query reached Prometheus")
	}
	for _, s := range []*tmuxSession{wide, narrow} {
		if sc := s.capture(); !tilesShowNumbers(sc) {
			t.Errorf("a screen lost its figures while the other watched:\n%s", sc)
		}
	}

	// A third screen is over the cap of two, and says so.
	out, err := exec.Command("ssh", append([]string{"-tt"}, sshArgs(engineer, port)...)...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "all 2 screens are taken") {
		t.Errorf("a third session past --max-sessions 2: err %v, output %q", err, out)
	}
	// A key not in authorized_keys is refused.
	out, err = exec.Command("ssh", sshArgs(stranger, port)...).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 255 || !strings.Contains(string(out), "Permission denied (publickey)") {
		t.Errorf("an unknown key: err %v, output %q; want ssh's refusal (exit 255)", err, out)
	}

	// q ends one session and leaves the other watching.
	wide.tmux("send-keys", "-t", wide.name, "q")
	if status := wide.exitStatus(15 * time.Second); status != "0" {
		t.Errorf("ssh after q exited %s, want 0", status)
	}
	clock := regexp.MustCompile(`\d{2}:\d{2}:\d{2}`)
	first := clock.FindString(header(narrow.capture()))
	narrow.waitFor("the remaining screen's clock to move", 10*time.Second, func(sc string) bool {
		c := clock.FindString(header(sc))
		return c != "" && c != first
	})

	// SIGTERM closes the sessions and the recording.
	srv.stop(syscall.SIGTERM)
	if !regexp.MustCompile(`recorded [\d,]+ snapshots to `).MatchString(srv.output()) {
		t.Errorf("serve did not close its recording:\n%s", srv.output())
	}
	narrow.requireToldAndGivenBack(stopLine("SIGTERM"))
}
