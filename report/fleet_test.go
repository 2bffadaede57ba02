package report

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The fleet of the scripted launch: four servers behind the balancer.
// web-3 carries three times the others' requests (twice the mean share)
// for a minute, web-4 answers 8% errors (all the fleet's) while the
// launch's errors last, web-2 stops answering for 30 s.
var fleetScript = struct {
	hotFrom, hotTo   time.Duration
	goneFrom, goneTo time.Duration
	errPeakAt        time.Duration
}{
	hotFrom: 60 * time.Second, hotTo: 120 * time.Second,
	goneFrom: 200 * time.Second, goneTo: 230 * time.Second,
	errPeakAt: script.errFrom + 20*time.Second,
}

// withFleet adds the fleet, the latency and the error codes to the
// scripted launch.
func withFleet(d time.Duration, s *snapshot.Snapshot) {
	fs, sc := fleetScript, script
	failing := in(d, sc.errFrom, sc.errTo)
	if d >= 0 {
		s.LatencyP50, s.LatencyP95, s.LatencyP99 = snapshot.Some(0.04), snapshot.Some(0.2), snapshot.Some(0.5)
		if failing {
			s.LatencyP95, s.LatencyP99 = snapshot.Some(1.6), snapshot.Some(3.2)
		}
	}
	if failing {
		s.ErrorCodes = map[string]snapshot.Value{"502": snapshot.Some(4.5), "504": snapshot.Some(1.5)}
		if d == fs.errPeakAt {
			s.ErrorRate = snapshot.Some(0.03)
			s.ErrorCodes = map[string]snapshot.Value{"502": snapshot.Some(2), "504": snapshot.Some(7)}
		}
	}
	weights := []float64{1, 1, 1, 1}
	if in(d, fs.hotFrom, fs.hotTo) {
		weights[2] = 3
	}
	req := s.Requests.Or(0)
	var sum float64
	for _, w := range weights {
		sum += w
	}
	for i, name := range []string{"web-1", "web-2", "web-3", "web-4"} {
		srv := snapshot.Server{Name: name, Requests: snapshot.Some(req * weights[i] / sum),
			ErrorRate: snapshot.Some(0), LatencyP95: snapshot.Some(0.2)}
		if name == "web-4" && failing {
			srv.ErrorRate, srv.LatencyP95 = snapshot.Some(0.08), snapshot.Some(1.6)
		}
		if name == "web-2" && in(d, fs.goneFrom, fs.goneTo) {
			srv = snapshot.Server{Name: name, Gone: true, GoneSince: at(fs.goneFrom - time.Second)}
		}
		s.Fleet = append(s.Fleet, srv)
	}
}

