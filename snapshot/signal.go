package snapshot

import (
	"iter"
	"strings"
)

// Signal is one row of the signal table (see All): everything launchwatch
// knows of a signal by its name. The snapshot's accessors, the exports,
// the text of `watch --once`, the report's peaks, the config's and the
// presets' check of signal names, the host and probe sources' names and
// the headline tiles all read it, so adding a signal is adding a row.
type Signal struct {
	// Name is the signal's address as JSON, the config and the exports
	// spell it: "pv", "host.cpu", "probe.page_bytes". The endpoints' row
	// is a pattern: its Name is EndpointPrefix, and an endpoint's name
	// follows it ("endpoints.buy").
	Name string
	// Unit is what its number measures; capacity.Format writes it.
	Unit Unit
	// Help says what it measures, one sentence: the exports' # HELP.
	Help string
	// Export gives it a column in the CSV export and a family in the
	// OpenMetrics one.
	Export bool
	// Rule is how its figure is judged into a level: capacity applies it
	// (Thresholds.SignalLevel). Of names the signal a RuleUsage figure is
	// a share of; empty when the figure is the share itself.
	Rule Rule
	Of   string
	// Tile titles its headline tile on the dashboard and the wall, which
	// show the tiles in the table's order; empty for none.
	Tile string
	// Peak names it in the report's peaks; empty when the report lists no
	// peak of it. Suffix follows its bare number there ("1,250 PV/s").
	Peak, Suffix string
	// Text labels its line in the text of `watch --once`; empty for none.
	// Rows next to each other with one label share its line, each written
	// by its TextForm, in which %s stands for the figure ("%s", " of %s");
	// an empty TextForm is "%s".
	Text, TextForm string
	// Fleet says each server of a fleet carries the figure too
	// (Snapshot.Fleet); server addresses it in a Server.
	Fleet bool

	// The figure itself is the Snapshot field Snapshot.value names.
	server func(*Server) *Value
}

// EndpointPrefix begins every endpoint's address: "endpoints.buy" is the
// QPS of the endpoint named buy.
const EndpointPrefix = "endpoints."

// EndpointSignal returns the address of an endpoint's QPS:
// "endpoints.NAME".
func EndpointSignal(name string) string { return EndpointPrefix + name }

// EndpointP95Signal returns the address of an endpoint's 95th percentile
// latency: "endpoints.NAME.p95". An endpoint's name holds no dot.
func EndpointP95Signal(name string) string { return EndpointPrefix + name + endpointP95 }

// Percentile reports whether the signal is a percentile of the time to
// answer (latency_p50/p95/p99, an endpoint's p95): with nothing answered
// it has no value, which is no failure (histogram_quantile is NaN then).
func Percentile(signal string) bool {
	if name, ok := endpointName(signal); ok {
		return strings.HasSuffix(name, endpointP95)
	}
	i, ok := index[signal]
	return ok && table[i].Unit == UnitSeconds && table[i].Fleet
}

// endpointP95 ends an endpoint's latency address.
const endpointP95 = ".p95"

// Pattern reports whether the row stands for many signals, one an
// endpoint, rather than one figure.
func (sig Signal) Pattern() bool { return noFigures.value(sig.Name) == nil }

// noFigures is a snapshot only addressed, never written: what Pattern asks
// of is whether a row's name addresses a field.
var noFigures Snapshot

// Get returns the signal's figure in a snapshot; missing for the
// endpoints' pattern, whose figures are by name (Snapshot.Get).
func (sig Signal) Get(s Snapshot) Value { return sig.Read(&s) }

// Read is Get reading the snapshot where it is, not a copy of it: for a
// reader of many figures of each frame.
func (sig Signal) Read(s *Snapshot) Value {
	if v := s.value(sig.Name); v != nil {
		return *v
	}
	return Value{}
}

// MetricName is the signal's name in the exports, derived from its Name
// and Unit as Prometheus naming asks: snake_case, the base unit last
// ("latency_p95_seconds", "host_memory_used_bytes", "error_ratio",
// "bandwidth_bytes_per_second"), never a suffix OpenMetrics reserves for
// other types ("_total", "_count", "_sum", "_bucket", "_created", "_info").
// The OpenMetrics export prefixes it with "launchwatch_"; the CSV export
// heads its column with it. The endpoints' pattern is "endpoint_qps", a
// series (or column) an endpoint.
func (sig Signal) MetricName() string {
	if sig.Pattern() {
		return "endpoint_qps"
	}
	base, ok := metricBase[sig.Name]
	if !ok {
		base = strings.ReplaceAll(sig.Name, ".", "_")
	}
	if suffix := sig.Unit.nameSuffix(); suffix != "" && !strings.HasSuffix(base, "_"+suffix) {
		base += "_" + suffix
	}
	return base
}

// MetricUnit is the OpenMetrics # UNIT of the signal's family: a base unit
// its MetricName ends with ("seconds", "bytes", "ratio"); "" when its unit
// is none of them. A rate in bytes per second has none: OpenMetrics'
// units are base units, so its name says "_bytes_per_second" without a
// # UNIT line.
func (sig Signal) MetricUnit() string {
	switch sig.Unit {
	case UnitShare, UnitBytes, UnitSeconds:
		return sig.Unit.nameSuffix()
	}
	return ""
}

// metricBase renames the few signals whose own name, once the unit follows
// it, would mislead: a share of failed requests is a ratio, not a rate, and
// a gauge ending in "_total" reads as a counter.
var metricBase = map[string]string{
	SignalErrorRate:       "error",
	SignalHostMemoryTotal: "host_memory_size",
}

