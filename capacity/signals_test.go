package capacity

import (
	"math"
	"testing"

	"github.com/launchwatch/launchwatch/snapshot"
)

func TestFormatWritesEachUnit(t *testing.T) {
	for _, tt := range []struct {
		unit snapshot.Unit
		v    float64
		want string
	}{
		{snapshot.UnitNumber, 41.666, "41.7"},
		{snapshot.UnitCount, 1234567, "1,234,567"},
		{snapshot.UnitShare, 0.123, "12.3%"},
		{snapshot.UnitBytes, 300e6, "300 MB"},
		{snapshot.UnitByteRate, 300e6, "300 MB/s"},
		{snapshot.UnitLinkRate, 300e6, "300 MB/s (2.4 Gbit/s)"},
		{snapshot.UnitSeconds, 200, "3m20s"},
		{snapshot.UnitSeconds, 0.25, "250ms"},
		{snapshot.UnitSeconds, 0.9996, "1s"},
		{snapshot.UnitSeconds, 1.25, "1.25s"},
		{snapshot.UnitSeconds, 45.4, "45s"},
		{snapshot.UnitSeconds, math.NaN(), "–"},
		{snapshot.UnitFlag, 1, "yes"},
		{snapshot.UnitFlag, 0, "no"},
	} {
		if got := Format(tt.unit, tt.v); got != tt.want {
			t.Errorf("Format(%d, %v) = %q, want %q", tt.unit, tt.v, got, tt.want)
		}
	}
}

func TestSignalLevelAppliesTheRowsRule(t *testing.T) {
	th := DefaultThresholds()
	row := func(name string) snapshot.Signal {
		sig, ok := snapshot.Lookup(name)
		if !ok {
			t.Fatalf("no row %s", name)
		}
		return sig
	}
	s := snapshot.Snapshot{
		ErrorRate: snapshot.Some(0.1), Requests: snapshot.Some(100), PV: snapshot.Some(1e6), Sold: snapshot.Some(5),
		Host: snapshot.Host{CPU: snapshot.Some(0.85), MemoryUsed: snapshot.Some(7.8e9), MemoryTotal: snapshot.Some(8e9)},
	}
	for _, tt := range []struct {
		name, signal string
		s            snapshot.Snapshot
		want         Level
	}{
		{"a share in use is judged by warn and crit", snapshot.SignalHostCPU, s, LevelWarn},
		{"a share of another signal is judged as that share", snapshot.SignalHostMemoryUsed, s, LevelCrit},
		{"a share of an unknown whole is unknown", snapshot.SignalHostMemoryUsed, snapshot.Snapshot{Host: snapshot.Host{MemoryUsed: snapshot.Some(1)}}, LevelUnknown},
		{"an error rate is judged over the requests", snapshot.SignalErrorRate, s, LevelCrit},
		{"the plan's figures are the assessment's to judge", snapshot.SignalPV, s, LevelUnknown},
		{"a figure without a rule has no level", snapshot.SignalSold, s, LevelUnknown},
		{"a missing figure is unknown", snapshot.SignalHostCPU, snapshot.Snapshot{}, LevelUnknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := th.SignalLevel(row(tt.signal), tt.s); got != tt.want {
				t.Errorf("%s: %s, want %s", tt.signal, got, tt.want)
			}
		})
	}
}
