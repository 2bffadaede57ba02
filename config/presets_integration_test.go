package config_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The load on the stack: requests per second, paced, to nginx's page,
// Caddy's page and Caddy's failing path (so error_codes has a code).
const (
	nginxRPS    = 50.0
	caddyRPS    = 30.0
	caddyFailPS = 5.0
	maxLoad     = 2 * time.Minute // the load stops by itself, whatever the test does
)

// TestTheWebServerPresetsAnswerOnARealStack runs the stacks the nginx-node
// and caddy presets are for (nginx with prometheus-nginx-exporter and
// prometheus-node-exporter; Caddy's own metrics), a real Prometheus
// scraping them every second, and a little load on loopback. Every query
// of both presets answers with a value through the Prometheus source, as
// `config check --online` asks them; and the bandwidth, served over
// loopback here, is loopback's while the NIC carries less than 1% of it.
func TestTheWebServerPresetsAnswerOnARealStack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx, its exporters, Caddy and Prometheus")
	}
	nginx := promtest.StartNginx(t)
	exporter := promtest.StartNginxExporter(t, nginx)
	// Debian's node_exporter leaves loopback out unless told otherwise.
	node := promtest.StartNodeExporter(t, "--collector.netdev.device-exclude=")
	caddy := promtest.StartCaddy(t, "respond /fail \"no\" 503\nrespond \"ok\"")
	prom := promtest.StartPrometheus(t, []string{hostPort(t, exporter.URL), hostPort(t, node.URL), caddy.Target}, time.Second)
	load(t, map[string]float64{nginx.URL + "/": nginxRPS, caddy.SiteURL + "/": caddyRPS, caddy.SiteURL + "/fail": caddyFailPS})

	client, err := api.NewClient(api.Config{Address: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	papi := promv1.NewAPI(client)
	// Ready once every target has been scraped under load for a rate
	// window and more: 8 samples in the last 8 s.
	waitFor(t, papi, "min(count_over_time(up[8s])) >= 8 and min(up) == 1")

	for _, preset := range []string{"nginx-node", "caddy"} {
		t.Run(preset, func(t *testing.T) {
			cfg, err := config.Parse(preset+".yaml", fmt.Appendf(nil,
				"interval: 1s\npreset: %s\nsources:\n  prometheus: {url: %s, scrape_interval: 1s}\n", preset, prom.URL))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rep, err := collectors.CheckOnline(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			queries, _ := config.PresetQueries(preset, "buy")
			answered := map[string]bool{}
			for _, l := range rep.Lines {
				answered[l.Signal] = true
				if l.Problem != "" || !l.Value.OK() {
					t.Errorf("%s: %s = %v, problem %q", preset, l.Signal, l.Value, l.Problem)
				}
			}
			for addr := range queries {
				if !strings.HasPrefix(addr, "endpoints.") && !answered[addr] {
					t.Errorf("%s: %s was not asked", preset, addr)
				}
			}
			if rep.Problems() != 0 {
				var b strings.Builder
				_ = rep.WriteText(&b)
				t.Errorf("%s: %d problems:\n%s", preset, rep.Problems(), b.String())
			}
		})
	}

	t.Run("bandwidth over loopback", func(t *testing.T) {
		// Three queries read one moment, settled: a scrape stamped before
		// now may still be ingested between them, and one query would
		// see a sample the others did not. At 1 s scrapes, 3 s back every
		// sample of the window is in.
		at := time.Now().Add(-3 * time.Second)
		vars := promql.Vars{Interval: time.Second, Scrape: time.Second}
		value := func(q string) float64 {
			t.Helper()
			filled, err := promql.Expand(q, vars)
			if err != nil {
				t.Fatal(err)
			}
			v, _, _, err := papi.Query(context.Background(), filled, at)
			if err != nil {
				t.Fatalf("%s: %v", filled, err)
			}
			vec, ok := v.(model.Vector)
			if !ok || len(vec) != 1 {
				t.Fatalf("%s answered %v, want one series", filled, v)
			}
			return float64(vec[0].Value)
		}
		queries, _ := config.PresetQueries("nginx-node", "")
		bw := value(queries[snapshot.SignalBandwidth])
		lo := value(`sum(rate(node_network_transmit_bytes_total{device="lo"}[$__rate_interval]))`)
		nic := value(`sum(rate(node_network_transmit_bytes_total` + config.PhysicalDevices + `[$__rate_interval])) or vector(0)`)
		t.Logf("bandwidth %.0f B/s; loopback %.0f B/s, the other devices %.0f B/s", bw, lo, nic)
		if lo <= 0 {
			t.Fatalf("loopback carries nothing under load: %.0f B/s", lo)
		}
		want, which := nic, "the NIC's"
		if nic < 0.01*lo {
			want, which = lo, "loopback's"
		}
		if math.Abs(bw-want) > 1e-9*want {
			t.Errorf("bandwidth = %.0f B/s, want %s %.0f B/s", bw, which, want)
		}
	})
}

// hostPort is a server's URL as a scrape target.
func hostPort(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// load sends paced GETs to each URL at its rate until the test ends (or
// maxLoad passes), and waits for them to stop at its end.
func load(t *testing.T, rates map[string]float64) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for target, rps := range rates {
		wg.Go(func() {
			tick := time.NewTicker(time.Duration(float64(time.Second) / rps))
			defer tick.Stop()
			end := time.After(maxLoad)
			for {
				select {
				case <-stop:
					return
				case <-end:
					return
				case <-tick.C:
					if resp, err := client.Get(target); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}
		})
	}
	t.Cleanup(func() { close(stop); wg.Wait() })
}

// waitFor waits, at most 60 s, until query answers a series.
func waitFor(t *testing.T, papi promv1.API, query string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		v, _, _, err := papi.Query(context.Background(), query, time.Now())
		if vec, ok := v.(model.Vector); err == nil && ok && len(vec) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true in 60 s (last: %v, %v)", query, v, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestTheHostBandwidthRule holds the nginx-node (and node) preset's
// bandwidth to its rule in Prometheus' own engine (promtool test rules),
// on series whose rates are known exactly: the real devices' transmit
// rate, virtual devices left out (containers', bridges', tunnels', bond
// and team masters', VLAN sub-interfaces'); loopback's instead when they
// carry less than 1% of it; never the two added. host.net_tx reads the
// same devices.
func TestTheHostBandwidthRule(t *testing.T) {
	promtool := testtool.Require(t, "promtool")
	expand := func(preset, signal string) string {
		t.Helper()
		queries, _ := config.PresetQueries(preset, "")
		q, err := promql.Expand(queries[signal], promql.Vars{Interval: time.Second, Scrape: 15 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	bandwidth, netTX := expand("nginx-node", snapshot.SignalBandwidth), expand("node", snapshot.SignalHostNetTX)
	// Each device's bytes per second, as a counter sampled every 15 s;
	// want is the bandwidth, tx host.net_tx (the physical devices' alone,
	// never loopback's; -1: no series).
	tests := []struct {
		name     string
		devices  map[string]int
		want, tx int
	}{
		{"a server's NIC carries the site; loopback's internal traffic is not added", map[string]int{"eth0": 10000, "lo": 50000}, 10000, 10000},
		{"virtual devices repeat the NIC's bytes and are left out", map[string]int{"eth0": 10000, "docker0": 4000, "veth1a2b": 4000, "br-5f3c": 4000, "lo": 100}, 10000, 10000},
		{"two NICs add up", map[string]int{"eth0": 1000, "eth1": 2000}, 3000, 3000},
		{"a site served over loopback, the NIC's trickle beside it", map[string]int{"eth0": 400, "lo": 50000}, 50000, 400},
		{"the NIC at 1% of loopback is the traffic", map[string]int{"eth0": 500, "lo": 50000}, 500, 500},
		{"loopback alone (a network namespace)", map[string]int{"lo": 2000}, 2000, -1},
		{"no loopback series (Debian's node_exporter by default)", map[string]int{"eth0": 1000}, 1000, 1000},
		{"nothing moving", map[string]int{"eth0": 0, "lo": 0}, 0, 0},
		// A bond's (or team's) members are physical and carry its bytes:
		// the master counted too would double them.
		{"a bond master beside its two members is left out", map[string]int{"bond0": 3000, "eno1": 1000, "eno2": 2000}, 3000, 3000},
		{"a team master beside its member is left out", map[string]int{"team0": 700, "enp1s0": 700}, 700, 700},
		{"a VLAN sub-interface's tagged frames are counted on its parent", map[string]int{"ens3": 5000, "ens3.100": 2000}, 5000, 5000},
		{"WireGuard's packets leave encapsulated through the NIC", map[string]int{"eth0": 8000, "wg0": 6000}, 8000, 8000},
		{"a bridge over the NIC (br0, Proxmox' vmbr0, Podman's) repeats its bytes", map[string]int{"eno1": 9000, "br0": 9000, "vmbr0": 9000, "podman0": 1000, "lxdbr0": 1000, "ovs-system": 9000}, 9000, 9000},
		{"Tailscale's and ZeroTier's tunnels leave through the NIC", map[string]int{"eth0": 4000, "tailscale0": 3000, "zt0": 1000, "genev_sys_6081": 500}, 4000, 4000},
		// Host by host: web-1 serves through its NIC, web-2 over its
		// loopback; the site is the sum of the two, as the fleet shows.
		{"each host chooses for itself", map[string]int{"eth0": 10000, "lo": 1000, "web-2:9100/eth0": 5, "web-2:9100/lo": 20000}, 30000, 10005},
	}
	var b strings.Builder
	b.WriteString("tests:\n")
	for _, tt := range tests {
		fmt.Fprintf(&b, "  - name: %q\n    interval: 15s\n    input_series:\n", tt.name)
		for name, rate := range tt.devices {
			// "web-2:9100/eth0" is another host's device; a bare name web-1's.
			instance, dev, ok := strings.Cut(name, "/")
			if !ok {
				instance, dev = "web-1:9100", name
			}
			fmt.Fprintf(&b, "      - series: 'node_network_transmit_bytes_total{device=%q, instance=%q}'\n        values: '0+%dx40'\n", dev, instance, rate*15)
		}
		fmt.Fprintf(&b, "    promql_expr_test:\n      - expr: %q\n        eval_time: 5m\n        exp_samples:\n          - labels: '{}'\n            value: %d\n", bandwidth, tt.want)
		fmt.Fprintf(&b, "      - expr: %q\n        eval_time: 5m\n", netTX)
		if tt.tx < 0 {
			b.WriteString("        exp_samples: []\n")
		} else {
			fmt.Fprintf(&b, "        exp_samples:\n          - labels: '{}'\n            value: %d\n", tt.tx)
		}
	}
	file := filepath.Join(t.TempDir(), "bandwidth_test.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "test", "rules", file).CombinedOutput(); err != nil {
		t.Errorf("promtool test rules: %v\n%s\n%s", err, out, b.String())
	}
}
