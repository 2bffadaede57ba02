// Package snapshot holds the one data shape that flows through launchwatch:
// a timestamped record of every signal. Live polling, the demo simulator, a
// replayed recording and a Prometheus backfill all produce a Snapshot; the
// TUI, the recorder, the report and `watch --once --json` all consume it.
//
// Each signal is one row of the signal table (All, Signal): its name, its
// unit, its help, whether it is exported, levelled, a tile or a peak, and
// where it lives in a Snapshot. Everything that lists or names signals
// reads it.
//
// The package imports nothing else of launchwatch and no terminal UI
// library; CleanText uses charmbracelet/x/ansi's parser to find the escape
// sequences it strips.
package snapshot

import (
	"maps"
	"slices"
	"time"
)

// Signal names, exactly as JSON, the config and the exports spell them:
// the table's names (see table).
const (
	SignalPV          = "pv"
	SignalRequests    = "requests"
	SignalConnections = "connections"
	SignalBandwidth   = "bandwidth"
	SignalErrorRate   = "error_rate"
	SignalStock       = "stock"
	SignalSold        = "sold"

	SignalLatencyP50 = "latency_p50"
	SignalLatencyP95 = "latency_p95"
	SignalLatencyP99 = "latency_p99"

	// SignalErrorCodes is the error rate's breakdown: failed requests per
	// second by status code (Snapshot.ErrorCodes). It is a family of
	// figures, one a code, not a row of the table.
	SignalErrorCodes = "error_codes"

	SignalHostCPU            = "host.cpu"
	SignalHostMemoryUsed     = "host.memory_used"
	SignalHostMemoryTotal    = "host.memory_total"
	SignalHostLoad1          = "host.load1"
	SignalHostNetTX          = "host.net_tx"
	SignalHostNetRX          = "host.net_rx"
	SignalHostTCPEstablished = "host.tcp_established"
	SignalHostTCPMemory      = "host.tcp_memory"

	SignalProbeButton       = "probe.button_present"
	SignalProbePageBytes    = "probe.page_bytes"
	SignalProbeResources    = "probe.resources"
	SignalProbeUncompressed = "probe.uncompressed_bytes"
	SignalProbeCDNShare     = "probe.cdn_share"
	SignalProbeFailed       = "probe.failed_resources"
	SignalProbeAge          = "probe.age_seconds"
)

