package report

import (
	"io"
	"math"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

// daySnapshots is a 24-hour launch day at 1 s from 12 hours before T0:
// a daily wave of traffic, an error burst every hour, three endpoints and
// a source that drops out for a minute every six hours.
func daySnapshots() []snapshot.Snapshot {
	const day = 86_400
	out := make([]snapshot.Snapshot, day)
	for i := range out {
		d := time.Duration(i-day/2) * time.Second
		t := at(d)
		f := float64(i)
		pv := 100 + 80*math.Sin(f/3600)
		errRate := 0.001
		if i%3600 < 60 {
			errRate = 0.03
		}
		prom := snapshot.Source{OK: true, LastSuccess: t, Signals: []string{"pv", "requests"}}
		if i%21600 < 60 {
			prom = snapshot.Source{OK: false, Error: "context deadline exceeded", LastSuccess: t.Add(-time.Duration(i%21600+1) * time.Second)}
		}
		out[i] = snapshot.Snapshot{
			Time: t, PV: snapshot.Some(pv), Requests: snapshot.Some(pv * 3), Connections: snapshot.Some(pv * 5),
			Bandwidth: snapshot.Some(pv * 500e3), ErrorRate: snapshot.Some(errRate),
			Stock: snapshot.Some(math.Max(1000-math.Max(d.Seconds(), 0)/60, 0)), Sold: snapshot.Some(1.0 / 60),
			Endpoints: map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(2)}, "login": {QPS: snapshot.Some(pv / 2)}},
			Host:      snapshot.Host{TCPMemory: snapshot.Some(pv * 5 * 10e3)},
			Sources:   map[string]snapshot.Source{"prometheus": prom},
		}
	}
	return out
}

// BenchmarkReport24h builds the report of a 24-hour recording at 1 s
// (read, held against the plan by the analyst, summed up) and writes it as
// Markdown and as HTML with its charts. cpu-s/op is the processor time it
// took, every goroutine's (the reading ahead, the collector): on a shared
// machine the wall time is stretched by the others, this much less.
func BenchmarkReport24h(b *testing.B) {
	plan, th := testPlan(), capacity.DefaultThresholds()
	rec := writeRecording(b, testHeader(b, "a day", plan, th), daySnapshots())
	b.ReportAllocs()
	var events int
	cpu := launchtest.CPUTime()
	for b.Loop() {
		r, err := Build(rec, plan, true, th)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.WriteMarkdown(io.Discard); err != nil {
			b.Fatal(err)
		}
		if err := r.WriteHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
		events = len(r.Events)
	}
	b.ReportMetric((launchtest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(rec.Len()), "snapshots")
	b.ReportMetric(float64(events), "events")
}
