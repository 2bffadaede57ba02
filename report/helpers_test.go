package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// t0 is the scripted launch of the hand-made recordings.
var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// at is a time relative to T0.
func at(d time.Duration) time.Time { return t0.Add(d) }

// testPlan: 10 resources of 50 KB and no CDN is 500 KB a view; at 100 KB/s
// a view holds 5 connections; a 100 MB/s link, 10,000 connections, a buy
// endpoint of 100 QPS and 1,000 units planned to go in 10 minutes.
func testPlan() capacity.Plan {
	return capacity.Plan{
		PeakPV: 200, ResourcesPerPage: 10, ResourceSize: 50e3, DownloadSpeed: 100e3, ConnMemory: 10e3,
		Limits:    capacity.Limits{Link: 100e6, MaxConns: 10_000},
		Endpoints: []capacity.Endpoint{{Name: "login", MaxQPS: 300}, {Name: "buy", MaxQPS: 100}},
		Stock:     capacity.Stock{Total: 1000, SellOut: 10 * time.Minute},
		LaunchAt:  t0,
	}
}

// script is the hand-made launch: the figures and the moments the tests
// check the report against. Each is set by the scenario below and by
// nothing else.
var script = struct {
	start, end           time.Duration // first and last snapshot
	prePV, salePV        float64
	pvPeak               float64 // one second of it, at pvPeakAt
	pvPeakAt             time.Duration
	reqPeak              float64
	reqPeakAt            time.Duration
	connPeak             float64
	connPeakAt           time.Duration
	bwWarnFrom, bwWarnTo time.Duration // bandwidth over 80% of the link
	bwCritFrom, bwCritTo time.Duration // over 95%
	bwWarn, bwCrit       float64
	errFrom, errTo       time.Duration // errors over 1%
	errRate              float64
	gapFrom, gapTo       time.Duration // no snapshot in between
	downFrom, downTo     time.Duration // the prometheus source down
	sellRate             float64       // units a second from T0
	buyQPS               float64
	downError            string
	pageWeight           float64
	loginQPS, loginPeak  float64
	loginPeakAt          time.Duration
	stockTotal           float64
	soldOutAfter         time.Duration
}{
	start: -2 * time.Minute, end: 9 * time.Minute,
	prePV: 20, salePV: 100,
	pvPeak: 150, pvPeakAt: 2 * time.Minute,
	reqPeak: 1500, reqPeakAt: time.Minute,
	connPeak: 5000, connPeakAt: 3 * time.Minute,
	bwWarnFrom: 60 * time.Second, bwWarnTo: 90 * time.Second,
	bwCritFrom: 70 * time.Second, bwCritTo: 80 * time.Second,
	bwWarn: 85e6, bwCrit: 97e6,
	errFrom: 305 * time.Second, errTo: 350 * time.Second, errRate: 0.02,
	gapFrom: 6 * time.Minute, gapTo: 6*time.Minute + 30*time.Second,
	downFrom: 7 * time.Minute, downTo: 7*time.Minute + 20*time.Second,
	sellRate: 2, buyQPS: 2,
	downError:  "query pv: connection refused",
	pageWeight: 500e3,
	loginQPS:   30, loginPeak: 240, loginPeakAt: 4 * time.Minute,
	stockTotal:   1000,
	soldOutAfter: 500 * time.Second, // 1,000 units at 2 a second
}

// in reports whether d lies in [from, to).
func in(d, from, to time.Duration) bool { return d >= from && d < to }

