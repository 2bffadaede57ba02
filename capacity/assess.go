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

// MinSellWindow is the shortest span of recent snapshots a sell rate is
// derived from. Stock moves in whole units, so over a few seconds the drop
// is mostly noise and Snapshot.Sold is the better figure.
const MinSellWindow = 10 * time.Second

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
	// Headroom is (Limit − load) / Limit, where load is the larger of
	// Measured and Predicted that are present: the worse of the two, so a
	// lagging counter cannot hide a formula that already says the limit is
	// near, and a drifting page cannot hide behind the formula. Negative
	// when over the limit.
	Headroom snapshot.Value `json:"headroom"`
	// Ratio is Measured / Predicted: how far reality departs from the
	// formula (10 means ten times the plan).
	Ratio snapshot.Value `json:"ratio"`
}

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
	// Bottleneck is true for the endpoint with the highest load.
	Bottleneck bool `json:"bottleneck,omitempty"`
}

// PageWeightCheck holds the bytes per page view against the plan, on the
// origin side: planned is PageWeight × (1 − CDNShare), measured is the
// measured bandwidth (which the origin sends) divided by the measured PV.
// A page that grew heavy images shows here first as a Ratio far above 1.
type PageWeightCheck struct {
	// Planned is the planned origin bytes per page view.
	Planned float64 `json:"planned"`
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
	// recent window when it spans at least MinSellWindow, else
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
	// endpoint's load is known.
	Bottleneck string `json:"bottleneck,omitempty"`
	// SellOut is the stock against the plan.
	SellOut SellOut `json:"sell_out"`
}

// Assess holds the snapshot s against the plan. recent is an optional
// window of earlier snapshots, oldest first, from which the recent sell
// rate is derived (see SellOut.Rate). Missing measurements stay missing and
// nothing is NaN or infinite.
func (p Plan) Assess(s snapshot.Snapshot, recent []snapshot.Snapshot) Assessment {
	a := Assessment{
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
	a.Bandwidth = check(predicted(a.Now.OriginBandwidth), a.Peak.OriginBandwidth, s.Bandwidth, p.Limits.Link)
	a.Connections = check(predicted(a.Now.OriginConnections), a.Peak.OriginConnections, s.Connections, p.Limits.MaxConns)
	a.Memory = check(predicted(a.Now.Memory), a.Peak.Memory, s.Host.TCPMemory, p.Limits.Memory)

	a.PageWeight.Planned = p.origin(p.PageWeight())
	if bw, ok := s.Bandwidth.Get(); ok && pvOK && pv > 0 {
		a.PageWeight.Measured = snapshot.Some(bw / pv)
	}
	a.PageWeight.Ratio = ratio(a.PageWeight.Measured, a.PageWeight.Planned)

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

// check builds a Check; see its field comments for the rules.
func check(predicted snapshot.Value, atPeak float64, measured snapshot.Value, limit float64) Check {
	c := Check{Predicted: predicted, AtPeak: atPeak, Measured: measured}
	if limit > 0 && finite(limit) {
		c.Limit = limit
		load, ok := math.Inf(-1), false
		for _, v := range []snapshot.Value{measured, predicted} {
			if x, present := v.Get(); present {
				load, ok = math.Max(load, x), true
			}
		}
		if ok {
			c.Headroom = snapshot.Some((limit - load) / limit)
		}
	}
	if pr, ok := predicted.Get(); ok {
		c.Ratio = ratio(measured, pr)
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

// endpointLoads holds each planned endpoint's QPS against its ceiling and
// names the bottleneck; on a tie the earlier endpoint in the plan wins.
func (p Plan) endpointLoads(s snapshot.Snapshot) ([]EndpointLoad, string) {
	if len(p.Endpoints) == 0 {
		return nil, ""
	}
	loads := make([]EndpointLoad, len(p.Endpoints))
	worst := -1
	for i, ep := range p.Endpoints {
		qps := s.Endpoints[ep.Name].QPS
		loads[i] = EndpointLoad{Name: ep.Name, QPS: qps, MaxQPS: ep.MaxQPS, Load: ratio(qps, ep.MaxQPS)}
		if l, ok := loads[i].Load.Get(); ok && (worst < 0 || l > loads[worst].Load.Or(0)) {
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
func (p Plan) sellOut(s snapshot.Snapshot, recent []snapshot.Snapshot) SellOut {
	so := SellOut{Total: p.Stock.Total, Remaining: s.Stock}
	so.Rate, so.RateWindow = sellRate(s, recent)
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

// sellRate derives units sold per second from the stock's drop since the
// oldest recent snapshot that has a stock and lies at least MinSellWindow
// before s. A rising stock (a restock) makes the drop meaningless, and a
// short or empty window too noisy; both fall back to Snapshot.Sold.
func sellRate(s snapshot.Snapshot, recent []snapshot.Snapshot) (snapshot.Value, time.Duration) {
	now, ok := s.Stock.Get()
	if ok {
		for _, r := range recent {
			then, ok := r.Stock.Get()
			span := s.Time.Sub(r.Time)
			if !ok || span < MinSellWindow {
				continue
			}
			if then < now {
				break
			}
			if rate := snapshot.Some((then - now) / span.Seconds()); rate.OK() {
				return rate, span
			}
			break
		}
	}
	return s.Sold, 0
}

// NamedCheck is one of an assessment's formula checks with its name and
// the unit its figures are shown in.
type NamedCheck struct {
	// Name is "bandwidth", "connections" or "memory".
	Name   string
	Check  Check
	Format func(float64) string
}

// Checks returns the three formula checks in display order, so every
// reader (screen, events, report) lists and formats them alike.
func (a Assessment) Checks() []NamedCheck {
	return []NamedCheck{
		{"bandwidth", a.Bandwidth, FormatByteRate},
		{"connections", a.Connections, FormatCount},
		{"memory", a.Memory, FormatBytes},
	}
}
