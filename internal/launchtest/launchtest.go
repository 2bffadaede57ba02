// Package launchtest scripts a launch for tests: a plan and snapshots a
// second apart through the avalanche at T0, the buy endpoint climbing over
// its ceiling and an error burst, so every event kind that matters fires
// at a known moment.
package launchtest

import (
	"math"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// T0 is the scripted launch.
var T0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// Plan is the scripted launch's plan.
func Plan() capacity.Plan {
	return capacity.Plan{
		PeakPV: 200, ResourcesPerPage: 20, ResourceSize: 50e3, DownloadSpeed: 200e3, ConnMemory: 10e3, CDNShare: 0.9,
		Limits:    capacity.Limits{Link: 125e6, MaxConns: 10000, Memory: 512 << 20},
		Endpoints: []capacity.Endpoint{{Name: "buy", MaxQPS: 100}},
		Stock:     capacity.Stock{Total: 1000, SellOut: 10 * time.Minute},
		LaunchAt:  T0,
	}
}

// Snapshots scripts n snapshots every step from T0-30 steps: a trickle, the
// avalanche at T0, buy climbing 2 QPS a step over its ceiling of 100, an
// error burst from T0+40 steps.
func Snapshots(n int, step time.Duration) []snapshot.Snapshot {
	out := make([]snapshot.Snapshot, n)
	for i := range out {
		at := T0.Add(time.Duration(i-30) * step)
		sec := float64(i - 30)
		pv := 10.0
		if sec >= 0 {
			pv = 150 + 40*math.Sin(sec/7)
		}
		out[i] = snapshot.Snapshot{
			Time: at, PV: snapshot.Some(pv), Requests: snapshot.Some(pv * 3), Bandwidth: snapshot.Some(pv * 1e5),
			Connections: snapshot.Some(pv), ErrorRate: snapshot.Some(math.Max(sec-40, 0) * 0.01),
			Stock: snapshot.Some(math.Max(1000-math.Max(sec, 0)*1.5, 0)), Sold: snapshot.Some(1.5),
			Endpoints: map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(math.Max(sec, 0) * 2)}},
			Sources:   map[string]snapshot.Source{"scrape": {OK: true, LastSuccess: at, Signals: []string{snapshot.SignalPV, snapshot.EndpointSignal("buy")}}},
		}
	}
	return out
}
