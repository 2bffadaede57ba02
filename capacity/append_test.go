package capacity

import (
	"testing"

	"github.com/launchwatch/launchwatch/snapshot"
)

// A Judging kept from frame to frame keeps its endpoints' names only while
// they are the same endpoints: frames whose endpoints differ (fewer, more,
// in another order, one gaining a latency ceiling) are judged by one
// Judging into rows named as Judgements names them.
func TestAJudgingKeptAcrossFramesNamesEachFramesEndpoints(t *testing.T) {
	th := DefaultThresholds()
	ep := func(name string, maxP95 float64) EndpointLoad {
		return EndpointLoad{Name: name, QPS: snapshot.Some(90), MaxQPS: 100, Load: snapshot.Some(0.9),
			P95: snapshot.Some(1), MaxP95: maxP95, LatencyLoad: snapshot.Some(0.5)}
	}
	frames := [][]EndpointLoad{
		{ep("buy", 0), ep("login", 2)},
		{ep("login", 2), ep("buy", 0)},
		{ep("buy", 2)},
		{ep("buy", 2), ep("cart", 0), ep("login", 0)},
		nil,
		{ep("cart", 3)},
	}
	var j Judging
	var rows []Judgement
	for i, eps := range frames {
		j.A, j.S = Assessment{Endpoints: eps}, snapshot.Snapshot{}
		rows = th.AppendJudging(rows[:0], &j)
		want := th.Judgements(j.A, j.S)
		if len(rows) != len(want) {
			t.Fatalf("frame %d: %d rows, want %d", i, len(rows), len(want))
		}
		for k := range rows {
			if rows[k].Key() != want[k].Key() || rows[k].Title != want[k].Title || rows[k].Back != want[k].Back {
				t.Errorf("frame %d: row %d is %s %q, %q; want %s %q, %q", i, k, rows[k].Key(), rows[k].Title, rows[k].Back,
					want[k].Key(), want[k].Title, want[k].Back)
			}
		}
	}
}
