package replay

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
)

// ParseTime reads a moment as people say it during a launch:
//
//	T+05:00, T-30s, T+1h2m, T+1:05:00   relative to T0 (t0)
//	14:03, 14:03:22                     a clock time on the recording's days
//	2026-11-27T14:03:22Z                RFC 3339
//
// start and end bound the recording; a clock time is taken on the first
// day from start's on which it falls between them.
func ParseTime(s string, t0, start, end time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("no time given: try T+05:00, T-30s or 14:03")
	}
	if rest, ok := strings.CutPrefix(strings.ToUpper(s[:1])+s[1:], "T"); ok && len(rest) > 0 && (rest[0] == '+' || rest[0] == '-') {
		if t0.IsZero() {
			return time.Time{}, fmt.Errorf("%q: the recording has no launch time (T0); give a clock time such as 14:03", s)
		}
		d, err := parseOffset(rest[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: %w", s, err)
		}
		if rest[0] == '-' {
			d = -d
		}
		return t0.Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if clock, err := parseClock(s); err == nil {
		if start.IsZero() {
			return time.Time{}, fmt.Errorf("%q: the recording is empty", s)
		}
		day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, start.Location())
		for t := day.Add(clock); !t.After(end.Add(24 * time.Hour)); t = t.AddDate(0, 0, 1) {
			if !t.Before(start) {
				return t, nil
			}
		}
		return day.Add(clock), nil
	}
	return time.Time{}, fmt.Errorf("%q: not a time; try T+05:00, T-30s, T+1h2m, 14:03 or 14:03:22", s)
}

// parseOffset reads "05:00" (minutes and seconds), "1:05:00", or a Go
// duration ("30s", "1h2m").
func parseOffset(s string) (time.Duration, error) {
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return 0, errors.New("too many colons: use mm:ss or h:mm:ss")
		}
		var d time.Duration
		for _, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("%q is not a number of minutes or seconds", p)
			}
			d = d*60 + time.Duration(n)
		}
		return d * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errors.New("not a duration: use mm:ss, h:mm:ss or 1h2m30s")
	}
	return d, nil
}

// parseClock reads "15:04" or "15:04:05" as the time since midnight.
func parseClock(s string) (time.Duration, error) {
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, nil
		}
	}
	return 0, errors.New("not a clock time")
}

// ParsePastTime reads a moment in the past as a backfill asks for it:
// RFC 3339, now or now-2h (relative to now), or T-10m and T+1h (relative to
// T0, t0). A clock time alone is refused as ambiguous: no recording's days
// bound it. The error begins with what was given.
func ParsePastTime(s string, t0, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("is required: RFC 3339, now-2h, or T-10m")
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(s), "now"); ok {
		if rest == "" {
			return now, nil
		}
		if rest[0] != '-' {
			return time.Time{}, fmt.Errorf("%s: only the past is held: use now-2h", s)
		}
		d, err := time.ParseDuration(rest[1:])
		if err != nil || d < 0 {
			return time.Time{}, fmt.Errorf("%s: %q is not a duration such as 2h or 90m", s, rest[1:])
		}
		return now.Add(-d), nil
	}
	if (s[0] == 'T' || s[0] == 't') && len(s) > 1 && (s[1] == '+' || s[1] == '-') && t0.IsZero() {
		return time.Time{}, fmt.Errorf("%s: the config has no launch.starts_at (T0): give an RFC 3339 time or now-2h", s)
	}
	for _, clock := range []string{"15:04", "15:04:05"} {
		if _, err := time.Parse(clock, s); err == nil {
			return time.Time{}, fmt.Errorf("%s: a clock time is ambiguous here: give an RFC 3339 time, now-2h, or T-10m", s)
		}
	}
	t, err := ParseTime(s, t0, time.Time{}, time.Time{})
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: not a time: give an RFC 3339 time (2026-11-27T12:00:00Z), now-2h, or T-10m", s)
	}
	return t, nil
}

// FormatTime words a moment as the replay's timeline labels it: relative
// to T0 (t0) when the launch is known, "T+05:00", "T-1:02:03",
// "T+2d 03:04:05"; else the clock time, "14:03:22".
func FormatTime(t, t0 time.Time) string {
	if t0.IsZero() {
		return t.Format("15:04:05")
	}
	return capacity.FormatFromT0(t.Sub(t0))
}
