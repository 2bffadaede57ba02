package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/sim"
)

// The real binary watches the simulator with a real Alertmanager read
// back: the team's alerts firing there are on the problems panel, marked
// theirs; a silence over launchwatch's own alert of a problem that stands
// says who silenced it; enter opens the problem with its silence, its
// runbook and the dashboard, and a team's alert with its labels.
func TestTheTeamsAlertmanagerOnTheProblemsPanelInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary, starts an Alertmanager and drives tmux")
	}
	testtool.Require(t, "tmux")
	am := promtest.StartAlertmanager(t, promtest.AlertmanagerOptions{})
	bin := buildBinary(t)
	_, shop := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Second, Seed: 1})

	// A link of 8 kbit/s: the bandwidth limit is crossed from the first
	// polls, a problem that stands for the silence to cover.
	cfg := filepath.Join(t.TempDir(), "launchwatch.yaml")
	body := fmt.Sprintf(`launch: {name: Winter drop}
interval: 1s
preset: sim
sources:
  scrape: {targets: [%s/metrics]}
  alertmanager: {url: %s}
plan:
  peak_pv: 200
  resources_per_page: 20
  resource_size: 50KB
  download_speed: 200KB/s
  cdn_share: 0.9
  limits: {link: 8kbps}
thresholds: {open_after: 0s}
alerts:
  runbooks: {limit/bandwidth: "https://runbooks.example.com/launch/bandwidth"}
  dashboard_url: https://grafana.example.com/d/launch/winter-drop
`, shop, am.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	now := time.Now().UTC().Truncate(time.Second)
	ends := now.Add(time.Hour)
	own := map[string]string{"alertname": "LaunchLimit", "severity": "critical", "launch": "Winter drop", "kind": "limit", "subject": "bandwidth"}
	promtest.PostJSON(t, am.URL, "/api/v2/alerts", []map[string]any{
		{"labels": map[string]string{"alertname": "HighLatency", "severity": "critical", "service": "checkout"},
			"annotations": map[string]string{"summary": "p99 over 2 s on checkout"}, "startsAt": now.Add(-5 * time.Minute), "endsAt": ends},
		{"labels": map[string]string{"alertname": "DiskFilling", "severity": "warning", "instance": "db-1:9100"},
			"annotations": map[string]string{"description": "disk 91% full"}, "startsAt": now.Add(-20 * time.Minute), "endsAt": ends},
		{"labels": own, "annotations": map[string]string{"summary": "Bandwidth limit"}, "startsAt": now, "endsAt": ends},
	}, nil)
	var matchers []map[string]any
	for _, name := range []string{"launch", "kind", "subject"} {
		matchers = append(matchers, map[string]any{"name": name, "value": own[name], "isRegex": false, "isEqual": true})
	}
	promtest.PostJSON(t, am.URL, "/api/v2/silences", map[string]any{"matchers": matchers, "startsAt": now, "endsAt": ends,
		"createdBy": "bob@oncall", "comment": "the link is known: CDN switch at 12:30"}, nil)

	s := startTmux(t, 120, 40, bin+" watch --no-record --no-bell --config "+cfg)
	screen := s.waitFor("the team's alerts and the silence on the panel", 30*time.Second, func(sc string) bool {
		return strings.Contains(sc, "· 2 theirs") && strings.Contains(sc, "theirs HighLatency: p99 over 2 s on checkout") &&
			strings.Contains(sc, "theirs DiskFilling: disk 91% full") && strings.Contains(sc, "silenced by bob@oncall")
	})
	t.Logf("the screen:\n%s", screen)
	if !strings.Contains(screen, "● alertmanager") {
		t.Errorf("the Alertmanager is not a source answering in the header:\n%s", screen)
	}

	// Tab to the problems panel: enter there opens a problem; elsewhere
	// it is full screen or a server, which esc leaves.
	opened := false
	for range 12 {
		s.tmux("send-keys", "-t", s.name, "Tab", "Enter")
		time.Sleep(300 * time.Millisecond)
		if sc := s.capture(); strings.Contains(sc, "╭─ Problem · ") || strings.Contains(sc, "╭─ Their alert · ") {
			opened = true
			break
		}
		s.tmux("send-keys", "-t", s.name, "Escape")
	}
	if !opened {
		t.Fatalf("enter on no panel opened a problem:\n%s", s.capture())
	}
	// Down through the rows to the bandwidth limit, then to the team's.
	find := func(what string, ok func(string) bool) string {
		t.Helper()
		for range 20 {
			if sc := s.capture(); ok(sc) {
				return sc
			}
			s.tmux("send-keys", "-t", s.name, "Down")
			time.Sleep(300 * time.Millisecond)
		}
		t.Fatalf("down never opened %s:\n%s", what, s.capture())
		return ""
	}
	sc := find("the bandwidth limit", func(sc string) bool { return strings.Contains(sc, "╭─ Problem · bandwidth limit · esc back") })
	for _, want := range []string{
		"silenced   by bob@oncall until",
		"the link is known: CDN switch at 12:30",
		"runbook    https://runbooks.example.com/launch/bandwidth",
		"dashboard  https://grafana.example.com/d/launch/winter-drop",
		"key        limit/bandwidth",
	} {
		if !strings.Contains(sc, want) {
			t.Errorf("the opened problem lacks %q:\n%s", want, sc)
		}
	}
	sc = find("a team's alert", func(sc string) bool { return strings.Contains(sc, "╭─ Their alert · HighLatency · esc back") })
	if !strings.Contains(sc, "labels     service=checkout") {
		t.Errorf("the opened team's alert lacks its labels:\n%s", sc)
	}
	s.tmux("send-keys", "-t", s.name, "Escape")
	s.waitFor("esc back to the dashboard", 10*time.Second, func(sc string) bool {
		return strings.Contains(sc, "╭─ Problems") && !strings.Contains(sc, "esc back")
	})
	s.tmux("send-keys", "-t", s.name, "q")
	if status := s.exitStatus(10 * time.Second); status != "0" {
		t.Errorf("exit status %s, want 0", status)
	}
	s.requireRestored()
}
