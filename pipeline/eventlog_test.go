package pipeline

import (
	"fmt"
	"testing"

	"github.com/launchwatch/launchwatch/events"
)

// A full log moves to a fresh array once every cap events, not at every
// event (a day with events every second would copy the whole log each
// time), and no view of it ever changes.
func TestAFullLogMovesOnceACapAndKeepsItsViews(t *testing.T) {
	const logCap = 100
	s := eventStore{cap: logCap}
	var views []EventLog
	arrays := map[*events.Event]bool{}
	for i := range 5 * logCap {
		s.add([]events.Event{{Message: fmt.Sprint(i)}})
		v := s.view()
		views = append(views, v)
		all := s.events[:cap(s.events)] // its last slot names the array, however far its start moved
		arrays[&all[len(all)-1]] = true
	}
	for i, v := range views {
		first := max(i+1-logCap, 0)
		if v.Len() != i+1-first || v.At(0).Message != fmt.Sprint(first) || v.At(v.Len()-1).Message != fmt.Sprint(i) {
			t.Fatalf("view %d holds %s..%s (%d), want %d..%d", i, v.At(0).Message, v.At(v.Len()-1).Message, v.Len(), first, i)
		}
	}
	// Growing to the cap takes a few arrays; past it, one every cap.
	if len(arrays) > 8+5 {
		t.Errorf("%d arrays for %d events in a log of %d", len(arrays), 5*logCap, logCap)
	}
	// A batch larger than the log keeps its newest.
	s.add(make([]events.Event, 2*logCap))
	if s.view().Len() != logCap {
		t.Errorf("after a batch of twice the cap the log holds %d", s.view().Len())
	}
}
