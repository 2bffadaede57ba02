package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// sparkRunes are the eight heights of a sparkline cell.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the newest width values, scaled from 0 to their maximum;
// a missing value is a gap.
func sparkline(vals []snapshot.Value, width int) string {
	if width <= 0 {
		return ""
	}
	if len(vals) > width {
		vals = vals[len(vals)-width:]
	}
	peak := 0.0
	for _, v := range vals {
		peak = math.Max(peak, v.Or(0))
	}
	var b strings.Builder
	b.Grow(width * 3)
	for i := len(vals); i < width; i++ {
		b.WriteByte(' ')
	}
	for _, v := range vals {
		f, ok := v.Get()
		switch {
		case !ok:
			b.WriteByte(' ')
		case peak <= 0 || f <= 0:
			b.WriteRune(sparkRunes[0])
		default:
			i := int(math.Round(f / peak * float64(len(sparkRunes)-1)))
			b.WriteRune(sparkRunes[min(max(i, 0), len(sparkRunes)-1)])
		}
	}
	return b.String()
}

// bar draws a share (0..1, clamped) as a bar of width cells.
func (s *Styles) bar(share float64, width int, l Level) string {
	if width <= 0 {
		return ""
	}
	if math.IsNaN(share) {
		share = 0
	}
	filled := int(math.Round(math.Min(math.Max(share, 0), 1) * float64(width)))
	fill := s.Bar
	if l != LevelNone {
		fill = s.level(l)
	}
	return fill.Render(strings.Repeat("█", filled)) + s.BarEmpty.Render(strings.Repeat("░", width-filled))
}

// fromCapacity maps a capacity level to a screen level.
func fromCapacity(l capacity.Level) Level {
	switch l {
	case capacity.LevelOK:
		return LevelOK
	case capacity.LevelWarn:
		return LevelWarn
	case capacity.LevelCrit:
		return LevelCrit
	}
	return LevelNone
}

// orDash formats a value, or "–" when it is missing.
func orDash(v snapshot.Value, format func(float64) string) string {
	f, ok := v.Get()
	if !ok {
		return "–"
	}
	return format(f)
}

// countdown formats the time to or since T0: T-3d 01:02:03 days ahead,
// T-01:02:03 hours ahead, T+04:05 after.
func countdown(d time.Duration) string { return capacity.FormatFromT0(d) }

// age formats a data age compactly: 0.4s, 12s, 3m, 2h.
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh", int(d.Hours()))
}
