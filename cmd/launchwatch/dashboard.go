package main

import (
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

// runDashboard runs the TUI until q, ctrl-c or SIGTERM. Bubble Tea turns
// SIGINT/SIGTERM into a quit and restores the terminal, and catches a panic
// and restores the terminal before printing it.
//
// The program deliberately gets no context: main's context is cancelled by
// the same SIGTERM, and a cancelled program context ends the event loop
// while Bubble Tea's signal handler is still sending its QuitMsg to it;
// Run then waits for that handler forever (seen in the tmux e2e test).
func runDashboard(d dashboard) error {
	plan, err := d.cfg.CapacityPlan()
	if err != nil {
		return err
	}
	name := d.cfg.Launch.Name
	if name == "" {
		name = d.cfg.File
	}
	m := tui.New(tui.Options{
		Feed:        d.feed,
		Interval:    d.cfg.Interval,
		PollTimeout: config.PollDeadline(d.cfg.Interval),
		Plan:        plan,
		HasPlan:     d.cfg.HasPlan(),
		Thresholds:  d.cfg.CapacityThresholds(),
		LaunchName:  name,
		Renderer:    lipgloss.NewRenderer(os.Stdout),
	})
	d.log.Info("dashboard start", "config", d.cfg.File, "interval", d.cfg.Interval)
	// 30 FPS is plenty for data that changes once a second (FIELD-NOTES).
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithFPS(30))
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	d.log.Info("dashboard stop")
	return nil
}
