package launch

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
//
// The plan and thresholds are checked as a config's are (capacity's
// Plan.Validate, config's Thresholds.Validate): a header is a file anyone
// can edit, and a plan a config would refuse (a zero download speed the
// connections formula divides by) would give a replay or a report false
// figures. Each bad field is a *capacity.FieldError named by its header
// field ("plan.download_speed", "plan.endpoints[0].max_qps",
// "thresholds.warn"), every one joined; RecordingPlan places them in the
// file.
func PlanOf(h recording.Header) (plan capacity.Plan, hasPlan bool, th capacity.Thresholds, err error) {
	th = capacity.DefaultThresholds()
	if len(h.Thresholds) > 0 {
		if err := json.Unmarshal(h.Thresholds, &th); err != nil {
			return plan, false, th, &capacity.FieldError{Path: "thresholds", Msg: err.Error()}
		}
	}
	if len(h.Plan) > 0 {
		if err := json.Unmarshal(h.Plan, &plan); err != nil {
			return plan, false, th, &capacity.FieldError{Path: "plan", Msg: err.Error()}
		}
		hasPlan = true
	}
	var errs []error
	if hasPlan {
		fields, other := capacity.FieldErrors(plan.Validate())
		for _, fe := range fields {
			// The config's endpoints are the header plan's.
			if !strings.HasPrefix(fe.Path, "plan.") {
				fe = &capacity.FieldError{Path: "plan." + fe.Path, Msg: fe.Msg}
			}
			errs = append(errs, fe)
		}
		errs = append(errs, other...)
	}
	fields, other := capacity.FieldErrors(config.Thresholds{Thresholds: th}.Validate())
	for _, fe := range fields {
		errs = append(errs, fe)
	}
	errs = append(errs, other...)
	if err := errors.Join(errs...); err != nil {
		return plan, false, th, err
	}
	if plan.LaunchAt.IsZero() {
		plan.LaunchAt = h.Launch.StartsAt
	}
	return plan, hasPlan, th, nil
}

// RecordingPlan is PlanOf for an opened recording, each of its errors
// placed as a config's are: "FILE:1: header field plan.download_speed: must
// be > 0 …" (line 1 is the header), a *recording.Error each, joined.
func RecordingPlan(rec *recording.Recording) (plan capacity.Plan, hasPlan bool, th capacity.Thresholds, err error) {
	plan, hasPlan, th, err = PlanOf(rec.Header())
	if err == nil {
		return plan, hasPlan, th, nil
	}
	fields, other := capacity.FieldErrors(err)
	errs := make([]error, 0, len(fields)+len(other))
	for _, fe := range fields {
		errs = append(errs, &recording.Error{Path: rec.Path(), Line: 1, Err: fmt.Errorf("header field %s: %s", fe.Path, fe.Msg)})
	}
	for _, e := range other {
		errs = append(errs, &recording.Error{Path: rec.Path(), Line: 1, Err: fmt.Errorf("header: %w", e)})
	}
	return plan, hasPlan, th, errors.Join(errs...)
}
