package snapshot

import "time"

// Ack is a person's acknowledgement of a standing problem: who took it
// and when. The pipeline writes every acknowledgement that stands into
// each snapshot it takes (Snapshot.Acks), so every screen, the alerts and
// the recording see one acknowledgement, and a replay shows it where it
// was given.
type Ack struct {
	// By names who acknowledged: "alice@war-room" on a local screen, the
	// SSH user and address on a served one. Cleaned for a terminal.
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// MaxAckBy bounds an Ack's By.
const MaxAckBy = 80
