package capacity

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Plan is the launch's capacity plan: the planned peak, the page it serves,
// the limits of the origin, the measured ceilings of the dynamic endpoints
// and the stock to sell. Sizes are bytes and rates bytes per second; the
// config layer parses units (see ParseBytes and ParseByteRate) before
// filling it.
type Plan struct {
	// PeakPV is the planned peak in page views per second.
	PeakPV float64 `json:"peak_pv"`
	// ResourcesPerPage is how many static resources one page view pulls.
	ResourcesPerPage float64 `json:"resources_per_page"`
	// ResourceSize is the average resource size in bytes.
	ResourceSize float64 `json:"resource_size"`
	// DownloadSpeed is the average client download speed in bytes per
	// second; a connection stays open for as long as its bytes take.
	DownloadSpeed float64 `json:"download_speed"`
	// ConnMemory is the memory one open connection costs, in bytes.
	ConnMemory float64 `json:"conn_memory"`
	// CDNShare is the share (0..1) of the page's bytes the CDN serves, so
	// the origin sees only the rest. Zero means no CDN.
	CDNShare float64 `json:"cdn_share,omitempty"`
	// Limits are the origin's ceilings; zero means no limit.
	Limits Limits `json:"limits,omitzero"`
	// Endpoints are the dynamic endpoints with their stress-tested
	// ceilings.
	Endpoints []Endpoint `json:"endpoints,omitempty"`
	// Stock is what is for sale and how fast it is meant to go.
	Stock Stock `json:"stock,omitzero"`
	// LaunchAt is when the sale opens; zero when no launch time is known.
	LaunchAt time.Time `json:"launch_at,omitzero"`
	// FromProbe makes the assessment take the resources per page and the
	// resource size from the sale-page probe while it has weighed the
	// page (see FromProbePage).
	FromProbe bool `json:"from_probe,omitempty"`
	// HostIsOrigin says the host source reads the shop's origin
	// (sources.host.origin), so its TCP socket memory is the measured side
	// of the memory check. A host is not the origin unless the config says
	// so: the kernel's socket memory is the whole machine's (SSH, the
	// exporters, Prometheus itself), tens of times a small plan at idle.
	HostIsOrigin bool `json:"host_is_origin,omitempty"`
}

// Limits are the origin's ceilings. A zero field is no limit.
type Limits struct {
	// Link is the uplink in bytes per second.
	Link float64 `json:"link,omitempty"`
	// MaxConns is the most concurrent connections the origin accepts.
	MaxConns float64 `json:"max_connections,omitempty"`
	// Memory is the memory available for connections, in bytes.
	Memory float64 `json:"memory,omitempty"`
}

// Endpoint is a dynamic endpoint (log-in, add to cart, buy) and the QPS its
// stress test reached before it failed.
type Endpoint struct {
	// Name is the endpoint's name as snapshots carry it.
	Name string `json:"name"`
	// MaxQPS is the stress-tested ceiling in requests per second.
	MaxQPS float64 `json:"max_qps"`
	// MaxP95 is the 95th percentile time to answer its stress test found
	// at that ceiling (endpoints[].max_p95); zero when none was measured.
	// Its p95 is held against it as its load is against MaxQPS.
	MaxP95 time.Duration `json:"-"`
}

// Stock is what is for sale.
type Stock struct {
	// Total is the number of units on sale.
	Total float64 `json:"total"`
	// SellOut is how long after LaunchAt the units are planned to be gone;
	// zero when there is no plan.
	SellOut time.Duration `json:"-"`
}

// Prediction is what the plan's formulas give at one PV. The totals are
// what clients pull; the origin figures are what is left after the CDN, and
// are what the origin's limits and measurements see.
type Prediction struct {
	// PV is the page views per second the prediction is for.
	PV float64 `json:"pv"`
	// Bandwidth is total bytes per second: PV × resources × size.
	Bandwidth float64 `json:"bandwidth_bytes_per_sec"`
	// OriginBandwidth is the bandwidth the CDN leaves to the origin.
	OriginBandwidth float64 `json:"origin_bandwidth_bytes_per_sec"`
	// Connections is total concurrent connections: Bandwidth / DownloadSpeed.
	Connections float64 `json:"connections"`
	// OriginConnections is OriginBandwidth / DownloadSpeed.
	OriginConnections float64 `json:"origin_connections"`
	// Memory is OriginConnections × ConnMemory: only the origin holds the
	// connections whose memory we pay for.
	Memory float64 `json:"memory_bytes"`
}

// Limit names, as in LimitPV.Name and Summary.FirstBroken.
const (
	LimitLink        = "link"
	LimitConnections = "connections"
	LimitMemory      = "memory"
)

