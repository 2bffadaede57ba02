package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Producer makes snapshots: the poller live, the same poller on the
// simulator's clock in the demo.
type Producer interface {
	// Poll measures one snapshot. It must return by ctx's deadline; one that
	// does not is abandoned, and the loop skips ticks until it returns.
	Poll(ctx context.Context) snapshot.Snapshot
	// Now is the producer's clock: wall time live, simulated time in the
	// demo, the playback position in a replay. Countdowns run on it.
	Now() time.Time
}

// Player is a producer that paces itself, such as a recording played back:
// instead of being polled on a tick, it hands the loop what is due.
type Player interface {
	// Next blocks until something is due and returns it. It returns ctx's
	// error when ctx ends. A batch with no snapshots says only that the
	// playback status changed (paused, a new speed).
	Next(ctx context.Context) (Batch, error)
	// Now is the playback position on the recording's clock.
	Now() time.Time
	// Status says where the playback stands; frames carry it.
	Status() Playback
}

// Batch is what a Player hands the loop at once.
type Batch struct {
	// Snapshots are due, oldest first.
	Snapshots []snapshot.Snapshot
	// Rebuild, when set, says the position jumped (a seek): everything
	// derived so far is dropped, and Rebuild brings the loop's analyst to
	// the frame at the new position (see Analyst.Rebuild) and returns it;
	// a zero Frame when there is none. Only that frame is published.
	// ErrSuperseded from it means a newer seek came in: nothing is
	// published and the loop asks again.
	Rebuild func(a *Analyst) (Frame, error)
}

// ErrSuperseded is returned by a Batch's Rebuild cut short by a newer seek.
var ErrSuperseded = errors.New("superseded by a newer seek")

// Playback is where a replay stands.
type Playback struct {
	// Start and End are the first and last snapshot's times.
	Start, End time.Time
	// Position is the playback clock.
	Position time.Time
	// Speed is recording seconds per wall second.
	Speed float64
	// Paused is true while playback is held, by the user or at the end.
	Paused bool
	// Ended is true once the last snapshot has been played.
	Ended bool
	// Index is how many snapshots have been played, of Len.
	Index, Len int
	// Marks are every event in the whole recording, for a timeline; nil
	// until the player has derived them.
	Marks []events.Event
	// Seeking is true from a seek until its frame is published: the
	// figures on screen are still those from before it, and Position is
	// already the target.
	Seeking bool
}
