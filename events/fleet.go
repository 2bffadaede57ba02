package events

import (
	"slices"
	"strings"

	"github.com/launchwatch/launchwatch/snapshot"
)

// figureKinds are the kinds of a server's own figures, which say nothing
// once it stops answering.
var figureKinds = [...]Kind{KindImbalance, KindServerErrors, KindServerLatency}

// serverKind reports whether a kind's subject is a server of the fleet.
func serverKind(k Kind) bool {
	return k == KindGone || slices.Contains(figureKinds[:], k)
}

// fleet follows the servers that stop answering and those that leave.
// A gone server's figures are missing: its share, errors and latency say
// nothing more, and the gone problem stands for it, so theirs close
// without a "back" (a level unknown from here would keep its last words,
// measured, on the wall for as long as it is gone). A server the fleet no
// longer lists (the poller forgets one gone for an hour) closes
// everything of its own, the gone problem with a line that says so. A
// frame without any fleet is a gap, not a recovery.
func (d *detector) fleet(s snapshot.Snapshot) {
	if len(s.Fleet) == 0 {
		return
	}
	for i := range s.Fleet {
		srv := &s.Fleet[i]
		if !srv.Gone {
			continue
		}
		for _, k := range figureKinds {
			if d.standing(k, srv.Name) {
				d.reset(k, srv.Name)
			}
		}
	}
	var left []string
	left = leftTheFleet(d.next.levels, s, left)
	left = leftTheFleet(d.next.rising, s, left)
	left = leftTheFleet(d.next.falling, s, left)
	left = leftTheFleet(d.next.problems, s, left)
	slices.Sort(left)
	for _, key := range slices.Compact(left) {
		kind, name, _ := strings.Cut(key, "/")
		if _, open := d.prev.problems[key]; open && Kind(kind) == KindGone {
			d.emit(KindGone, Info, name, "%s dropped from the fleet%s", name, d.lasted(key))
		}
		d.reset(Kind(kind), name)
	}
}

// leftTheFleet adds to left the keys of a state's map whose subject is a
// server the fleet no longer lists.
func leftTheFleet[V any](m map[string]V, s snapshot.Snapshot, left []string) []string {
	for key := range m {
		kind, name, _ := strings.Cut(key, "/")
		if !serverKind(Kind(kind)) {
			continue
		}
		if _, ok := s.Server(name); !ok {
			left = append(left, key)
		}
	}
	return left
}
