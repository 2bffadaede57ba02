package report

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/plot"
)

// axisMode is how a chart's time axis is labelled.
type axisMode uint8

const (
	// axisT0 labels the time from T0: T-10m, T0, T+1h30m.
	axisT0 axisMode = iota
	// axisFirst labels the time from the first snapshot (+10m), when T0
	// is not known.
	axisFirst
	// axisClock labels the time of day in UTC (14:30, Nov 28 00:00), when
	// T0 lies far from the recording: a backfill of the day after reads
	// better by the clock than as T+31h05m.
	axisClock
)

// timeAxis is the charts' one time axis: minutes from base, labelled by
// mode. Every chart of a report shares it.
type timeAxis struct {
	base time.Time
	mode axisMode
	// days: the window spans more than one UTC day, so clock labels carry
	// the date.
	days bool
}

// t0Reach is how far outside the recording T0 may lie for the axis to be
// read from it: the recording's own length, and at least an hour.
func t0Reach(window time.Duration) time.Duration { return max(window, time.Hour) }

// timeAxis chooses the charts' time axis (see axisMode).
func (r *Report) timeAxis() timeAxis {
	if r.T0.IsZero() {
		return timeAxis{base: r.First, mode: axisFirst}
	}
	reach := t0Reach(r.Last.Sub(r.First))
	if !r.T0.Before(r.First.Add(-reach)) && !r.T0.After(r.Last.Add(reach)) {
		return timeAxis{base: r.T0, mode: axisT0}
	}
	y1, m1, d1 := r.First.UTC().Date()
	y2, m2, d2 := r.Last.UTC().Date()
	return timeAxis{base: r.First, mode: axisClock, days: y1 != y2 || m1 != m2 || d1 != d2}
}

// x places a time on the axis: minutes from its base.
func (ax timeAxis) x(t time.Time) float64 { return t.Sub(ax.base).Minutes() }

// showsT0 says whether the charts mark T0: known, and inside the
// recording's window.
func (ax timeAxis) showsT0(r *Report) bool {
	return !r.T0.IsZero() && !r.T0.Before(r.First) && !r.T0.After(r.Last)
}

// title names the axis.
func (ax timeAxis) title(r *Report) string {
	switch ax.mode {
	case axisFirst:
		return "time from the first snapshot"
	case axisClock:
		side := "after"
		if r.T0.After(r.Last) {
			side = "before"
		}
		return fmt.Sprintf("time (UTC); T0 at %s, the recording is %s %s it", Clock(r.T0), durationWords(r.T0, r.First, r.Last), side)
	}
	return "time from T0"
}

// durationWords is how far T0 lies from the nearer end of the window.
func durationWords(t0, first, last time.Time) string {
	d := first.Sub(t0)
	if t0.After(last) {
		d = t0.Sub(last)
	}
	return formatDurationLong(d)
}

// formatDurationLong words a long duration in days and hours or hours and
// minutes: "9d 15h", "5h 02m", "45m".
func formatDurationLong(d time.Duration) string {
	d = d.Round(time.Minute)
	days, h, m := int(d.Hours())/24, int(d.Hours())%24, int(d.Minutes())%60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %02dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %02dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}

// tickSteps are the spacings of the time axis' ticks, in minutes.
var tickSteps = []float64{1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080}

// Ticks marks the axis every whole step of minutes that leaves at most 8
// ticks: from the base (T0, T+10m, T+1h30m) or on the clock's whole
// minutes and hours (14:30, 15:00).
func (ax timeAxis) Ticks(lo, hi float64) []plot.Tick {
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if (hi-lo)/s <= 8 {
			step = s
			break
		}
	}
	// On the clock the ticks fall on whole steps of the day (UTC), not of
	// the first snapshot's odd second.
	offset := 0.0
	if ax.mode == axisClock {
		offset = math.Mod(float64(ax.base.Unix())/60, step)
	}
	var out []plot.Tick
	for v := math.Ceil((lo+offset)/step)*step - offset; v <= hi; v += step {
		out = append(out, plot.Tick{Value: v, Label: ax.label(v)})
	}
	return out
}

// label writes a tick at minutes from the base.
func (ax timeAxis) label(minutes float64) string {
	if ax.mode == axisClock {
		t := ax.base.Add(time.Duration(math.Round(minutes*60)) * time.Second).UTC()
		switch {
		case ax.days && t.Hour() == 0 && t.Minute() == 0:
			return t.Format("Jan 2")
		case ax.days:
			return t.Format("Jan 2 15:04")
		}
		return t.Format("15:04")
	}
	prefix := ""
	if ax.mode == axisT0 {
		if math.Round(minutes) == 0 {
			return "T0"
		}
		prefix = "T"
	}
	sign := "+"
	if minutes < 0 {
		sign, minutes = "-", -minutes
	}
	m := int(math.Round(minutes))
	switch {
	case m >= 60 && m%60 == 0:
		return fmt.Sprintf("%s%s%dh", prefix, sign, m/60)
	case m >= 60:
		return fmt.Sprintf("%s%s%dh%02dm", prefix, sign, m/60, m%60)
	}
	return fmt.Sprintf("%s%s%dm", prefix, sign, m)
}
