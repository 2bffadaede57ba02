package tui

import (
	"sort"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Compare is a second launch a replay draws beside its own: its figures a
// faint line on the PV, connections and bandwidth charts at the same
// launch-relative time, and its name in the header.
type Compare struct {
	// Name names the second launch.
	Name string
	// Offset is the second launch's base (its T0, or its first snapshot)
	// less the replay's: its figure at t is drawn at t - Offset, so that
	// T+05:00 of one stands over T+05:00 of the other.
	Offset time.Duration
	// Points are its charted figures, oldest first.
	Points []ComparePoint
}

// ComparePoint is one snapshot of the second launch: only the figures
// the charts draw, so a day's recording holds a few megabytes.
type ComparePoint struct {
	Time                       time.Time
	PV, Connections, Bandwidth snapshot.Value
}

// window returns the second launch's snapshots that fall from start to
// end on the replay's clock, moved onto it: snapshots holding only the
// charted figures.
func (c *Compare) window(start, end time.Time) []snapshot.Snapshot {
	from, to := start.Add(c.Offset), end.Add(c.Offset)
	i := sort.Search(len(c.Points), func(i int) bool { return !c.Points[i].Time.Before(from) })
	j := sort.Search(len(c.Points), func(i int) bool { return c.Points[i].Time.After(to) })
	if i >= j {
		return nil
	}
	out := make([]snapshot.Snapshot, 0, j-i)
	for _, p := range c.Points[i:j] {
		out = append(out, snapshot.Snapshot{Time: p.Time.Add(-c.Offset), PV: p.PV, Connections: p.Connections, Bandwidth: p.Bandwidth})
	}
	return out
}
