package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The subjects the failure modes read, by their keys in the thresholds'
// table.
var (
	pageWeightKey = capacity.Subject{Kind: capacity.KindPageWeight, Name: capacity.SubjectPage}.Key()
	errorRateKey  = capacity.Subject{Kind: capacity.KindErrors, Name: capacity.SubjectErrorRate}.Key()
)

// The rules that name the seed's failure modes in the data.
const (
	// sustained is how long what a view costs the origin must take the
	// link past its warning line at the planned peak to count as far over
	// plan, not a blip.
	sustained = time.Minute
	// avalancheErrors is how soon after T0 the error burst must start to
	// belong to the refresh avalanche.
	avalancheErrors = 5 * time.Minute
	// purchaseWindow is the span over which the purchase path's traffic is
	// averaged: orders are sparse, so one second says nothing.
	purchaseWindow = 5 * time.Minute
	// purchaseShare is the share of the planned sell rate below which the
	// purchase path counts as dead.
	purchaseShare = 0.1
)

// Failure titles.
const (
	titlePageWeight = "Page weight far over plan"
	titleAvalanche  = "Refresh avalanche at T0 with errors and retries"
	titlePurchase   = "Purchase path dead"
)

// failures names the seed's failure modes where the report's data shows
// them.
func failures(r *Report) []Failure {
	var out []Failure
	if f, ok := pageWeightFailure(r); ok {
		out = append(out, f)
	}
	if f, ok := avalancheFailure(r); ok {
		out = append(out, f)
	}
	if f, ok := purchaseFailure(r); ok {
		out = append(out, f)
	}
	return out
}

func (r *Report) crossing(subject string, line capacity.Level, ok func(Crossing) bool) (Crossing, bool) {
	for _, c := range r.Crossings {
		if c.Subject == subject && c.Line == line && ok(c) {
			return c, true
		}
	}
	return Crossing{}, false
}

func pageWeightFailure(r *Report) (Failure, bool) {
	c, ok := r.crossing(pageWeightKey, capacity.LevelWarn, func(c Crossing) bool { return c.Duration() >= sustained })
	if !ok {
		return Failure{}, false
	}
	pw := r.PageWeight
	ev := fmt.Sprintf("what a view cost the origin took up to %s, over the %s warning line %s", c.Worst,
		capacity.FormatPercent(r.Thresholds.Warn), r.spanText(c.Span))
	if pw.Known && pw.Planned > 0 {
		ev += fmt.Sprintf("; a view cost the origin %s, weighted by page views, against the plan's %s (%sx)",
			capacity.FormatBytes(pw.PerView), capacity.FormatBytes(pw.Planned), capacity.FormatNumber(pw.PerView/pw.Planned))
	}
	return Failure{Kind: FailurePageWeight, Title: titlePageWeight, At: c.From, Evidence: ev}, true
}

func avalancheFailure(r *Report) (Failure, bool) {
	if r.T0.IsZero() {
		return Failure{}, false
	}
	var av *events.Event
	for i, e := range r.Events {
		if e.Kind == events.KindAvalanche {
			av = &r.Events[i]
			break
		}
	}
	if av == nil {
		return Failure{}, false
	}
	errs, ok := r.crossing(errorRateKey, capacity.LevelWarn, func(c Crossing) bool {
		return !c.From.Before(r.T0.Add(-sustained)) && !c.From.After(r.T0.Add(avalancheErrors))
	})
	if !ok {
		return Failure{}, false
	}
	ev := fmt.Sprintf("%s (%s); errors over the %s warning line %s, at worst %s", av.Message, r.Rel(av.Time),
		capacity.FormatPercent(r.Thresholds.ErrorRateWarn), r.spanText(errs.Span), errs.Worst)
	for _, p := range r.Peaks {
		if p.Signal == snapshot.SignalRequests && p.Known {
			ev += fmt.Sprintf("; requests peaked at %s at %s, failed page loads retried on top of the refreshes", p.Text, r.Rel(p.At))
		}
	}
	return Failure{Kind: FailureAvalanche, Title: titleAvalanche, At: av.Time, Evidence: ev}, true
}

