package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

// The three stacks init is tested against, each of real servers: what it
// writes passes config check --online, and watch --once --json gives the
// figures the servers' own counters give over the same moments, within
// 10%, while a load generator drives a steady load.

// Prometheus scraping nginx-prometheus-exporter and node_exporter: init
// takes requests and connections from the exporter, bandwidth and the
// host rows from node_exporter with the preset's queries unchanged (whose
// rule reads loopback here, the only device the load goes through), and
// says what stub_status cannot give.
func TestInitFromPrometheusOverNginxAndNodeExporter(t *testing.T) {
	nginx := promtest.StartNginx(t)
	exporter := promtest.StartNginxExporter(t, nginx)
	node := promtest.StartNodeExporter(t, "--collector.netdev.device-exclude=^$")
	prom := promtest.StartPrometheus(t, []string{hostPort(exporter.URL), hostPort(node.URL)}, time.Second)
	// Thirty browsers' keep-alive connections, idle after a page each:
	// the connections figure has something steady to count.
	for range 30 {
		holdConnection(t, hostPort(nginx.URL))
	}
	// Each request carries 256 KB: loopback is shared with every other
	// process on the machine, and the load's 52 MB/s outweighs their
	// chatter, so the bytes it counts are the load's.
	load := startLoad(t, nginx.URL+"/", "", 0, 256<<10)
	waitForSeries(t, prom.URL, "nginx_http_requests_total", "node_network_transmit_bytes_total")
	load.settle(t)

	file := filepath.Join(t.TempDir(), "launchwatch.yaml")
	out := initConfig(t, "--prometheus", prom.URL, "-o", file)
	for _, want := range []string{"Found nginx-prometheus-exporter (1 server): requests, connections", "Found node_exporter (1 server): bandwidth", "Network: bytes sent by device when read: lo "} {
		if !strings.Contains(out, want) {
			t.Errorf("init's summary lacks %q:\n%s", want, out)
		}
	}
	written := readFile(t, file)
	nodeSignals, _ := config.PresetSignals("node")
	for _, want := range []string{
		"sum(rate(nginx_http_requests_total[$__rate_interval]))",
		// The preset's rule, unchanged: loopback's bytes because the NIC
		// carries under 1% of them, not because init saw loopback busiest.
		"bandwidth:\n    query: " + nodeSignals["bandwidth"].Query + "\n",
		"# pv: no page-view counter found; nginx-prometheus-exporter: stub_status has none.",
		"scrape_interval: 1s",
	} {
		if !strings.Contains(written, want) {
			t.Errorf("the file lacks %q:\n%s", want, written)
		}
	}
	checkOnline(t, file)

	metrics, host := exporter.URL+"/metrics", node.URL+"/metrics"
	before, hostBefore := readCounters(t, metrics), readCounters(t, host)
	frame := watchOnce(t, file, rateWindow)
	after, hostAfter := readCounters(t, metrics), readCounters(t, host)
	within(t, "requests", frame.Snapshot.Requests, after.rate(before, "nginx_http_requests_total", nil))
	within(t, "connections", frame.Snapshot.Connections, after.sum("nginx_connections_active", nil))
	// The kernel's own count of the bytes loopback sent, as node_exporter
	// reads it.
	within(t, "bandwidth", frame.Snapshot.Bandwidth, hostAfter.rate(hostBefore, "node_network_transmit_bytes_total", map[string]string{"device": "lo"}))
}

