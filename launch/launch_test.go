package launch

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/recording"
)

// parse reads a config with a scrape source nobody answers, and body.
func parse(t *testing.T, body string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "launchwatch.yaml"),
		[]byte("interval: 1s\npreset: sim\nsources:\n  scrape:\n    targets: [http://127.0.0.1:9/metrics]\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestAWatchRecordsOnlyOnceEverythingBeforeItStarted(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "launch.lwrec.jsonl")
	missing := parse(t, "alerts:\n  commands:\n    - run: [launchwatch-no-such-pager]\n")
	if _, err := Start(Options{Config: missing, Record: path, Origin: recording.OriginLive}); err == nil ||
		!strings.Contains(err.Error(), `alerts.commands[0].run: program "launchwatch-no-such-pager"`) {
		t.Errorf("an alert program missing here: %v, want a placed error", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a watch that could not start left a recording behind: %v", err)
	}

	cfg := parse(t, "launch: {name: flash sale}\nplan: {peak_pv: 200, resources_per_page: 20, resource_size: 50KB, download_speed: 200KB/s}\n")
	w, err := Start(Options{Config: cfg, Record: path, Origin: recording.OriginDemo, Build: recording.Build{Version: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	if w.Recording == nil || w.Recording.Path() != path || w.Alerts != nil || w.History != nil || w.Plan.PeakPV != 200 {
		t.Errorf("watch = %+v", w)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	h := rec.Header()
	plan, hasPlan, th, err := PlanOf(h)
	if err != nil || !hasPlan || plan.PeakPV != 200 || th != cfg.CapacityThresholds() {
		t.Errorf("read back: %+v %v %+v %v", plan, hasPlan, th, err)
	}
	if h.Launch.Name != "flash sale" || h.Origin.Kind != recording.OriginDemo || h.Launchwatch.Version != "v1" || !strings.Contains(h.Config, "peak_pv") {
		t.Errorf("header = %+v", h)
	}
}

func TestARecordingWithoutAPlanGivesTheLaunchTimeAlone(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	cfg := parse(t, "launch: {starts_at: 2026-11-27T12:00:00Z}\n")
	h, err := Header(cfg, recording.OriginLive, t0.Add(-time.Hour), recording.Build{})
	if err != nil {
		t.Fatal(err)
	}
	plan, hasPlan, th, err := PlanOf(h)
	if err != nil || hasPlan || !plan.LaunchAt.Equal(t0) || th != cfg.CapacityThresholds() {
		t.Errorf("PlanOf = %+v, %v, %+v, %v; want T0 alone and the thresholds", plan, hasPlan, th, err)
	}
	if Name(cfg) != cfg.File {
		t.Errorf("an unnamed launch is called %q, want its file", Name(cfg))
	}
}

func TestWebhookQueuesLieBesideTheRecordingOrInTheStateDirectory(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	cfg := parse(t, "launch: {name: Flash Sale}\n")
	log := slog.New(slog.DiscardHandler)
	if got := QueueAt(cfg, "/data/launch.lwrec.jsonl", log); got != "/data/launch.lwrec.jsonl" {
		t.Errorf("beside a recording named: %q", got)
	}
	if got, want := QueueAt(cfg, "", log), filepath.Join(state, "launchwatch", "alerts", "flash-sale"); got != want {
		t.Errorf("without one: %q, want %q", got, want)
	}

	// Two webhooks to one URL (one for crit alone) each have a queue.
	two := parse(t, "alerts:\n  webhooks:\n    - url: https://hooks.example/x\n    - url: https://hooks.example/x\n      min_severity: crit\n")
	routes, err := alertRoutes(two.Alerts, "/data/launch.lwrec.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 2 || routes[0].QueueFile == routes[1].QueueFile || !strings.HasSuffix(routes[1].QueueFile, "-2.queue") ||
		!strings.HasPrefix(routes[0].QueueFile, "/data/launch.lwrec.jsonl.webhook-") {
		t.Errorf("queue files %q and %q", routes[0].QueueFile, routes[1].QueueFile)
	}
	if routes, _ := alertRoutes(two.Alerts, ""); routes[0].QueueFile != "" {
		t.Errorf("with no place for queues: %q, want them in memory", routes[0].QueueFile)
	}
}
