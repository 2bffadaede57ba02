// Package promtest starts real servers for integration tests: Prometheus
// and VictoriaMetrics, and the exporters a shop runs (nginx with its
// exporter, node_exporter). Each runs on a free loopback port with a
// temporary directory, is ready before its Start function returns, and is
// killed when the test ends. Its log goes to a file that is dumped into the
// test output when the test fails.
//
// The binaries are found on PATH (or through LAUNCHWATCH_PROMETHEUS_BIN and
// the like). A missing binary skips the test, unless
// LAUNCHWATCH_REQUIRE_INTEGRATION is set (testtool.IntegrationRequired),
// when it fails it: CI sets that so a broken image cannot turn the
// integration tests into silent skips. Under -short every Start skips.
package promtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/testtool"
)

// readyTimeout bounds how long a server may take to start answering.
const readyTimeout = 30 * time.Second

// logTail is how much of a server's log a failed test shows.
const logTail = 8 << 10

// Server is a running Prometheus-API server.
type Server struct {
	// Name is "prometheus" or "victoria-metrics".
	Name string
	// URL is the base URL of its HTTP API, e.g. http://127.0.0.1:41234.
	URL string
	// LogPath is the file its output goes to.
	LogPath string

	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // its exit status, once exited is closed
	killed bool          // we ended it, so its exit is no failure
}

// StartPrometheus starts Prometheus scraping targets (host:port, path
// /metrics) every scrapeInterval, and returns once /-/ready answers 200.
func StartPrometheus(t testing.TB, scrapeTargets []string, scrapeInterval time.Duration) *Server {
	t.Helper()
	bin := binary(t, "prometheus", "LAUNCHWATCH_PROMETHEUS_BIN")
	dir := t.TempDir()
	cfgPath := writeScrapeConfig(t, dir, scrapeTargets, scrapeInterval)
	return start(t, "prometheus", "/-/ready", func(addr string) *exec.Cmd {
		return exec.Command(bin,
			"--config.file="+cfgPath,
			"--storage.tsdb.path="+filepath.Join(dir, "data"),
			"--web.listen-address="+addr,
			"--log.level=info",
		)
	})
}

// StartPrometheusOn starts Prometheus on an existing TSDB directory, such
// as the blocks `promtool tsdb create-blocks-from` wrote, scraping nothing,
// and returns once /-/ready answers 200. Retention is a century, so blocks
// of any age are kept and answer queries.
func StartPrometheusOn(t testing.TB, dataDir string) *Server {
	t.Helper()
	bin := binary(t, "prometheus", "LAUNCHWATCH_PROMETHEUS_BIN")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte("global: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return start(t, "prometheus", "/-/ready", func(addr string) *exec.Cmd {
		return exec.Command(bin,
			"--config.file="+cfgPath,
			"--storage.tsdb.path="+dataDir,
			"--storage.tsdb.retention.time=100y",
			"--web.listen-address="+addr,
			"--log.level=info",
		)
	})
}

// StartVictoriaMetrics starts single-node VictoriaMetrics scraping targets
// every scrapeInterval, and returns once /health answers 200.
//
// VictoriaMetrics hides samples newer than -search.latencyOffset (30 s by
// default) from queries, because with many agents pushing the newest
// points may still be incomplete. A test against a 1 s scrape wants them
// within seconds, so the server runs with 1 s; a client querying it should
// still stay that far back (launchwatch's sources.prometheus.latency_offset
// exists for exactly this: it moves the evaluation time into the past so
// an instant query sees settled data rather than a gap or a half-written
// point). Response caching is off because tests query moments that were
// in the future a second ago.
func StartVictoriaMetrics(t testing.TB, scrapeTargets []string, scrapeInterval time.Duration) *Server {
	t.Helper()
	return StartVictoriaMetricsWithLatencyOffset(t, scrapeTargets, scrapeInterval, time.Second)
}