// LimitPV is one set limit held against the plan.
type LimitPV struct {
	// Name is LimitLink, LimitConnections or LimitMemory.
	Name string `json:"name"`
	// Limit is the ceiling in the limit's own unit (bytes per second,
	// connections, bytes).
	Limit float64 `json:"limit"`
	// PV is the page views per second at which the limit is reached. It is
	// 0 when Reachable is false.
	PV float64 `json:"pv"`
	// Reachable is false when no PV reaches the limit, because nothing of a
	// page view lands on the origin (a CDN share of 1, an empty page).
	Reachable bool `json:"reachable"`
	// Peak is the predicted origin value at the planned peak.
	Peak float64 `json:"peak"`
	// Broken is true when the planned peak goes over the limit; reaching it
	// exactly is not broken.
	Broken bool `json:"broken"`
}

// PageWeight returns the planned bytes per page view, CDN included.
func (p Plan) PageWeight() float64 {
	return finiteOrMax(p.ResourcesPerPage * p.ResourceSize)
}

// At returns the formulas' predictions at pv page views per second.
//
// The order of operations is chosen for exactness, not looks: bandwidth is
// PV × resources × size and connections are bandwidth / speed, one division
// of two exact integers, so the worked example (and any plan in whole
// numbers whose result is a whole number) comes out exact; PV × resources ×
// (size / speed) would round twice. The CDN's share is taken off as
// x − x × share rather than x × (1 − share), because 1 − 0.9 is not 0.1 in
// float64.
//
// A negative or non-finite pv, and an invalid plan (see Validate), give
// zeros rather than NaN; an overflow gives the largest float64.
func (p Plan) At(pv float64) Prediction {
	if !finite(pv) || pv < 0 {
		return Prediction{}
	}
	bw := finiteOrMax(pv * p.ResourcesPerPage * p.ResourceSize)
	pr := Prediction{
		PV:              pv,
		Bandwidth:       bw,
		OriginBandwidth: p.origin(bw),
	}
	if p.DownloadSpeed > 0 && finite(p.DownloadSpeed) {
		pr.Connections = finiteOrMax(pr.Bandwidth / p.DownloadSpeed)
		pr.OriginConnections = finiteOrMax(pr.OriginBandwidth / p.DownloadSpeed)
	}
	pr.Memory = finiteOrMax(pr.OriginConnections * p.ConnMemory)
	return pr
}

// Peak returns the predictions at the planned peak.
func (p Plan) Peak() Prediction { return p.At(p.PeakPV) }

// origin returns what is left of a quantity after the CDN's share.
func (p Plan) origin(x float64) float64 {
	share := p.cdnShare()
	return math.Max(x-x*share, 0)
}

// cdnShare returns CDNShare clamped to 0..1 (NaN as 0), so an unvalidated
// plan still predicts finite numbers.
func (p Plan) cdnShare() float64 {
	if !finite(p.CDNShare) || p.CDNShare < 0 {
		return 0
	}
	return math.Min(p.CDNShare, 1)
}

// LimitPVs returns every set limit with the PV at which it is reached and
// whether the planned peak breaks it, in the order link, connections,
// memory.
func (p Plan) LimitPVs() []LimitPV { return p.appendLimitPVs(nil, p.Peak()) }

// appendLimitPVs appends LimitPVs' list to out, given the plan's Peak:
// every frame's assessment asks, into an array on its stack, with the
// peak it predicted already.
func (p Plan) appendLimitPVs(out []LimitPV, peak Prediction) []LimitPV {
	unit := p.At(1)
	add := func(name string, limit, atPeak, perPV float64) {
		if !(limit > 0) || !finite(limit) {
			return
		}
		l := LimitPV{Name: name, Limit: limit, Peak: atPeak, Broken: atPeak > limit}
		if perPV > 0 {
			l.PV, l.Reachable = finiteOrMax(limit/perPV), true
		}
		out = append(out, l)
	}
	add(LimitLink, p.Limits.Link, peak.OriginBandwidth, unit.OriginBandwidth)
	add(LimitConnections, p.Limits.MaxConns, peak.OriginConnections, unit.OriginConnections)
	add(LimitMemory, p.Limits.Memory, peak.Memory, unit.Memory)
	return out
}

// FirstBroken returns the limit the planned peak breaks first, the broken
// one reached at the lowest PV, and false when the peak fits every limit.
// On a tie the earlier of link, connections, memory wins.
func (p Plan) FirstBroken() (LimitPV, bool) {
	// The formulas are linear in PV, so the limit reached at the lowest PV
	// is broken by the peak exactly when any limit is.
	first, ok := p.FirstReached()
	if !ok || !first.Broken {
		return LimitPV{}, false
	}
	return first, true
}

