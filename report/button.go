package report

import (
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// ButtonMissing is a stretch in which the probe found the purchase button
// missing from the sale page, on the probe's own clock: a snapshot's
// time less its result's age, when the probe looked.
type ButtonMissing struct {
	// From is the first look that found it missing; To the first that
	// found it again, or the last look of the recording (Open).
	Span
	// Crit is the first look in it that counted as critical (the sale
	// live, the look after T0); zero when none did.
	Crit time.Time
}

// buttonAcc follows the probe's looks at the purchase button.
type buttonAcc struct {
	cur  *ButtonMissing
	done []ButtonMissing
	last time.Time // the last look seen: a look stands in every poll until the next
}

func (b *buttonAcc) add(s *snapshot.Snapshot, judged []capacity.Judgement) {
	present, ok := s.Probe.ButtonPresent.Get()
	if !ok {
		return
	}
	looked := s.Time
	if age, ok := s.Probe.Age.Get(); ok && age > 0 {
		looked = s.Time.Add(-time.Duration(age * float64(time.Second)))
	}
	crit := false
	for i := range judged {
		if judged[i].Kind == capacity.KindButton {
			crit = judged[i].Level == capacity.LevelCrit
			break
		}
	}
	switch {
	case present < 1 && b.cur == nil:
		b.cur = &ButtonMissing{Span: Span{Name: "purchase button", From: looked, To: looked}}
		fallthrough
	case present < 1:
		if looked.After(b.cur.To) {
			b.cur.To = looked
		}
		if crit && b.cur.Crit.IsZero() {
			b.cur.Crit = looked
		}
	case b.cur != nil && looked.After(b.last):
		b.cur.To = looked
		b.done = append(b.done, *b.cur)
		b.cur = nil
	}
	b.last = looked
}

func (b *buttonAcc) finish() []ButtonMissing {
	if b.cur != nil {
		b.cur.Open = true
		b.done = append(b.done, *b.cur)
	}
	return b.done
}
