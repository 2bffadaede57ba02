package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Rel gives a time relative to T0, as the screen's countdown does:
// "T-00:30", "T+05:00", "T+1:29:40". Without a T0 it is relative to the
// first snapshot: "+05:00".
func (r *Report) Rel(t time.Time) string {
	prefix, base := "T", r.T0
	if base.IsZero() {
		prefix, base = "", r.First
	}
	d := t.Sub(base).Round(time.Second)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%s%s%d:%02d:%02d", prefix, sign, h, m, s)
	}
	return fmt.Sprintf("%s%s%02d:%02d", prefix, sign, m, s)
}

// Clock gives a time of day in UTC, as the recording holds it.
func Clock(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// spanText says when a span ran and for how long.
func (r *Report) spanText(s Span) string {
	if s.Open {
		return fmt.Sprintf("from %s to the end of the recording (%s)", r.Rel(s.From), capacity.FormatDuration(s.Duration()))
	}
	return fmt.Sprintf("from %s to %s (%s)", r.Rel(s.From), r.Rel(s.To), capacity.FormatDuration(s.Duration()))
}

// until names a span's end.
func (r *Report) until(s Span) string {
	if s.Open {
		return r.Rel(s.To) + " (end)"
	}
	return r.Rel(s.To)
}

// maxText caps the width of one untrusted string in the report.
const maxText = 300

// clean makes untrusted text one line with no control characters.
func clean(s string) string { return snapshot.CleanText(s, maxText) }

// maxSentence caps the width of one of the report's own sentences, which
// may quote several figures and names: a failure's evidence.
const maxSentence = 2000

// cleanSentence cleans one of the report's own sentences as clean does,
// capped at maxSentence.
func cleanSentence(s string) string { return snapshot.CleanText(s, maxSentence) }

// mdEscaper escapes what would change a Markdown table or its inline
// formatting: pipes end a cell, backslashes, backticks, stars, underscores,
// brackets and angle brackets format or link.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;",
)

// md cleans untrusted text for a Markdown line or table cell.
func md(s string) string { return mdEscaper.Replace(cleanSentence(s)) }

// orDash shows an empty figure as a dash.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// sellOutText says how the sale went against the plan.
func (r *Report) sellOutText() string {
	so := r.SellOut
	planned := ""
	if so.Planned > 0 {
		planned = "T+" + capacity.FormatDuration(so.Planned)
	}
	switch {
	case !so.SoldOut.IsZero() && so.Planned > 0 && !r.T0.IsZero():
		took := so.SoldOut.Sub(r.T0)
		return fmt.Sprintf("sold out at %s against a planned %s: %sx the planned time", r.Rel(so.SoldOut), planned,
			capacity.FormatNumber(took.Seconds()/so.Planned.Seconds()))
	case !so.SoldOut.IsZero():
		return fmt.Sprintf("sold out at %s", r.Rel(so.SoldOut))
	}
	left := "stock not measured"
	if v, ok := so.Remaining.Get(); ok {
		left = capacity.FormatCount(v) + " units left"
		if so.Total > 0 {
			left += " of " + capacity.FormatCount(so.Total)
		}
	}
	msg := fmt.Sprintf("not sold out by the end of the recording (%s): %s", r.Rel(r.Last), left)
	if planned != "" {
		msg += "; the plan sold out at " + planned
	}
	return msg
}

// missText says how far a formula missed.
func (r *Report) missText(m Miss) string {
	if !m.Known {
		return "never measured beside a prediction"
	}
	s := fmt.Sprintf("%s measured against %s predicted at %s", m.Format(m.Measured), m.Format(m.Predicted), r.Rel(m.At))
	if v, ok := m.Ratio.Get(); ok {
		s += " (" + capacity.FormatNumber(v) + "x)"
	}
	return s
}

// count says how many of a thing: "1 snapshot", "1,296 snapshots".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return capacity.FormatCount(float64(n)) + " " + thing + "s"
}
