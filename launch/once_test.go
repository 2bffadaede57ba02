package launch

import (
	"context"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/sim"
)

// crashLook is --once's frame of the demo config a minute into the first
// launch's crash (simulated), the probe and the host left out.
func crashLook(t *testing.T) pipeline.Frame {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a simulator and polls it")
	}
	shop, base := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 20, StartIn: time.Second, Seed: 1})
	cfg, err := DemoConfig(base+"/metrics", shop)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sources.Probe, cfg.Sources.Host = nil, nil
	time.Sleep(3 * time.Second) // a minute into the crash, simulated
	f, err := Once(context.Background(), cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// One look is all --once has: the crash's link, over its limit at that
// look, is a problem in the frame it prints, not a level waiting for
// open_after.
func TestOnceShowsTheProblemsOfItsOneLook(t *testing.T) {
	f := crashLook(t)
	keys := map[string]bool{}
	for _, p := range f.Problems {
		keys[p.Key()] = true
	}
	if !keys["limit/bandwidth"] || !keys["errors/error_rate"] {
		t.Errorf("--once's frame holds %v, want the link over its limit and the error burst", keys)
	}
}

// The demo config reads the simulator's fleet and histograms: a look into
// the crash finds the four servers, web-3 carrying twice the mean share of
// requests, users waiting seconds and the cart's p95 far over the 250ms its
// stress test allows.
func TestTheDemoConfigSeesTheFleetAndTheWait(t *testing.T) {
	f := crashLook(t)
	s := f.Snapshot
	p50, ok50 := s.LatencyP50.Get()
	p95, ok95 := s.LatencyP95.Get()
	p99, ok99 := s.LatencyP99.Get()
	if !ok50 || !ok95 || !ok99 || p95 < 1 || p50 > p95 || p95 > p99 {
		t.Errorf("latency p50 %v, p95 %v, p99 %v in the crash; want seconds at p95, in order", s.LatencyP50, s.LatencyP95, s.LatencyP99)
	}
	if cart, ok := s.Endpoints["cart"].P95.Get(); !ok || cart < 1 {
		t.Errorf("cart p95 %v in the crash, want seconds", s.Endpoints["cart"].P95)
	}
	if len(s.Fleet) != sim.DefaultServers {
		t.Fatalf("the fleet holds %d servers, want %d: %+v", len(s.Fleet), sim.DefaultServers, s.Fleet)
	}
	total, hot := 0.0, 0.0
	for _, srv := range s.Fleet {
		r, ok := srv.Requests.Get()
		if !ok {
			t.Fatalf("%s has no requests figure", srv.Name)
		}
		total += r
		if srv.Name == "web-3:8080" {
			hot = r
		}
	}
	if share := hot / (total / float64(len(s.Fleet))); share < 1.9 || share > 2.1 {
		t.Errorf("web-3 carries %.2fx the mean share of requests in the crash, want 2x", share)
	}
	found := false
	for _, p := range f.Problems {
		found = found || p.Key() == "imbalance/web-3:8080"
	}
	if !found {
		t.Errorf("no imbalance named for web-3 among %d problems", len(f.Problems))
	}
}
