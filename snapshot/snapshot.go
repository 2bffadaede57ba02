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

// Source is one data source's health as of the snapshot.
type Source struct {
	// OK is true when the source's last poll answered every signal without
	// error; a partial failure is not OK but still answered.
	OK bool `json:"ok"`
	// Error is the last poll's error, cleaned for display; empty when OK.
	Error string `json:"error,omitempty"`
	// Warnings are non-fatal notes from the source (Thanos partial results,
	// a vector summed over several series, …), cleaned for display.
	Warnings []string `json:"warnings,omitempty"`
	// LastSuccess is when the source last answered, fully or in part; zero
	// if never.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// Duration is how long the last poll took, in seconds.
	Duration float64 `json:"duration_seconds"`
	// Signals names the signals this source feeds ("pv", "host.cpu",
	// "endpoints.buy", …).
	Signals []string `json:"signals,omitempty"`
	// Carried holds the signals whose value in this snapshot is an earlier
	// poll's, because the last poll failed to measure them, with the time
	// each was measured: shown stale, never blank and never fresh.
	Carried map[string]time.Time `json:"carried,omitempty"`
	// Errors holds each failure of the last poll separately, cleaned for
	// display but not cut to one line: by signal address ("pv",
	// "endpoints.buy") for a signal that failed, by target URL for a scrape
	// target that did not answer, and under "source" for a failure of the
	// whole source (no answer within the deadline). Error is their summary.
	Errors map[string]string `json:"errors,omitempty"`
	// Infos are the server's informational notes (Prometheus' infos, such
	// as "metric might not be a counter") and launchwatch's own about the
	// source (a scrape interval it could not detect, data hidden by
	// VictoriaMetrics' latency offset), cleaned for display.
	Infos []string `json:"infos,omitempty"`
	// Partial lists the signals whose value in this snapshot was computed
	// from only some of the data it sums (a scrape target that did not
	// answer): measured now, but not whole, so not fresh.
	Partial []string `json:"partial,omitempty"`
	// NewestSample is the real time of the newest sample behind the
	// source's answers: for Prometheus, timestamp() of the series its
	// queries read (so a query evaluated in the past, by latency_offset or
	// by VictoriaMetrics' hidden latency, is that old), or the evaluation
	// time where the server gives no sample time; for scrape and host, the
	// poll that read them. It is kept while the source fails. Zero if
	// never answered. The data's age is the snapshot's Time minus this.
	NewestSample time.Time `json:"newest_sample,omitzero"`
	// RateWindow is the range in seconds that $__rate_interval stood for in
	// the last poll's queries (Grafana's formula, from the scrape
	// interval); zero when no query uses it.
	RateWindow float64 `json:"rate_window_seconds,omitempty"`
	// ScrapeInterval is the scrape interval in seconds the rate window was
	// derived from (configured or detected); zero when unknown or unused.
	ScrapeInterval float64 `json:"scrape_interval_seconds,omitempty"`
}

// Age returns how old the source's newest answer is at time now; zero when
// it has never answered (see LastSuccess.IsZero).
func (s Source) Age(now time.Time) time.Duration {
	if s.LastSuccess.IsZero() {
		return 0
	}
	return now.Sub(s.LastSuccess)
}

// Answered reports whether the source answered, fully or in part, in the
// poll of the snapshot taken at now.
func (s Source) Answered(now time.Time) bool {
	return !s.LastSuccess.IsZero() && s.LastSuccess.Equal(now)
}

// DataAge returns how old the source's newest data is at now: from the
// newest sample's real time when the source gives it (a VictoriaMetrics
// holding back 30 s is 30 s old), else from its last answer. never is true
// when it has never answered.
func (s Source) DataAge(now time.Time) (age time.Duration, never bool) {
	if s.LastSuccess.IsZero() {
		return 0, true
	}
	at := s.NewestSample
	if at.IsZero() {
		at = s.LastSuccess
	}
	return max(now.Sub(at), 0), false
}

// Down reports a data source down: it never answered, answered nothing for
// longer than maxAge, or answered nothing in this poll (every signal
// failed). A source that answered in part is not down.
func (s Source) Down(now time.Time, maxAge time.Duration) bool {
	return s.LastSuccess.IsZero() || s.Age(now) > maxAge || (!s.OK && !s.Answered(now))
}

// Staleness says why a figure is not fresh, and how old it is.
type Staleness struct {
	// Age is how old the figure is.
	Age time.Duration
	// Never: its source has never answered.
	Never bool
	// Partial: measured now, but from only some of its targets.
	Partial bool
}

// SignalStale reports whether a signal's value in a snapshot taken at now is
// not fresh, and why: its source never answered; the value was carried
// from an earlier poll; the source is down, or its data older than maxAge;
// or it was summed from only some targets. The screen, the events and the
// text output all judge freshness here.
func (s Source) SignalStale(signal string, now time.Time, maxAge time.Duration) (Staleness, bool) {
	age, never := s.DataAge(now)
	switch {
	case never:
		return Staleness{Never: true}, true
	case !s.Carried[signal].IsZero():
		return Staleness{Age: max(now.Sub(s.Carried[signal]), 0)}, true
	case s.Down(now, maxAge) || age > maxAge:
		return Staleness{Age: age}, true
	case slices.Contains(s.Partial, signal):
		return Staleness{Age: age, Partial: true}, true
	}
	return Staleness{}, false
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
