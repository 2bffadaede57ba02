package tui

import (
	"testing"

	"github.com/launchwatch/launchwatch/capacity"
)

func TestThePlanPanelSaysWhenItsPageComesFromTheProbe(t *testing.T) {
	for _, tc := range []struct {
		fromProbe bool
		want      string
	}{
		{false, "Against the plan"},
		{true, "Against the plan · page from probe"},
	} {
		f := &frame{assess: capacity.Assessment{Probe: capacity.ProbeCheck{FromProbe: tc.fromProbe}}}
		if got := planTitle(f); got != tc.want {
			t.Errorf("from probe %v: title %q, want %q", tc.fromProbe, got, tc.want)
		}
	}
}