// Prometheus scraping Caddy's own metrics: init takes every web signal
// from the caddy preset; one request in ten fails with a 500, and the
// error rate says so.
func TestInitFromPrometheusOverCaddy(t *testing.T) {
	caddy := promtest.StartCaddy(t, "respond /fail \"no\" 500\nrespond \"ok, a page of the shop\" 200")
	prom := promtest.StartPrometheus(t, []string{caddy.Target}, time.Second)
	load := startLoad(t, caddy.SiteURL+"/", caddy.SiteURL+"/fail", 10, 0)
	waitForSeries(t, prom.URL, "caddy_http_requests_total")
	load.settle(t)

	file := filepath.Join(t.TempDir(), "launchwatch.yaml")
	out := initConfig(t, "--prometheus", prom.URL, "-o", file)
	if !strings.Contains(out, "Found Caddy (1 server): requests, connections, bandwidth, error_rate, error_codes, latency_p50, latency_p95, latency_p99") {
		t.Errorf("init's summary:\n%s", out)
	}
	checkOnline(t, file)

	metrics := caddy.URL + "/metrics"
	before := readCounters(t, metrics)
	frame := watchOnce(t, file, rateWindow)
	after := readCounters(t, metrics)
	within(t, "requests", frame.Snapshot.Requests, after.rate(before, "caddy_http_requests_total", nil))
	within(t, "bandwidth", frame.Snapshot.Bandwidth, after.rate(before, "caddy_http_response_size_bytes", nil))
	failed := after.rate(before, "caddy_http_request_duration_seconds", map[string]string{"code": "500"})
	all := after.rate(before, "caddy_http_request_duration_seconds", nil)
	within(t, "error_rate", frame.Snapshot.ErrorRate, failed/all)
}

// The demo shop's /metrics read directly (no Prometheus): init takes the
// sim preset's scrape expressions and the fleet of its four servers, and
// weighs its sale page (--page) for the plan: the second launch's model
// has 20 resources of 50 KB. The shop runs ten times faster than the
// wall clock, so that the one second between watch's two polls holds a
// hundred of its steps, not ten, and its noise averages out.
func TestInitFromTheShopsMetricsRead(t *testing.T) {
	_, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 10, StartIn: time.Hour, Seed: 1})
	file := filepath.Join(t.TempDir(), "launchwatch.yaml")
	out := initConfig(t, "--scrape", base+"/metrics", "--page", base+"/", "-o", file)
	for _, want := range []string{"Found the demo storefront (launchwatch sim) (4 servers): pv, requests", "Fleet: 4 servers by exported_instance"} {
		if !strings.Contains(out, want) {
			t.Errorf("init's summary lacks %q:\n%s", want, out)
		}
	}
	written := readFile(t, file)
	for _, want := range []string{"#   resources_per_page: 20   # measured", "#   resource_size: 50KB      # measured"} {
		if !strings.Contains(written, want) {
			t.Errorf("the plan's skeleton lacks %q:\n%s", want, written)
		}
	}
	checkOnline(t, file)

	metrics := base + "/metrics"
	before := readCounters(t, metrics)
	frame := watchOnce(t, file, 0)
	after := readCounters(t, metrics)
	within(t, "pv", frame.Snapshot.PV, after.rate(before, "shop_page_views_total", nil))
	within(t, "requests", frame.Snapshot.Requests, after.rate(before, "shop_http_requests_total", nil))
}

// initConfig runs init and returns what it printed; a failure fails the
// test.
func initConfig(t *testing.T, args ...string) string {
	t.Helper()
	start := time.Now()
	out, errOut, code := execute(t, append([]string{"init"}, args...)...)
	if code != 0 {
		t.Fatalf("init exit %d: %s\n%s", code, errOut, out)
	}
	t.Logf("init took %s", time.Since(start).Round(time.Millisecond))
	return out
}

// checkOnline runs config check --online on file: every signal answers.
func checkOnline(t *testing.T, file string) {
	t.Helper()
	out, errOut, code := execute(t, "config", "check", "--online", file)
	if code != 0 {
		t.Fatalf("config check --online exit %d: %s\n%s\nthe file:\n%s", code, errOut, out, readFile(t, file))
	}
}

// onceFrame is the part of watch --once --json the tests compare.
type onceFrame struct {
	Snapshot struct {
		PV          *float64 `json:"pv"`
		Requests    *float64 `json:"requests"`
		Connections *float64 `json:"connections"`
		Bandwidth   *float64 `json:"bandwidth"`
		ErrorRate   *float64 `json:"error_rate"`
	} `json:"snapshot"`
}

