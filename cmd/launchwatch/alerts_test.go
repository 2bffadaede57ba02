package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

// alertConfig is a config over the simulator whose buy endpoint has a
// ceiling the sale passes at once, with the given alerts block.
func alertConfig(t *testing.T, target, alerts string) string {
	t.Helper()
	body := fmt.Sprintf("interval: 200ms\npreset: sim\nsources:\n  scrape:\n    targets: [%s]\nendpoints:\n  - name: buy\n    max_qps: 0.01\nalerts:\n%s", target, alerts)
	path := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRecordSendsAlertsAndSaysWhichSinkFailed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator and polls it")
	}
	_, base := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 10, StartIn: time.Second, Seed: 1})
	var posts atomic.Int32
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		posts.Add(1)
		http.Error(w, "pager on fire", http.StatusInternalServerError)
	}))
	defer broken.Close()
	dir := t.TempDir()
	got := filepath.Join(dir, "alerts.jsonl")
	hook := filepath.Join(dir, "alert.sh")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\ncat >> \"$1\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := alertConfig(t, base+"/metrics", fmt.Sprintf(
		"  commands:\n    - run: [%s, %s]\n  webhooks:\n    - url: %s/hook/token\n      retries: 1\n      backoff: 10ms\n      min_severity: crit\n", hook, got, broken.URL))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"record", "--config", cfg, "-o", filepath.Join(dir, "rec.lwrec.jsonl")}, &stdout, &stderr)
	}()
	// Wait for the command to have taken the buy endpoint's alert and the
	// webhook to have been tried twice.
	deadline := time.Now().Add(30 * time.Second)
	var lines []string
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(got)
		lines = strings.Split(strings.TrimSpace(string(b)), "\n")
		if strings.Contains(string(b), `"subject":"buy"`) && posts.Load() >= 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("record exited %d:\n%s", code, stderr.String())
	}
	var buy map[string]any
	for _, l := range lines {
		var a map[string]any
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("the command read a line that is not JSON: %q", l)
		}
		if a["subject"] == "buy" && a["state"] == "opened" {
			buy = a
		}
	}
	if buy == nil || buy["kind"] != "endpoint" || !strings.Contains(buy["text"].(string), "endpoint buy") {
		t.Fatalf("the command got no opening alert for buy: %v", lines)
	}
	out := stderr.String()
	if !strings.Contains(out, "alerts: webhook "+broken.URL+": 0 sent, ") || !strings.Contains(out, "answered 500 Internal Server Error: pager on fire") {
		t.Errorf("the failing webhook is not reported at the end:\n%s", out)
	}
	if strings.Contains(out, "/hook/token") {
		t.Errorf("the webhook's path is printed:\n%s", out)
	}
}

func TestAnAlertProgramMissingHereIsAPlacedError(t *testing.T) {
	cfg := alertConfig(t, "http://127.0.0.1:9/metrics", "  commands:\n    - run: [launchwatch-no-such-pager]\n")
	_, errOut, code := execute(t, "record", "--config", cfg, "-o", filepath.Join(t.TempDir(), "r.lwrec.jsonl"))
	if code != 1 || !strings.Contains(errOut, "launchwatch.yaml:11: alerts.commands[0].run: program \"launchwatch-no-such-pager\"") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}

func TestTheDemoTakesAlertsFromAConfigThatHasThem(t *testing.T) {
	noAlerts := writeConfig(t, "http://127.0.0.1:9/metrics", false)
	_, errOut, code := execute(t, "demo", "--no-record", "--alerts-from", noAlerts)
	if code != 1 || !strings.Contains(errOut, "--alerts-from "+noAlerts+": the file has no alerts block") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
	missing := alertConfig(t, "http://127.0.0.1:9/metrics", "  commands:\n    - run: [launchwatch-no-such-pager]\n")
	_, errOut, code = execute(t, "demo", "--no-record", "--alerts-from", missing)
	if code != 1 || !strings.Contains(errOut, "alerts.commands[0].run: program \"launchwatch-no-such-pager\"") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}