// FirstReached returns the limit that rising PV reaches first, whether or
// not the planned peak gets there: the screen's "first limit at 1,250 PV/s".
// Ties go to link, then connections, then memory.
func (p Plan) FirstReached() (LimitPV, bool) {
	var first LimitPV
	found := false
	for _, l := range p.LimitPVs() {
		if l.Reachable && (!found || l.PV < first.PV) {
			first, found = l, true
		}
	}
	return first, found
}

// FieldError is one bad field of a plan, named by its config path
// ("plan.download_speed", "endpoints[1].max_qps"): read with errors.As, so
// a caller can place it (a config's line, the flag that set it) without
// cutting strings.
type FieldError struct {
	Path string
	Msg  string
}

// Error reads "path: message".
func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// Fieldf returns a FieldError for path.
func Fieldf(path, format string, args ...any) *FieldError {
	return &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// FieldErrors lists the FieldErrors in err (joined or wrapped), and the
// errors that are not one.
func FieldErrors(err error) (fields []*FieldError, other []error) {
	if err == nil {
		return nil, nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			f, o := FieldErrors(e)
			fields, other = append(fields, f...), append(other, o...)
		}
		return fields, other
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return []*FieldError{fe}, nil
	}
	return nil, []error{err}
}

// ValidateEndpoints checks the dynamic endpoints: a name each, no name
// twice, a positive ceiling, a latency ceiling not negative. Each error is a FieldError for
// "endpoints[i].name" or "endpoints[i].max_qps". A config without a plan still has endpoints, so
// this stands apart from Validate.
func ValidateEndpoints(eps []Endpoint) error {
	var errs []error
	seen := make(map[string]int, len(eps))
	for i, ep := range eps {
		path := fmt.Sprintf("endpoints[%d]", i)
		if ep.Name == "" {
			errs = append(errs, Fieldf(path+".name", "must not be empty"))
		} else if j, dup := seen[ep.Name]; dup {
			errs = append(errs, Fieldf(path+".name", "%q is already endpoints[%d]", ep.Name, j))
		} else {
			seen[ep.Name] = i
		}
		if !finite(ep.MaxQPS) || !(ep.MaxQPS > 0) {
			errs = append(errs, Fieldf(path+".max_qps", "must be > 0 (the endpoint's load divides by it), got %v", ep.MaxQPS))
		}
		if ep.MaxP95 < 0 {
			errs = append(errs, Fieldf(path+".max_p95", "must not be negative, got %s", ep.MaxP95))
		}
	}
	return errors.Join(errs...)
}

// Validate checks the plan: a FieldError for each bad field, by its config
// path ("plan.download_speed", "plan.limits.link", "endpoints[1].max_qps",
// "plan.stock.total"), every one found joined with errors.Join.
func (p Plan) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, Fieldf(path, format, args...))
	}
	nonNegative := func(path string, v float64) {
		switch {
		case !finite(v):
			bad(path, "must be a finite number, got %v", v)
		case v < 0:
			bad(path, "must not be negative, got %v", v)
		}
	}
	nonNegative("plan.peak_pv", p.PeakPV)
	nonNegative("plan.resources_per_page", p.ResourcesPerPage)
	nonNegative("plan.resource_size", p.ResourceSize)
	nonNegative("plan.conn_memory", p.ConnMemory)
	if !finite(p.DownloadSpeed) || !(p.DownloadSpeed > 0) {
		bad("plan.download_speed", "must be > 0 (the connections formula divides by it), got %v", p.DownloadSpeed)
	}
	if !finite(p.CDNShare) || p.CDNShare < 0 || p.CDNShare > 1 {
		bad("plan.cdn_share", "must be within 0..1, got %v", p.CDNShare)
	}
	nonNegative("plan.limits.link", p.Limits.Link)
	nonNegative("plan.limits.max_connections", p.Limits.MaxConns)
	nonNegative("plan.limits.memory", p.Limits.Memory)
	if err := ValidateEndpoints(p.Endpoints); err != nil {
		errs = append(errs, err)
	}
	nonNegative("plan.stock.total", p.Stock.Total)
	if p.Stock.SellOut < 0 {
		bad("plan.stock.sell_out", "must not be negative, got %v", p.Stock.SellOut)
	}
	return errors.Join(errs...)
}

// finiteOrMax turns an overflow into the largest float64 so that no Inf or
// NaN leaves the package; NaN (0 × Inf) becomes 0.
func finiteOrMax(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return 0
	case math.IsInf(v, 1):
		return math.MaxFloat64
	case math.IsInf(v, -1):
		return -math.MaxFloat64
	}
	return v
}
