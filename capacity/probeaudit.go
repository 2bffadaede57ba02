package capacity

import (
	"fmt"

	"github.com/launchwatch/launchwatch/snapshot"
)

// PageAudit is the sale page as one probe weighed it, held against the
// plan before the launch (`launchwatch probe`), by the rule the live
// probe's problem follows (Thresholds.ProbeUse): a page is judged by the
// limit it moves, not by its ratio to the plan's page. It is over the plan
// when, carried to the planned peak, its origin bytes take the link past
// the warning line. Without a link to hold it against, the weight is
// information: its ratio to the plan's page, never a verdict.
type PageAudit struct {
	// ProbeCheck carries the page's origin bytes to the planned peak
	// against the link: the weight and its ratio to the plan's page, the
	// origin's bytes a view, the share of the link the peak would use
	// (PeakUse) and the PV that fills it (LinkPV).
	ProbeCheck
	// Level is ProbeUse's: unknown without a link (or a peak).
	Level Level `json:"level"`
	// Over is true at warn or crit: the page is over the plan.
	Over bool `json:"over"`
	// Warn and Crit are the lines Level was judged by.
	Warn float64 `json:"warn"`
	Crit float64 `json:"crit"`
	// AsItIs is the plan at its peak with the probed page's resources and
	// size in place of the planned ones (and the CDN share the probe saw,
	// when it saw one), and Limits that plan's verdict: the connections
	// and memory the page holds as well as the link. Both are information
	// beside Level.
	AsItIs Summary `json:"peak_with_page_as_is"`
	Limits Verdict `json:"limits"`
	// Statement says the judgement in a sentence, with its basis: "OVER
	// PLAN: ...", "within the plan: ...", or the weight as information.
	Statement string `json:"statement"`
}

// AuditPage holds the page the probe weighed (pr: its page bytes, its
// resources, and its CDN share when the probe could tell one) against p
// as written, by th.
func (p Plan) AuditPage(pr snapshot.Probe, th Thresholds) PageAudit {
	a := PageAudit{ProbeCheck: p.probeCheck(pr), Warn: th.Warn, Crit: th.Crit}
	a.Level = th.ProbeUse(a.ProbeCheck)
	a.Over = a.Level >= LevelWarn
	asked := p
	asked.FromProbe = true
	asIs, _ := asked.FromProbePage(pr)
	if share, ok := pr.CDNShare.Get(); ok {
		asIs.CDNShare = share
	}
	a.AsItIs, a.Limits = asIs.Summary(), asIs.Judge(th)
	a.Statement = a.statement(p.PeakPV)
	return a
}

// statement says how the page stands: its share of the link at the peak
// with both sides named, or its weight against the plan's page when there
// is no link to hold it against.
func (a PageAudit) statement(peakPV float64) string {
	use, ok := a.PeakUse.Get()
	if !ok {
		return fmt.Sprintf("the page weighs %s, %sx the plan's %s page: information, with no link limit to hold it against",
			FormatBytes(a.Weight.Or(0)), FormatNumber(a.Ratio.Or(0)), FormatBytes(a.Planned))
	}
	takes := fmt.Sprintf("at the planned peak of %s PV/s the page's %s from the origin a view takes %s of the %s link",
		FormatNumber(peakPV), FormatBytes(a.Origin.Or(0)), FormatPercent(use), FormatBitRate(a.Limit))
	switch {
	case a.Level == LevelCrit:
		return fmt.Sprintf("OVER PLAN: %s, over the %s critical line; the link fills at %s PV/s", takes, FormatPercent(a.Crit), FormatNumber(a.LinkPV.Or(0)))
	case a.Level == LevelWarn:
		return fmt.Sprintf("OVER PLAN: %s, over the %s warning line; the link fills at %s PV/s", takes, FormatPercent(a.Warn), FormatNumber(a.LinkPV.Or(0)))
	case use >= a.Warn:
		// The plan's own page takes about as much: the plan's verdict
		// (Limits) is the one to read, not the page's.
		return fmt.Sprintf("within the plan: %s, no more than the plan's own page", takes)
	}
	return fmt.Sprintf("within the plan: %s, under the %s warning line", takes, FormatPercent(a.Warn))
}