// scriptedSnapshots scripts the launch a second apart, with change applied
// to each snapshot (nil: none).
func scriptedSnapshots(change func(d time.Duration, s *snapshot.Snapshot)) []snapshot.Snapshot {
	sc := script
	var out []snapshot.Snapshot
	for d := sc.start; d <= sc.end; d += time.Second {
		if d > sc.gapFrom && d < sc.gapTo {
			continue
		}
		pv, req, conns := sc.prePV, sc.prePV*3, sc.prePV*25
		if d >= 0 {
			pv, req, conns = sc.salePV, sc.salePV*3, sc.salePV*25
		}
		bw := pv * sc.pageWeight
		if d == sc.pvPeakAt {
			pv = sc.pvPeak
		}
		if d == sc.reqPeakAt {
			req = sc.reqPeak
		}
		if d == sc.connPeakAt {
			conns = sc.connPeak
		}
		switch {
		case in(d, sc.bwCritFrom, sc.bwCritTo):
			bw = sc.bwCrit
		case in(d, sc.bwWarnFrom, sc.bwWarnTo):
			bw = sc.bwWarn
		}
		errRate := 0.0
		if in(d, sc.errFrom, sc.errTo) {
			errRate = sc.errRate
		}
		sold := 0.0
		if d >= 0 {
			sold = sc.sellRate * d.Seconds()
		}
		stock := max(sc.stockTotal-sold, 0)
		buy, login := 0.0, sc.loginQPS
		if d >= 0 && stock > 0 {
			buy = sc.buyQPS
		}
		if d == sc.loginPeakAt {
			login = sc.loginPeak
		}
		t := at(d)
		prom := snapshot.Source{OK: true, LastSuccess: t, Signals: []string{"pv", "requests"}}
		if in(d, sc.downFrom, sc.downTo) {
			prom = snapshot.Source{OK: false, Error: sc.downError, LastSuccess: at(sc.downFrom - time.Second)}
		}
		s := snapshot.Snapshot{
			Time: t, PV: snapshot.Some(pv), Requests: snapshot.Some(req), Connections: snapshot.Some(conns),
			Bandwidth: snapshot.Some(bw), ErrorRate: snapshot.Some(errRate), Stock: snapshot.Some(stock),
			Sold:      snapshot.Some(sc.sellRate),
			Endpoints: map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(buy)}, "login": {QPS: snapshot.Some(login)}},
			Sources:   map[string]snapshot.Source{"prometheus": prom},
		}
		if change != nil {
			change(d, &s)
		}
		out = append(out, s)
	}
	return out
}

func testHeader(tb testing.TB, name string, plan capacity.Plan, th capacity.Thresholds) recording.Header {
	tb.Helper()
	pj, err := json.Marshal(plan)
	if err != nil {
		tb.Fatal(err)
	}
	tj, err := json.Marshal(th)
	if err != nil {
		tb.Fatal(err)
	}
	return recording.Header{
		Launch: recording.Launch{Name: name, StartsAt: t0}, Interval: recording.Duration(time.Second),
		Plan: pj, Thresholds: tj, Launchwatch: recording.Build{Version: "v0.0.0-test", Commit: "abc1234"},
		Host: "war-room", Started: at(-3 * time.Minute), Origin: recording.Origin{Kind: recording.OriginLive},
	}
}

// writeRecording writes snaps with header h to a new recording and opens
// it, as the report command does.
func writeRecording(tb testing.TB, h recording.Header, snaps []snapshot.Snapshot) *recording.Recording {
	tb.Helper()
	return launchtest.Record(tb, h, snaps)
}

// buildReport writes snaps to a recording and builds its report.
func buildReport(tb testing.TB, name string, snaps []snapshot.Snapshot) *Report {
	tb.Helper()
	plan, th := testPlan(), capacity.DefaultThresholds()
	r, err := Build(writeRecording(tb, testHeader(tb, name, plan, th), snaps), plan, true, th)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func render(tb testing.TB, r *Report) (md, html string) {
	tb.Helper()
	var m, h bytes.Buffer
	if err := r.WriteMarkdown(&m); err != nil {
		tb.Fatal(err)
	}
	if err := r.WriteHTML(&h); err != nil {
		tb.Fatal(err)
	}
	return m.String(), h.String()
}
