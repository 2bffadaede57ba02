package capacity

import (
	"encoding/json"
	"fmt"
	"time"
)

// The plan, the thresholds and the assessment go into recordings, exports
// and `watch --once --json`. Durations read as Go duration strings
// ("10m0s") in the plan and thresholds, which people edit and read, and
// as seconds in the assessment, which scripts compute with.

type stockJSON struct {
	Total   float64 `json:"total"`
	SellOut string  `json:"sell_out,omitempty"`
}

// MarshalJSON writes the sell-out as a duration string.
func (s Stock) MarshalJSON() ([]byte, error) {
	j := stockJSON{Total: s.Total}
	if s.SellOut != 0 {
		j.SellOut = s.SellOut.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Stock) UnmarshalJSON(b []byte) error {
	var j stockJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	d, err := parseJSONDuration("stock.sell_out", j.SellOut)
	if err != nil {
		return err
	}
	*s = Stock{Total: j.Total, SellOut: d}
	return nil
}

type endpointJSON struct {
	Name   string  `json:"name"`
	MaxQPS float64 `json:"max_qps"`
	MaxP95 string  `json:"max_p95,omitempty"`
}

// MarshalJSON writes the latency ceiling as a duration string.
func (e Endpoint) MarshalJSON() ([]byte, error) {
	j := endpointJSON{Name: e.Name, MaxQPS: e.MaxQPS}
	if e.MaxP95 != 0 {
		j.MaxP95 = e.MaxP95.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Endpoint) UnmarshalJSON(b []byte) error {
	var j endpointJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	d, err := parseJSONDuration("endpoints.max_p95", j.MaxP95)
	if err != nil {
		return err
	}
	*e = Endpoint{Name: j.Name, MaxQPS: j.MaxQPS, MaxP95: d}
	return nil
}

type thresholdsJSON struct {
	Warn               float64 `json:"warn"`
	Crit               float64 `json:"crit"`
	ErrorRateWarn      float64 `json:"error_rate_warn"`
	ErrorRateCrit      float64 `json:"error_rate_crit"`
	PageWeightDrift    float64 `json:"page_weight_drift"`
	SellOutPace        float64 `json:"sell_out_pace"`
	StaleAfter         string  `json:"stale_after"`
	MinDrift           float64 `json:"min_drift"`
	MinFailures        float64 `json:"min_failures"`
	OpenAfter          string  `json:"open_after"`
	CloseAfter         string  `json:"close_after"`
	ButtonBeforeLaunch bool    `json:"button_before_t0,omitempty"`
	LatencyP95Warn     string  `json:"latency_p95_warn"`
	LatencyP95Crit     string  `json:"latency_p95_crit"`
	ImbalanceWarn      float64 `json:"imbalance_warn"`
	ImbalanceCrit      float64 `json:"imbalance_crit"`
	FleetOutlier       float64 `json:"fleet_outlier"`
}

// MarshalJSON writes the thresholds with their config names.
func (t Thresholds) MarshalJSON() ([]byte, error) {
	return json.Marshal(thresholdsJSON{
		Warn: t.Warn, Crit: t.Crit, ErrorRateWarn: t.ErrorRateWarn, ErrorRateCrit: t.ErrorRateCrit,
		PageWeightDrift: t.PageWeightDrift, SellOutPace: t.SellOutPace, StaleAfter: t.StaleAfter.String(),
		MinDrift: t.MinDrift, MinFailures: t.MinFailures, OpenAfter: t.OpenAfter.String(), CloseAfter: t.CloseAfter.String(),
		ButtonBeforeLaunch: t.ButtonBeforeLaunch,
		LatencyP95Warn:     t.LatencyP95Warn.String(), LatencyP95Crit: t.LatencyP95Crit.String(),
		ImbalanceWarn: t.ImbalanceWarn, ImbalanceCrit: t.ImbalanceCrit, FleetOutlier: t.FleetOutlier,
	})
}

// UnmarshalJSON reads what MarshalJSON writes. A field left out keeps the
// value t had, so thresholds read over the defaults keep the defaults (a
// recording made before a threshold existed is judged by its default).
func (t *Thresholds) UnmarshalJSON(b []byte) error {
	j := thresholdsJSON{
		Warn: t.Warn, Crit: t.Crit, ErrorRateWarn: t.ErrorRateWarn, ErrorRateCrit: t.ErrorRateCrit,
		PageWeightDrift: t.PageWeightDrift, SellOutPace: t.SellOutPace,
		MinDrift: t.MinDrift, MinFailures: t.MinFailures, ButtonBeforeLaunch: t.ButtonBeforeLaunch,
		ImbalanceWarn: t.ImbalanceWarn, ImbalanceCrit: t.ImbalanceCrit, FleetOutlier: t.FleetOutlier,
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	durations := []struct {
		field, text string
		was         time.Duration
	}{
		{"thresholds.stale_after", j.StaleAfter, t.StaleAfter},
		{"thresholds.open_after", j.OpenAfter, t.OpenAfter},
		{"thresholds.close_after", j.CloseAfter, t.CloseAfter},
		{"thresholds.latency_p95_warn", j.LatencyP95Warn, t.LatencyP95Warn},
		{"thresholds.latency_p95_crit", j.LatencyP95Crit, t.LatencyP95Crit},
	}
	parsed := make([]time.Duration, len(durations))
	for i, d := range durations {
		v, err := parseJSONDuration(d.field, d.text)
		if err != nil {
			return err
		}
		if d.text == "" {
			v = d.was
		}
		parsed[i] = v
	}
	*t = Thresholds{
		Warn: j.Warn, Crit: j.Crit, ErrorRateWarn: j.ErrorRateWarn, ErrorRateCrit: j.ErrorRateCrit,
		PageWeightDrift: j.PageWeightDrift, SellOutPace: j.SellOutPace, StaleAfter: parsed[0],
		MinDrift: j.MinDrift, MinFailures: j.MinFailures, OpenAfter: parsed[1], CloseAfter: parsed[2],
		ButtonBeforeLaunch: j.ButtonBeforeLaunch,
		LatencyP95Warn:     parsed[3], LatencyP95Crit: parsed[4],
		ImbalanceWarn: j.ImbalanceWarn, ImbalanceCrit: j.ImbalanceCrit, FleetOutlier: j.FleetOutlier,
	}
	return nil
}

func parseJSONDuration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration", field, s)
	}
	return d, nil
}

// MarshalText names the phase: "before launch", "live", "sold out".
func (ph Phase) MarshalText() ([]byte, error) { return []byte(ph.String()), nil }

// MarshalJSON writes the sell-out with durations in seconds; an unknown
// ETA is null.
func (so SellOut) MarshalJSON() ([]byte, error) {
	type alias struct {
		Total          float64   `json:"total"`
		Remaining      any       `json:"remaining"`
		Rate           any       `json:"rate"`
		RateWindowSecs float64   `json:"rate_window_seconds,omitempty"`
		ETASecs        *float64  `json:"eta_seconds"`
		PlannedRate    any       `json:"planned_rate"`
		PlannedAt      time.Time `json:"planned_at,omitzero"`
		Pace           any       `json:"pace"`
	}
	j := alias{
		Total: so.Total, Remaining: so.Remaining, Rate: so.Rate, RateWindowSecs: so.RateWindow.Seconds(),
		PlannedRate: so.PlannedRate, PlannedAt: so.PlannedAt, Pace: so.Pace,
	}
	if so.ETAKnown {
		secs := so.ETA.Seconds()
		j.ETASecs = &secs
	}
	return json.Marshal(j)
}

// MarshalJSON writes the assessment for scripts and the post-mortem: the
// time since launch in seconds (null when the launch time is unknown).
func (a Assessment) MarshalJSON() ([]byte, error) {
	type plain Assessment // no methods: no recursion
	j := struct {
		plain
		SinceLaunchSecs *float64 `json:"since_launch_seconds"`
	}{plain: plain(a)}
	if a.LaunchKnown {
		secs := a.SinceLaunch.Seconds()
		j.SinceLaunchSecs = &secs
	}
	return json.Marshal(j)
}
