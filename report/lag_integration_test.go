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

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/sim"
	"github.com/launchwatch/launchwatch/snapshot"
)

// TestALaggingSourcesPeakIsAtItsDataTime records live from a real
// Prometheus queried 30 s in the past (latency_offset, as a VictoriaMetrics
// holding back its newest 30 s is read), and reports on it: the PV peak
// stands at the time of the data behind it, about 30 s before the poll that
// read it, and the report names the source's lag.
func TestALaggingSourcesPeakIsAtItsDataTime(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	const offset = 30 * time.Second
	shop, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Hour, Seed: 9})
	srv := promtest.StartPrometheus(t, []string{strings.TrimPrefix(base, "http://")}, time.Second)
	cfgText := fmt.Sprintf(`launch: {name: lagging, starts_at: %s}
interval: 1s
preset: sim
sources:
  prometheus:
    url: %s
    scrape_interval: 1s
    latency_offset: %s
`, shop.LaunchAt().UTC().Format(time.RFC3339), srv.URL, offset)
	cfgPath := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	poller, err := launch.NewPoller(cfg, slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the data 30 s back holds a rate.
	ctx := context.Background()
	deadline := time.Now().Add(offset + 30*time.Second)
	for s := poller.Poll(ctx); !s.PV.OK(); s = poller.Poll(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("no PV %s back after waiting %s: %+v", offset, offset+30*time.Second, s.Sources)
		}
		time.Sleep(time.Second)
	}
	path := filepath.Join(t.TempDir(), "lagging.lwrec.jsonl")
	w, err := launch.NewRecording(cfg, path, recording.OriginLive, recording.Build{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
		if err := w.Append(poller.Poll(ctx)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rec.Close() })
	plan, hasPlan, th, err := launch.PlanOf(rec.Header())
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(rec, plan, hasPlan, th)
	if err != nil {
		t.Fatal(err)
	}

	pk, ok := r.peakOf(snapshot.SignalPV)
	if !ok {
		t.Fatal("no PV peak")
	}
	// The poll that first read the peak.
	var polled time.Time
	err = rec.Scan(0, rec.Len(), func(_ int, s snapshot.Snapshot) error {
		if v, ok := s.PV.Get(); ok && v == pk.Value && polled.IsZero() {
			polled = s.Time
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if lag := polled.Sub(pk.At); lag < offset-time.Second || lag > offset+2*time.Second {
		t.Errorf("the PV peak stands %s before the poll that read it, want about %s: the data's time", lag, offset)
	}
	if len(r.SourceLags) != 1 || r.SourceLags[0].Name != "prometheus" ||
		r.SourceLags[0].Mean < offset-time.Second || r.SourceLags[0].Mean > offset+2*time.Second {
		t.Errorf("source lags %+v, want prometheus about %s behind", r.SourceLags, offset)
	}
	md, _ := render(t, r)
	if !strings.Contains(md, "- **Data lag**: prometheus: its data 3") {
		t.Errorf("the report does not name the lag:\n%s", md[:min(len(md), 1200)])
	}
}
