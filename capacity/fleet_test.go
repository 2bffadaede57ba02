package capacity

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

func mustSignal(name string) snapshot.Signal {
	sig, ok := snapshot.Lookup(name)
	if !ok {
		panic(name)
	}
	return sig
}

func TestTheMedianOfTheOthersLeavesTheServerOut(t *testing.T) {
	tests := []struct {
		sorted []float64
		v      float64
		want   float64
		ok     bool
	}{
		{[]float64{0.01, 0.12}, 0.12, 0.01, true},
		{[]float64{0.01, 0.12}, 0.01, 0.12, true},
		{[]float64{0.004, 0.005, 0.006, 0.12}, 0.12, 0.005, true},
		{[]float64{0.004, 0.005, 0.006, 0.12}, 0.004, 0.006, true},
		{[]float64{1, 2, 3, 4, 5}, 3, 3, true}, // 1 2 4 5: (2+4)/2
		{[]float64{0.2, 0.2, 0.2}, 0.2, 0.2, true},
		{[]float64{0.3}, 0.3, 0, false},
	}
	for _, tt := range tests {
		got, ok := medianOfOthers(tt.sorted, tt.v)
		if ok != tt.ok || got != tt.want {
			t.Errorf("median of %v without %v = %v, %v; want %v, %v", tt.sorted, tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

// Every server has its four rows; only one standing at a line is named,
// and any can word its recovery.
func TestEachServerIsJudgedAndNamedOnlyAtALine(t *testing.T) {
	s := snapshot.Snapshot{Fleet: []snapshot.Server{
		{Name: "web-1", Requests: snapshot.Some(100), ErrorRate: snapshot.Some(0), LatencyP95: snapshot.Some(0.1)},
		{Name: "web-2", Requests: snapshot.Some(300), ErrorRate: snapshot.Some(0), LatencyP95: snapshot.Some(0.1)},
		{Name: "web-3", Requests: snapshot.Some(100), ErrorRate: snapshot.Some(0), LatencyP95: snapshot.Some(0.1)},
		{Name: "web-4", Gone: true, GoneSince: time.Date(2026, 11, 27, 12, 1, 3, 0, time.UTC)},
	}, Time: time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)}
	var got []string
	for _, j := range DefaultThresholds().Judgements(Assessment{}, s) {
		for _, k := range fleetKinds {
			if j.Kind != k {
				continue
			}
			line := j.Key() + " " + j.Level.String() + " " + j.Title + "|" + j.Recovery()
			if j.Level >= LevelWarn {
				line += ": " + j.Text()
			}
			got = append(got, line)
		}
	}
	want := []string{
		"imbalance/web-1 ok |web-1 back within its share of requests",
		"server-errors/web-1 ok |web-1 errors back in line with the fleet",
		"server-latency/web-1 ok |web-1 latency back in line with the fleet",
		"gone/web-1 ok |web-1 answering again",
		"imbalance/web-2 warn web-2 imbalance|web-2 back within its share of requests: web-2 carries 1.8x the mean share of requests (60% of 500 req/s), measured",
		"server-errors/web-2 ok |web-2 errors back in line with the fleet",
		"server-latency/web-2 ok |web-2 latency back in line with the fleet",
		"gone/web-2 ok |web-2 answering again",
		"imbalance/web-3 ok |web-3 back within its share of requests",
		"server-errors/web-3 ok |web-3 errors back in line with the fleet",
		"server-latency/web-3 ok |web-3 latency back in line with the fleet",
		"gone/web-3 ok |web-3 answering again",
		"imbalance/web-4 unknown |web-4 back within its share of requests",
		"server-errors/web-4 unknown |web-4 errors back in line with the fleet",
		"server-latency/web-4 unknown |web-4 latency back in line with the fleet",
		"gone/web-4 warn web-4 gone|web-4 answering again: web-4 stopped answering at 12:01:03",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAnEndpointsLatencyCeilingRoundTripsAsADuration(t *testing.T) {
	e := Endpoint{Name: "cart", MaxQPS: 200, MaxP95: 800 * time.Millisecond}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"name":"cart","max_qps":200,"max_p95":"800ms"}` {
		t.Errorf("json %s", b)
	}
	var back Endpoint
	if err := json.Unmarshal(b, &back); err != nil || back != e {
		t.Errorf("read back %+v, %v", back, err)
	}
	if err := ValidateEndpoints([]Endpoint{{Name: "cart", MaxQPS: 1, MaxP95: -time.Second}}); err == nil || !strings.Contains(err.Error(), "endpoints[0].max_p95") {
		t.Errorf("a negative max_p95: %v", err)
	}
}

// A server gone while the fleet carries little (pods scaled down after
// the sale) is no threat: unknown, neither a problem nor a recovery. Slow
// answers over a trickle of requests are no users waiting.
func TestAtATrickleAGoneOrSlowServerIsNoProblem(t *testing.T) {
	s := snapshot.Snapshot{Fleet: []snapshot.Server{
		{Name: "web-1", Requests: snapshot.Some(1), ErrorRate: snapshot.Some(0), LatencyP95: snapshot.Some(0.05)},
		{Name: "web-2", Requests: snapshot.Some(1), ErrorRate: snapshot.Some(0), LatencyP95: snapshot.Some(4)},
		{Name: "web-3", Requests: snapshot.Some(1), ErrorRate: snapshot.Some(0), LatencyP95: snapshot.Some(0.05)},
		{Name: "web-4", Gone: true, GoneSince: time.Date(2026, 11, 27, 12, 1, 3, 0, time.UTC)},
	}, Requests: snapshot.Some(3), LatencyP95: snapshot.Some(4)}
	levels := map[string]Level{}
	for _, j := range DefaultThresholds().Judgements(Assessment{}, s) {
		levels[j.Key()] = j.Level
	}
	for key, want := range map[string]Level{
		KindGone + "/web-4": LevelUnknown, KindServerLatency + "/web-2": LevelOK, KindLatency + "/" + SubjectLatency: LevelOK,
	} {
		if levels[key] != want {
			t.Errorf("%s = %v, want %v", key, levels[key], want)
		}
	}
}
