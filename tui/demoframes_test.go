package tui

import (
	"context"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/examples"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/sim"
	"github.com/launchwatch/launchwatch/snapshot"
)

// demoLaunch is a demo scenario as `launchwatch demo` watches it: the
// embedded demo config's plan and thresholds, and frames at moments that
// show each phase (the countdown, the avalanche at T0, the sale, the
// first launch's missing button and its fix, the second's sell-out).
type demoLaunch struct {
	scenario string
	plan     capacity.Plan
	th       capacity.Thresholds
	name     string
	frames   []pipeline.Frame
}

// demoMoments are when, from T0, a demo launch's frames are kept.
var demoMoments = []time.Duration{
	-25 * time.Second, -time.Second, time.Second, 5 * time.Second, 20 * time.Second, 45 * time.Second,
	90 * time.Second, 3 * time.Minute, 6 * time.Minute, 10 * time.Minute, 11 * time.Minute, 16 * time.Minute,
}

var (
	demoOnce     sync.Once
	demoLaunches []demoLaunch
)

// demoFrames plays both demo scenarios once per test binary: the
// simulator on a clock moved by hand a poll at a time from T-30s to
// T+16m, scraped and probed over loopback as the demo does, each snapshot
// derived into a frame by the pipeline's analyst. The poll is every
// second to T+90s (the avalanche and the events it raises), every 5 s
// after: a third of the polls, which under -race take most of the test's
// time. The probe runs in the background on the wall clock
// (collectors/probe), so which frames carry which probe varies from run to
// run, slow runs (-race) differing most: what a test holds the frames to
// must hold for any of them. This machine's host figures would vary too:
// the host's are made up from the shop's PV, in the shape of real ones.
func demoFrames(t *testing.T) []demoLaunch {
	t.Helper()
	demoOnce.Do(func() {
		for _, sc := range []string{"first-launch", "second-launch"} {
			demoLaunches = append(demoLaunches, playDemo(t, sc))
		}
	})
	if len(demoLaunches) != 2 {
		t.Fatal("the demo launches could not be played (see the first test that asked)")
	}
	return demoLaunches
}

func playDemo(t *testing.T, scenario string) demoLaunch {
	clock := testtool.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	shop, base := simtest.Serve(t, sim.Options{Scenario: scenario, Speed: 1, StartIn: 30 * time.Second, Seed: 1, Wall: clock.Now})
	cfg, err := config.Parse(examples.DemoName, examples.Demo)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sources.Scrape.Targets = []string{base + "/metrics"}
	cfg.Sources.Probe.URL = base + "/"
	cfg.Sources.Probe.CDNHosts = []string{strings.TrimPrefix(base, "http://") + "/cdn/"}
	cfg.Launch.StartsAt = shop.LaunchAt()
	cfg.Launch.Name = "demo " + scenario + " 1x"
	plan, err := cfg.CapacityPlan() // with the host source's origin: false
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sources.Host = nil
	sources, err := collectors.FromConfig(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	poller := collectors.NewPoller(sources, collectors.WithClock(shop.Now), collectors.WithTimeout(config.PollDeadline(cfg.Interval)))
	d := demoLaunch{scenario: scenario, plan: plan, th: cfg.CapacityThresholds(), name: cfg.Launch.Name}
	an := pipeline.NewAnalyst(plan, d.th, 10_000)
	next := 0
	for next < len(demoMoments) {
		s := poller.Poll(context.Background())
		madeUpHost(&s)
		f := an.Add(s)
		if s.Time.Sub(shop.LaunchAt()) >= demoMoments[next] {
			d.frames = append(d.frames, f)
			next++
		}
		step := cfg.Interval
		if s.Time.Sub(shop.LaunchAt()) >= 90*time.Second {
			step = 5 * cfg.Interval
		}
		clock.Advance(step)
	}
	return d
}

// madeUpHost gives a snapshot host figures that follow its PV, from a
// fresh host source.
func madeUpHost(s *snapshot.Snapshot) {
	pv := s.PV.Or(0)
	s.Host = snapshot.Host{
		CPU: snapshot.Some(math.Min(0.05+pv/400, 1)), MemoryUsed: snapshot.Some(3.1e9 + pv*2e6), MemoryTotal: snapshot.Some(16e9),
		Load1: snapshot.Some(0.2 + pv/60), NetTX: snapshot.Some(pv * 1.1e6), NetRX: snapshot.Some(pv * 9e3),
		TCPEstablished: snapshot.Some(pv * 7), TCPMemory: snapshot.Some(pv * 7 * 4096),
	}
	s.Sources["host"] = snapshot.Source{OK: true, LastSuccess: s.Time, NewestSample: s.Time, Duration: 0.001, Signals: snapshot.HostSignals}
}

// demoModel is the dashboard of a demo launch showing frame i, at a size,
// on a pinned colour profile, its clocks standing at the frame's time.
func demoModel(d demoLaunch, i, w, h int, profile termenv.Profile) Model {
	r := pinned(profile)
	at := d.frames[i].Snapshot.Time
	m := New(Options{
		Frames: newFeed(nil, d.plan), Clock: func() time.Time { return at }, Wall: func() time.Time { return at },
		Plan: d.plan, HasPlan: true, Thresholds: d.th, LaunchName: d.name, Renderer: r, Simulated: []string{"scrape", "probe"},
	})
	return drive(m, tea.WindowSizeMsg{Width: w, Height: h}, frameMsg{frame: d.frames[i]})
}