// table is the signal table: a row a signal, in the order the exports,
// the text output, the report's peaks and the tiles list them (see
// Signal for the columns). A row's name is its field's JSON path in
// Snapshot; a test holds the two together and every Value field to a row.
var table = []Signal{
	{Name: SignalPV, Unit: UnitNumber, Help: "Page views per second.", Export: true, Rule: RulePlan,
		Tile: "PV/s", Peak: "Page views", Suffix: "PV/s", Text: "PV/s",
		Fleet: true, server: func(s *Server) *Value { return &s.PV }},
	{Name: SignalRequests, Unit: UnitNumber, Help: "HTTP requests per second, all handlers.", Export: true,
		Peak: "Requests", Suffix: "req/s", Text: "Requests/s",
		Fleet: true, server: func(s *Server) *Value { return &s.Requests }},
	{Name: SignalConnections, Unit: UnitCount, Help: "Concurrent client connections.", Export: true, Rule: RulePlan,
		Tile: "Connections", Peak: "Connections", Text: "Connections",
		Fleet: true, server: func(s *Server) *Value { return &s.Connections }},
	{Name: SignalBandwidth, Unit: UnitLinkRate, Help: "Bytes per second sent to clients.", Export: true, Rule: RulePlan,
		Tile: "Bandwidth", Peak: "Bandwidth", Text: "Bandwidth",
		Fleet: true, server: func(s *Server) *Value { return &s.Bandwidth }},
	{Name: SignalErrorRate, Unit: UnitShare, Help: "Share of requests that failed, 0 to 1.", Export: true, Rule: RuleErrorRate,
		Tile: "Error rate", Peak: "Error rate", Text: "Error rate",
		Fleet: true, server: func(s *Server) *Value { return &s.ErrorRate }},
	{Name: SignalLatencyP50, Unit: UnitSeconds, Help: "Median time to answer a request, in seconds.", Export: true, Fleet: true,
		Text: "Latency", TextForm: "p50 %s",
		server: func(s *Server) *Value { return &s.LatencyP50 }},
	{Name: SignalLatencyP95, Unit: UnitSeconds, Help: "95th percentile of the time to answer a request, in seconds.", Export: true, Fleet: true,
		Rule: RuleLatency, Peak: "Latency p95", Text: "Latency", TextForm: ", p95 %s",
		server: func(s *Server) *Value { return &s.LatencyP95 }},
	{Name: SignalLatencyP99, Unit: UnitSeconds, Help: "99th percentile of the time to answer a request, in seconds.", Export: true, Fleet: true,
		Text: "Latency", TextForm: ", p99 %s",
		server: func(s *Server) *Value { return &s.LatencyP99 }},
	{Name: SignalStock, Unit: UnitCount, Help: "Units left to sell.", Export: true, Rule: RulePlan,
		Tile: "Stock", Text: "Stock"},
	{Name: SignalSold, Unit: UnitNumber, Help: "Units sold per second.", Export: true, Text: "Sold/s"},

	{Name: EndpointPrefix, Unit: UnitNumber, Help: "Requests per second to each dynamic endpoint.", Export: true, Rule: RulePlan,
		Text: "Endpoint", TextForm: "%s QPS"},

	{Name: SignalHostCPU, Unit: UnitShare, Help: "Busy share of all CPU cores, 0 to 1.", Export: true, Rule: RuleUsage, Text: "Host CPU"},
	{Name: SignalHostMemoryUsed, Unit: UnitBytes, Help: "Memory used, in bytes.", Export: true,
		Rule: RuleUsage, Of: SignalHostMemoryTotal, Text: "Host memory"},
	{Name: SignalHostMemoryTotal, Unit: UnitBytes, Help: "Memory in total, in bytes.", Export: true, Text: "Host memory", TextForm: " of %s"},
	{Name: SignalHostLoad1, Unit: UnitNumber, Help: "One-minute load average.", Export: true, Text: "Host load"},
	{Name: SignalHostNetTX, Unit: UnitByteRate, Help: "Bytes per second sent on the watched interfaces.", Export: true, Text: "Host NIC out/in"},
	{Name: SignalHostNetRX, Unit: UnitByteRate, Help: "Bytes per second received on the watched interfaces.", Export: true,
		Text: "Host NIC out/in", TextForm: " / %s"},
	{Name: SignalHostTCPEstablished, Unit: UnitCount, Help: "Established TCP connections.", Export: true,
		Text: "Host TCP", TextForm: "%s established"},
	{Name: SignalHostTCPMemory, Unit: UnitBytes, Help: "Kernel TCP socket memory, in bytes.", Export: true,
		Text: "Host TCP", TextForm: ", %s socket memory"},

	// The probe's figures are neither exported nor in the text output:
	// the probe has its own pane and `launchwatch probe`.
	{Name: SignalProbeButton, Unit: UnitFlag, Help: "Whether the purchase button's marker matched, 1 or 0."},
	{Name: SignalProbePageBytes, Unit: UnitBytes, Help: "Bytes a first visitor's browser pulls for the sale page, CDN included."},
	{Name: SignalProbeResources, Unit: UnitCount, Help: "Distinct resources the sale page pulls."},
	{Name: SignalProbeUncompressed, Unit: UnitBytes, Help: "Bytes of compressible resources sent without compression."},
	{Name: SignalProbeCDNShare, Unit: UnitShare, Help: "Share of the sale page's bytes served by the CDN, 0 to 1."},
	{Name: SignalProbeFailed, Unit: UnitCount, Help: "Resources of the sale page that did not load."},
	{Name: SignalProbeAge, Unit: UnitSeconds, Help: "Age of the probe's last result, in seconds."},
}

