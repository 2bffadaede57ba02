package capacity

import (
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// TestAFigureSaysWhatItRestsOn: the report's crossings word each worst
// figure by what it rests on. A limit whose figure was not measured is
// judged on the plan's formula at the measured PV, and says so with both
// sides of the share; a measured one says measured.
func TestAFigureSaysWhatItRestsOn(t *testing.T) {
	plan := Plan{PeakPV: 200, ResourcesPerPage: 10, ResourceSize: 50e3, DownloadSpeed: 100e3,
		Limits: Limits{Link: 100e6, MaxConns: 10_000}, LaunchAt: time.Unix(0, 0)}
	th := DefaultThresholds()
	words := func(s snapshot.Snapshot, key string) (string, Basis) {
		t.Helper()
		for _, j := range th.Judgements(plan.Assess(s, nil), s) {
			if j.Key() == key {
				return j.FigureText(), j.Basis()
			}
		}
		t.Fatalf("no judgement %s", key)
		return "", ""
	}
	at := time.Unix(60, 0)
	blind := snapshot.Snapshot{Time: at, PV: snapshot.Some(3468)}
	if got, b := words(blind, "limit/connections"); got != "173.4% of the limit: 17,340 of 10,000, predicted at 3,468 PV/s" || b != BasisPredicted {
		t.Errorf("connections not measured: %q (%s)", got, b)
	}
	seen := snapshot.Snapshot{Time: at, PV: snapshot.Some(100), Connections: snapshot.Some(12), Bandwidth: snapshot.Some(97e6)}
	if got, b := words(seen, "limit/connections"); got != "0.1% of the limit: 12 of 10,000, measured" || b != BasisMeasured {
		t.Errorf("connections measured: %q (%s)", got, b)
	}
	if got, _ := words(seen, "limit/bandwidth"); got != "97% of the limit: 97 MB/s of 100 MB/s, measured" {
		t.Errorf("bandwidth measured: %q", got)
	}
	if got, b := words(seen, "page-weight/page"); got != "194% of the link at the planned peak, at 970 KB a view, measured" || b != BasisMeasured {
		t.Errorf("page weight: %q (%s)", got, b)
	}
	if got, _ := words(seen, "button/purchase"); got != "" {
		t.Errorf("the button, which has no figure in words, words %q", got)
	}
}