// watchOnce runs watch --once --json on file, window after the caller's
// first reading of the servers' counters: the figures and the counters
// then cover about the same seconds. Through Prometheus a rate is taken
// over the rate window ending now; read directly, over the one interval
// between watch's two polls (window 0).
func watchOnce(t *testing.T, file string, window time.Duration) onceFrame {
	t.Helper()
	time.Sleep(window)
	out, errOut, code := execute(t, "watch", "-c", file, "--once", "--json")
	if code != 0 {
		t.Fatalf("watch --once exit %d: %s\n%s", code, errOut, out)
	}
	var f onceFrame
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return f
}

// within fails unless got is within 10% of want.
func within(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no figure, want %.4g", name, want)
		return
	}
	if want <= 0 || math.Abs(*got-want) > 0.1*want {
		t.Errorf("%s = %.4g, want %.4g (the servers' own counters) within 10%%", name, *got, want)
		return
	}
	t.Logf("%s = %.4g, the servers' counters %.4g", name, *got, want)
}

// counters is one reading of a /metrics page, and when it was taken.
type counters struct {
	at   time.Time
	fams map[string]*dto.MetricFamily
}

func readCounters(t *testing.T, url string) counters {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return counters{at: time.Now(), fams: fams}
}

// sum adds the values of a family's series carrying every label of
// match: a counter's or gauge's value, a histogram's count (or its sum,
// for the bytes of a size histogram).
func (c counters) sum(name string, match map[string]string) float64 {
	f, ok := c.fams[name]
	total := 0.0
	if !ok {
		return math.NaN()
	}
	for _, m := range f.GetMetric() {
		if !carries(m, match) {
			continue
		}
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		case m.Untyped != nil:
			total += m.GetUntyped().GetValue()
		case m.Histogram != nil && strings.HasSuffix(name, "_bytes"):
			total += m.GetHistogram().GetSampleSum()
		case m.Histogram != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total
}

// rate is the family's increase per second since before.
func (c counters) rate(before counters, name string, match map[string]string) float64 {
	return (c.sum(name, match) - before.sum(name, match)) / c.at.Sub(before.at).Seconds()
}

func carries(m *dto.Metric, match map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := match[l.GetName()]; ok && v == l.GetValue() {
			n++
		}
	}
	return n == len(match)
}

// load is a paced load generator: workers asking at a steady rate.
type load struct {
	started time.Time
	sent    atomic.Int64
}

// rateWindow is $__rate_interval at the tests' 1 s scrape.
const rateWindow = 4 * time.Second

// loadWorkers and loadEvery give 200 requests a second, steady enough that
// a rate over any few seconds is the same.
const (
	loadWorkers = 4
	loadEvery   = 20 * time.Millisecond
)

// startLoad asks page at a steady pace until the test ends; with every
// > 0, each every-th request goes to fail instead; with body > 0, each
// request is a POST of that many bytes.
func startLoad(t *testing.T, page, fail string, every int64, body int) *load {
	t.Helper()
	l := &load{started: time.Now()}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: loadWorkers}}
	for range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(loadEvery)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				url := page
				if n := l.sent.Add(1); every > 0 && n%every == 0 {
					url = fail
				}
				method, payload := http.MethodGet, io.Reader(nil)
				if body > 0 {
					method, payload = http.MethodPost, bytes.NewReader(make([]byte, body))
				}
				req, _ := http.NewRequestWithContext(ctx, method, url, payload)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	t.Cleanup(func() { cancel(); wg.Wait(); client.CloseIdleConnections() })
	return l
}

// settle waits until the load has run for longer than the rate window
// ($__rate_interval: 4 s at a 1 s scrape) and a scrape more, so that
// every rate is taken over steady load.
func (l *load) settle(t *testing.T) {
	t.Helper()
	if wait := 6*time.Second - time.Since(l.started); wait > 0 {
		time.Sleep(wait)
	}
	if l.sent.Load() == 0 {
		t.Fatal("the load generator sent nothing")
	}
}

// holdConnection opens a keep-alive connection, asks one page and leaves
// it open until the test ends.
func holdConnection(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: shop\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func hostPort(u string) string { return strings.TrimPrefix(u, "http://") }

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
