package capacity

import (
	"strings"
	"testing"

	"github.com/launchwatch/launchwatch/snapshot"
)

func TestAPagesWeightIsJudgedByTheLinkItTakesAtThePeak(t *testing.T) {
	// The demo's plan: 200 PV/s of a 1 MB page, 90% from the CDN, so the
	// origin sends 20 MB/s at the peak: 16% of a 1 Gbit/s link.
	demo := Plan{PeakPV: 200, ResourcesPerPage: 20, ResourceSize: 50e3, DownloadSpeed: 200e3, CDNShare: 0.9, Limits: Limits{Link: 125e6}}
	// A plan whose own page takes 90% of its link at the peak.
	tight := demo
	tight.Limits.Link = 20e6 / 0.9
	unlinked := demo
	unlinked.Limits = Limits{}
	page := func(weight float64, cdn ...float64) snapshot.Probe {
		pr := snapshot.Probe{PageBytes: snapshot.Some(weight), Resources: snapshot.Some(20)}
		if len(cdn) > 0 {
			pr.CDNShare = snapshot.Some(cdn[0])
		}
		return pr
	}
	for _, tc := range []struct {
		name  string
		plan  Plan
		page  snapshot.Probe
		level Level
		over  bool
		says  string
	}{
		{"a page ten times the plan, all from the origin, fills the link long before the peak", demo, page(10.1e6, 0), LevelCrit, true,
			"OVER PLAN: at the planned peak of 200 PV/s the page's 10.1 MB from the origin a view takes 1616% of the 1 Gbit/s link, over the 95% critical line; the link fills at 12.4 PV/s"},
		{"a page whose origin bytes take 88% of the link passes the warning line", demo, page(550e3, 0), LevelWarn, true,
			"OVER PLAN: at the planned peak of 200 PV/s the page's 550 KB from the origin a view takes 88% of the 1 Gbit/s link, over the 80% warning line; the link fills at 227 PV/s"},
		{"a page twice the plan's weight that the CDN serves is within it", demo, page(2e6, 0.99), LevelOK, false,
			"within the plan: at the planned peak of 200 PV/s the page's 20 KB from the origin a view takes 3.2% of the 1 Gbit/s link, under the 80% warning line"},
		{"without a measured CDN share the plan's is taken", demo, page(2e6), LevelOK, false,
			"the page's 200 KB from the origin a view takes 32% of the 1 Gbit/s link"},
		{"the plan's own page near the link is the plan's verdict, not the page's", tight, page(1e6), LevelOK, false,
			"takes 90% of the 178 Mbit/s link, no more than the plan's own page"},
		{"with no link the weight is information, never a verdict", unlinked, page(10.1e6, 0), LevelUnknown, false,
			"the page weighs 10.1 MB, 10.1x the plan's 1 MB page: information, with no link limit to hold it against"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.plan.AuditPage(tc.page, DefaultThresholds())
			if a.Level != tc.level || a.Over != tc.over || !strings.Contains(a.Statement, tc.says) {
				t.Errorf("level %v, over %v, %q\nwant %v, %v, %q", a.Level, a.Over, a.Statement, tc.level, tc.over, tc.says)
			}
		})
	}
}

func TestTheAuditFollowsThePageAsItIsBesideThePlanAsWritten(t *testing.T) {
	plan := Plan{PeakPV: 200, ResourcesPerPage: 20, ResourceSize: 50e3, DownloadSpeed: 200e3, CDNShare: 0.9, Limits: Limits{Link: 125e6}}
	a := plan.AuditPage(snapshot.Probe{PageBytes: snapshot.Some(10e6), Resources: snapshot.Some(40), CDNShare: snapshot.Some(0.5)}, DefaultThresholds())
	// The plan as written: its 1 MB page. The page as it is: 10 MB, half
	// from the CDN, so the origin sends 200 x 5 MB = 1 GB/s at the peak.
	if a.Planned != 1e6 || a.Ratio.Or(0) != 10 || a.AsItIs.PageWeight != 10e6 || a.AsItIs.CDNShare != 0.5 || a.AsItIs.OriginBandwidth != 1e9 {
		t.Errorf("planned %v ratio %v; as it is %+v", a.Planned, a.Ratio, a.AsItIs)
	}
	if a.Limits.Level != VerdictBroken || a.Limits.Limit != LimitLink {
		t.Errorf("the limits with the page as it is: %+v, want the link broken", a.Limits)
	}
}
