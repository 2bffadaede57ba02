package capacity

import (
	"math"

	"github.com/launchwatch/launchwatch/snapshot"
)

// ProbeCheck holds the sale page as the probe weighed it against the plan.
type ProbeCheck struct {
	// Weight is the probe's page weight in bytes (the HTML and every
	// resource, CDN included); missing when no probe has weighed it.
	Weight snapshot.Value `json:"weight"`
	// Resources is how many resources the probe found on the page.
	Resources snapshot.Value `json:"resources"`
	// Planned is the configured plan's page weight (PageWeight), before
	// any replacement by the probe's figures.
	Planned float64 `json:"planned"`
	// Ratio is Weight / Planned.
	Ratio snapshot.Value `json:"ratio"`
	// FromProbe is true when the assessment's plan took its resources per
	// page and resource size from the probe (Plan.FromProbe and a probe
	// that weighed the page).
	FromProbe bool `json:"from_probe,omitempty"`
	// Origin is the probed page's bytes the origin serves a view: Weight
	// less the share the probe saw the CDN serve (the plan's CDN share
	// when the probe could not tell).
	Origin snapshot.Value `json:"origin"`
	// PeakAtCost is the origin bandwidth at the planned peak if every view
	// pulled the probed page; PeakExcess how far that stands above the
	// plan's own origin bandwidth at the peak; Limit the link; PeakUse
	// PeakAtCost / Limit; LinkPV the page views per second at which the
	// probed page fills the link. Each present only when its inputs are.
	PeakAtCost snapshot.Value `json:"peak_at_cost"`
	PeakExcess snapshot.Value `json:"peak_excess"`
	Limit      float64        `json:"limit,omitempty"`
	PeakUse    snapshot.Value `json:"peak_use"`
	LinkPV     snapshot.Value `json:"link_pv"`
}

// FromProbePage returns the plan the formulas use with the probe's figures
// pr: with FromProbe set and the page weighed, the measured resources per
// page and their average size replace the planned ones, so the prediction
// follows the real page. The average spreads the HTML over the resources,
// so the plan's page weight is the probe's whole page; a page without
// resources counts as one resource, itself. ok says whether anything was
// replaced; otherwise p comes back as it is.
func (p Plan) FromProbePage(pr snapshot.Probe) (used Plan, ok bool) {
	weight, wok := pr.PageBytes.Get()
	n, nok := pr.Resources.Get()
	if !p.FromProbe || !wok || !nok || !finite(weight) || weight < 0 || !finite(n) || n < 0 {
		return p, false
	}
	n = max(n, 1)
	p.ResourcesPerPage = n
	p.ResourceSize = weight / n
	return p, true
}

// probeCheck holds the probe's page weight against p's own page weight,
// and carries its origin bytes to the planned peak against the link.
func (p Plan) probeCheck(pr snapshot.Probe) ProbeCheck {
	c := ProbeCheck{Weight: pr.PageBytes, Resources: pr.Resources, Planned: p.PageWeight()}
	c.Ratio = ratio(c.Weight, c.Planned)
	w, ok := c.Weight.Get()
	if !ok || !finite(w) || w < 0 {
		return c
	}
	share := p.cdnShare()
	if s, ok := pr.CDNShare.Get(); ok && finite(s) && s >= 0 && s <= 1 {
		share = s
	}
	origin := math.Max(w-w*share, 0)
	c.Origin = snapshot.Some(origin)
	if p.PeakPV > 0 && finite(p.PeakPV) {
		c.PeakAtCost = snapshot.Some(finiteOrMax(origin * p.PeakPV))
		c.PeakExcess = snapshot.Some(c.PeakAtCost.Or(0) - p.Peak().OriginBandwidth)
	}
	if l := p.Limits.Link; l > 0 && finite(l) {
		c.Limit = l
		c.PeakUse = ratio(c.PeakAtCost, l)
		if origin > 0 {
			c.LinkPV = snapshot.Some(finiteOrMax(l / origin))
		}
	}
	return c
}
