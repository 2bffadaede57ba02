package capacity

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The unit rule, stated once because bytes and bits differ only by case:
//
//   - A prefix is K, M, G, T or P (SI, powers of 1000) or Ki, Mi, Gi, Ti, Pi
//     (binary, powers of 1024). The prefix letter may be either case ("kB"
//     and "KB" are both 1000 bytes): nobody means millibytes.
//   - After the prefix, an upper-case "B" (or "byte", "bytes") means bytes and
//     a lower-case "b" (or "bit", "bits") means bits. "10 KB/s" is 10,000
//     bytes per second; "10 Kbps" is 10,000 bits, so 1,250 bytes, per second.
//   - A rate ends in "/s" or "ps" ("MB/s", "Mbit/s", "Mbps").
//   - A number needs a unit ("100" is refused, suggesting "100KB"): a bare
//     number is bytes to one reader and kilobytes to the next. Only zero
//     may go without one.
//
// Sizes refuse bits: a resource or connection size given in bits is almost
// certainly a typo, and guessing would be off by a factor of eight.

// siPrefixes maps a prefix to its power of ten. SI multipliers are applied
// by parsing "<number>e<power>", so "1.5GB" is the float64 nearest to 1.5e9
// rather than 1.5 × 1e9 with two roundings.
var siPrefixes = map[string]int{"": 0, "k": 3, "m": 6, "g": 9, "t": 12, "p": 15}

// binPrefixes maps a binary prefix to its power of two; scaling by a power
// of two is exact in float64.
var binPrefixes = map[string]int{"ki": 10, "mi": 20, "gi": 30, "ti": 40, "pi": 50}

const (
	acceptedSizeUnits = "B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB"
	acceptedRateUnits = "B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s … for bytes; " +
		"bps, Kbps, Mbps, Gbps, Kbit/s, Mbit/s, Gbit/s, Gb/s … for bits"
)

// ParseBytes parses a size such as "100KB", "100 KB", "10KiB", "1.5GB" or
// "300B" into bytes. SI prefixes are powers of 1000 and binary prefixes
// (KiB, MiB, …) powers of 1024. A number without a unit is refused with a
// suggestion, except zero. Negative, non-finite and overflowing values are
// refused, so the result is always finite and >= 0.
func ParseBytes(s string) (float64, error) {
	num, unit, err := splitQuantity(s)
	if err != nil {
		return 0, err
	}
	if unit == "" && !isZero(num) {
		return 0, fmt.Errorf("size %q has no unit: write e.g. \"%sKB\" (1 KB = 1,000 B), \"%sKiB\" or \"%sB\" (accepted: %s)", s, num, num, num, acceptedSizeUnits)
	}
	prefix, bits, ok := splitUnit(unit)
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q (accepted: %s)", s, unit, acceptedSizeUnits)
	}
	if bits {
		return 0, fmt.Errorf("size %q: %q is bits (lower-case b); write an upper-case B for bytes", s, unit)
	}
	v, err := scale(num, prefix)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	return v, nil
}

// ParseByteRate parses a data rate into bytes per second: byte rates such as
// "100KB/s", "300MB/s" or "10MiB/s", and bit rates such as "1Gbps",
// "2.4 Gbit/s", "800Mbps" or "1Gb/s". A lower-case "b" after the prefix means
// bits, an upper-case "B" bytes (see the unit rule above). A number without
// a unit is refused with a suggestion, except zero. The result is always
// finite and >= 0.
func ParseByteRate(s string) (float64, error) {
	num, unit, err := splitQuantity(s)
	if err != nil {
		return 0, err
	}
	if unit == "" && !isZero(num) {
		return 0, fmt.Errorf("rate %q has no unit: write e.g. \"%sKB/s\" (bytes), \"%sMbps\" (bits) or \"%sB/s\" (accepted: %s)", s, num, num, num, acceptedRateUnits)
	}
	size, ok := cutRateSuffix(unit)
	if !ok && unit != "" {
		return 0, fmt.Errorf("rate %q: unit %q is not per second (accepted: %s)", s, unit, acceptedRateUnits)
	}
	prefix, bits, ok := splitUnit(size)
	if !ok || (unit != "" && size == "") {
		return 0, fmt.Errorf("rate %q: unknown unit %q (accepted: %s)", s, unit, acceptedRateUnits)
	}
	v, err := scale(num, prefix)
	if err != nil {
		return 0, fmt.Errorf("rate %q: %w", s, err)
	}
	if bits {
		v /= 8 // a power of two: exact
	}
	return v, nil
}

