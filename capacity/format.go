package capacity

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Formatting is for a narrow terminal tile: SI prefixes (powers of 1000, as
// in the plan's worked example), three significant digits, trailing zeros
// trimmed. Non-finite input, which the package never produces but a caller
// might, is shown as "–" rather than as "NaN" on a wall screen.

const notANumber = "–"

var (
	byteUnits = []string{"B", "KB", "MB", "GB", "TB", "PB", "EB"}
	rateUnits = []string{"B/s", "KB/s", "MB/s", "GB/s", "TB/s", "PB/s", "EB/s"}
	bitUnits  = []string{"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s", "Pbit/s", "Ebit/s"}
)

// FormatBytes formats a size in bytes: FormatBytes(300e6) is "300 MB".
func FormatBytes(b float64) string { return formatSI(b, byteUnits) }

// FormatByteRate formats bytes per second: FormatByteRate(300e6) is
// "300 MB/s".
func FormatByteRate(bytesPerSec float64) string { return formatSI(bytesPerSec, rateUnits) }

// FormatBitRate formats a rate given in BYTES per second as bits per second,
// the unit links and NICs are sold in: FormatBitRate(300e6) is "2.4 Gbit/s".
func FormatBitRate(bytesPerSec float64) string { return formatSI(bytesPerSec*8, bitUnits) }

// FormatNumber formats a plain quantity with no unit, for figures such as
// PV/s: three significant digits below 1,000 (FormatNumber(41.666) is
// "41.7"), whole numbers with thousands separators from there on
// (FormatNumber(1250) is "1,250").
func FormatNumber(v float64) string {
	if !finite(v) {
		return notANumber
	}
	if math.Abs(v) >= 999.5 {
		return FormatCount(v)
	}
	return formatSig(v)
}

// FormatFromT0 words a time d from T0 as the countdown and the replay's
// timeline say it: "T-3d 01:02:03" days away, "T-1:02:03" hours away,
// "T+04:05" within the hour.
func FormatFromT0(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	d = d.Truncate(time.Second)
	days, h, m, sec := int(d.Hours())/24, int(d.Hours())%24, int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case days > 0:
		return fmt.Sprintf("T%s%dd %02d:%02d:%02d", sign, days, h, m, sec)
	case h > 0:
		return fmt.Sprintf("T%s%d:%02d:%02d", sign, h, m, sec)
	}
	return fmt.Sprintf("T%s%02d:%02d", sign, m, sec)
}

// FormatDuration formats a duration compactly for a narrow screen, to the
// second: "2d03h", "1h05m", "3m20s", "10m", "45s". Negative durations are formatted
// by their size; callers say which side of T0 they are on.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h >= 24:
		return fmt.Sprintf("%dd%02dh", h/24, h%24)
	case h > 0:
		return fmt.Sprintf("%dh%02dm", h, m)
	case m > 0 && s == 0:
		return fmt.Sprintf("%dm", m)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// FormatCount formats a count rounded to a whole number with thousands
// separators: FormatCount(1234567) is "1,234,567".
func FormatCount(n float64) string {
	if !finite(n) {
		return notANumber
	}
	if math.Abs(n) >= maxDigits {
		return strconv.FormatFloat(n, 'g', 3, 64)
	}
	digits := strconv.FormatFloat(math.Abs(math.Round(n)), 'f', 0, 64)
	var b strings.Builder
	if math.Round(n) < 0 {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FormatPercent formats a share (0.123) as a percentage with at most one
// decimal ("12.3%"); shares above 1 or below 0 (headroom when over a
// limit) are shown as they are ("-50%").
func FormatPercent(share float64) string {
	if !finite(share) {
		return notANumber
	}
	if !finite(share * 100) {
		// Too large to scale: the exponent moves by two instead.
		m, e, _ := strings.Cut(strconv.FormatFloat(share, 'e', 2, 64), "e")
		exp, _ := strconv.Atoi(e)
		return fmt.Sprintf("%se%+d%%", m, exp+2)
	}
	s := strconv.FormatFloat(share*100, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s + "%"
}

// formatSI scales v to the largest unit that keeps it under 1000 after
// rounding to three significant digits, so 999.9 B shows as "1 KB" and not
// as "1000 B".
func formatSI(v float64, units []string) string {
	if !finite(v) {
		return notANumber
	}
	i := 0
	for i < len(units)-1 && math.Abs(roundSig(v)) >= 1000 {
		v /= 1000
		i++
	}
	return formatSig(v) + " " + units[i]
}

// roundSig rounds to three significant digits through the decimal text, so
// the rounding is the one a reader would do.
func roundSig(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 2, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// maxDigits is where a number stops being written out in digits: past it
// (never a launch's figure, but what a counter reset makes of a rate) it
// is written in scientific notation, "1.79e+308", rather than as three
// hundred digits.
const maxDigits = 1e15

// formatSig writes v with three significant digits and no exponent, up
// to maxDigits.
func formatSig(v float64) string {
	if math.Abs(v) >= maxDigits {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	s := strconv.FormatFloat(roundSig(v), 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
