package capacity

import (
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

func TestTheProbesPageReplacesThePlannedOneOnlyWhenAskedAndWeighed(t *testing.T) {
	base := Plan{PeakPV: 100, ResourcesPerPage: 30, ResourceSize: 100e3, DownloadSpeed: 100e3, ConnMemory: 10e3}
	weighed := snapshot.Probe{PageBytes: snapshot.Some(10e6), Resources: snapshot.Some(20)}
	for _, tc := range []struct {
		name      string
		fromProbe bool
		probe     snapshot.Probe
		replaced  bool
		resources float64
		size      float64
	}{
		{"not asked", false, weighed, false, 30, 100e3},
		{"asked, nothing weighed yet", true, snapshot.Probe{}, false, 30, 100e3},
		{"asked, weight without a count", true, snapshot.Probe{PageBytes: snapshot.Some(1e6)}, false, 30, 100e3},
		{"asked and weighed", true, weighed, true, 20, 500e3},
		{"a page without resources is one resource, itself", true, snapshot.Probe{PageBytes: snapshot.Some(50e3), Resources: snapshot.Some(0)}, true, 1, 50e3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			p.FromProbe = tc.fromProbe
			used, ok := p.FromProbePage(tc.probe)
			if ok != tc.replaced || used.ResourcesPerPage != tc.resources || used.ResourceSize != tc.size {
				t.Errorf("got %v, %v x %v; want %v, %v x %v", ok, used.ResourcesPerPage, used.ResourceSize, tc.replaced, tc.resources, tc.size)
			}
		})
	}
}

func TestAssessFollowsTheProbedPageAndKeepsThePlannedWeightBeside(t *testing.T) {
	p := Plan{PeakPV: 100, ResourcesPerPage: 30, ResourceSize: 100e3, DownloadSpeed: 100e3, ConnMemory: 10e3, FromProbe: true}
	s := snapshot.Snapshot{Time: time.Unix(0, 0), PV: snapshot.Some(100),
		Probe: snapshot.Probe{PageBytes: snapshot.Some(9e6), Resources: snapshot.Some(30)}}
	a := p.Assess(s, nil)
	// 100 PV/s x 9 MB = 900 MB/s; / 100 KB/s = 9,000 connections.
	if a.Now.Bandwidth != 900e6 || a.Peak.Connections != 9000 || a.PageWeight.PlannedPage != 9e6 {
		t.Errorf("formulas at the probed page: now %+v, peak %+v, page %v", a.Now, a.Peak, a.PageWeight.PlannedPage)
	}
	if !a.Probe.FromProbe || a.Probe.Planned != 3e6 || a.Probe.Ratio.Or(0) != 3 {
		t.Errorf("probe check = %+v, want from probe, planned 3 MB, ratio 3", a.Probe)
	}
	p.FromProbe = false
	a = p.Assess(s, nil)
	if a.Probe.FromProbe || a.Now.Bandwidth != 300e6 || a.Probe.Ratio.Or(0) != 3 {
		t.Errorf("without from_probe: %+v, bandwidth %v", a.Probe, a.Now.Bandwidth)
	}
}