// purchaseFailure looks for a stretch of the live sale, at least
// purchaseWindow long, in which the purchase path's traffic averaged under
// purchaseShare of the planned sell rate (or was none at all, without a
// planned rate), and cites beside it what the probe found of the purchase
// button. Without any purchase traffic measured, the probe finding the
// button missing for purchaseWindow of the live sale names it alone.
func purchaseFailure(r *Report) (Failure, bool) {
	line := 0.0
	if secs := r.Plan.Stock.SellOut.Seconds(); secs > 0 && r.Plan.Stock.Total > 0 {
		line = purchaseShare * r.Plan.Stock.Total / secs
	}
	best, measured := r.deadPurchase(line)
	button := r.buttonEvidence()
	if best.From.IsZero() {
		if measured {
			return Failure{}, false
		}
		for _, b := range r.ButtonMissing {
			if !b.Crit.IsZero() && b.To.Sub(b.Crit) >= purchaseWindow {
				return Failure{Kind: FailurePurchase, Title: titlePurchase, At: b.Crit,
					Evidence: button + "; no purchase traffic was measured"}, true
			}
		}
		return Failure{}, false
	}
	what := "the " + r.purchase + " endpoint"
	if r.purchase == snapshot.SignalSold {
		what = "sales"
	} else if name, ok := cutEndpoint(r.purchase); ok {
		what = "the " + name + " endpoint"
	}
	avg, n, unmeasured := r.average(best, func(s sample) float64 { return s.purchase })
	ev := fmt.Sprintf("%s averaged %s/s over the %s snapshots from %s to %s (%s) while the sale was live", what,
		capacity.FormatNumber(avg), capacity.FormatCount(float64(n)), r.Rel(best.From), r.Rel(best.To),
		capacity.FormatDuration(best.Duration()))
	if unmeasured > 0 {
		ev += fmt.Sprintf(" (%s more in it did not measure it)", capacity.FormatCount(float64(unmeasured)))
	}
	if line > 0 {
		ev += fmt.Sprintf(", against the plan's %s units/s (under a tenth of it)", capacity.FormatNumber(line/purchaseShare))
	}
	if button != "" {
		ev += "; " + button
	}
	return Failure{Kind: FailurePurchase, Title: titlePurchase, At: best.From, Evidence: ev}, true
}

// deadPurchase returns the longest stretch of the live sale over which
// every window of purchaseWindow averaged the purchase path's traffic at
// or under line (none at all when line is 0), from the first snapshot of
// its first window to its last: exactly the snapshots its average is
// taken over. measured says whether the sale measured the traffic at all.
func (r *Report) deadPurchase(line float64) (best Span, measured bool) {
	var cur Span
	var saleStart time.Time
	j, sum, n := 0, 0.0, 0
	closeCur := func() {
		if !cur.From.IsZero() && cur.Duration() > best.Duration() {
			best = cur
		}
		cur = Span{}
	}
	for i, s := range r.samples {
		inSale := s.phase == capacity.PhaseLive && (r.T0.IsZero() || !s.t.Before(r.T0))
		if !inSale {
			closeCur()
			saleStart, j, sum, n = time.Time{}, i+1, 0, 0
			continue
		}
		if saleStart.IsZero() {
			saleStart = s.t
		}
		if !math.IsNaN(s.purchase) {
			sum, n, measured = sum+s.purchase, n+1, true
		}
		// The window is the samples from s.t - purchaseWindow to s.t, ends
		// included: j is its first.
		for ; j < i && r.samples[j].t.Before(s.t.Add(-purchaseWindow)); j++ {
			if v := r.samples[j].purchase; !math.IsNaN(v) {
				sum, n = sum-v, n-1
			}
		}
		if s.t.Sub(saleStart) < purchaseWindow || n == 0 {
			continue
		}
		dead := sum/float64(n) <= line
		if line == 0 {
			dead = sum <= 0
		}
		switch {
		case dead && cur.From.IsZero():
			cur = Span{From: r.samples[j].t, To: s.t}
		case dead:
			cur.To = s.t
		default:
			closeCur()
		}
	}
	closeCur()
	return best, measured
}

// buttonEvidence says when the probe found the purchase button missing
// while the sale was live: from its first look without it, critical from
// its first look after T0, back at the look that found it again. Empty
// when it never was.
func (r *Report) buttonEvidence() string {
	var out []string
	for _, b := range r.ButtonMissing {
		if b.Crit.IsZero() {
			continue
		}
		ev := fmt.Sprintf("the probe found the purchase button missing from %s, critical from %s once the sale was live", r.Rel(b.From), r.Rel(b.Crit))
		if b.Open {
			ev += fmt.Sprintf(", still missing at its last look (%s)", r.Rel(b.To))
		} else {
			ev += ", back at " + r.Rel(b.To)
		}
		out = append(out, ev)
	}
	return strings.Join(out, "; ")
}

// cutEndpoint returns the endpoint an "endpoints.NAME" signal names.
func cutEndpoint(signal string) (string, bool) {
	name, ok := strings.CutPrefix(signal, "endpoints.")
	return name, ok && name != ""
}

// average is the mean of a figure over the samples in span, ends
// included, with how many samples measured it and how many did not.
func (r *Report) average(span Span, get func(sample) float64) (avg float64, n, unmeasured int) {
	sum := 0.0
	for _, s := range r.samples {
		if s.t.Before(span.From) || s.t.After(span.To) {
			continue
		}
		if v := get(s); !math.IsNaN(v) {
			sum, n = sum+v, n+1
		} else {
			unmeasured++
		}
	}
	if n == 0 {
		return 0, 0, unmeasured
	}
	return sum / float64(n), n, unmeasured
}