// nameSuffix is the unit's suffix in a metric's name; "" for a plain
// number, a count or a flag, which have no unit.
func (u Unit) nameSuffix() string {
	switch u {
	case UnitShare:
		return "ratio"
	case UnitBytes:
		return "bytes"
	case UnitByteRate, UnitLinkRate:
		return "bytes_per_second"
	case UnitSeconds:
		return "seconds"
	}
	return ""
}

// Unit is what a signal's number measures. The package only names it:
// capacity writes each (capacity.Format), so the screens, the text output
// and the report write a figure alike.
type Unit uint8

// Units.
const (
	// UnitNumber is a plain quantity: a rate per second (PV/s, QPS), a
	// load average.
	UnitNumber Unit = iota
	// UnitCount is a whole count: connections, units of stock.
	UnitCount
	// UnitShare is a share, 0..1, written as a percentage.
	UnitShare
	// UnitBytes is a size in bytes.
	UnitBytes
	// UnitByteRate is bytes per second.
	UnitByteRate
	// UnitLinkRate is bytes per second through the link, written in bits
	// per second beside: links are sold in bits.
	UnitLinkRate
	// UnitSeconds is a duration in seconds.
	UnitSeconds
	// UnitFlag is 1 for yes, 0 for no.
	UnitFlag
)

// Rule is how a signal's figure is judged into a level. The package only
// names it: capacity holds the thresholds and applies them
// (capacity.Thresholds.SignalLevel).
type Rule uint8

// Rules.
const (
	// RuleNone: the figure has no level of its own.
	RuleNone Rule = iota
	// RuleUsage: a share of a capacity in use (the figure, or its share of
	// the signal Of names), against the thresholds' warn and crit lines.
	RuleUsage
	// RuleErrorRate: a share of the requests failing, against the
	// thresholds' error-rate lines once enough fail to judge.
	RuleErrorRate
	// RuleLatency: a time to answer, against the thresholds'
	// latency_p95_warn and latency_p95_crit.
	RuleLatency
	// RulePlan: judged against the plan (a limit, the planned peak, the
	// sell-out pace, an endpoint's ceiling) by the assessment, which knows
	// more than the figure.
	RulePlan
)

// All returns the signal table's rows in its order: the traffic, the
// endpoints' pattern, the host, the probe.
func All() iter.Seq[Signal] {
	return func(yield func(Signal) bool) {
		for _, sig := range table {
			if !yield(sig) {
				return
			}
		}
	}
}

// index finds a row by its name; the endpoints' pattern is not in it.
var index = func() map[string]int {
	m := make(map[string]int, len(table))
	for i, sig := range table {
		if !sig.Pattern() {
			m[sig.Name] = i
		}
	}
	return m
}()

// Lookup returns the row of an address: its own, or the endpoints' pattern
// for "endpoints.NAME".
func Lookup(signal string) (Signal, bool) {
	if _, ok := endpointName(signal); ok {
		return endpointRow, true
	}
	i, ok := index[signal]
	if !ok {
		return Signal{}, false
	}
	return table[i], true
}

// endpointRow is the table's endpoints' pattern.
var endpointRow = func() Signal {
	for _, sig := range table {
		if sig.Pattern() {
			return sig
		}
	}
	panic("snapshot: the signal table has no endpoints' row")
}()

// Get returns a signal by its address: a top-level JSON name ("pv"),
// "host.NAME" ("host.cpu"), "probe.NAME" ("probe.page_bytes") or
// "endpoints.NAME" ("endpoints.buy" for its QPS).
// Unknown addresses are missing.
func (s Snapshot) Get(signal string) Value {
	if name, ok := endpointName(signal); ok {
		if name, p95 := strings.CutSuffix(name, endpointP95); p95 {
			return s.Endpoints[name].P95
		}
		return s.Endpoints[name].QPS
	}
	if v := s.value(signal); v != nil {
		return *v
	}
	return Value{}
}

// Set stores a signal by its address (see Get) and reports whether the
// address is known. Setting "endpoints.NAME" creates the endpoint.
func (s *Snapshot) Set(signal string, v Value) bool {
	if name, ok := endpointName(signal); ok {
		if s.Endpoints == nil {
			s.Endpoints = make(map[string]Endpoint)
		}
		name, p95 := strings.CutSuffix(name, endpointP95)
		ep := s.Endpoints[name]
		if p95 {
			ep.P95 = v
		} else {
			ep.QPS = v
		}
		s.Endpoints[name] = ep
		return true
	}
	p := s.value(signal)
	if p == nil {
		return false
	}
	*p = v
	return true
}

// ValidSignal reports whether an address names a signal (see Get).
func ValidSignal(signal string) bool {
	_, ok := Lookup(signal)
	return ok
}

// FleetSignals lists the addresses each server of a fleet carries, in the
// table's order: the traffic and the latency.
var FleetSignals = func() []string {
	var out []string
	for _, sig := range table {
		if sig.Fleet {
			out = append(out, sig.Name)
		}
	}
	return out
}()

// HostSignals lists the host figures' addresses in the table's order.
var HostSignals = names(hostPrefix)

// ProbeSignals lists the probe's addresses in the table's order.
var ProbeSignals = names(probePrefix)

// The blocks of a snapshot whose figures are addressed "block.NAME".
const (
	hostPrefix  = "host."
	probePrefix = "probe."
)

// names lists the addresses that begin with prefix, in the table's order.
func names(prefix string) []string {
	var out []string
	for _, sig := range table {
		if !sig.Pattern() && strings.HasPrefix(sig.Name, prefix) {
			out = append(out, sig.Name)
		}
	}
	return out
}

func endpointName(signal string) (string, bool) {
	name, ok := strings.CutPrefix(signal, EndpointPrefix)
	return name, ok && name != ""
}
