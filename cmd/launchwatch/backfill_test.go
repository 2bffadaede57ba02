package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/sim"
	"github.com/launchwatch/launchwatch/snapshot"
)

func TestBackfillRefusesBadFlagsNamingTheFlag(t *testing.T) {
	dir := t.TempDir()
	withT0 := filepath.Join(dir, "t0.yaml")
	noT0 := filepath.Join(dir, "no-t0.yaml")
	for path, launch := range map[string]string{withT0: "{name: x, starts_at: 2026-11-20T12:00:00Z}", noT0: "{name: x}"} {
		cfg := fmt.Sprintf("launch: %s\ninterval: 1s\npreset: sim\nsources:\n  prometheus:\n    url: %s\n", launch, deadURL(t))
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	existing := filepath.Join(dir, "existing.lwrec.jsonl")
	if err := os.WriteFile(existing, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.lwrec.jsonl")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no config", []string{"--from", "now-1h", "-o", out}, "backfill needs --config FILE"},
		{"no output", []string{"--config", withT0, "--from", "now-1h"}, "backfill needs -o FILE"},
		{"an output that exists", []string{"--config", withT0, "--from", "now-1h", "-o", existing}, "-o " + existing + ": the file exists"},
		{"no --from", []string{"--config", withT0, "-o", out}, "--from is required"},
		{"a --from that is no time", []string{"--config", withT0, "--from", "yesterday", "-o", out}, "--from yesterday: not a time"},
		{"a clock time", []string{"--config", withT0, "--from", "14:03", "-o", out}, "--from 14:03: a clock time is ambiguous"},
		{"now plus", []string{"--config", withT0, "--from", "now+1h", "-o", out}, "--from now+1h: only the past is held"},
		{"now minus nonsense", []string{"--config", withT0, "--from", "now-2x", "-o", out}, `--from now-2x: "2x" is not a duration`},
		{"T0 relative without starts_at", []string{"--config", noT0, "--from", "T-10m", "-o", out}, "--from T-10m: the config has no launch.starts_at"},
		{"a bad --to", []string{"--config", withT0, "--from", "T-10m", "--to", "T+x", "-o", out}, "--to T+x: not a time"},
		{"--from after --to", []string{"--config", withT0, "--from", "T+10m", "--to", "T-10m", "-o", out}, "--from T+10m (2026-11-20T12:10:00Z) is not before --to T-10m"},
		{"a future --from", []string{"--config", withT0, "--from", "2099-01-01T00:00:00Z", "-o", out}, "--from 2099-01-01T00:00:00Z: 2099-01-01T00:00:00Z is in the future"},
		{"a negative step", []string{"--config", withT0, "--from", "T-10m", "--step", "-1s", "-o", out}, "--step -1s: must be positive"},
		{"a step under a millisecond", []string{"--config", withT0, "--from", "T-10m", "--step", "10us", "-o", out}, "--step 10µs: under a millisecond"},
		{"no parallelism", []string{"--config", withT0, "--from", "T-10m", "--parallel", "0", "-o", out}, "--parallel 0: must be from 1 to 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := execute(t, append([]string{"backfill"}, tt.args...)...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want an error saying %q", code, errOut, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a refused backfill wrote %s", out)
			}
		})
	}
}

