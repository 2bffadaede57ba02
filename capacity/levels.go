package capacity

import (
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Level is how a figure stands against its thresholds. The screen's
// colours, the problems and the frames' levels all classify through
// these. A frame's levels are each figure's as it reads now; its problems
// are held to open_after and close_after, so during a hold-down a level
// may read ok under a problem still standing (easing).
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

// Thresholds turn figures into levels. They are the config's
// `thresholds` block as it is written (the yaml names below), but for
// ButtonBeforeLaunch, which comes from the probe's block.
type Thresholds struct {
	// Warn and Crit are shares of a limit or ceiling in use (0..1).
	Warn float64 `yaml:"warn"`
	Crit float64 `yaml:"crit"`
	// ErrorRateWarn and ErrorRateCrit are shares of failed requests.
	ErrorRateWarn float64 `yaml:"error_rate_warn"`
	ErrorRateCrit float64 `yaml:"error_rate_crit"`
	// PageWeightDrift is the measured/planned ratio (bytes per view,
	// connections, memory) past which the screen marks a figure as
	// departing from the plan. It is information: a departure is a
	// problem only through what it does to a limit (see DriftUse).
	PageWeightDrift float64 `yaml:"page_weight_drift"`
	// SellOutPace is the measured/planned sell-rate ratio below which the
	// sale is far behind plan.
	SellOutPace float64 `yaml:"sell_out_pace"`
	// StaleAfter is the data age past which a source counts as stale.
	StaleAfter time.Duration `yaml:"stale_after,omitempty"`
	// MinDrift is the smallest departure from the formula, as a share of
	// the limit it moves, that is judged at all: a few idle keep-alive
	// connections above a near-zero PV move no limit.
	MinDrift float64 `yaml:"min_drift"`
	// MinFailures is the failed requests per second below which an error
	// rate is not judged: one failed scrape of three is not a burst.
	MinFailures float64 `yaml:"min_failures"`
	// OpenAfter is how long a figure must stand at or over a level before
	// its problem opens or rises to it; CloseAfter how long it must stay
	// under before the level falls. Closing takes longer than opening, so
	// a figure dancing on a line neither flaps nor hides a relapse.
	OpenAfter  time.Duration `yaml:"open_after"`
	CloseAfter time.Duration `yaml:"close_after"`
	// ButtonBeforeLaunch says the sale page must show its purchase button
	// before T0 (sources.probe.button_before_t0: required). Without it the
	// button's absence before T0 is expected: many sale pages show it only
	// at T0.
	ButtonBeforeLaunch bool `yaml:"-"`

	// LatencyP95Warn and LatencyP95Crit are the 95th percentile times to
	// answer past which users wait too long.
	LatencyP95Warn time.Duration `yaml:"latency_p95_warn"`
	LatencyP95Crit time.Duration `yaml:"latency_p95_crit"`
	// ImbalanceWarn and ImbalanceCrit are how many times the fleet's mean
	// share of requests one server may carry: a balancer sending one
	// server twice its share overloads it first.
	ImbalanceWarn float64 `yaml:"imbalance_warn"`
	ImbalanceCrit float64 `yaml:"imbalance_crit"`
	// FleetOutlier is how many times the fleet's median error rate or
	// latency a server's must reach, past its own warn line, to be a
	// problem of its own rather than the fleet's.
	FleetOutlier float64 `yaml:"fleet_outlier"`
}

// DefaultThresholds are the thresholds when none are configured.
func DefaultThresholds() Thresholds {
	return Thresholds{
		Warn: 0.8, Crit: 0.95,
		ErrorRateWarn: 0.01, ErrorRateCrit: 0.05,
		PageWeightDrift: 2, SellOutPace: 0.5,
		StaleAfter: 3 * time.Second,
		MinDrift:   0.05, MinFailures: 1,
		OpenAfter: 5 * time.Second, CloseAfter: 30 * time.Second,
		LatencyP95Warn: time.Second, LatencyP95Crit: 3 * time.Second,
		ImbalanceWarn: 1.5, ImbalanceCrit: 2,
		FleetOutlier: 2,
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

// LatencyMinRequests is the requests per second below which a 95th
// percentile is not judged. At a 1 s scrape $__rate_interval is 4 s: at
// 5 req/s that is 20 requests, and their 95th percentile is no longer the
// one slowest request; below it one slow admin page or crawler in a quiet
// minute would read as users waiting.
const LatencyMinRequests = 5

// Latency classifies a 95th percentile time to answer, in seconds, by
// LatencyP95Warn and LatencyP95Crit, at the requests per second it was
// taken over: OK below LatencyMinRequests (judged whatever the rate when
// the rate is not measured).
func (t Thresholds) Latency(p95, requests snapshot.Value) Level {
	v, ok := p95.Get()
	switch {
	case !ok:
		return LevelUnknown
	case requests.OK() && requests.Or(0) < LatencyMinRequests:
		return LevelOK
	case v >= t.LatencyP95Crit.Seconds():
		return LevelCrit
	case v >= t.LatencyP95Warn.Seconds():
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

// ErrorRate classifies a share of failed requests at a request rate:
// below MinFailures failed requests a second the rate is too small to
// judge and is OK. A missing request rate leaves the share alone to judge.
func (t Thresholds) ErrorRate(rate, requests snapshot.Value) Level {
	v, ok := rate.Get()
	switch {
	case !ok:
		return LevelUnknown
	case requests.OK() && v*requests.Or(0) < t.MinFailures:
		return LevelOK
	case v >= t.ErrorRateCrit:
		return LevelCrit
	case v >= t.ErrorRateWarn:
		return LevelWarn
	}
	return LevelOK
}

// Check classifies a formula check: the worse of its headroom to the limit
// and its drift's use of the limit at the planned peak.
func (t Thresholds) Check(c Check) Level {
	return max(t.Headroom(c), t.DriftUse(c))
}

// DriftUse classifies a check's departure from the formula by the limit it
// moves: the share of the limit the planned peak would use at what a page
// view measurably costs now (Check.PeakUse), by the Warn and Crit lines.
// A departure is no problem without a limit, below the plan, or smaller
// than MinDrift of the limit (its excess at the PV now); those, a figure
// that keeps to its formula, and no page views at all are OK. Without
// both a measured and a predicted figure it is unknown.
func (t Thresholds) DriftUse(c Check) Level {
	use, ok := c.PeakUse.Get()
	if !ok {
		// With PV measured (a prediction stands) and no cost per view to
		// carry to the peak (a figure that keeps to its formula, or no
		// page views at all), there is nothing over a limit: OK, so a
		// problem opened in a crash closes when traffic ends. Only a
		// missing PV or measurement is unknown.
		if c.Predicted.OK() && c.Measured.OK() {
			return LevelOK
		}
		return LevelUnknown
	}
	if excess := c.Excess.Or(0); excess <= 0 || excess < t.MinDrift*c.Limit {
		return LevelOK
	}
	return t.Usage(snapshot.Some(use))
}

// Drift marks a measured/planned ratio on screen (a page's weight, a
// check's drift): at PageWeightDrift times the plan it warns, at twice
// that it is critical. It colours information only; what is a problem
// is DriftUse's.
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

// ProbeUse classifies the sale page as probed by the limit it moves: the
// share of the link the planned peak would use if every view pulled the
// probed page's origin bytes (ProbeCheck.PeakUse).
func (t Thresholds) ProbeUse(p ProbeCheck) Level {
	use, ok := p.PeakUse.Get()
	if !ok {
		return LevelUnknown
	}
	if p.PeakExcess.Or(0) < t.MinDrift*p.Limit {
		return LevelOK
	}
	return t.Usage(snapshot.Some(use))
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

// Levels classifies every subject of an assessment (see Judgements) by
// the thresholds, keyed by its Key ("limit/bandwidth", "drift/connections",
// "endpoint/cart", "errors/error_rate", "page-weight/page", "pace/sell-out",
// …), as the problems are. Subjects that cannot be classified (no data, no
// limit) are left out.
func (t Thresholds) Levels(a Assessment, s snapshot.Snapshot) map[string]Level {
	out := make(map[string]Level)
	for _, j := range t.Judgements(a, s) {
		if j.Level != LevelUnknown {
			out[j.Key()] = j.Level
		}
	}
	return out
}
