package capacity

import (
	"math"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Phase is where the sale stands.
type Phase int

// The phases of a sale. PhaseUnknown is the zero value, for an Assessment
// that was never made; Assess always returns one of the others.
const (
	PhaseUnknown Phase = iota
	PhaseBefore
	PhaseLive
	PhaseSoldOut
)

// String returns the phase as the screen names it.
func (ph Phase) String() string {
	switch ph {
	case PhaseBefore:
		return "before launch"
	case PhaseLive:
		return "live"
	case PhaseSoldOut:
		return "sold out"
	}
	return "unknown"
}

// The sell rate's windows (see SellOut.Rate). Stock moves in whole units,
// so over a few seconds the drop is mostly noise and Snapshot.Sold is the
// better figure; over a minute a fast sale's rate is steady, and a slow
// one's is steady once ten units have gone.
const (
	// MinSellWindow is the shortest span a sell rate is derived over.
	MinSellWindow = 10 * time.Second
	// SellSmoothing is the span a sell rate is smoothed over at least,
	// when the recent snapshots reach that far back.
	SellSmoothing = time.Minute
	// MinSellUnits is how many units the rate's window takes in, when
	// the recent snapshots reach that far back.
	MinSellUnits = 10
	// SellLookback is how far back the recent snapshots given to Assess
	// need to reach for a slow sale's rate.
	SellLookback = 15 * time.Minute
)

// Check holds one formula (bandwidth, connections or memory) against
// reality and its limit, all on the origin side, because the origin is
// what is measured and what the limits bound.
//
// Figures that cannot be known are missing Values: Predicted without a
// measured PV, Headroom without a limit or anything to hold against it,
// Ratio without both sides.
type Check struct {
	// Predicted is the formula at the PV measured now.
	Predicted snapshot.Value `json:"predicted"`
	// AtPeak is the formula at the planned peak.
	AtPeak float64 `json:"at_peak"`
	// Measured is the measured figure.
	Measured snapshot.Value `json:"measured"`
	// Limit is the ceiling; 0 is none.
	Limit float64 `json:"limit,omitempty"`
	// Headroom is (Limit − load) / Limit, negative when over the limit.
	// The load is Measured when there is a measurement, and Predicted only
	// without one: a measured figure is the truth about the limit, and a
	// formula that says more than is measured harms nothing. Basis says
	// which it is.
	Headroom snapshot.Value `json:"headroom"`
	// Basis is what Headroom rests on: BasisMeasured or BasisPredicted;
	// empty without a Headroom.
	Basis Basis `json:"basis,omitempty"`
	// Ratio is Measured / Predicted: how far reality departs from the
	// formula (10 means ten times the plan).
	Ratio snapshot.Value `json:"ratio"`
	// Drift is Ratio where the departure means something: present when
	// Measured and Predicted differ by at least MinDriftShare of the
	// figure at the planned peak. A few idle connections against a
	// near-zero PV make a large Ratio that says nothing; four thousand
	// connections against a plan of six say the plan is wrong. Drift is
	// information: what it does to a limit is PeakUse.
	Drift snapshot.Value `json:"drift"`
	// PerView is what one page view costs in this figure, measured: the
	// measured figure (a gauge averaged over the PV's rate window, so a
	// step in traffic compares like with like) per page view. Present with
	// Drift.
	PerView snapshot.Value `json:"per_view"`
	// PeakAtCost is PerView at the planned peak: where the figure goes if
	// a page view keeps costing what it costs now. Present with Drift.
	PeakAtCost snapshot.Value `json:"peak_at_cost"`
	// PeakUse is PeakAtCost / Limit: the share of the limit the planned
	// peak uses at the measured cost. Present with PeakAtCost and a Limit.
	PeakUse snapshot.Value `json:"peak_use"`
	// Excess is how far the averaged measured figure stands above the
	// formula at the PV now (negative below it): the part of the figure
	// that the plan does not account for. Present with Drift.
	Excess snapshot.Value `json:"excess"`
}

// Basis is what a judgement rests on: a measured figure, or the plan's
// formula at the PV measured now.
type Basis string

// Bases.
const (
	BasisMeasured  Basis = "measured"
	BasisPredicted Basis = "predicted"
)

// MinDriftShare is the smallest departure from the formula, as a share of
// the figure at the planned peak, that Check.Drift and the limits at the
// measured cost count.
const MinDriftShare = 0.05

// EndpointLoad is one planned dynamic endpoint against its ceiling.
type EndpointLoad struct {
	// Name is the endpoint's name.
	Name string `json:"name"`
	// QPS is the measured requests per second.
	QPS snapshot.Value `json:"qps"`
	// MaxQPS is the stress-tested ceiling.
	MaxQPS float64 `json:"max_qps"`
	// Load is QPS / MaxQPS; 1 is at the ceiling.
	Load snapshot.Value `json:"load"`
	// P95 is the measured 95th percentile time to answer, in seconds;
	// MaxP95 the one its stress test found at its ceiling (zero when none
	// was measured), and LatencyLoad P95 / MaxP95: 1 is as slow as the
	// stress test that broke it.
	P95         snapshot.Value `json:"p95,omitzero"`
	MaxP95      float64        `json:"max_p95_seconds,omitempty"`
	LatencyLoad snapshot.Value `json:"latency_load,omitzero"`
	// Bottleneck is true for the endpoint with the highest load above 0.
	Bottleneck bool `json:"bottleneck,omitempty"`
}

// PageWeightCheck holds the bytes per page view against the plan, on the
// origin side: planned is PageWeight × (1 − CDNShare), measured is the
// measured bandwidth (which the origin sends) divided by the measured PV.
// A page that grew heavy images shows here first as a Ratio far above 1.
type PageWeightCheck struct {
	// Planned is the planned origin bytes per page view: the part of
	// PlannedPage the CDN leaves to the origin.
	Planned float64 `json:"planned"`
	// PlannedPage is the planned bytes per page view, CDN included, and
	// CDNShare the planned share of them the CDN serves.
	PlannedPage float64 `json:"planned_page"`
	CDNShare    float64 `json:"cdn_share"`
	// Measured is measured bandwidth / measured PV.
	Measured snapshot.Value `json:"measured"`
	// Ratio is Measured / Planned.
	Ratio snapshot.Value `json:"ratio"`
}

// SellOut is the stock against the plan's sell-out.
type SellOut struct {
	// Total is the planned number of units.
	Total float64
	// Remaining is the measured stock.
	Remaining snapshot.Value
	// Rate is units sold per second recently: the stock's drop over the
	// newest window of at least SellSmoothing in which MinSellUnits sold,
	// else over the longest window of at least MinSellWindow, else
	// Snapshot.Sold.
	Rate snapshot.Value
	// RateWindow is the span the rate was derived over; 0 when Rate is
	// Snapshot.Sold.
	RateWindow time.Duration
	// ETA is the time to sell-out at Rate; valid only when ETAKnown. It is
	// 0 once the stock is gone.
	ETA      time.Duration
	ETAKnown bool
	// PlannedRate is Total / Stock.SellOut.
	PlannedRate snapshot.Value
	// PlannedAt is LaunchAt + Stock.SellOut; zero when either is unknown.
	PlannedAt time.Time
	// Pace is Rate / PlannedRate: 0.1 is selling at a tenth of the plan.
	Pace snapshot.Value
}

// Assessment is one snapshot held against the plan.
type Assessment struct {
	// Time is the snapshot's time.
	Time time.Time `json:"time"`
	// Phase is before launch, live or sold out.
	Phase Phase `json:"phase"`
	// SinceLaunch is Time − LaunchAt, negative before the launch; valid
	// only when LaunchKnown.
	SinceLaunch time.Duration `json:"-"`
	LaunchKnown bool          `json:"-"`
	// PV is the measured page views per second.
	PV snapshot.Value `json:"pv"`
	// Now is the formulas at the measured PV (zero when PV is missing);
	// Peak at the planned peak.
	Now  Prediction `json:"now"`
	Peak Prediction `json:"peak"`
	// Bandwidth, Connections and Memory hold the formulas against
	// Snapshot.Bandwidth, Snapshot.Connections and Host.TCPMemory.
	Bandwidth   Check `json:"bandwidth"`
	Connections Check `json:"connections"`
	Memory      Check `json:"memory"`
	// PageWeight is the bytes per page view against the plan.
	PageWeight PageWeightCheck `json:"page_weight"`
	// Endpoints are the plan's endpoints in plan order.
	Endpoints []EndpointLoad `json:"endpoints,omitempty"`
	// Bottleneck names the endpoint with the highest load; "" when no
	// endpoint has any load.
	Bottleneck string `json:"bottleneck,omitempty"`
	// Limits are the set limits with the PV at which each is reached, by
	// the plan and at what a page view measurably costs now; FirstLimit is
	// the one rising PV reaches first (see LimitReach.At), and
	// FirstLimitKnown says there is one.
	Limits          []LimitReach `json:"limits,omitempty"`
	FirstLimit      LimitReach   `json:"first_limit,omitzero"`
	FirstLimitKnown bool         `json:"-"`
	// SellOut is the stock against the plan.
	SellOut SellOut `json:"sell_out"`
	// Probe is the sale page as the probe weighed it, against the
	// configured plan's page weight.
	Probe ProbeCheck `json:"probe,omitzero"`
}

// LimitReach is one set limit and the page views per second that reach
// it: by the plan's formulas, and at the cost of a page view measured now
// (bandwidth, connections or connection memory per PV). During the first
// launch's crash the plan said the link fills at 1,250 PV/s; ten-times
// heavier pages filled it at 12.4.
type LimitReach struct {
	LimitPV
	// MeasuredPV is Limit ÷ (the measured figure ÷ the measured PV):
	// present when the measured figure departs from the formula (see
	// Check.Drift), and missing when it keeps to it, so noise at a low PV
	// never moves the limit.
	MeasuredPV snapshot.Value `json:"measured_pv"`
}

// At returns the PV at which the limit is reached as things stand: at the
// measured cost when it departs from the plan, else the plan's. ok is false
// when no PV reaches it.
func (l LimitReach) At() (pv float64, measured, ok bool) {
	if m, present := l.MeasuredPV.Get(); present {
		return m, true, true
	}
	return l.PV, false, l.Reachable
}

// Assess holds the snapshot s against the plan. recent is an optional
// window of earlier snapshots, oldest first, from which the recent sell
// rate is derived (see SellOut.Rate). Missing measurements stay missing and
// nothing is NaN or infinite. With FromProbe, the formulas use the page the
// probe weighed (see FromProbePage).
func (p Plan) Assess(s snapshot.Snapshot, recent []snapshot.Snapshot) Assessment {
	return p.AssessWindow(s, windowOf(recent))
}

// AssessWindow is Assess with the earlier snapshots in a Window, which a
// watch keeps as it goes (nil: none).
func (p Plan) AssessWindow(s snapshot.Snapshot, recent *Window) Assessment {
	probe := p.probeCheck(s.Probe)
	p, probe.FromProbe = p.FromProbePage(s.Probe)
	a := Assessment{
		Probe:       probe,
		Time:        s.Time,
		PV:          s.PV,
		Peak:        p.Peak(),
		LaunchKnown: !p.LaunchAt.IsZero(),
	}
	if a.LaunchKnown {
		a.SinceLaunch = s.Time.Sub(p.LaunchAt)
	}
	a.Phase = phase(a, s.Stock)

	pv, pvOK := s.PV.Get()
	if pvOK {
		a.Now = p.At(pv)
	}
	predicted := func(v float64) snapshot.Value {
		if !pvOK {
			return snapshot.Value{}
		}
		return snapshot.Some(v)
	}
	// The gauges are averaged over the PV's rate window for the cost per
	// view: PV is a rate over that window, so a step in traffic moves the
	// live gauge at once and the PV only over the window.
	window := recent.rateWindow(s)
	connAvg := recent.gaugeMean(s.Connections, s.Time, window, func(e *entry) snapshot.Value { return e.conns })
	a.Bandwidth = check(predicted(a.Now.OriginBandwidth), a.Peak.OriginBandwidth, s.Bandwidth, s.Bandwidth, p.Limits.Link, pv, p.PeakPV)
	a.Connections = check(predicted(a.Now.OriginConnections), a.Peak.OriginConnections, s.Connections, connAvg, p.Limits.MaxConns, pv, p.PeakPV)
	memory, memAvg := snapshot.Value{}, snapshot.Value{}
	if p.HostIsOrigin { // another machine's sockets say nothing of the origin's
		memory = s.Host.TCPMemory
		memAvg = recent.gaugeMean(s.Host.TCPMemory, s.Time, window, func(e *entry) snapshot.Value { return e.mem })
	}
	a.Memory = check(predicted(a.Now.Memory), a.Peak.Memory, memory, memAvg, p.Limits.Memory, pv, p.PeakPV)

	a.PageWeight.PlannedPage, a.PageWeight.CDNShare = p.PageWeight(), p.cdnShare()
	a.PageWeight.Planned = p.origin(a.PageWeight.PlannedPage)
	if bw, ok := s.Bandwidth.Get(); ok && pvOK && pv > 0 {
		a.PageWeight.Measured = snapshot.Some(bw / pv)
	}
	a.PageWeight.Ratio = ratio(a.PageWeight.Measured, a.PageWeight.Planned)

	a.Limits, a.FirstLimit, a.FirstLimitKnown = p.limitReaches(&a, pv, pvOK)
	a.Endpoints, a.Bottleneck = p.endpointLoads(s)
	a.SellOut = p.sellOut(s, recent)
	return a
}

// phase decides before, live or sold out. Before the launch wins over a
// zero stock: a shop that has not loaded its stock yet has not sold out.
func phase(a Assessment, stock snapshot.Value) Phase {
	if a.LaunchKnown && a.SinceLaunch < 0 {
		return PhaseBefore
	}
	if n, ok := stock.Get(); ok && n <= 0 {
		return PhaseSoldOut
	}
	return PhaseLive
}

// check builds a Check; see its field comments for the rules. averaged is
// the measured figure over the PV's rate window (the measured figure
// itself for a rate), pv the measured PV (0 when missing) and peakPV the
// planned peak.
func check(predicted snapshot.Value, atPeak float64, measured, averaged snapshot.Value, limit, pv, peakPV float64) Check {
	c := Check{Predicted: predicted, AtPeak: atPeak, Measured: measured}
	if limit > 0 && finite(limit) {
		c.Limit = limit
		load, basis := measured, BasisMeasured
		if !load.OK() {
			load, basis = predicted, BasisPredicted
		}
		if x, ok := load.Get(); ok {
			c.Headroom, c.Basis = snapshot.Some((limit-x)/limit), basis
		}
	}
	pr, ok := predicted.Get()
	if !ok {
		return c
	}
	c.Ratio = ratio(measured, pr)
	m, ok := measured.Get()
	if !ok || atPeak <= 0 || math.Abs(m-pr) < MinDriftShare*atPeak {
		return c
	}
	c.Drift = c.Ratio
	if avg, ok := averaged.Get(); ok && pv > 0 {
		c.Excess = snapshot.Some(avg - pr)
		c.PerView = snapshot.Some(finiteOrMax(avg / pv))
		c.PeakAtCost = snapshot.Some(finiteOrMax(avg / pv * peakPV))
		c.PeakUse = ratio(c.PeakAtCost, c.Limit)
	}
	return c
}

// ratio returns v / d, missing when v is missing or d is not positive.
func ratio(v snapshot.Value, d float64) snapshot.Value {
	x, ok := v.Get()
	if !ok || !(d > 0) {
		return snapshot.Value{}
	}
	return snapshot.Some(x / d)
}

// limitReaches holds each set limit against the plan and against what a
// page view measurably costs now, and picks the one reached first; on a tie
// the earlier of link, connections, memory wins.
func (p Plan) limitReaches(a *Assessment, pv float64, pvOK bool) ([]LimitReach, LimitReach, bool) {
	// A switch rather than a map: every frame is assessed.
	checkOf := func(name string) Check {
		switch name {
		case LimitLink:
			return a.Bandwidth
		case LimitConnections:
			return a.Connections
		case LimitMemory:
			return a.Memory
		}
		return Check{}
	}
	var buf [3]LimitPV
	limits := p.appendLimitPVs(buf[:0], a.Peak)
	var out []LimitReach // nil without limits, as the JSON has it
	if len(limits) > 0 {
		out = make([]LimitReach, 0, len(limits))
	}
	var first LimitReach
	firstPV, found := 0.0, false
	for _, l := range limits {
		r := LimitReach{LimitPV: l}
		c := checkOf(l.Name)
		if m, ok := c.Measured.Get(); ok && pvOK && pv > 0 && m > 0 && c.Drift.OK() {
			r.MeasuredPV = snapshot.Some(finiteOrMax(l.Limit * pv / m))
		}
		out = append(out, r)
		if at, _, ok := r.At(); ok && (!found || at < firstPV) {
			first, firstPV, found = r, at, true
		}
	}
	return out, first, found
}

// endpointLoads holds each planned endpoint's QPS against its ceiling and
// names the bottleneck; on a tie the earlier endpoint in the plan wins.
func (p Plan) endpointLoads(s snapshot.Snapshot) ([]EndpointLoad, string) {
	if len(p.Endpoints) == 0 {
		return nil, ""
	}
	loads := make([]EndpointLoad, len(p.Endpoints))
	worst := -1
	for i, ep := range p.Endpoints {
		got := s.Endpoints[ep.Name]
		maxP95 := ep.MaxP95.Seconds()
		loads[i] = EndpointLoad{Name: ep.Name, QPS: got.QPS, MaxQPS: ep.MaxQPS, Load: ratio(got.QPS, ep.MaxQPS),
			P95: got.P95, MaxP95: maxP95, LatencyLoad: ratio(got.P95, maxP95)}
		// An endpoint without load is no bottleneck, however the others
		// stand.
		if l, ok := loads[i].Load.Get(); ok && l > 0 && (worst < 0 || l > loads[worst].Load.Or(0)) {
			worst = i
		}
	}
	if worst < 0 {
		return loads, ""
	}
	loads[worst].Bottleneck = true
	return loads, loads[worst].Name
}

// sellOut holds the stock against the plan.
func (p Plan) sellOut(s snapshot.Snapshot, recent *Window) SellOut {
	so := SellOut{Total: p.Stock.Total, Remaining: s.Stock}
	so.Rate, so.RateWindow = recent.sellRate(s, p.LaunchAt)
	if secs := p.Stock.SellOut.Seconds(); secs > 0 {
		so.PlannedRate = ratio(snapshot.Some(p.Stock.Total), secs)
		if !p.LaunchAt.IsZero() {
			so.PlannedAt = p.LaunchAt.Add(p.Stock.SellOut)
		}
	}
	if pr, ok := so.PlannedRate.Get(); ok {
		so.Pace = ratio(so.Rate, pr)
	}
	remaining, remOK := s.Stock.Get()
	rate, rateOK := so.Rate.Get()
	switch {
	case remOK && remaining <= 0:
		so.ETA, so.ETAKnown = 0, true
	case remOK && rateOK && rate > 0:
		// A Duration holds about 292 years; anything longer is as good as
		// never and stays unknown rather than overflowing.
		if secs := remaining / rate; secs < float64(math.MaxInt64)/float64(time.Second) {
			so.ETA, so.ETAKnown = time.Duration(secs*float64(time.Second)), true
		}
	}
	return so
}

// The checks' names (NamedCheck.Name).
const (
	CheckBandwidth   = "bandwidth"
	CheckConnections = "connections"
	CheckMemory      = "memory"
)

// NamedCheck is one of an assessment's formula checks with its name and
// the unit its figures are shown in.
type NamedCheck struct {
	// Name is CheckBandwidth, CheckConnections or CheckMemory.
	Name   string
	Check  Check
	Format func(float64) string
}

// Checks returns the three formula checks in display order, so every
// reader (screen, events, report) lists and formats them alike.
func (a Assessment) Checks() []NamedCheck {
	var c [3]NamedCheck
	return a.checksIn(&c)
}

// checksIn is Checks written into c, which a walk judging every frame
// keeps (Judging).
func (a *Assessment) checksIn(c *[3]NamedCheck) []NamedCheck {
	*c = [3]NamedCheck{
		{CheckBandwidth, a.Bandwidth, FormatByteRate},
		{CheckConnections, a.Connections, FormatCount},
		{CheckMemory, a.Memory, FormatBytes},
	}
	return c[:]
}