func TestBackfillTimesReadAsPeopleSayThem(t *testing.T) {
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"now", now},
		{"now-2h", now.Add(-2 * time.Hour)},
		{"NOW-90m", now.Add(-90 * time.Minute)},
		{"T-10m", t0.Add(-10 * time.Minute)},
		{"T+90m", t0.Add(90 * time.Minute)},
		{"T+1:30:00", t0.Add(90 * time.Minute)},
		{"2026-11-27T13:00:00+01:00", t0},
	}
	for _, tt := range tests {
		got, err := parseBackfillTime("--from", tt.in, t0, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%s: %v %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

// backfillITConfig writes a config of the sim preset over a Prometheus.
func backfillITConfig(t *testing.T, promURL string, t0 time.Time) string {
	t.Helper()
	cfg := fmt.Sprintf(`launch: {name: backfill-it, starts_at: %s}
interval: 1s
preset: sim
sources:
  prometheus:
    url: %s
    scrape_interval: 1s
endpoints:
  - {name: buy, max_qps: 100}
`, t0.UTC().Format(time.RFC3339), promURL)
	path := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// backfillITSignals are the signals compared, with the tolerance each is
// held to (see TestABackfillMatchesALiveRecordingOfTheSameRun).
var backfillITSignals = []string{"pv", "requests", "connections", "bandwidth", "error_rate", "stock", "sold", "endpoints.buy"}

// TestABackfillMatchesALiveRecordingOfTheSameRun records a live run of the
// simulator through a real Prometheus, polling on the whole second, then
// backfills the same span from the same server at a 1 s step, and compares
// the two recordings snapshot by snapshot.
//
// The live poll evaluates its queries a few milliseconds after the whole
// second, the backfill on it: both see the same samples, and so the same
// figures, unless a scrape lands in those milliseconds. Tolerances:
//   - every live snapshot has a backfilled one at its second, and the
//     backfill has no snapshot the live run lacks in between;
//   - a signal is measured in both or missing in both;
//   - at least 90% of the figures agree within 0.1% (the rest are the
//     steps where a scrape fell between the two evaluation times: a 4 s
//     rate then gains or loses one 1 s sample);
//   - every figure agrees within 50% relative or 1 absolute (one sample
//     of a 4 s window moves a rate by at most about a third of it, plus
//     extrapolation at the edges; a gauge like stock by the orders of one
//     second, about 2).
func TestABackfillMatchesALiveRecordingOfTheSameRun(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	shop, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: 20 * time.Second, Seed: 3})
	srv := promtest.StartPrometheus(t, []string{strings.TrimPrefix(base, "http://")}, time.Second)
	cfgPath := backfillITConfig(t, srv.URL, shop.LaunchAt())
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	poller, err := launch.NewPoller(cfg, slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the rates answer: two scrapes inside the 4 s window.
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for s := poller.Poll(ctx); !s.PV.OK() || !s.Stock.OK(); s = poller.Poll(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("no data after 30 s: %+v", s.Sources)
		}
		time.Sleep(500 * time.Millisecond)
	}

	livePath := filepath.Join(t.TempDir(), "live.lwrec.jsonl")
	w, err := launch.NewRecording(cfg, livePath, recording.OriginLive, build())
	if err != nil {
		t.Fatal(err)
	}
	const polls = 25
	for range polls {
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
		if err := w.Append(poller.Poll(ctx)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	live := recordedSnapshots(t, livePath)

	from, to := live[0].Time.Truncate(time.Second), live[len(live)-1].Time.Truncate(time.Second)
	outPath := filepath.Join(t.TempDir(), "backfill.lwrec.jsonl")
	_, errOut, code := execute(t, "backfill", "--config", cfgPath, "--from", from.Format(time.RFC3339Nano),
		"--to", to.Format(time.RFC3339Nano), "-o", outPath)
	if code != 0 {
		t.Fatalf("backfill: exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "chunk 1 of 1") || !strings.Contains(errOut, fmt.Sprintf("%d snapshots", polls)) {
		t.Errorf("backfill's report does not say its chunk and snapshots:\n%s", errOut)
	}
	rec, err := recording.Open(outPath)
	if err != nil {
		t.Fatal(err)
	}
	h := rec.Header()
	rec.Close()
	if h.Origin.Kind != recording.OriginBackfill || h.Origin.From != srv.URL || time.Duration(h.Origin.Step) != time.Second {
		t.Errorf("the header's origin is %+v, want backfill from %s at 1s", h.Origin, srv.URL)
	}
	back := recordedSnapshots(t, outPath)
	if len(back) != len(live) {
		t.Fatalf("%d backfilled snapshots for %d live ones", len(back), len(live))
	}

	agree, total := 0, 0
	for i, l := range live {
		b := back[i]
		if !b.Time.Equal(l.Time.Truncate(time.Second)) {
			t.Fatalf("snapshot %d: backfilled at %v, live at %v", i, b.Time, l.Time)
		}
		if lo, bo := l.Sources["prometheus"].OK, b.Sources["prometheus"].OK; lo != bo {
			t.Errorf("%v: the source is ok %v live, %v backfilled", b.Time, lo, bo)
		}
		for _, sig := range backfillITSignals {
			lv, lok := l.Get(sig).Get()
			bv, bok := b.Get(sig).Get()
			if lok != bok {
				t.Errorf("%v %s: measured %v live, %v backfilled", b.Time, sig, lok, bok)
				continue
			}
			if !lok {
				continue
			}
			total++
			diff := math.Abs(lv - bv)
			if diff <= 1e-3*math.Max(math.Abs(lv), 1e-9) {
				agree++
			}
			if diff > 1 && diff > 0.5*math.Abs(lv) {
				t.Errorf("%v %s: %.4g live, %.4g backfilled: more than 50%% and 1 apart", b.Time, sig, lv, bv)
			}
		}
	}
	t.Logf("%d of %d figures agree within 0.1%%", agree, total)
	if total < polls*len(backfillITSignals)/2 || float64(agree) < 0.9*float64(total) {
		t.Errorf("%d of %d figures agree within 0.1%%: want at least 90%% of at least half the figures", agree, total)
	}
}

// recordedSnapshots reads every snapshot of a recording.
func recordedSnapshots(t *testing.T, path string) []snapshot.Snapshot {
	t.Helper()
	rec, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	var out []snapshot.Snapshot
	if err := rec.Scan(0, rec.Len(), func(_ int, s snapshot.Snapshot) error {
		out = append(out, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestABackfillFromAServerFailingHalfWayKeepsWhatCameBefore puts a proxy in
// front of a real Prometheus that answers 500 to every range query past
// the first chunk's (one that starts elsewhere): with one chunk at a time,
// chunk 2 of 3 fails, however many signals the preset queries. The
// recording opens, holds chunk 1 whole and in order, and the error names
// what failed.
func TestABackfillFromAServerFailingHalfWayKeepsWhatCameBefore(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	shop, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Minute, Seed: 1})
	srv := promtest.StartPrometheus(t, []string{strings.TrimPrefix(base, "http://")}, time.Second)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var firstStart atomic.Value
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query_range" {
			proxy.ServeHTTP(w, r)
			return
		}
		// The form is read from a copy: the proxy forwards the body.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		start := form.Get("start") + r.URL.Query().Get("start")
		firstStart.CompareAndSwap(nil, start)
		if start != firstStart.Load() {
			http.Error(w, "the storage is on fire", http.StatusInternalServerError)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(failing.Close)

	// Without endpoints: the sim preset's signals.
	cfg := fmt.Sprintf("launch: {name: failing, starts_at: %s}\ninterval: 1s\npreset: sim\nsources:\n  prometheus:\n    url: %s\n    scrape_interval: 1s\n",
		shop.LaunchAt().UTC().Format(time.RFC3339), failing.URL)
	cfgPath := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(t.TempDir(), "half.lwrec.jsonl")
	// 20 minutes at 50 ms: 24,000 steps, three chunks.
	_, errOut, code := execute(t, "backfill", "--config", cfgPath, "--from", "now-20m", "--step", "50ms", "--parallel", "1", "-o", outPath)
	if code == 0 {
		t.Fatalf("a backfill from a failing server exits 0:\n%s", errOut)
	}
	for _, want := range []string{"chunk 1 of 3", "backfill stopped: chunk 2 of 3", "server answered 500 Internal Server Error: the storage is on fire",
		outPath + " holds what came before: 11,000 snapshots"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	got := recordedSnapshots(t, outPath)
	if len(got) != 11_000 {
		t.Fatalf("the recording holds %d snapshots, want chunk 1's 11,000", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Time.Sub(got[i-1].Time) != 50*time.Millisecond {
			t.Fatalf("snapshot %d is %s after the one before", i, got[i].Time.Sub(got[i-1].Time))
		}
	}
}

// cancelOn cancels when what it is written holds a string: a signal
// arriving just after a given progress line.
type cancelOn struct {
	mu     sync.Mutex
	buf    strings.Builder
	when   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.when) {
		c.cancel()
	}
	return len(p), nil
}

func (c *cancelOn) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// TestAnInterruptedBackfillLeavesAValidRecordingOfWhatItFetched cancels a
// backfill against a real Prometheus once chunk 1 of 3 is written, as
// ctrl-c or SIGTERM cancel main's context.
func TestAnInterruptedBackfillLeavesAValidRecordingOfWhatItFetched(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	shop, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Minute, Seed: 1})
	srv := promtest.StartPrometheus(t, []string{strings.TrimPrefix(base, "http://")}, time.Second)
	cfgPath := backfillITConfig(t, srv.URL, shop.LaunchAt())
	outPath := filepath.Join(t.TempDir(), "cut.lwrec.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &cancelOn{when: "chunk 1 of 3", cancel: cancel}
	err := runBackfill(ctx, stderr, backfillFlags{configFile: cfgPath, from: "now-20m", to: "now", step: 50 * time.Millisecond, out: outPath, parallel: 1})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(ee.msg, "backfill interrupted: "+outPath+" holds 11,000 snapshots, up to ") {
		t.Fatalf("an interrupted backfill returns %v, want exit 1 saying what the file holds\n%s", err, stderr)
	}
	if got := recordedSnapshots(t, outPath); len(got) != 11_000 {
		t.Errorf("the recording holds %d snapshots, want chunk 1's 11,000", len(got))
	}
}