func TestFleetSectionNamesTheServersWorstFirst(t *testing.T) {
	fs := fleetScript
	r := buildReport(t, "fleet", scriptedSnapshots(withFleet))
	var order []string
	for _, s := range r.Fleet {
		order = append(order, s.Name)
	}
	// web-3 at twice the mean share and web-4 at 8% errors are both past
	// the critical line as the live judgement holds them; web-3's share is
	// the larger. web-2, gone for a while under load, was a warning;
	// web-1 never was.
	if got := strings.Join(order, " "); got != "web-3 web-4 web-2 web-1" {
		t.Fatalf("servers %s, want web-3 web-4 web-2 web-1", got)
	}
	hot, failing, gone := r.Fleet[0], r.Fleet[1], r.Fleet[2]
	if gone.Level != capacity.LevelWarn || r.Fleet[3].Level != capacity.LevelOK {
		t.Errorf("web-2 at %v, web-1 at %v: want a warning (gone under load) and ok", gone.Level, r.Fleet[3].Level)
	}
	if v, _ := hot.Share.Get(); v != 2 || !hot.ShareAt.Equal(at(fs.hotFrom)) || hot.Level != capacity.LevelCrit {
		t.Errorf("web-3 share %v at %s (%v), want 2x at %s, crit", hot.Share, r.Rel(hot.ShareAt), hot.Level, r.Rel(at(fs.hotFrom)))
	}
	if v, _ := hot.Requests.Get(); v != script.reqPeak*3/6 {
		t.Errorf("web-3 peak requests %v, want %v", hot.Requests, script.reqPeak*3/6)
	}
	if v, _ := failing.ErrorRate.Get(); v != 0.08 || !failing.ErrorRateAt.Equal(at(script.errFrom)) {
		t.Errorf("web-4 error rate %v at %s", failing.ErrorRate, r.Rel(failing.ErrorRateAt))
	}
	if v, _ := failing.P95.Get(); v != 1.6 {
		t.Errorf("web-4 p95 %v, want 1.6", failing.P95)
	}
	if len(gone.Gone) != 1 || !gone.Gone[0].From.Equal(at(fs.goneFrom-time.Second)) || !gone.Gone[0].To.Equal(at(fs.goneTo)) || gone.Gone[0].Open {
		t.Errorf("web-2 gone %+v, want from %s to %s", gone.Gone, r.Rel(at(fs.goneFrom-time.Second)), r.Rel(at(fs.goneTo)))
	}
	if got := codesText(r.ErrorCodes); got != "502: 73.3%, 504: 26.7%" {
		t.Errorf("codes over the run %q", got)
	}
	if got := codesText(r.ErrorCodesAtPeak); got != "504: 77.8%, 502: 22.2%" || !r.ErrorPeakAt.Equal(at(fs.errPeakAt)) {
		t.Errorf("codes at the peak %q at %s", got, r.Rel(r.ErrorPeakAt))
	}
	var p95 *Peak
	for i := range r.Peaks {
		if r.Peaks[i].Signal == snapshot.SignalLatencyP95 {
			p95 = &r.Peaks[i]
		}
	}
	if p95 == nil || p95.Value != 1.6 || !p95.At.Equal(at(script.errFrom)) {
		t.Errorf("latency p95 peak %+v, want 1.6 at %s", p95, r.Rel(at(script.errFrom)))
	}
}

func TestWithoutLatencyNoPeakRowSaysNotMeasured(t *testing.T) {
	md, _ := render(t, buildReport(t, "no latency", scriptedSnapshots(nil)))
	for _, no := range []string{"Latency p95", "not measured | –", "The fleet", "by code"} {
		if strings.Contains(md, no) {
			t.Errorf("a report without latency, fleet or codes says %q", no)
		}
	}
}

func TestReportGoldenWithFleet(t *testing.T) {
	md, html := render(t, buildReport(t, "Flash sale with a fleet (golden)", scriptedSnapshots(withFleet)))
	t.Run("markdown", func(t *testing.T) { golden.RequireEqual(t, []byte(md)) })
	t.Run("html", func(t *testing.T) { golden.RequireEqual(t, []byte(html)) })
}

// A server's level in the report is the live judgement's, floors and all:
// one request at a trickle, four times the mean share, is no imbalance.
func TestAServersLevelIsTheLiveJudgementsNotItsPeakAgainstALine(t *testing.T) {
	th := capacity.DefaultThresholds()
	var f fleetAcc
	s := snapshot.Snapshot{Time: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), Requests: snapshot.Some(1), Fleet: []snapshot.Server{
		{Name: "web-1", Requests: snapshot.Some(1), ErrorRate: snapshot.Some(0)},
		{Name: "web-2", Requests: snapshot.Some(0), ErrorRate: snapshot.Some(0)},
		{Name: "web-3", Requests: snapshot.Some(0), ErrorRate: snapshot.Some(0)},
		{Name: "web-4", Requests: snapshot.Some(0), ErrorRate: snapshot.Some(0)},
	}}
	f.add(&s)
	f.judge(th.Judgements(capacity.Assessment{}, s))
	for _, srv := range f.finish() {
		if srv.Level != capacity.LevelOK {
			t.Errorf("%s at %v with a share of %v, want ok: the fleet carries 1 req/s", srv.Name, srv.Level, srv.Share)
		}
	}
}
