package launch

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/recording"
)

// Name is what the screen, the recording and the alerts call the launch:
// its name, else its config file.
func Name(cfg *config.Config) string { return cfg.LaunchName() }

// NewRecording creates (or appends to) a recording of cfg's launch at
// path, or at a new file in the state directory when path is empty.
func NewRecording(cfg *config.Config, path, origin string, build recording.Build) (*recording.Writer, error) {
	started := time.Now()
	if path == "" {
		dir, err := recording.DefaultDir()
		if err != nil {
			return nil, fmt.Errorf("recording: %w (or pass --record FILE, or --no-record)", err)
		}
		path = filepath.Join(dir, recording.FileName(Name(cfg), started))
	}
	h, err := Header(cfg, origin, started, build)
	if err != nil {
		return nil, err
	}
	w, err := recording.Create(path, h, recording.Options{})
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	return w, nil
}

// Header describes a launch for its recording: the plan and the
// thresholds it is held against, the config with secrets redacted, the
// build and the host.
func Header(cfg *config.Config, origin string, started time.Time, build recording.Build) (recording.Header, error) {
	h := recording.Header{
		Launch:      recording.Launch{Name: Name(cfg), StartsAt: cfg.Launch.StartsAt},
		Interval:    recording.Duration(cfg.Interval),
		Launchwatch: build,
		Started:     started,
		Origin:      recording.Origin{Kind: origin},
	}
	h.Host, _ = os.Hostname()
	if cfg.HasPlan() {
		plan, err := cfg.CapacityPlan()
		if err != nil {
			return h, err
		}
		if h.Plan, err = json.Marshal(plan); err != nil {
			return h, err
		}
	}
	var err error
	if h.Thresholds, err = json.Marshal(cfg.CapacityThresholds()); err != nil {
		return h, err
	}
	y, err := cfg.YAML()
	if err != nil {
		return h, err
	}
	h.Config = string(y)
	return h, nil
}

// PlanOf reads back what a recording was held against (Header). A
// recording without a plan gives the launch time alone and hasPlan false.
func PlanOf(h recording.Header) (plan capacity.Plan, hasPlan bool, th capacity.Thresholds, err error) {
	th = capacity.DefaultThresholds()
	if len(h.Thresholds) > 0 {
		if err := json.Unmarshal(h.Thresholds, &th); err != nil {
			return plan, false, th, fmt.Errorf("the recording's thresholds: %w", err)
		}
	}
	if len(h.Plan) > 0 {
		if err := json.Unmarshal(h.Plan, &plan); err != nil {
			return plan, false, th, fmt.Errorf("the recording's plan: %w", err)
		}
		hasPlan = true
	}
	if plan.LaunchAt.IsZero() {
		plan.LaunchAt = h.Launch.StartsAt
	}
	return plan, hasPlan, th, nil
}