// StartVictoriaMetricsWithLatencyOffset is StartVictoriaMetrics with the
// server's -search.latencyOffset set: 30 s is its default, the one a real
// installation most likely runs with, under which it answers with no data
// newer than 30 s.
func StartVictoriaMetricsWithLatencyOffset(t testing.TB, scrapeTargets []string, scrapeInterval, latencyOffset time.Duration) *Server {
	t.Helper()
	bin := binary(t, "victoria-metrics", "LAUNCHWATCH_VICTORIA_METRICS_BIN")
	dir := t.TempDir()
	cfgPath := writeScrapeConfig(t, dir, scrapeTargets, scrapeInterval)
	return start(t, "victoria-metrics", "/health", func(addr string) *exec.Cmd {
		return exec.Command(bin,
			"-promscrape.config="+cfgPath,
			"-storageDataPath="+filepath.Join(dir, "data"),
			"-httpListenAddr="+addr,
			"-search.latencyOffset="+latencyOffset.String(),
			"-search.disableCache",
			"-retentionPeriod=1d",
		)
	})
}

// binary finds a server's executable, or skips (or fails) the test.
func binary(t testing.TB, name, env string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("%s integration test skipped under -short", name)
	}
	if p := os.Getenv(env); p != "" {
		return p
	}
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not found on PATH (set %s to its path): %v", name, env, err)
	if testtool.IntegrationRequired() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// writeScrapeConfig writes a Prometheus-format scrape config both servers
// accept, and returns its path.
func writeScrapeConfig(t testing.TB, dir string, targets []string, interval time.Duration) string {
	t.Helper()
	if interval <= 0 {
		interval = time.Second
	}
	quoted := make([]string, len(targets))
	for i, tg := range targets {
		quoted[i] = strconv.Quote(tg)
	}
	// scrape_timeout must not exceed the interval; the default (10 s)
	// would be refused with a 1 s interval.
	cfg := fmt.Sprintf(`global:
  scrape_interval: %[1]s
  scrape_timeout: %[1]s
scrape_configs:
  - job_name: launchwatch-test
    static_configs:
      - targets: [%[2]s]
`, interval, strings.Join(quoted, ", "))
	path := filepath.Join(dir, "scrape.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// start runs the server on a free port and waits until readyPath answers.
// A port taken between choosing and binding is retried on another.
func start(t testing.TB, name, readyPath string, command func(addr string) *exec.Cmd) *Server {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })

	var lastErr error
	for range 3 {
		addr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		s := &Server{Name: name, URL: "http://" + addr, LogPath: logPath, exited: make(chan struct{})}
		s.cmd = command(addr)
		s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		go func() {
			s.err = s.cmd.Wait()
			close(s.exited)
		}()
		if lastErr = s.waitReady(readyPath); lastErr == nil {
			// Cleanups run last-first: the process is killed and its log
			// shown before the temp dirs are removed.
			t.Cleanup(func() { s.stop(t) })
			return s
		}
		s.kill()
		if !s.hasExited() {
			break // running but never ready: another port will not help
		}
	}
	t.Fatalf("%s did not become ready: %v\n%s", name, lastErr, tail(logPath))
	return nil
}

// freeAddr picks a free loopback port. The kernel may hand it to someone
// else before the server binds it; start retries when that happens.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls readyPath until it answers 200, the process exits, or
// readyTimeout passes.
func (s *Server) waitReady(readyPath string) error {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+readyPath, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s", readyPath, resp.Status)
		}
		last = err
		select {
		case <-s.exited:
			status := "exit status 0"
			if s.err != nil {
				status = s.err.Error()
			}
			return fmt.Errorf("exited (%s); last: %w", status, last)
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s: %w", readyTimeout, last)
		case <-tick.C:
		}
	}
}

func (s *Server) hasExited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// kill stops the process and waits for it; its data dir is thrown away,
// so there is nothing to shut down gracefully.
func (s *Server) kill() {
	s.killed = true
	if !s.hasExited() {
		_ = s.cmd.Process.Kill()
	}
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
	}
}

// stop kills the server at cleanup and shows its log if the test failed.
func (s *Server) stop(t testing.TB) {
	if s.hasExited() && !s.killed {
		t.Errorf("%s exited during the test: %v", s.Name, s.err)
	}
	s.kill()
	if t.Failed() {
		t.Logf("%s log (%s), last %d bytes:\n%s", s.Name, s.LogPath, logTail, tail(s.LogPath))
	}
}

// tail returns the end of a log file.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > logTail {
		b = b[len(b)-logTail:]
	}
	return string(b)
}
