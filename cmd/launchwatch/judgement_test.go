package main

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/sim"
)

// opens counts, from every frame in order, how many times each problem
// went from not standing to standing, and keeps every warn or crit event.
type opens struct {
	mu     sync.Mutex
	open   map[string]bool
	opened map[string]int
	loud   []events.Event
	frames int
}

func (o *opens) TakeFrame(f pipeline.Frame) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.frames++
	now := make(map[string]bool, len(f.Problems))
	for _, p := range f.Problems {
		now[p.Key()] = true
		if !o.open[p.Key()] {
			o.opened[p.Key()]++
		}
	}
	o.open = now
	for _, e := range f.Events {
		if e.Severity >= events.Warn {
			o.loud = append(o.loud, e)
		}
	}
}

func (o *opens) Close() {}

// watchDemo watches the demo's scenario as `launchwatch demo` does (the
// simulator on a loopback port, scraped and probed through the demo's
// embedded config, on its clock) for a minute of wall time at 20x, and
// returns what opened.
func watchDemo(t *testing.T, scenario string) *opens {
	t.Helper()
	shop, base := simtest.Serve(t, sim.Options{Scenario: scenario, Speed: 20, StartIn: 2 * time.Minute, Seed: 1})
	cfg, err := demoConfig(base+"/metrics", shop)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	poller, err := newPoller(cfg, log, shop.Now)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := newPipeline(cfg, poller, log)
	if err != nil {
		t.Fatal(err)
	}
	o := &opens{open: map[string]bool{}, opened: map[string]int{}}
	p.AddFrameSink(o)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.frames < 30 {
		t.Fatalf("%d frames in a minute: the watch did not run", o.frames)
	}
	return o
}

// The fixed launch (the lean page, the CDN) threatens nothing: not one
// warning in twenty simulated minutes, from the countdown to sell-out.
func TestTheFixedLaunchOpensNoProblem(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of the demo")
	}
	t.Parallel()
	o := watchDemo(t, "second-launch")
	if len(o.opened) != 0 || len(o.loud) != 0 {
		t.Errorf("the fixed launch opened %v with events %+v", o.opened, o.loud)
	}
}

// The crash opens each of the story's problems, once: the heavy page as
// probed and as served, the connections it holds, the link full, the cart
// over its ceiling, the 502s, the missing button, the sale behind.
func TestTheCrashOpensEachOfItsProblemsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of the demo")
	}
	t.Parallel()
	o := watchDemo(t, "first-launch")
	want := []string{
		"button/purchase", "drift/connections", "endpoint/cart", "errors/error_rate", "limit/bandwidth",
		"pace/sell-out", "page-weight/page", "page-weight/sale-page",
	}
	if got := slices.Sorted(maps.Keys(o.opened)); !slices.Equal(got, want) {
		t.Errorf("the crash opened %v, want %v", got, want)
	}
	for k, n := range o.opened {
		if n != 1 {
			t.Errorf("%s opened %d times", k, n)
		}
	}
}
