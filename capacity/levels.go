package capacity

import (
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Level is how a figure stands against its thresholds. The screen's
// colours, the events and the frames' levels all classify through these,
// so they always agree.
type Level int

// Levels, from unknown to critical.
const (
	LevelUnknown Level = iota
	LevelOK
	LevelWarn
	LevelCrit
)

// String names the level.
func (l Level) String() string {
	switch l {
	case LevelOK:
		return "ok"
	case LevelWarn:
		return "warn"
	case LevelCrit:
		return "crit"
	}
	return "unknown"
}

// Thresholds turn figures into levels.
type Thresholds struct {
	// Warn and Crit are shares of a limit or ceiling in use (0..1).
	Warn, Crit float64
	// ErrorRateWarn and ErrorRateCrit are shares of failed requests.
	ErrorRateWarn, ErrorRateCrit float64
	// PageWeightDrift is the measured/planned bytes-per-view ratio that
	// counts as drift.
	PageWeightDrift float64
	// SellOutPace is the measured/planned sell-rate ratio below which the
	// sale is far behind plan.
	SellOutPace float64
	// StaleAfter is the data age past which a source counts as stale.
	StaleAfter time.Duration
}

// DefaultThresholds are the thresholds when none are configured.
func DefaultThresholds() Thresholds {
	return Thresholds{
		Warn: 0.8, Crit: 0.95,
		ErrorRateWarn: 0.01, ErrorRateCrit: 0.05,
		PageWeightDrift: 2, SellOutPace: 0.5,
		StaleAfter: 3 * time.Second,
	}
}

// Usage classifies a share of a limit in use (0.9 = 90% used).
func (t Thresholds) Usage(share snapshot.Value) Level {
	v, ok := share.Get()
	switch {
	case !ok:
		return LevelUnknown
	case v >= t.Crit:
		return LevelCrit
	case v >= t.Warn:
		return LevelWarn
	}
	return LevelOK
}

// Headroom classifies a check's headroom (the share of the limit left).
func (t Thresholds) Headroom(c Check) Level {
	h, ok := c.Headroom.Get()
	if !ok {
		return LevelUnknown
	}
	return t.Usage(snapshot.Some(1 - h))
}

// ErrorRate classifies a share of failed requests.
func (t Thresholds) ErrorRate(rate snapshot.Value) Level {
	v, ok := rate.Get()
	switch {
	case !ok:
		return LevelUnknown
	case v >= t.ErrorRateCrit:
		return LevelCrit
	case v >= t.ErrorRateWarn:
		return LevelWarn
	}
	return LevelOK
}

// PageWeight classifies the measured/planned bytes-per-view ratio: at the
// drift threshold it warns, at twice the threshold it is critical.
func (t Thresholds) PageWeight(ratio snapshot.Value) Level { return t.Drift(ratio) }

// Check classifies a formula check: the worse of its headroom to the limit
// and its drift from the plan at the PV now, so four thousand connections
// against a plan of six are flagged however far the limit is.
func (t Thresholds) Check(c Check) Level {
	return max(t.Headroom(c), t.Drift(c.Drift))
}

// Drift classifies a measured/planned ratio, a page's weight or a check's
// drift: at PageWeightDrift times the plan it warns, at twice that it is
// critical. A figure under the plan costs nothing, so only a ratio above
// the plan is judged.
func (t Thresholds) Drift(ratio snapshot.Value) Level {
	v, ok := ratio.Get()
	switch {
	case !ok:
		return LevelUnknown
	case v >= 2*t.PageWeightDrift:
		return LevelCrit
	case v >= t.PageWeightDrift:
		return LevelWarn
	}
	return LevelOK
}

// PaceGrace is how long after T0 the sell pace is not judged: the first
// orders trail the refresh avalanche, and a pace from a few seconds of
// sales says nothing yet.
const PaceGrace = time.Minute

// Pace classifies the sell pace (measured/planned rate) while live: below
// the threshold warns, below half of it is critical.
func (t Thresholds) Pace(a Assessment) Level {
	p, ok := a.SellOut.Pace.Get()
	switch {
	case a.Phase != PhaseLive || !ok:
		return LevelUnknown
	case a.LaunchKnown && a.SinceLaunch < PaceGrace:
		return LevelUnknown
	case p < t.SellOutPace/2:
		return LevelCrit
	case p < t.SellOutPace:
		return LevelWarn
	}
	return LevelOK
}

// MarshalText names the level: "ok", "warn", "crit", "unknown".
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Levels classifies every figure of an assessment by the thresholds, keyed
// as the events name their subjects: "bandwidth", "connections", "memory",
// "error_rate", "page_weight", "pace", and "endpoints.NAME"; a check's
// level is Check's, the worse of headroom and drift. Figures that
// cannot be classified (no data, no limit) are left out.
func (t Thresholds) Levels(a Assessment, s snapshot.Snapshot) map[string]Level {
	out := make(map[string]Level)
	put := func(name string, l Level) {
		if l != LevelUnknown {
			out[name] = l
		}
	}
	for _, c := range a.Checks() {
		put(c.Name, t.Check(c.Check))
	}
	put("error_rate", t.ErrorRate(s.ErrorRate))
	put("page_weight", t.PageWeight(a.PageWeight.Ratio))
	put("pace", t.Pace(a))
	for _, e := range a.Endpoints {
		put("endpoints."+e.Name, t.Usage(e.Load))
	}
	return out
}
