package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/tui"
)

// dashboard is what the TUI needs from the command that starts it.
type dashboard struct {
	cfg  *config.Config
	feed tui.Feed
	log  *slog.Logger
}

// runDashboard runs the TUI until q, ctrl-c or SIGTERM (Bubble Tea turns
// SIGTERM into a quit and restores the terminal; a panic is caught and the
// terminal restored before it is printed).
func runDashboard(ctx context.Context, d dashboard) error {
	plan, err := d.cfg.CapacityPlan()
	if err != nil {
		return err
	}
	name := d.cfg.Launch.Name
	if name == "" {
		name = d.cfg.File
	}
	m := tui.New(tui.Options{
		Feed:       d.feed,
		Interval:   d.cfg.Interval,
		Plan:       plan,
		HasPlan:    d.cfg.HasPlan(),
		Thresholds: d.cfg.CapacityThresholds(),
		LaunchName: name,
		Renderer:   lipgloss.NewRenderer(os.Stdout),
	})
	d.log.Info("dashboard start", "config", d.cfg.File, "interval", d.cfg.Interval)
	// 30 FPS is plenty for data that changes once a second (FIELD-NOTES).
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithFPS(30))
	if _, err := p.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	d.log.Info("dashboard stop")
	return nil
}
