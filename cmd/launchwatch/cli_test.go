package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

// execute runs the CLI in-process.
func execute(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), code
}

var worked = []string{"plan", "--pv", "100", "--resources", "30", "--resource-size", "100KB", "--download-speed", "100KB/s", "--conn-memory", "10KB"}

func TestPlanPrintsTheWorkedExample(t *testing.T) {
	out, errOut, code := execute(t, worked...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"300 MB/s", "2.4 Gbit/s", "3,000", "30 MB"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestPlanJSONHasTheWorkedExampleExactly(t *testing.T) {
	out, errOut, code := execute(t, append(worked, "--json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]float64{"bandwidth_bytes_per_sec": 300000000, "bandwidth_bits_per_sec": 2400000000, "connections": 3000, "memory_bytes": 30000000}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want exactly %v", k, got[k], v)
		}
	}
}

func TestPlanNamesTheLimitThePeakBreaksFirst(t *testing.T) {
	out, _, code := execute(t, append(worked, "--link", "1Gbps", "--max-conns", "5000", "--memory", "1GB")...)
	// A broken limit exits 2 (plan's documented exit status), not 0.
	if code != 2 {
		t.Fatalf("exit %d, want 2:\n%s", code, out)
	}
	// 1 Gbit/s = 125 MB/s is reached at 41.7 PV/s; 5,000 connections at
	// 167; 1 GB of memory at 3,333.
	for _, want := range []string{"breaks the link limit first (at 41.7 PV/s)", "41.7 PV/s", "167 PV/s", "3,333 PV/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestPlanRefusesBadInputNamingTheFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a zero download speed", []string{"plan", "--pv", "100", "--resources", "30", "--resource-size", "100KB", "--download-speed", "0KB/s"}, "--download-speed (plan.download_speed): must be > 0"},
		{"an unknown unit", []string{"plan", "--pv", "100", "--resources", "30", "--resource-size", "100XB", "--download-speed", "1MB/s"}, "--resource-size (plan.resource_size)"},
		{"a negative size", []string{"plan", "--pv", "100", "--resources", "30", "--resource-size", "-5KB", "--download-speed", "1MB/s"}, "-5KB"},
		{"no plan at all", []string{"plan"}, "no plan: give --pv"},
		{"a CDN share above one", append(append([]string{}, worked...), "--cdn-share", "1.5"), "--cdn-share (plan.cdn_share)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := execute(t, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want failure naming %q", code, errOut, tt.want)
			}
		})
	}
}

func TestPlanReadsAConfigsPlanSection(t *testing.T) {
	out, errOut, code := execute(t, "plan", "--config", "../../examples/demo.yaml", "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	// 200 PV x 20 x 50 KB = 200 MB/s, 90% through the CDN.
	if got["bandwidth_bytes_per_sec"] != 200e6 || got["origin_bandwidth_bytes_per_sec"] != 20e6 {
		t.Errorf("demo plan = %v", got)
	}
}

func TestConfigCheckAcceptsTheExamplesAndPlacesErrors(t *testing.T) {
	for _, f := range []string{"../../examples/demo.yaml", "../../examples/launchwatch.yaml"} {
		if out, errOut, code := execute(t, "config", "check", f); code != 0 || !strings.Contains(out, "is valid") {
			t.Errorf("%s: exit %d %s", f, code, errOut)
		}
	}
	_, errOut, code := execute(t, "config", "check", "../../config/testdata/bad-unknown-field.yaml")
	if code == 0 || !strings.Contains(errOut, "bad-unknown-field.yaml:6: plan.resourses_per_page") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestVersionAndTheBareCommand(t *testing.T) {
	out, _, code := execute(t, "version")
	if code != 0 || !strings.Contains(out, "launchwatch dev (commit none, "+runtime.Version()) {
		t.Errorf("version: %q", out)
	}
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.Chdir(wd) }()
	out, _, code = execute(t)
	if code != 0 || !strings.Contains(out, "launchwatch demo") {
		t.Errorf("bare: exit %d %q", code, out)
	}
	help, _, _ := execute(t, "--help")
	for _, sub := range []string{"demo", "watch", "sim", "plan", "config", "version"} {
		if !strings.Contains(help, "  "+sub+" ") {
			t.Errorf("--help does not list %s:\n%s", sub, help)
		}
	}
}

func TestSimRefusesBadOptionsClearly(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown scenario", []string{"sim", "--scenario", "third-launch"}, "first-launch, second-launch"},
		{"a speed of zero", []string{"sim", "--speed", "0"}, "speed 0"},
		{"a negative start", []string{"sim", "--start-in", "-1m"}, "start-in -1m0s: must not be negative"},
		{"a port in use", []string{"sim", "--listen", busy.Addr().String()}, "listen " + busy.Addr().String() + ": address already in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := execute(t, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %q", code, errOut, tt.want)
			}
		})
	}
}

// deadURL is a loopback address nothing listens on.
func deadURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/metrics"
}

