package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// alertsOnlyCopy writes the alerts block of a testdata file alone, under the
// same name in a temporary directory, and says how many lines came off
// its top.
func alertsOnlyCopy(t *testing.T, file string) (path string, removed int) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), "\nalerts:")
	if i < 0 {
		t.Fatalf("%s has no alerts block at the top level", file)
	}
	path = filepath.Join(t.TempDir(), filepath.Base(file))
	if err := os.WriteFile(path, data[i+1:], 0o600); err != nil {
		t.Fatal(err)
	}
	return path, strings.Count(string(data[:i+1]), "\n")
}

func TestAnAlertsOnlyFileLoadsItsAlertsWithTheConfigsDefaults(t *testing.T) {
	whole, err := Load("testdata/alerts/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path, removed := alertsOnlyCopy(t, "testdata/alerts/good.yaml")
	got, err := LoadAlerts(path)
	if err != nil {
		t.Fatalf("an alerts-only file: %v", err)
	}
	want := whole.Alerts
	if len(got.Commands) != len(want.Commands) || len(got.Webhooks) != len(want.Webhooks) {
		t.Fatalf("alerts = %+v, want %+v", got, want)
	}
	for i, c := range got.Commands {
		w := want.Commands[i]
		if strings.Join(c.Run, " ") != strings.Join(w.Run, " ") || c.Timeout != w.Timeout || c.MaxConcurrent != w.MaxConcurrent || c.MinSeverity != w.MinSeverity {
			t.Errorf("command %d = %+v, want %+v", i, c, w)
		}
		if c.Pos.File != path || c.Pos.Line != w.Pos.Line-removed {
			t.Errorf("command %d placed at %s, want %s:%d", i, c.Pos, path, w.Pos.Line-removed)
		}
	}
	for i, h := range got.Webhooks {
		w := want.Webhooks[i]
		if h.URL != w.URL || h.Retries != w.Retries || h.Backoff != w.Backoff || h.Queue != w.Queue || h.Format != w.Format {
			t.Errorf("webhook %d = %+v, want %+v", i, h, w)
		}
	}
	// A whole config gives its alerts block too.
	if all, err := LoadAlerts("testdata/alerts/good.yaml"); err != nil || len(all.Commands) != 2 {
		t.Errorf("a whole config: %d commands, %v", len(all.Commands), err)
	}
}

var placed = regexp.MustCompile(`^([^:]+\.yaml):(\d+):(.*)$`)

// TestAnAlertsOnlyFileIsCheckedAsAConfigsAlertsBlockIs takes every bad
// alerts block alone and wants the same errors, on the lines the block
// moved to.
func TestAnAlertsOnlyFileIsCheckedAsAConfigsAlertsBlockIs(t *testing.T) {
	for _, tt := range badAlertConfigs {
		t.Run(tt.file, func(t *testing.T) {
			path, removed := alertsOnlyCopy(t, filepath.Join("testdata/alerts", tt.file))
			_, err := LoadAlerts(path)
			if err == nil {
				t.Fatalf("%s alone loaded without error", tt.file)
			}
			for _, w := range tt.want {
				m := placed.FindStringSubmatch(w)
				if m == nil { // a part of the message, not its place
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
					continue
				}
				line, _ := strconv.Atoi(m[2])
				moved := path + ":" + strconv.Itoa(line-removed) + ":" + m[3]
				if !strings.Contains(err.Error(), moved) {
					t.Errorf("error lacks %q:\n%v", moved, err)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error prints the secret:\n%v", err)
			}
		})
	}
}

func TestAFileWithoutAlertsGivesNone(t *testing.T) {
	a, err := LoadAlerts("testdata/good.yaml")
	if err != nil || len(a.Commands)+len(a.Webhooks)+len(a.Alertmanagers) != 0 {
		t.Errorf("alerts %+v, error %v", a, err)
	}
	if _, err := LoadAlerts("testdata/bad-no-source.yaml"); err == nil || !strings.Contains(err.Error(), "no source is configured") {
		t.Errorf("a whole config is checked whole: %v", err)
	}
}
