package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/sim"
	"github.com/launchwatch/launchwatch/tui"
)

// TestADashboardStartedAfterTheAvalancheShowsItAsPast lets a real
// Prometheus scrape the simulator through its refresh avalanche at T0,
// then starts the watch's pipeline (warmed as watch warms it) and its
// screen: the avalanche is on the charts, shaded as history, and listed
// as "before start", while the first frame is live.
func TestADashboardStartedAfterTheAvalancheShowsItAsPast(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	shop, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: 15 * time.Second, Seed: 1})
	srv := promtest.StartPrometheus(t, []string{strings.TrimPrefix(base, "http://")}, time.Second)
	yaml := fmt.Sprintf(`launch: {name: warm, starts_at: %s}
interval: 1s
preset: sim
sources:
  prometheus:
    url: %s
    scrape_interval: 1s
plan: {peak_pv: 200, resources_per_page: 20, resource_size: 50KB, download_speed: 200KB/s, conn_memory: 10KB, cdn_share: 0.9}
`, shop.LaunchAt().UTC().Format(time.RFC3339), srv.URL)
	cfgPath := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// The avalanche is raised within seconds of T0 (the scripted scenario
	// peaks at T0); 30 s after it, the watch starts.
	time.Sleep(time.Until(shop.LaunchAt().Add(30 * time.Second)))

	started := time.Now()
	w, err := launch.Start(launch.Options{Config: cfg, History: true, Warm: 5 * time.Minute, NoRecord: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p, plan := w.Pipeline, w.Plan
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	m := tui.New(tui.Options{Frames: p.Subscribe(), Clock: p.Now, Interval: cfg.Interval, Plan: plan, HasPlan: true,
		Thresholds: cfg.CapacityThresholds(), LaunchName: "warm", Renderer: r})
	go func() { ran <- p.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("pipeline: %v", err)
		}
	}()

	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(200, 60))
	// The charts, at once: the filled part labelled history.
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "⠁⠁ history") },
		teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(100*time.Millisecond))
	// The event log, full screen (its panel is the last in tab order):
	// the avalanche is listed before start.
	tm.Send(tea.KeyMsg{Type: tea.KeyShiftTab})
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "before start: refresh avalanche") },
		teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(100*time.Millisecond))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	view := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View()
	for _, want := range []string{"before start: refresh avalanche", "watching live from here"} {
		if !strings.Contains(view, want) {
			t.Errorf("the event log lacks %q:\n%s", want, view)
		}
	}

	f, ok := p.Last()
	if !ok {
		t.Fatal("no frame")
	}
	// The frame on screen is live; history reaches back before T0.
	if f.Snapshot.Time.Before(started) {
		t.Errorf("the newest frame is of %v, before the watch started at %v", f.Snapshot.Time, started)
	}
	if oldest := f.History.At(0).Time; !oldest.Before(shop.LaunchAt()) {
		t.Errorf("the history starts at %v, not before T0 %v", oldest, shop.LaunchAt())
	}
	var avalanche *events.Event
	for _, e := range f.Log.All() {
		if e.Kind == events.KindAvalanche {
			avalanche = &e
		}
	}
	switch {
	case avalanche == nil:
		t.Fatal("no avalanche in the log")
	case !avalanche.Past || !avalanche.Time.Before(started):
		t.Errorf("the avalanche is not past: %+v (the watch started at %v)", *avalanche, started)
	}
}
