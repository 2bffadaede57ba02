package tui

import (
	"cmp"
	"math"
	"sort"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Compare is a second launch a replay draws beside its own (replay
// --compare), on every chart the screen shows where it has the figure, at
// the same launch-relative time: its PV, connections and bandwidth on the
// dashboard's three charts, and a drilled-into server's requests, error
// rate and p95 on the drill's three when it had a server of that name.
// Each chart's legend names both launches; the header names it. Build it
// with Add, a snapshot at a time, oldest first.
type Compare struct {
	// Name names the second launch.
	Name string
	// Offset is the second launch's base (its T0, or its first snapshot)
	// less the replay's: its figure at t is drawn at t - Offset, so that
	// T+05:00 of one stands over T+05:00 of the other.
	Offset time.Duration
	// Points are its charted figures, oldest first.
	Points []ComparePoint
	// servers are its servers' charted figures by name, a value a point
	// (NaN where the server was missing or gone); nil once they passed
	// MaxCompareServerValues (serversCut).
	servers    map[string]*compareServer
	values     int // cells held in servers
	serversCut bool
	maxValues  int // 0: MaxCompareServerValues
	// buf holds the last window, reused: a frame's window lives only while
	// the frame is drawn, and a replay draws one frame at a time.
	buf []snapshot.Snapshot
}

// ComparePoint is one snapshot of the second launch: only the figures
// the charts draw, so a day's recording holds a few megabytes.
type ComparePoint struct {
	Time                       time.Time
	PV, Connections, Bandwidth snapshot.Value
}

// compareServer is one server's figures the drill charts draw, float32 as
// a recording keeps four significant digits of them.
type compareServer struct {
	first                           int // the point of requests[0]
	requests, errorRate, latencyP95 []float32
}

// MaxCompareServerValues bounds the server figures a Compare holds, 4
// bytes each (three a server a snapshot: 64 MB, a day at 1 s of 64
// servers). Past it the second launch's servers are let go, and a drilled
// server's charts say so rather than draw it.
const MaxCompareServerValues = 16 << 20

// Add appends a snapshot of the second launch, which must not be older
// than the last one added. Every cell a server's columns grow by is
// counted before it is held, the padding of a gap in its life included: a
// server holds nothing before it first appears, so a fleet of short-lived
// pods costs what they stood, and the cap bounds what is held.
func (c *Compare) Add(s snapshot.Snapshot) {
	i := len(c.Points)
	c.Points = append(c.Points, ComparePoint{Time: s.Time, PV: s.PV, Connections: s.Connections, Bandwidth: s.Bandwidth})
	if c.serversCut || len(s.Fleet) == 0 {
		return
	}
	grow := 0
	for _, srv := range s.Fleet {
		grow += c.servers[srv.Name].cost(i)
	}
	if c.values += grow; c.values > cmp.Or(c.maxValues, MaxCompareServerValues) {
		c.servers, c.serversCut = nil, true
		return
	}
	if c.servers == nil {
		c.servers = map[string]*compareServer{}
	}
	for _, srv := range s.Fleet {
		cs := c.servers[srv.Name]
		if cs == nil {
			cs = &compareServer{first: i}
			c.servers[srv.Name] = cs
		}
		if srv.Gone {
			cs.set(i, snapshot.Value{}, snapshot.Value{}, snapshot.Value{})
			continue
		}
		cs.set(i, srv.Requests, srv.ErrorRate, srv.LatencyP95)
	}
}

// cost is the cells setting point i adds to cs (nil: a server not seen
// before): three for the point, three for each point of a gap before it,
// none when it holds point i already.
func (cs *compareServer) cost(i int) int {
	if cs == nil {
		return 3
	}
	return 3 * max(0, i-cs.first+1-len(cs.requests))
}

// set lays point i's figures, the points since its first it lacks
// missing; a second set of the same point (a name twice in a fleet) keeps
// the first.
func (cs *compareServer) set(i int, req, errs, p95 snapshot.Value) {
	at := i - cs.first
	if at < len(cs.requests) {
		return
	}
	put := func(col []float32, v snapshot.Value) []float32 {
		nan := float32(math.NaN())
		for len(col) < at {
			col = append(col, nan)
		}
		f, ok := v.Get()
		if !ok {
			return append(col, nan)
		}
		return append(col, float32(f))
	}
	cs.requests, cs.errorRate, cs.latencyP95 = put(cs.requests, req), put(cs.errorRate, errs), put(cs.latencyP95, p95)
}

// ServersCut reports whether the second launch's servers were let go
// (MaxCompareServerValues).
func (c *Compare) ServersCut() bool { return c.serversCut }

// window returns the second launch's snapshots that fall from start to
// end on the replay's clock, moved onto it: snapshots holding only the
// charted figures, and, when server is not "", that server alone in the
// fleet where the second launch had it. The slice is valid until the next
// call: it is drawn once, and a frame at 1 Hz allocates nothing for it.
func (c *Compare) window(start, end time.Time, server string) []snapshot.Snapshot {
	from, to := start.Add(c.Offset), end.Add(c.Offset)
	i := sort.Search(len(c.Points), func(i int) bool { return !c.Points[i].Time.Before(from) })
	j := sort.Search(len(c.Points), func(i int) bool { return c.Points[i].Time.After(to) })
	if i >= j {
		return nil
	}
	cs := c.servers[server]
	var first int
	if cs != nil {
		first = cs.first
	}
	out := c.buf[:0]
	for k, p := range c.Points[i:j] {
		s := snapshot.Snapshot{Time: p.Time.Add(-c.Offset), PV: p.PV, Connections: p.Connections, Bandwidth: p.Bandwidth}
		if at := i + k - first; cs != nil && at >= 0 && at < len(cs.requests) {
			s.Fleet = []snapshot.Server{{Name: server, Requests: value32(cs.requests[at]), ErrorRate: value32(cs.errorRate[at]),
				LatencyP95: value32(cs.latencyP95[at])}}
		}
		out = append(out, s)
	}
	c.buf = out
	return out
}

// value32 is a held figure as a Value, NaN missing.
func value32(f float32) snapshot.Value {
	if math.IsNaN(float64(f)) {
		return snapshot.Value{}
	}
	return snapshot.Some(float64(f))
}
