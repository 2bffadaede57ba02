package pipeline

import (
	"fmt"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// A large fleet is held on every k-th snapshot of the history, the ones
// between sharing it: the history's memory is that of a small fleet. A
// small fleet is held whole.
func TestTheHistoryThinsALargeFleet(t *testing.T) {
	fleet := func(n int, at int) []snapshot.Server {
		out := make([]snapshot.Server, n)
		for i := range out {
			out[i] = snapshot.Server{Name: fmt.Sprintf("web-%03d", i), Requests: snapshot.Some(float64(at))}
		}
		return out
	}
	for _, tc := range []struct{ servers, every int }{{4, 1}, {50, 1}, {51, 2}, {500, 10}} {
		h := newHistoryStore(100)
		t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		for i := range 30 {
			h.add(snapshot.Snapshot{Time: t0.Add(time.Duration(i) * time.Second), Fleet: fleet(tc.servers, i)})
		}
		v := h.view()
		for i := range v.Len() {
			s := v.At(i)
			if len(s.Fleet) != tc.servers {
				t.Fatalf("%d servers: snapshot %d holds %d", tc.servers, i, len(s.Fleet))
			}
			if got, want := s.Fleet[0].Requests.Or(-1), float64(i-i%tc.every); got != want {
				t.Errorf("%d servers: snapshot %d holds the fleet of %v, want %v (every %d)", tc.servers, i, got, want, tc.every)
			}
		}
	}
}
