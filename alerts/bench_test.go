package alerts

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
)

// nullSink takes alerts and does nothing.
type nullSink struct{}

func (nullSink) Name() string                      { return "null" }
func (nullSink) Send(context.Context, Alert) error { return nil }

// BenchmarkObserve is the loop's cost of the alerts per frame: 20 problems
// standing, each frame one resolving and one opening, two sinks.
func BenchmarkObserve(b *testing.B) {
	benchmarkObserve(b, "")
}

// BenchmarkObserveQueued is the same with the second sink's queue in a
// file, as a webhook's is: every frame here fires, so every frame syncs.
func BenchmarkObserveQueued(b *testing.B) {
	benchmarkObserve(b, filepath.Join(b.TempDir(), "bench.queue"))
}

func benchmarkObserve(b *testing.B, queueFile string) {
	d := mustNew(b, Options{Launch: "bench", Routes: []Route{{Sink: nullSink{}}, {Sink: nullSink{}, MinSeverity: events.Crit, QueueFile: queueFile}}})
	defer d.Close()
	frames := make([][]events.Problem, 64)
	for i := range frames {
		for j := range 20 {
			sev := events.Warn
			if j%3 == 0 {
				sev = events.Crit
			}
			frames[i] = append(frames[i], problem(events.KindEndpoint, fmt.Sprint("ep", i+j), sev, 0, "over its ceiling"))
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		d.Observe(t0.Add(time.Duration(i)*time.Second), frames[i%len(frames)])
	}
}