// value points at the figure a signal of the table names (see Signal),
// nil for any other address. A switch rather than a function a row: a
// snapshot handed to a function value is copied, or taken to the heap
// when handed by pointer, and this runs for every figure of every frame
// and record.
func (s *Snapshot) value(name string) *Value {
	switch name {
	case SignalPV:
		return &s.PV
	case SignalRequests:
		return &s.Requests
	case SignalConnections:
		return &s.Connections
	case SignalBandwidth:
		return &s.Bandwidth
	case SignalErrorRate:
		return &s.ErrorRate
	case SignalLatencyP50:
		return &s.LatencyP50
	case SignalLatencyP95:
		return &s.LatencyP95
	case SignalLatencyP99:
		return &s.LatencyP99
	case SignalStock:
		return &s.Stock
	case SignalSold:
		return &s.Sold
	case SignalHostCPU:
		return &s.Host.CPU
	case SignalHostMemoryUsed:
		return &s.Host.MemoryUsed
	case SignalHostMemoryTotal:
		return &s.Host.MemoryTotal
	case SignalHostLoad1:
		return &s.Host.Load1
	case SignalHostNetTX:
		return &s.Host.NetTX
	case SignalHostNetRX:
		return &s.Host.NetRX
	case SignalHostTCPEstablished:
		return &s.Host.TCPEstablished
	case SignalHostTCPMemory:
		return &s.Host.TCPMemory
	case SignalProbeButton:
		return &s.Probe.ButtonPresent
	case SignalProbePageBytes:
		return &s.Probe.PageBytes
	case SignalProbeResources:
		return &s.Probe.Resources
	case SignalProbeUncompressed:
		return &s.Probe.UncompressedBytes
	case SignalProbeCDNShare:
		return &s.Probe.CDNShare
	case SignalProbeFailed:
		return &s.Probe.FailedResources
	case SignalProbeAge:
		return &s.Probe.Age
	}
	return nil
}

// Snapshot is every signal at one instant. A missing value is missing, never
// zero. Rates are per second of the snapshot's own clock (simulated time in
// the demo, wall time otherwise).
type Snapshot struct {
	// Time is when the snapshot was taken.
	Time time.Time `json:"time"`

	// PV is page views per second.
	PV Value `json:"pv,omitzero"`
	// Requests is HTTP requests per second, all handlers.
	Requests Value `json:"requests,omitzero"`
	// Connections is concurrent client connections.
	Connections Value `json:"connections,omitzero"`
	// Bandwidth is bytes per second sent to clients.
	Bandwidth Value `json:"bandwidth,omitzero"`
	// ErrorRate is the share of requests that failed, 0..1.
	ErrorRate Value `json:"error_rate,omitzero"`
	// Stock is units left to sell.
	Stock Value `json:"stock,omitzero"`
	// Sold is units sold per second.
	Sold Value `json:"sold,omitzero"`

	// LatencyP50, LatencyP95 and LatencyP99 are the percentiles of the
	// time to answer a request, in seconds, from the servers' histograms.
	LatencyP50 Value `json:"latency_p50,omitzero"`
	LatencyP95 Value `json:"latency_p95,omitzero"`
	LatencyP99 Value `json:"latency_p99,omitzero"`

	// ErrorCodes is the error rate's breakdown: failed requests per second
	// by status code (or the label signals.error_codes names), "502",
	// "504". Their sum is the failing part of Requests.
	ErrorCodes map[string]Value `json:"error_codes,omitempty"`

	// Endpoints holds each dynamic endpoint's figures by endpoint name.
	Endpoints map[string]Endpoint `json:"endpoints,omitempty"`

	// Host is the local (or configured) host's figures.
	Host Host `json:"host,omitzero"`

	// Probe is what the last probe of the sale page found.
	Probe Probe `json:"probe,omitzero"`

	// Sources holds each data source's health by source name.
	Sources map[string]Source `json:"sources,omitempty"`

	// Fleet holds each server's own figures when the config names a fleet
	// label (fleet.label): one entry a server, sorted by name, those that
	// stopped answering kept and marked Gone. Empty without a fleet.
	Fleet []Server `json:"fleet,omitempty"`

	// Acks holds the acknowledgements that stand, by problem key
	// ("errors/error_rate"): given on any screen, they hold until their
	// problem resolves.
	Acks map[string]Ack `json:"acks,omitempty"`

	// TeamAlerts are the team's own alerts firing in the Alertmanager read
	// back (sources.alertmanager), worst first, at most MaxTeamAlerts;
	// launchwatch's own alerts are not among them.
	TeamAlerts []TeamAlert `json:"team_alerts,omitempty"`
	// Silences are the Alertmanager's silences over launchwatch's own
	// problems, by problem key ("errors/error_rate").
	Silences map[string]Silence `json:"silences,omitempty"`

	// Annotations are the notes laid since the last snapshot (see
	// Annotation): each rides in one snapshot only, the next taken after it
	// was given.
	Annotations []Annotation `json:"annotations,omitempty"`
}

