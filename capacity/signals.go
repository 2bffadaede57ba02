package capacity

import (
	"math"
	"strconv"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Format writes a figure in its unit (a row's snapshot.Unit), as the
// screens, the text output and the report all write it: Format(UnitShare,
// 0.123) is "12.3%", Format(UnitLinkRate, 300e6) "300 MB/s (2.4 Gbit/s)".
func Format(u snapshot.Unit, v float64) string {
	switch u {
	case snapshot.UnitCount:
		return FormatCount(v)
	case snapshot.UnitShare:
		return FormatPercent(v)
	case snapshot.UnitBytes:
		return FormatBytes(v)
	case snapshot.UnitByteRate:
		return FormatByteRate(v)
	case snapshot.UnitLinkRate:
		return FormatByteRate(v) + " (" + FormatBitRate(v) + ")"
	case snapshot.UnitSeconds:
		return formatSeconds(v)
	case snapshot.UnitFlag:
		if !finite(v) {
			return notANumber
		}
		if v != 0 {
			return "yes"
		}
		return "no"
	}
	return FormatNumber(v)
}

// formatSeconds writes a duration given in seconds: three significant
// digits under ten seconds, where a latency lives ("250ms", "1.25s"),
// FormatDuration's whole seconds from there on ("45s", "3m20s").
func formatSeconds(v float64) string {
	switch {
	case !finite(v):
		return notANumber
	case math.Abs(roundSig(v)) < 1:
		return formatSig(v*1000) + "ms"
	case math.Abs(roundSig(v)) < 10:
		return formatSig(v) + "s"
	case math.Abs(v) >= math.MaxInt64/float64(time.Second):
		// Past what a time.Duration holds (292 years): days, as a number.
		return strconv.FormatFloat(v/86400, 'g', 3, 64) + "d"
	}
	return FormatDuration(time.Duration(v * float64(time.Second)))
}

// SignalLevel judges a signal's figure in a snapshot by its row's rule
// (snapshot.Signal.Rule). A figure the plan judges (RulePlan) is the
// assessment's to judge, through its checks, the pace and the ceilings
// (Levels): unknown here, as is a figure without a rule or without data.
func (t Thresholds) SignalLevel(sig snapshot.Signal, s snapshot.Snapshot) Level {
	v := sig.Get(s)
	switch sig.Rule {
	case snapshot.RuleUsage:
		if sig.Of == "" {
			return t.Usage(v)
		}
		part, ok := v.Get()
		whole := s.Get(sig.Of).Or(0)
		if !ok || whole <= 0 {
			return LevelUnknown
		}
		return t.Usage(snapshot.Some(part / whole))
	case snapshot.RuleErrorRate:
		return t.ErrorRate(v, s.Requests)
	case snapshot.RuleLatency:
		return t.Latency(v, s.Requests)
	}
	return LevelUnknown
}
