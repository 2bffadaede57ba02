package pipeline

import "github.com/launchwatch/launchwatch/events"

// EventLog is a read-only view of the events raised so far, oldest first.
// The pipeline appends past the end of a view's slice, never inside it, so
// a view never changes once made.
type EventLog struct {
	events []events.Event
}

// Len returns the number of events in view.
func (l EventLog) Len() int { return len(l.events) }

// At returns the i-th event, 0 being the oldest in view.
func (l EventLog) At(i int) events.Event { return l.events[i] }

// All returns the events in view in a slice that must not be modified.
func (l EventLog) All() []events.Event { return l.events }

// eventStore is the pipeline's bounded, append-only event log.
type eventStore struct {
	events []events.Event
	cap    int
}

func (s *eventStore) add(evs []events.Event) {
	if len(evs) == 0 {
		return
	}
	if len(evs) >= s.cap {
		s.events = append(make([]events.Event, 0, 2*s.cap), evs[len(evs)-s.cap:]...)
		return
	}
	full := len(s.events)+len(evs) >= s.cap
	if over := len(s.events) + len(evs) - s.cap; over > 0 {
		s.events = s.events[over:]
	}
	if full && len(s.events)+len(evs) > cap(s.events) {
		// Move to a fresh array rather than shifting in place: views of the
		// old one must not change. It holds twice the log, so a full log
		// moves once every cap events, not at every one.
		s.events = append(make([]events.Event, 0, 2*s.cap), s.events...)
	}
	s.events = append(s.events, evs...)
}

func (s *eventStore) view() EventLog {
	return EventLog{events: s.events[:len(s.events):len(s.events)]}
}