// Endpoint is one dynamic endpoint's load.
type Endpoint struct {
	// QPS is requests per second.
	QPS Value `json:"qps,omitzero"`
	// P95 is the 95th percentile of its time to answer, in seconds: held
	// against the ceiling its stress test found (endpoints[].max_p95).
	P95 Value `json:"p95,omitzero"`
}

// Host is the figures of one machine.
type Host struct {
	// CPU is the busy share of all cores, 0..1, from deltas between polls.
	CPU Value `json:"cpu,omitzero"`
	// MemoryUsed and MemoryTotal are bytes.
	MemoryUsed  Value `json:"memory_used,omitzero"`
	MemoryTotal Value `json:"memory_total,omitzero"`
	// Load1 is the one-minute load average.
	Load1 Value `json:"load1,omitzero"`
	// NetTX and NetRX are bytes per second on the chosen interfaces.
	NetTX Value `json:"net_tx,omitzero"`
	NetRX Value `json:"net_rx,omitzero"`
	// TCPEstablished is established TCP connections.
	TCPEstablished Value `json:"tcp_established,omitzero"`
	// TCPMemory is the kernel's TCP socket memory in bytes: the measured side
	// of the plan's memory per connection.
	TCPMemory Value `json:"tcp_memory,omitzero"`
}

// Probe is what the last probe of the sale page found: the purchase button
// and the page's weight as a first visitor's browser would pull it. Every
// figure is missing, never zero, until a probe has measured it.
type Probe struct {
	// ButtonPresent is 1 when the purchase button's marker matched (the
	// selector, its text, not disabled or hidden where required), else 0.
	ButtonPresent Value `json:"button_present,omitzero"`
	// PageBytes is the page weight as transferred: the HTML document plus
	// every resource it pulls whose size is known, CDN included.
	PageBytes Value `json:"page_bytes,omitzero"`
	// Resources is how many distinct resources the page pulls.
	Resources Value `json:"resources,omitzero"`
	// UncompressedBytes is the bytes of compressible resources (text,
	// scripts, styles, SVG, the HTML itself) sent without a
	// Content-Encoding: what compression would shrink.
	UncompressedBytes Value `json:"uncompressed_bytes,omitzero"`
	// CDNShare is the share (0..1) of PageBytes served by the configured
	// CDN hosts.
	CDNShare Value `json:"cdn_share,omitzero"`
	// FailedResources is how many resources did not load (an error status,
	// no answer).
	FailedResources Value `json:"failed_resources,omitzero"`
	// Age is how old the probe's result is, in seconds on the snapshots'
	// clock (wall time live, simulated time in the demo): the probe runs
	// at its own cadence, slower than the poll.
	Age Value `json:"age_seconds,omitzero"`
}

// Clone returns a deep copy, so a snapshot handed to the TUI, the recorder
// and the report can never be changed under one of them by another.
func (s Snapshot) Clone() Snapshot {
	c := s
	c.Endpoints = maps.Clone(s.Endpoints)
	c.ErrorCodes = maps.Clone(s.ErrorCodes)
	c.Fleet = slices.Clone(s.Fleet)
	c.Acks = maps.Clone(s.Acks)
	c.TeamAlerts = slices.Clone(s.TeamAlerts)
	c.Silences = maps.Clone(s.Silences)
	c.Annotations = slices.Clone(s.Annotations)
	if s.Sources != nil {
		c.Sources = make(map[string]Source, len(s.Sources))
		for name, src := range s.Sources {
			src.Warnings = slices.Clone(src.Warnings)
			src.Signals = slices.Clone(src.Signals)
			src.Carried = maps.Clone(src.Carried)
			src.Errors = maps.Clone(src.Errors)
			src.Infos = slices.Clone(src.Infos)
			src.Partial = slices.Clone(src.Partial)
			c.Sources[name] = src
		}
	}
	return c
}

// EndpointNames returns the endpoint names in sorted order, for stable output.
func (s Snapshot) EndpointNames() []string {
	return slices.Sorted(maps.Keys(s.Endpoints))
}

// SourceNames returns the source names in sorted order, for stable output.
func (s Snapshot) SourceNames() []string {
	return slices.Sorted(maps.Keys(s.Sources))
}

// AppendSourceNames appends the source names to names in sorted order: a
// walk over every snapshot of a recording passes one buffer for all.
func (s Snapshot) AppendSourceNames(names []string) []string {
	from := len(names)
	for name := range s.Sources {
		names = append(names, name)
	}
	slices.Sort(names[from:])
	return names
}