func writeConfig(t *testing.T, target string, host bool) string {
	t.Helper()
	hostBlock := ""
	if host {
		hostBlock = "  host: {}\n"
	}
	body := fmt.Sprintf("interval: 500ms\npreset: sim\nsources:\n  scrape:\n    targets: [%s]\n%sendpoints:\n  - name: buy\n    max_qps: 100\n", target, hostBlock)
	path := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWatchOnceExitsByHowManySourcesAnswered(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator and polls it")
	}
	// The sale opens in an hour: before it, the stock is exactly 1,000.
	_, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Hour, Seed: 1})
	live, dead := base+"/metrics", deadURL(t)
	tests := []struct {
		name     string
		target   string
		host     bool
		code     int
		failedOK map[string]bool
	}{
		{"every source answers: 0", live, true, 0, map[string]bool{"scrape": true, "host": true}},
		{"the scrape target is down but the host answers: 1", dead, true, 1, map[string]bool{"scrape": false, "host": true}},
		{"the only source is down: 2", dead, false, 2, map[string]bool{"scrape": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			out, errOut, code := execute(t, "watch", "--config", writeConfig(t, tt.target, tt.host), "--once", "--json")
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s\n%s", code, tt.code, errOut, out)
			}
			var frame struct {
				Snapshot struct {
					PV      *float64 `json:"pv"`
					Stock   *float64 `json:"stock"`
					Sources map[string]struct {
						OK    bool   `json:"ok"`
						Error string `json:"error"`
					} `json:"sources"`
				} `json:"snapshot"`
				Assessment struct {
					Phase     string `json:"phase"`
					Bandwidth struct {
						Predicted *float64 `json:"predicted"`
						AtPeak    float64  `json:"at_peak"`
					} `json:"bandwidth"`
					Endpoints []struct {
						Name   string  `json:"name"`
						MaxQPS float64 `json:"max_qps"`
					} `json:"endpoints"`
				} `json:"assessment"`
				Levels   map[string]string `json:"levels"`
				Problems []struct {
					Kind    string `json:"kind"`
					Subject string `json:"subject"`
				} `json:"problems"`
			}
			if err := json.Unmarshal([]byte(out), &frame); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			snap := frame.Snapshot
			for name, ok := range tt.failedOK {
				src, present := snap.Sources[name]
				if !present || src.OK != ok {
					t.Errorf("source %s = %+v, want ok=%v", name, src, ok)
				}
				if !ok && !strings.Contains(src.Error, "connection refused") {
					t.Errorf("source %s error %q does not say why", name, src.Error)
				}
			}
			// The assessment is the screen's: the phase (live: the config
			// names no launch time), the formulas at the PV seen, the
			// endpoints against their ceilings.
			a := frame.Assessment
			if a.Phase != "live" || len(a.Endpoints) != 1 || a.Endpoints[0].MaxQPS != 100 {
				t.Errorf("assessment = %+v", a)
			}
			if tt.code == 0 {
				if snap.PV == nil || snap.Stock == nil || *snap.Stock != 1000 {
					t.Errorf("a live shop before launch: pv=%v stock=%v", snap.PV, snap.Stock)
				}
				if a.Bandwidth.Predicted == nil {
					t.Error("with PV measured, the plan's bandwidth at that PV must be there")
				}
				// Before the launch the shop's buy endpoint idles: ok, by name.
				if frame.Levels["endpoint/buy"] != "ok" {
					t.Errorf("levels = %v, want endpoints.buy ok", frame.Levels)
				}
			}
			if tt.code != 0 {
				down := false
				for _, p := range frame.Problems {
					down = down || (p.Kind == "source" && p.Subject == "scrape")
				}
				if !down {
					t.Errorf("the failed scrape source is not among the problems: %+v", frame.Problems)
				}
			}
			t.Logf("took %s", time.Since(start).Round(time.Millisecond))
		})
	}
}

func TestExportRefusesToWriteOverItsOwnRecording(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "launch.lwrec.jsonl")
	if err := os.WriteFile(rec, []byte(`{"format":"launchwatch-recording","version":1,"launch":{"name":"x"},"interval":"1s","launchwatch":{"version":"dev","commit":"none"},"host":"h","started":"2026-11-27T12:00:00Z","origin":{}}`+"\n"+`{"time":"2026-11-27T12:00:00Z","pv":1}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(rec)
	_, errOut, code := execute(t, "export", rec, "--format", "csv", "-o", rec)
	after, _ := os.ReadFile(rec)
	if code == 0 || !strings.Contains(errOut, "is the recording itself") || string(after) != string(before) {
		t.Errorf("exit %d, %q; the recording changed: %v", code, errOut, string(after) != string(before))
	}
	out, errOut, code := execute(t, "export", rec, "--format", "csv")
	if code != 0 || !strings.Contains(out, "pv") {
		t.Errorf("the recording still exports: exit %d %s", code, errOut)
	}
}
