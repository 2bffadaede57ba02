package capacity

import (
	"fmt"
	"iter"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Subject is a figure the thresholds judge: one row of the one table the
// levels, the problems, the report and the screen read. Its Key
// ("limit/bandwidth", "pace/sell-out") is its one spelling everywhere: the
// levels' key, the problem's kind and subject, the report's crossing.
type Subject struct {
	// Kind and Name are the problem's kind and subject: "limit" and
	// "bandwidth", "endpoint" and "cart".
	Kind, Name string
	// Title names it for people: "bandwidth limit", "cart endpoint",
	// "web-3 errors". A server of the fleet is named only while it stands
	// at a line (where a problem or a crossing opens): of 500 servers at
	// OK nobody reads a name, and none is built.
	Title string
	// LowerWorse says a lower figure is worse (the pace).
	LowerWorse bool
	// AtOnce opens its problem without a standing time: a probe's finding
	// is one look at the page that stands until the next.
	AtOnce bool
	// Format words a figure it is judged on: "97% of the limit". The
	// report's crossings word the figure with its basis
	// (Judgement.FigureText).
	Format func(float64) string
	// Line names a threshold line: "warn 80%", "crit below 0.25x".
	Line func(Thresholds, Level) string
	// Back words its recovery; a server of the fleet words it only when
	// asked (Judgement.Recovery).
	Back string
}

// Key is the subject's one spelling: kind/name.
func (s Subject) Key() string { return s.Kind + "/" + s.Name }

// Kinds of subjects, as the problems name them.
const (
	KindLimit      = "limit"       // bandwidth, connections or memory near a limit
	KindDrift      = "drift"       // connections or memory per view taking a limit at the peak
	KindEndpoint   = "endpoint"    // a dynamic endpoint near its ceiling
	KindErrors     = "errors"      // an error burst
	KindPageWeight = "page-weight" // bytes per view taking the link at the peak
	KindPace       = "pace"        // the sale behind its pace
	KindButton     = "button"      // the purchase button missing
	KindResource   = "resource"    // resources of the sale page failing

	KindLatency         = "latency"          // users waiting: the site's p95 past its lines
	KindEndpointLatency = "endpoint-latency" // an endpoint's p95 near the ceiling its stress test found

	// A server of the fleet: the subject is the server's name.
	KindImbalance     = "imbalance"      // one server carrying many times the mean share of requests
	KindServerErrors  = "server-errors"  // one server failing far more than the fleet
	KindServerLatency = "server-latency" // one server answering far slower than the fleet
	KindGone          = "gone"           // a server that stopped answering
)

// ServerKinds are the kinds whose subject is one server of the fleet.
var ServerKinds = []string{KindImbalance, KindServerErrors, KindServerLatency, KindGone}

// Names of the subjects that are not a limit, a check or an endpoint.
const (
	SubjectErrorRate = "error_rate"
	SubjectPage      = "page"      // the page views the origin serves
	SubjectSalePage  = "sale-page" // the sale page as the probe weighed it
	SubjectSellOut   = "sell-out"
	SubjectPurchase  = "purchase"
	SubjectLatency   = "p95" // the site's 95th percentile time to answer
)

// Judgement is a subject judged in one snapshot: its level, the figure it
// rests on, and its words.
type Judgement struct {
	Subject
	// Level is the figure's level; LevelUnknown when there is nothing to
	// judge (no data, no limit): a gap, never a recovery.
	Level Level
	// Figure is what the level is judged on (a share of a limit, of
	// requests failing, the pace), missing when unknown.
	Figure snapshot.Value
	// Size is how large a problem it is in its own measure, larger worse:
	// the share of a limit in use, of requests failing, how far behind its
	// pace the sale is. It orders problems of one harm.
	Size float64
	// words words the figure as it stands, from what it was judged on: a
	// function of the row, not a closure, so that judging a frame
	// allocates little (every frame is judged, live, in a replay and in
	// the report).
	words func(j *Judgement) string
	// basis words what the figure rests on, after it (FigureText); nil
	// is "measured".
	basis func(j *Judgement) string
	a     *Assessment
	s     *snapshot.Snapshot
	check *NamedCheck
	ep    *EndpointLoad
	line  float64          // the line its level stands past, for words that name it
	srv   *snapshot.Server // a server of the fleet
	fleet *fleetStats      // the fleet it is held against
}

// Recovery words the subject back under its lines: its Back, which a
// server of the fleet words only when asked.
func (j *Judgement) Recovery() string {
	if j.Back == "" && j.srv != nil {
		return j.srv.Name + fleetWords(j.Kind).back
	}
	return j.Back
}

// Text words the judgement as it stands: "bandwidth at 100.6% of its
// 125 MB/s limit, measured".
func (j Judgement) Text() string {
	if j.words == nil {
		return j.Title
	}
	return j.words(&j)
}

// FigureText words the figure the level is judged on with its basis, for
// the report's crossings, whose worst figure may stand on a prediction: "97%
// of the limit: 97 MB/s of 100 MB/s, measured", "173.4% of the limit:
// 17,340 of 10,000, predicted at 3,468 PV/s", "194% of the link at the
// planned peak, at 970 KB a view, measured". Empty without a figure or
// words for it (the button, the resources).
func (j Judgement) FigureText() string {
	v, ok := j.Figure.Get()
	if !ok || j.Format == nil {
		return ""
	}
	if j.basis == nil {
		return j.Format(v) + ", measured"
	}
	return j.Format(v) + j.basis(&j)
}

// Basis is what the figure rests on: BasisPredicted for a limit judged on
// the plan's formula at the measured PV because the figure itself was not
// measured, BasisMeasured for everything else (a probe's look at the page
// is a measurement).
func (j Judgement) Basis() Basis {
	if j.Kind == KindLimit && j.check != nil && j.check.Check.Basis == BasisPredicted {
		return BasisPredicted
	}
	return BasisMeasured
}

// The bases of the rows' figures, after the figure (FigureText).

// limitBasis names both sides of the share and what the load is: ": 17,340
// of 10,000, predicted at 3,468 PV/s".
func limitBasis(j *Judgement) string {
	c := j.check
	return fmt.Sprintf(": %s of %s, %s", c.Format(j.Size*c.Check.Limit), c.Format(c.Check.Limit), basisWords(c.Check.Basis, *j.a))
}

// perViewBasis names the measured cost per view a drift projects to the
// planned peak: ", at 30.4 connections a view, measured".
func perViewBasis(j *Judgement) string {
	c := j.check
	per := c.Check.PerView.Or(0)
	if c.Name == CheckConnections {
		return ", at " + FormatNumber(per) + " connections a view, measured"
	}
	return ", at " + c.Format(per) + " a view, measured"
}

func pageBasis(j *Judgement) string {
	return ", at " + FormatBytes(j.a.Bandwidth.PerView.Or(0)) + " a view, measured"
}

func probedBasis(*Judgement) string { return ", as probed" }

// slowShare is the share of requests a 95th percentile says wait at least
// that long. A latency's size is that share, weighted by how far past its
// critical line (or its ceiling) the p95 stands: the size of requests
// failing, so that 5% waiting past the critical line weighs as 5%
// failing, and a burst of failures outranks a wait of the same severity.
const slowShare = 0.05

// latencySize sizes a p95 against its critical line (see slowShare).
func latencySize(p95 snapshot.Value, crit time.Duration) float64 {
	return slowShare * ratio(p95, crit.Seconds()).Or(0)
}

// endpointLatency classifies an endpoint's p95 against the one its stress
// test found, while it answers LatencyMinRequests or more (see Latency).
func (t Thresholds) endpointLatency(e *EndpointLoad) Level {
	if q, ok := e.QPS.Get(); ok && e.LatencyLoad.OK() && q < LatencyMinRequests {
		return LevelOK
	}
	return t.Usage(e.LatencyLoad)
}

// The lines the subjects are judged against, worded.
func usageLine(t Thresholds, l Level) string { return lineWords(l, t.Warn, t.Crit, "", FormatPercent) }
func errorLine(t Thresholds, l Level) string {
	return lineWords(l, t.ErrorRateWarn, t.ErrorRateCrit, "", FormatPercent)
}
func latencyLine(t Thresholds, l Level) string {
	return lineWords(l, t.LatencyP95Warn.Seconds(), t.LatencyP95Crit.Seconds(), "", formatSeconds)
}
func (t Thresholds) latencyLineAt(l Level) float64 {
	if l == LevelCrit {
		return t.LatencyP95Crit.Seconds()
	}
	return t.LatencyP95Warn.Seconds()
}
func paceLine(t Thresholds, l Level) string {
	return lineWords(l, t.SellOutPace, t.SellOutPace/2, "below ", func(v float64) string { return FormatNumber(v) + "x" })
}
func lineWords(l Level, warn, crit float64, below string, format func(float64) string) string {
	if l == LevelCrit {
		return "crit " + below + format(crit)
	}
	return "warn " + below + format(warn)
}

func ofLimit(v float64) string       { return FormatPercent(v) + " of the limit" }
func ofLinkAtPeak(v float64) string  { return FormatPercent(v) + " of the link at the planned peak" }
func ofLimitAtPeak(v float64) string { return FormatPercent(v) + " of the limit at the planned peak" }
func ofCeiling(v float64) string     { return FormatPercent(v) + " of its ceiling" }
func failing(v float64) string       { return FormatPercent(v) + " of requests failing" }
func ofPace(v float64) string        { return FormatNumber(v) + "x the planned pace" }
func p95Words(v float64) string      { return formatSeconds(v) + " p95" }

// Judgements judges every subject of a snapshot and its assessment, in the
// table's order: each limit, each cost per view, each endpoint's load and
// latency, the error rate, the latency, the page weight, the pace, what
// the probe found, then each server of the fleet (its share of requests,
// its errors, its latency, whether it answers). Subjects with nothing to
// judge are listed with LevelUnknown.
func (t Thresholds) Judgements(a Assessment, s snapshot.Snapshot) []Judgement {
	out := make([]Judgement, 0, 13+2*len(a.Endpoints)+len(fleetKinds)*len(s.Fleet))
	for j := range t.Judged(a, s) {
		out = append(out, j)
	}
	return out
}

// Judged yields Judgements' rows one by one, in its order, without
// building the list: what follows every frame (events.Detect) judges a
// fleet of 500 servers, 2,000 rows, without holding them.
func (t Thresholds) Judged(a Assessment, s snapshot.Snapshot) iter.Seq[Judgement] {
	return func(yield func(Judgement) bool) {
		ap, sp := &a, &s
		// The site's rows are few: built in an array on the stack, they
		// cost a frame no allocation.
		var buf [24]Judgement
		var sc judgingScratch
		for _, j := range t.planJudgements(buf[:0], ap, sp, &sc) {
			if !yield(j) {
				return
			}
		}
		t.fleetJudgements(sp, yield)
	}
}

// planJudgements judges the site's subjects: the limits, the costs per
// view, the endpoints, the errors and latency, the page, the pace, the
// probe's findings. The limits' rows point into sc, and the endpoints'
// names come from it.
func (t Thresholds) planJudgements(out []Judgement, a *Assessment, s *snapshot.Snapshot, sc *judgingScratch) []Judgement {
	ap, sp := a, s
	checks := a.checksIn(&sc.checks)
	for i := range checks {
		c := &checks[i]
		used := 1 - c.Check.Headroom.Or(0)
		var figure snapshot.Value
		if c.Check.Headroom.OK() {
			figure = snapshot.Some(used)
		}
		w := wordsOfCheck(c.Name)
		out = append(out, Judgement{
			Subject: Subject{Kind: KindLimit, Name: c.Name, Title: w.limitTitle, Format: ofLimit, Line: usageLine,
				Back: w.limitBack},
			Level: t.Headroom(c.Check), Figure: figure, Size: used, words: limitProblemWords, basis: limitBasis, a: ap, check: c,
		})
	}
	for i := range checks {
		c := &checks[i]
		if c.Name == CheckBandwidth {
			continue // bandwidth per view is the page weight, below
		}
		w := wordsOfCheck(c.Name)
		out = append(out, Judgement{
			Subject: Subject{Kind: KindDrift, Name: c.Name, Title: w.viewTitle, Format: ofLimitAtPeak, Line: usageLine,
				Back: w.viewBack},
			Level: t.DriftUse(c.Check), Figure: c.Check.PeakUse, Size: c.Check.PeakUse.Or(0), words: driftWords, basis: perViewBasis, check: c,
		})
	}
	for i := range ap.Endpoints {
		e, n := &ap.Endpoints[i], sc.endpoint(i, ap.Endpoints[i].Name)
		out = append(out, Judgement{
			Subject: Subject{Kind: KindEndpoint, Name: e.Name, Title: n.title, Format: ofCeiling, Line: usageLine, Back: n.back},
			Level:   t.Usage(e.Load), Figure: e.Load, Size: e.Load.Or(0), words: endpointWords, ep: e,
		})
	}
	for i := range ap.Endpoints {
		e := &ap.Endpoints[i]
		if e.MaxP95 <= 0 {
			continue // no ceiling: its latency is the site's to judge
		}
		n := sc.endpointLatency(i, e.Name)
		out = append(out, Judgement{
			Subject: Subject{Kind: KindEndpointLatency, Name: e.Name, Title: n.latencyTitle, Format: ofCeiling, Line: usageLine,
				Back: n.latencyBack},
			Level: t.endpointLatency(e), Figure: e.LatencyLoad, Size: slowShare * e.LatencyLoad.Or(0), words: endpointLatencyWords, ep: e,
		})
	}
	latency := t.Latency(s.LatencyP95, s.Requests)
	out = append(out,
		Judgement{
			Subject: Subject{Kind: KindErrors, Name: SubjectErrorRate, Title: "error burst", Format: failing, Line: errorLine,
				Back: "error rate back to normal"},
			Level: t.ErrorRate(s.ErrorRate, s.Requests), Figure: s.ErrorRate, Size: s.ErrorRate.Or(0), words: errorWords, s: sp,
		},
		Judgement{
			Subject: Subject{Kind: KindLatency, Name: SubjectLatency, Title: "latency", Format: p95Words, Line: latencyLine,
				Back: "latency back under its warning line"},
			Level: latency, Figure: s.LatencyP95, Size: latencySize(s.LatencyP95, t.LatencyP95Crit),
			words: latencyWords, s: sp, line: t.latencyLineAt(latency),
		},
		Judgement{
			Subject: Subject{Kind: KindPageWeight, Name: SubjectPage, Title: "page weight", Format: ofLinkAtPeak, Line: usageLine,
				Back: "page weight back within the link at the planned peak"},
			Level: t.DriftUse(a.Bandwidth), Figure: a.Bandwidth.PeakUse, Size: a.Bandwidth.PeakUse.Or(0), words: pageWords, basis: pageBasis, a: ap,
		},
		Judgement{
			Subject: Subject{Kind: KindPace, Name: SubjectSellOut, Title: "sell-out pace", LowerWorse: true, Format: ofPace, Line: paceLine,
				Back: "sell-out pace back on plan"},
			Level: t.Pace(*a), Figure: a.SellOut.Pace, Size: 1 - a.SellOut.Pace.Or(0), words: paceWords, a: ap,
		},
	)
	return t.probeJudgements(out, ap, sp)
}

// probeJudgements adds what the probe of the sale page found: the page by
// the link it fills at the peak, the purchase button, its resources.
func (t Thresholds) probeJudgements(out []Judgement, a *Assessment, s *snapshot.Snapshot) []Judgement {
	pc, pr := a.Probe, s.Probe
	resources := LevelUnknown
	if n, ok := pr.FailedResources.Get(); ok {
		resources = LevelOK
		if n > 0 {
			resources = LevelWarn
		}
	}
	return append(out,
		Judgement{
			Subject: Subject{Kind: KindPageWeight, Name: SubjectSalePage, Title: "sale page weight", AtOnce: true, Format: ofLinkAtPeak, Line: usageLine,
				Back: "the probed sale page back within the link at the planned peak"},
			Level: t.ProbeUse(pc), Figure: pc.PeakUse, Size: pc.PeakUse.Or(0), words: salePageWords, basis: probedBasis, a: a,
		},
		Judgement{
			Subject: Subject{Kind: KindButton, Name: SubjectPurchase, Title: "purchase button", AtOnce: true,
				Back: "purchase button back on the sale page"},
			Level: t.Button(*a, pr), Figure: pr.ButtonPresent, Size: 1, words: buttonWords,
		},
		Judgement{
			Subject: Subject{Kind: KindResource, Name: SubjectSalePage, Title: "page resources", AtOnce: true,
				Back: "every resource of the sale page loads again"},
			Level: resources, Figure: pr.FailedResources, Size: pr.FailedResources.Or(0), words: resourceWords,
		},
	)
}

// The words of each row, from what its judgement holds.

func limitProblemWords(j *Judgement) string {
	c := j.check
	return fmt.Sprintf("%s at %s of its %s limit, %s", c.Name, FormatPercent(j.Size), c.Format(c.Check.Limit), basisWords(c.Check.Basis, *j.a))
}

func driftWords(j *Judgement) string {
	c := j.check
	return fmt.Sprintf("%s per view: %s of %s at peak, measured", c.Name, c.Format(c.Check.PeakAtCost.Or(0)), c.Format(c.Check.Limit))
}

func endpointWords(j *Judgement) string {
	e := j.ep
	return fmt.Sprintf("%s at %s of its ceiling, %s of %s QPS, measured", e.Name, FormatPercent(e.Load.Or(0)),
		FormatNumber(e.QPS.Or(0)), FormatNumber(e.MaxQPS))
}

func endpointLatencyWords(j *Judgement) string {
	e := j.ep
	return fmt.Sprintf("%s p95 latency %s, %s of the %s its stress test found at its ceiling, measured", e.Name,
		formatSeconds(e.P95.Or(0)), FormatPercent(e.LatencyLoad.Or(0)), formatSeconds(e.MaxP95))
}

// latencyWords names the line the site's p95 stands past: "p95 latency
// 2.4s (warn 1s), measured".
func latencyWords(j *Judgement) string {
	line := "warn "
	if j.Level == LevelCrit {
		line = "crit "
	}
	return fmt.Sprintf("p95 latency %s (%s%s), measured", formatSeconds(j.s.LatencyP95.Or(0)), line, formatSeconds(j.line))
}

func errorWords(j *Judgement) string {
	rate := j.s.ErrorRate.Or(0)
	if req, ok := j.s.Requests.Get(); ok {
		return fmt.Sprintf("error burst: %s of requests failing (%s/s), measured", FormatPercent(rate), FormatNumber(rate*req))
	}
	return fmt.Sprintf("error burst: %s of requests failing, measured", FormatPercent(rate))
}

func pageWords(j *Judgement) string {
	bw := j.a.Bandwidth
	per := bw.PerView.Or(0)
	return fmt.Sprintf("page weight %s/view, measured: link full at %s PV/s, plan %s",
		FormatBytes(per), FormatNumber(linkPV(bw.Limit, per)), FormatNumber(j.a.Peak.PV))
}

func paceWords(j *Judgement) string {
	so := j.a.SellOut
	msg := fmt.Sprintf("selling at %sx the planned pace, measured", FormatNumber(so.Pace.Or(0)))
	if so.ETAKnown {
		msg += ", sell-out in " + FormatDuration(so.ETA)
	}
	return msg
}

func salePageWords(j *Judgement) string {
	pc := j.a.Probe
	return fmt.Sprintf("sale page %s as probed: link full at %s PV/s, plan %s",
		FormatBytes(pc.Weight.Or(0)), FormatNumber(pc.LinkPV.Or(0)), FormatNumber(j.a.Peak.PV))
}

func buttonWords(j *Judgement) string {
	if j.Level == LevelCrit {
		return "purchase button missing during the sale, as probed"
	}
	return "purchase button missing before T0, as probed (required)"
}

func resourceWords(j *Judgement) string {
	n := j.Figure.Or(0)
	if n == 1 {
		return "1 resource of the sale page fails to load, as probed"
	}
	return fmt.Sprintf("%s resources of the sale page fail to load, as probed", FormatNumber(n))
}

// Button judges the purchase button as probed: critical while the sale is
// live. Before T0 its absence is expected (many sale pages show the
// button only from T0), unless the config says it must be there before
// (ButtonBeforeLaunch): then it warns. A page probed before T0 says
// nothing of the sale yet, however late the snapshot. Once sold out, or
// before a probe has looked, there is nothing to judge.
func (t Thresholds) Button(a Assessment, pr snapshot.Probe) Level {
	v, ok := pr.ButtonPresent.Get()
	switch {
	case !ok || a.Phase == PhaseSoldOut:
		return LevelUnknown
	case v >= 1:
		return LevelOK
	case a.Phase == PhaseBefore || probedBeforeLaunch(pr, a):
		if t.ButtonBeforeLaunch {
			return LevelWarn
		}
		return LevelOK
	}
	return LevelCrit
}

// probedBeforeLaunch reports whether the probe's figures were measured
// before T0 though the snapshot is after it: the probe runs every few
// seconds, and its last result may date from the countdown.
func probedBeforeLaunch(pr snapshot.Probe, a Assessment) bool {
	age, ok := pr.Age.Get()
	return ok && a.LaunchKnown && a.SinceLaunch.Seconds() < age
}

// basisWords words what a judgement rests on: "measured", or "predicted
// at 120 PV/s".
func basisWords(b Basis, a Assessment) string {
	if b == BasisPredicted {
		return "predicted at " + FormatNumber(a.PV.Or(0)) + " PV/s"
	}
	return "measured"
}

// linkPV is the page views per second that fill a link at a cost per view.
func linkPV(link, perView float64) float64 {
	if perView <= 0 {
		return 0
	}
	return link / perView
}
