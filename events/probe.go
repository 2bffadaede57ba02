package events

import (
	"fmt"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Kinds of the sale-page probe's events. Its page weight over the plan is
// KindPageWeight with the subject SubjectSalePage.
const (
	KindButton   Kind = "button"   // the purchase button missing from the sale page, or back
	KindResource Kind = "resource" // resources of the sale page failing to load
)

// SubjectSalePage is the subject of the probe's events about the page.
const SubjectSalePage = "sale-page"

// subjectPurchase is the purchase button's subject.
const subjectPurchase = "purchase"

// probe raises what the probe of the sale page found: the button missing,
// the page heavier than the link allows at the planned peak, resources
// failing. A figure the probe has not measured changes nothing.
func (d *detector) probe(s snapshot.Snapshot, a capacity.Assessment) {
	d.button(s.Probe, a)
	pc := a.Probe
	d.level(reading{kind: KindPageWeight, subject: SubjectSalePage, level: d.th.ProbeUse(pc), size: pc.PeakUse.Or(0), atOnce: true,
		text: func(capacity.Level) string {
			return fmt.Sprintf("sale page %s as probed: link full at %s PV/s, plan %s",
				capacity.FormatBytes(pc.Weight.Or(0)), capacity.FormatNumber(pc.LinkPV.Or(0)), capacity.FormatNumber(a.Peak.PV))
		},
		back: "the probed sale page back within the link at the planned peak"})
	d.failedResources(s.Probe)
}

// button raises the purchase button missing: critical at once while the
// sale is live. Before T0 its absence is expected (many sale pages show
// the button only from T0), unless the config says it must be there
// before (Thresholds.ButtonBeforeLaunch): then it warns. A page probed
// before T0 says nothing of the sale yet, however late the snapshot. Once
// sold out a missing button is expected: its problem closes without a
// "back".
func (d *detector) button(pr snapshot.Probe, a capacity.Assessment) {
	v, ok := pr.ButtonPresent.Get()
	if !ok {
		return
	}
	if a.Phase == capacity.PhaseSoldOut {
		d.reset(KindButton, subjectPurchase)
		return
	}
	l := capacity.LevelOK
	switch {
	case v >= 1:
	case a.Phase == capacity.PhaseBefore || probedBeforeLaunch(pr, a):
		if d.th.ButtonBeforeLaunch {
			l = capacity.LevelWarn
		}
	default:
		l = capacity.LevelCrit
	}
	d.level(reading{kind: KindButton, subject: subjectPurchase, level: l, size: 1, atOnce: true,
		text: func(l capacity.Level) string {
			if l == capacity.LevelCrit {
				return "purchase button missing during the sale, as probed"
			}
			return "purchase button missing before T0, as probed (required)"
		},
		back: "purchase button back on the sale page"})
}

// probedBeforeLaunch reports whether the probe's figures were measured
// before T0 though the snapshot is after it: the probe runs every few
// seconds, and its last result may date from the countdown.
func probedBeforeLaunch(pr snapshot.Probe, a capacity.Assessment) bool {
	age, ok := pr.Age.Get()
	return ok && a.LaunchKnown && a.SinceLaunch.Seconds() < age
}

// failedResources warns while resources of the sale page fail to load.
func (d *detector) failedResources(pr snapshot.Probe) {
	n, ok := pr.FailedResources.Get()
	if !ok {
		return
	}
	l := capacity.LevelOK
	if n > 0 {
		l = capacity.LevelWarn
	}
	d.level(reading{kind: KindResource, subject: SubjectSalePage, level: l, size: n, atOnce: true,
		text: func(capacity.Level) string {
			if n == 1 {
				return "1 resource of the sale page fails to load, as probed"
			}
			return fmt.Sprintf("%s resources of the sale page fail to load, as probed", capacity.FormatNumber(n))
		},
		back: "every resource of the sale page loads again"})
}
