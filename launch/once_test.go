package launch

import (
	"context"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

// One look is all --once has: the crash's link, over its limit at that
// look, is a problem in the frame it prints, not a level waiting for
// open_after.
func TestOnceShowsTheProblemsOfItsOneLook(t *testing.T) {
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
	keys := map[string]bool{}
	for _, p := range f.Problems {
		keys[p.Key()] = true
	}
	if !keys["limit/bandwidth"] || !keys["errors/error_rate"] {
		t.Errorf("--once's frame holds %v, want the link over its limit and the error burst", keys)
	}
}
