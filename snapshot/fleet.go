package snapshot

import (
	"slices"
	"strings"
	"time"
)

// Widths a source cleans a breakdown's keys to (CleanText): a server's
// name (a pod, a host:port) and a status code, both label values the
// exporter chose, so one label of a megabyte cannot fill every snapshot.
const (
	MaxServerName = 120
	MaxCodeName   = 40
)

// Server is one server of a fleet (a web server behind the balancer, a
// pod, a zone: whatever the config's fleet label names) and its own
// figures, each measured by the signal's own query grouped by that label.
type Server struct {
	// Name is the fleet label's value: "web-3:9100", "checkout-7f9c".
	Name string `json:"name"`
	// Gone says the server stopped answering: its figures are missing,
	// never zero. GoneSince is when it was last seen.
	Gone      bool      `json:"gone,omitempty"`
	GoneSince time.Time `json:"gone_since,omitzero"`

	PV          Value `json:"pv,omitzero"`
	Requests    Value `json:"requests,omitzero"`
	Connections Value `json:"connections,omitzero"`
	Bandwidth   Value `json:"bandwidth,omitzero"`
	ErrorRate   Value `json:"error_rate,omitzero"`
	LatencyP50  Value `json:"latency_p50,omitzero"`
	LatencyP95  Value `json:"latency_p95,omitzero"`
	LatencyP99  Value `json:"latency_p99,omitzero"`
}

// Get returns one of the server's figures by its signal's address (one
// of FleetSignals); missing for any other.
func (s Server) Get(signal string) Value {
	if p := s.field(signal); p != nil {
		return *p
	}
	return Value{}
}

// Set stores one of the server's figures by its signal's address and
// reports whether the server carries that signal.
func (s *Server) Set(signal string, v Value) bool {
	p := s.field(signal)
	if p == nil {
		return false
	}
	*p = v
	return true
}

func (s *Server) field(signal string) *Value {
	i, ok := index[signal]
	if !ok || table[i].server == nil {
		return nil
	}
	return table[i].server(s)
}

// Server returns the server of a name in the snapshot's fleet.
func (s Snapshot) Server(name string) (Server, bool) {
	i, ok := slices.BinarySearchFunc(s.Fleet, name, func(srv Server, name string) int { return strings.Compare(srv.Name, name) })
	if !ok {
		return Server{}, false
	}
	return s.Fleet[i], true
}

// SortFleet sorts servers by name, the order Snapshot.Fleet keeps.
func SortFleet(fleet []Server) {
	slices.SortFunc(fleet, func(a, b Server) int { return strings.Compare(a.Name, b.Name) })
}
