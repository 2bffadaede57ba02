package events

import (
	"cmp"
	"slices"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
)

// Problem is something wrong now: a figure at or over its warning line, a
// source down or failing in part. Events say what changed; problems say
// what still stands, so a problem raised in a burst of events stays in
// view until it clears.
type Problem struct {
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	Subject  string   `json:"subject"`
	// Since is when the problem opened: the first snapshot at or over its
	// warning line in this run.
	Since time.Time `json:"since"`
	// Message describes it with the newest figure, rewritten every
	// snapshot.
	Message string `json:"message"`
}

// Key names a problem by its kind and subject ("endpoint/cart"): what the
// problems, their levels and everything that follows a problem (acks on
// screen, alerts) tell them apart by.
func Key(kind Kind, subject string) string { return string(kind) + "/" + subject }

// Key is the problem's Key.
func (p Problem) Key() string { return Key(p.Kind, p.Subject) }

// Problems returns what is wrong as of the state's last snapshot, worst
// first, then oldest first.
func (s State) Problems() []Problem {
	if len(s.problems) == 0 {
		return nil
	}
	out := make([]Problem, 0, len(s.problems))
	for _, p := range s.problems {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), a.Since.Compare(b.Since),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Subject, b.Subject))
	})
	return out
}

// open records a problem standing now, keeping when it first opened.
func (d *detector) open(kind Kind, subject string, sev Severity, msg string) {
	key := Key(kind, subject)
	p := Problem{Kind: kind, Severity: sev, Subject: subject, Since: d.now, Message: msg}
	if was, ok := d.prev.problems[key]; ok {
		p.Since = was.Since
	}
	d.next.problems[key] = p
}

// close clears a problem.
func (d *detector) close(kind Kind, subject string) {
	delete(d.next.problems, Key(kind, subject))
}

func severityOf(l capacity.Level) Severity {
	if l == capacity.LevelCrit {
		return Crit
	}
	return Warn
}
