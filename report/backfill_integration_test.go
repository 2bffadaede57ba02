package report

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/sim"
	"github.com/launchwatch/launchwatch/snapshot"
)

// TestAReportOfABackfillTellsItsGapsAndPredictions backfills a real
// Prometheus scraping the simulator from a minute before Prometheus held
// anything, with the connections query naming a metric nobody exports,
// and reports on it:
//   - every snapshot of that first minute lacks PV, requests, bandwidth
//     and connections: the gaps list them per signal with the snapshots
//     they lack, counted from the recording itself, instead of saying
//     the data has no gap;
//   - connections are never measured, so their limit (50 connections,
//     under what the plan says the PV needs) is judged on the plan's
//     formula at the measured PV: the crossing says "predicted at … PV/s"
//     and no connections figure reads as measured.
func TestAReportOfABackfillTellsItsGapsAndPredictions(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	shop, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: 15 * time.Second, Seed: 5})
	empty := time.Now().Truncate(time.Second) // Prometheus holds nothing before this
	srv := promtest.StartPrometheus(t, []string{strings.TrimPrefix(base, "http://")}, time.Second)
	cfgText := fmt.Sprintf(`launch: {name: backfill gaps, starts_at: %s}
interval: 1s
preset: sim
sources:
  prometheus:
    url: %s
    scrape_interval: 1s
signals:
  connections:
    query: sum(shop_connections_nobody_exports)
endpoints:
  - {name: buy, max_qps: 100}
plan:
  peak_pv: 200
  resources_per_page: 10
  resource_size: 50KB
  download_speed: 100KB/s
  limits: {link: 1Gbps, max_connections: 50}
  stock: {total: 1000, sell_out: 10m}
`, shop.LaunchAt().UTC().Format(time.RFC3339), srv.URL)
	cfgPath := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// Past T0 and its traffic: the sale's PV asks the plan for far more
	// than 50 connections.
	time.Sleep(time.Until(shop.LaunchAt().Add(15 * time.Second)))

	out := filepath.Join(t.TempDir(), "backfill.lwrec.jsonl")
	from, to := empty.Add(-time.Minute), time.Now().Truncate(time.Second).Add(-2*time.Second)
	bf, err := launch.PlanBackfill(cfg, slog.New(slog.DiscardHandler), launch.BackfillOptions{
		From: from, To: to, Step: time.Second, Parallel: 2, Out: out, Started: time.Now(), Build: recording.Build{Version: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bf.Run(context.Background(), func(prom.Chunk, int) {}); err != nil {
		t.Fatal(err)
	}
	rec, err := recording.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rec.Close() })

	// What the recording itself holds: the snapshots without a PV figure
	// of their own (missing, or carried from an earlier step).
	lacking, first := 0, time.Time{}
	err = rec.Scan(0, rec.Len(), func(_ int, s snapshot.Snapshot) error {
		if first.IsZero() {
			first = s.Time
		}
		if _, carried := s.Sources["prometheus"].Carried[snapshot.SignalPV]; !s.PV.OK() || carried {
			lacking++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if lacking < 60 {
		t.Fatalf("the backfill lacks PV in %d snapshots, want at least the minute before Prometheus started", lacking)
	}

	plan, hasPlan, th, err := launch.PlanOf(rec.Header())
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(rec, plan, hasPlan, th)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := render(t, r)
	gaps := map[string]SignalGaps{}
	for _, g := range r.SignalGaps {
		gaps[g.Signal] = g
	}
	for _, sig := range []string{"pv", "requests", "bandwidth"} {
		g, ok := gaps[sig]
		if !ok || g.Missing != lacking || len(g.Longest) == 0 || !g.Longest[0].From.Equal(first) {
			t.Errorf("%s: gaps %+v, want %d snapshots from the first (%s)", sig, g, lacking, r.Rel(first))
		}
	}
	if g := gaps["connections"]; g.Missing != r.Snapshots {
		t.Errorf("connections not measured in %d of %d snapshots, want every one", g.Missing, r.Snapshots)
	}
	want := fmt.Sprintf("| pv | %s of %s snapshots", capacity.FormatCount(float64(lacking)), capacity.FormatCount(float64(r.Snapshots)))
	if !strings.Contains(md, want) || strings.Contains(md, "Every signal was measured") {
		t.Errorf("the report does not list PV's gap (%q):\n%s", want, mdSection(md, "## Gaps"))
	}

	var conn *Crossing
	for i, c := range r.Crossings {
		if c.Subject == "limit/connections" && c.Line.String() == "crit" {
			conn = &r.Crossings[i]
			break
		}
	}
	if conn == nil || !conn.Predicted || conn.Measured || !strings.Contains(conn.Worst, "PV/s") || !strings.Contains(conn.Worst, "predicted at") {
		t.Fatalf("connections crossing %+v: want one judged on the plan's prediction and saying so", conn)
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| connections limit") && strings.Contains(line, "measured") {
			t.Errorf("a connections crossing reads as measured: %s", line)
		}
	}
}
