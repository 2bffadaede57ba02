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
// the page heavier than the plan, resources failing. A figure the probe
// has not measured changes nothing.
func (d *detector) probe(s snapshot.Snapshot, a capacity.Assessment, th capacity.Thresholds) {
	d.button(s.Probe, a)
	d.level(KindPageWeight, SubjectSalePage, th.PageWeight(a.Probe.Ratio), func(capacity.Level) string {
		return fmt.Sprintf("the sale page weighs %s as probed, %sx the plan's %s", capacity.FormatBytes(a.Probe.Weight.Or(0)),
			capacity.FormatNumber(a.Probe.Ratio.Or(0)), capacity.FormatBytes(a.Probe.Planned))
	}, "the probed sale page back near the plan's weight")
	d.failedResources(s.Probe)
}

// button raises the purchase button missing: critical while the sale is
// live, a warning before T0 (a page may show it only from the start, but
// a launch should not count on it). Once sold out a missing button is
// expected: its problem closes without a "back".
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
		// A page seen before T0 says nothing yet of the sale: a shop
		// may show its button from the start, and the next probe will
		// tell.
		l = capacity.LevelWarn
	default:
		l = capacity.LevelCrit
	}
	d.level(KindButton, subjectPurchase, l, func(l capacity.Level) string {
		if l == capacity.LevelCrit {
			return "purchase button missing from the sale page during the sale"
		}
		return "purchase button missing from the sale page before T0"
	}, "purchase button back on the sale page")
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
	d.level(KindResource, SubjectSalePage, l, func(capacity.Level) string {
		if n == 1 {
			return "1 resource of the sale page fails to load"
		}
		return fmt.Sprintf("%s resources of the sale page fail to load", capacity.FormatNumber(n))
	}, "every resource of the sale page loads again")
}
