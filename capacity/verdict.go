package capacity

import (
	"fmt"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Verdict levels, as `plan --json` writes them.
const (
	VerdictNoLimits = "no_limits"
	VerdictOK       = "ok"
	VerdictWarn     = "warn"
	VerdictCrit     = "crit"
	VerdictBroken   = "broken"
)

// Verdict is the planned peak held against its limits and the thresholds:
// what `plan` and `probe` conclude, in the words of the table above it.
type Verdict struct {
	// Level is one of the Verdict* levels.
	Level string `json:"level"`
	// Limit is the first limit reached; Share the peak's share of it.
	Limit   string  `json:"first_limit,omitempty"`
	Share   float64 `json:"share"`
	LimitPV float64 `json:"first_limit_pv,omitempty"`
	Warn    float64 `json:"warn"`
	Crit    float64 `json:"crit"`
	// Statement says it in a sentence.
	Statement string `json:"statement"`
}

// Over reports whether the peak passes a warning line or breaks a limit.
func (v Verdict) Over() bool { return v.Level != VerdictOK && v.Level != VerdictNoLimits }

// Judge holds the planned peak against the limits and the thresholds. The
// limit rising PV reaches first is the one the peak uses most of, since
// every prediction is linear in PV.
func (p Plan) Judge(th Thresholds) Verdict {
	v := Verdict{Level: VerdictOK, Warn: th.Warn, Crit: th.Crit}
	if len(p.LimitPVs()) == 0 {
		v.Level = VerdictNoLimits
		v.Statement = "no limit set to hold the peak against (give --link, --max-conns or --memory)"
		return v
	}
	first, ok := p.FirstReached()
	if !ok {
		v.Statement = "no PV reaches a limit: nothing of a page view lands on the origin"
		return v
	}
	v.Limit, v.LimitPV = first.Name, first.PV
	v.Share = first.Peak / first.Limit
	used := FormatPercent(v.Share)
	where := fmt.Sprintf("the %s limit is the first one reached, at %s PV/s", first.Name, FormatNumber(first.PV))
	switch l := limitLevel(first, th); {
	case first.Broken:
		v.Level = VerdictBroken
		v.Statement = fmt.Sprintf("BROKEN: the planned peak needs %s of the %s limit; %s", used, first.Name, where)
	case l == LevelCrit:
		v.Level = VerdictCrit
		v.Statement = fmt.Sprintf("CRITICAL: the planned peak uses %s of the %s limit, over the %s critical line; %s", used, first.Name, FormatPercent(th.Crit), where)
	case l == LevelWarn:
		v.Level = VerdictWarn
		v.Statement = fmt.Sprintf("WARNING: the planned peak uses %s of the %s limit, over the %s warning line; %s", used, first.Name, FormatPercent(th.Warn), where)
	default:
		v.Statement = fmt.Sprintf("OK: the planned peak uses at most %s of a limit (the %s), under the %s warning line; %s", used, first.Name, FormatPercent(th.Warn), where)
	}
	return v
}

// limitLevel is how the planned peak stands against one limit.
func limitLevel(l LimitPV, th Thresholds) Level {
	if l.Limit <= 0 {
		return LevelUnknown
	}
	return th.Usage(snapshot.Some(l.Peak / l.Limit))
}

// limitWords says in the plan's table how the peak stands against a
// limit, in the verdict's words: "50% ok", "83% WARN", "97% CRIT",
// "104% BROKEN".
func limitWords(l LimitPV, th Thresholds) string {
	share := FormatPercent(l.Peak / l.Limit)
	switch {
	case l.Broken:
		return share + " BROKEN"
	case limitLevel(l, th) == LevelCrit:
		return share + " CRIT"
	case limitLevel(l, th) == LevelWarn:
		return share + " WARN"
	}
	return share + " ok"
}
