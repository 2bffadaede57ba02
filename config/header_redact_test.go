package config_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
)

// A recording's header stores the config as printed: no password of any
// URL in it, the one inside an alert's command line included.
func TestARecordingsHeaderStoresNoPassword(t *testing.T) {
	cfg, err := config.Load("testdata/secrets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h, err := launch.Header(cfg, recording.OriginLive, time.Now(), recording.Build{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "hunter2") {
		t.Fatalf("the header stores a password:\n%s", out)
	}
	if !strings.Contains(h.Config, "https://pager:xxxxx@hooks.example.com/launch") {
		t.Errorf("the header's config lacks the command, redacted:\n%s", h.Config)
	}
}