// ParseCount parses a count such as "200000", "200k", "1.5M" or "2 G" (k,
// M and G are thousands, millions and billions, in either case: a count of
// milli-anything means nothing): page views per second, resources per page,
// connections. Negative, non-finite and overflowing values are refused, so
// the result is always finite and >= 0.
func ParseCount(s string) (float64, error) {
	num, unit, err := splitQuantity(s)
	if err != nil {
		return 0, err
	}
	prefix := strings.ToLower(unit)
	switch prefix {
	case "", "k", "m", "g": // the SI prefixes' own keys
	default:
		return 0, fmt.Errorf("count %q: unknown suffix %q (accepted: k for thousands, M for millions, G for billions, or none)", s, unit)
	}
	v, err := scale(num, prefix)
	if err != nil {
		return 0, fmt.Errorf("count %q: %w", s, err)
	}
	return v, nil
}

// isZero reports whether a number's text is zero ("0", "0.0", "+0", "0e5").
func isZero(num string) bool {
	v, err := strconv.ParseFloat(num, 64)
	return err == nil && v == 0
}

// ParseDuration parses a Go duration such as "10m", "90s" or "1h30m".
// Negative durations are refused: every duration in the plan is a span that
// has to pass.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("duration %q is empty (want e.g. \"10m\", \"90s\", \"1h30m\")", s)
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("duration %q: not a duration (want e.g. \"10m\", \"90s\", \"1h30m\")", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q: must not be negative", s)
	}
	return d, nil
}

// splitQuantity cuts "1.5 GB" into its number text and its unit, refusing
// the empty string, a missing number ("NaN", "Inf", "KB") and a sign.
func splitQuantity(s string) (num, unit string, err error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", "", fmt.Errorf("value %q is empty (want a number with an optional unit, e.g. \"100KB\")", s)
	}
	i := numberEnd(t)
	num, unit = t[:i], strings.TrimSpace(t[i:])
	if num == "" || num == "+" || num == "-" {
		return "", "", fmt.Errorf("%q: not a number followed by a unit", s)
	}
	if strings.HasPrefix(num, "-") {
		return "", "", fmt.Errorf("%q: must not be negative", s)
	}
	return num, unit, nil
}

// numberEnd returns the length of the leading decimal number in t: an
// optional sign, digits and a point, and an exponent only when digits follow
// the "e" (so "1e3KB" is 1e3 KB while "1eB" is not a number).
func numberEnd(t string) int {
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	digits := false
	for i < len(t) && (isDigit(t[i]) || t[i] == '.') {
		digits = digits || isDigit(t[i])
		i++
	}
	if !digits || i >= len(t) || (t[i] != 'e' && t[i] != 'E') {
		return i
	}
	j := i + 1
	if j < len(t) && (t[j] == '+' || t[j] == '-') {
		j++
	}
	if j >= len(t) || !isDigit(t[j]) {
		return i
	}
	for j < len(t) && isDigit(t[j]) {
		j++
	}
	return j
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// cutRateSuffix strips "/s", "/sec" or "ps" from a rate unit.
func cutRateSuffix(unit string) (string, bool) {
	for _, suf := range []string{"/s", "/sec", "ps"} {
		if rest, ok := strings.CutSuffix(unit, suf); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return unit, false
}

// splitUnit splits a size unit ("KiB", "Mb", "Gbit", "") into its lower-cased
// prefix and whether it counts bits. The empty unit is bytes.
func splitUnit(unit string) (prefix string, bits, ok bool) {
	if unit == "" {
		return "", false, true
	}
	var body string
	switch {
	case strings.HasSuffix(unit, "bytes"):
		prefix, body = strings.TrimSuffix(unit, "bytes"), "B"
	case strings.HasSuffix(unit, "byte"):
		prefix, body = strings.TrimSuffix(unit, "byte"), "B"
	case strings.HasSuffix(unit, "bits"):
		prefix, body = strings.TrimSuffix(unit, "bits"), "b"
	case strings.HasSuffix(unit, "bit"):
		prefix, body = strings.TrimSuffix(unit, "bit"), "b"
	default:
		prefix, body = unit[:len(unit)-1], unit[len(unit)-1:]
	}
	if body != "B" && body != "b" {
		return "", false, false
	}
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	_, si := siPrefixes[prefix]
	_, bin := binPrefixes[prefix]
	if !si && !bin {
		return "", false, false
	}
	return prefix, body == "b", true
}

// scale applies a prefix to a number's text and refuses what float64 cannot
// hold.
func scale(num, prefix string) (float64, error) {
	var v float64
	var err error
	if p, ok := binPrefixes[prefix]; ok {
		v, err = strconv.ParseFloat(num, 64)
		v = math.Ldexp(v, p)
	} else if strings.ContainsAny(num, "eE") {
		// The number has its own exponent; one extra rounding is the price.
		v, err = strconv.ParseFloat(num, 64)
		v *= math.Pow10(siPrefixes[prefix])
	} else {
		v, err = strconv.ParseFloat(num+"e"+strconv.Itoa(siPrefixes[prefix]), 64)
	}
	if errors.Is(err, strconv.ErrRange) || math.IsInf(v, 0) {
		return 0, errors.New("too large")
	}
	if err != nil || math.IsNaN(v) {
		return 0, errors.New("not a number")
	}
	if v < 0 {
		return 0, errors.New("must not be negative")
	}
	return v, nil
}
