// Package snapshot holds the one data shape that flows through launchwatch:
// a timestamped record of every signal. Live polling, the demo simulator, a
// replayed recording and a Prometheus backfill all produce a Snapshot; the
// TUI, the recorder, the report and `watch --once --json` all consume it.
//
// The package imports nothing else of launchwatch and no terminal UI
// library; CleanText uses charmbracelet/x/ansi's parser to find the escape
// sequences it strips.
package snapshot

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Signal names, exactly as they appear in JSON and in configuration.
const (
	SignalPV          = "pv"
	SignalRequests    = "requests"
	SignalConnections = "connections"
	SignalBandwidth   = "bandwidth"
	SignalErrorRate   = "error_rate"
	SignalStock       = "stock"
	SignalSold        = "sold"
)

// Signals lists the top-level traffic signals in display order.
var Signals = []string{
	SignalPV, SignalRequests, SignalConnections, SignalBandwidth,
	SignalErrorRate, SignalStock, SignalSold,
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

	// Endpoints holds each dynamic endpoint's figures by endpoint name.
	Endpoints map[string]Endpoint `json:"endpoints,omitempty"`

	// Host is the local (or configured) host's figures.
	Host Host `json:"host,omitzero"`

	// Probe is what the last probe of the sale page found.
	Probe Probe `json:"probe,omitzero"`

	// Sources holds each data source's health by source name.
	Sources map[string]Source `json:"sources,omitempty"`
}

// Endpoint is one dynamic endpoint's load.
type Endpoint struct {
	// QPS is requests per second.
	QPS Value `json:"qps,omitzero"`
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

// Clone returns a deep copy, so a snapshot handed to the TUI, the recorder
// and the report can never be changed under one of them by another.
func (s Snapshot) Clone() Snapshot {
	c := s
	c.Endpoints = maps.Clone(s.Endpoints)
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

// Get returns a signal by its address: a top-level JSON name ("pv"),
// "host.NAME" ("host.cpu"), "probe.NAME" ("probe.page_bytes") or
// "endpoints.NAME" ("endpoints.buy" for its QPS).
// Unknown addresses are missing.
func (s Snapshot) Get(signal string) Value {
	if name, ok := endpointName(signal); ok {
		return s.Endpoints[name].QPS
	}
	if p := s.field(signal); p != nil {
		return *p
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
		ep := s.Endpoints[name]
		ep.QPS = v
		s.Endpoints[name] = ep
		return true
	}
	p := s.field(signal)
	if p == nil {
		return false
	}
	*p = v
	return true
}

// ValidSignal reports whether an address names a signal (see Get).
func ValidSignal(signal string) bool {
	if _, ok := endpointName(signal); ok {
		return true
	}
	var s Snapshot
	return s.field(signal) != nil
}

// HostSignals lists the host figures' addresses in display order.
var HostSignals = []string{
	"host.cpu", "host.memory_used", "host.memory_total", "host.load1",
	"host.net_tx", "host.net_rx", "host.tcp_established", "host.tcp_memory",
}

func endpointName(signal string) (string, bool) {
	name, ok := strings.CutPrefix(signal, "endpoints.")
	return name, ok && name != ""
}

func (s *Snapshot) field(signal string) *Value {
	switch signal {
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
	case SignalStock:
		return &s.Stock
	case SignalSold:
		return &s.Sold
	case "host.cpu":
		return &s.Host.CPU
	case "host.memory_used":
		return &s.Host.MemoryUsed
	case "host.memory_total":
		return &s.Host.MemoryTotal
	case "host.load1":
		return &s.Host.Load1
	case "host.net_tx":
		return &s.Host.NetTX
	case "host.net_rx":
		return &s.Host.NetRX
	case "host.tcp_established":
		return &s.Host.TCPEstablished
	case "host.tcp_memory":
		return &s.Host.TCPMemory
	}
	return s.probeField(signal)
}
