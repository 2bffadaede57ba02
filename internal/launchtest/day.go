package launchtest

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// DaySnapshot is snapshot i of a long launch, a second apart from T0 minus
// 43,200 s (a day's recording puts T0 in its middle), held against Plan:
// traffic in a daily wave with a jump at T0, an error burst of a minute
// every half hour, the buy endpoint over its ceiling for five minutes
// every two hours from T0, the scrape source silent for a minute every two
// hours, the stock selling from T0 until it runs out. With servers > 0 it
// carries a fleet of that many, its figures as exact as a recording keeps
// a fleet's; web-0001 stops answering for five minutes every hour, and a
// server joins at T0. Problems open and close all day long, so a seek
// anywhere lands among them.
func DaySnapshot(i, servers int) snapshot.Snapshot {
	const half = 43_200
	sec := i - half
	at := T0.Add(time.Duration(sec) * time.Second)
	f := float64(i)
	pv := 20 + 15*math.Sin(f/3600)
	if sec >= 0 {
		pv = 150 + 40*math.Sin(f/7) + 30*math.Sin(f/5400)
	}
	errRate := 0.002
	if i%1800 < 60 {
		errRate = 0.04 + 0.0005*float64(i%60)
	}
	buy := 0.0 // nothing sells before T0
	if sec >= 0 {
		buy = 40 + 20*math.Sin(f/300)
		if i%7200 < 300 {
			buy = 110 + float64(i%300)/10
		}
	}
	src := snapshot.Source{OK: true, LastSuccess: at, Signals: []string{snapshot.SignalPV, snapshot.EndpointSignal("buy")}}
	if i%7200 >= 1000 && i%7200 < 1060 {
		src = snapshot.Source{OK: false, Error: "context deadline exceeded", LastSuccess: at.Add(-time.Duration(i%7200-999) * time.Second)}
	}
	s := snapshot.Snapshot{
		Time: at, PV: snapshot.Some(pv), Requests: snapshot.Some(pv * 3), Bandwidth: snapshot.Some(pv * 1e5),
		Connections: snapshot.Some(pv), ErrorRate: snapshot.Some(errRate),
		Stock: snapshot.Some(math.Max(1000-math.Max(float64(sec), 0)/30, 0)), Sold: snapshot.Some(1.0 / 30),
		Endpoints: map[string]snapshot.Endpoint{"buy": {QPS: snapshot.Some(buy)}},
		Sources:   map[string]snapshot.Source{"scrape": src},
	}
	if servers > 0 {
		n := servers
		if i >= half {
			n++
		}
		s.Fleet = make([]snapshot.Server, n)
		for k := range s.Fleet {
			name := fmt.Sprintf("web-%04d", k)
			if k == 1 && i%3600 >= 1800 && i%3600 < 2100 {
				s.Fleet[k] = snapshot.Server{Name: name, Gone: true, GoneSince: at.Add(-time.Duration(i%3600-1799) * time.Second)}
				continue
			}
			s.Fleet[k] = snapshot.Server{
				Name: name, PV: snapshot.Some(float64(10 + (i+k)%40)), Requests: snapshot.Some(float64(300+(i*7+k*13)%500) / 2),
				Connections: snapshot.Some(float64(200 + k%100)), Bandwidth: snapshot.Some(float64(1000+(i+k)%9000) * 1000),
				ErrorRate: snapshot.Some(float64((i+k)%30) / 1000), LatencyP95: snapshot.Some(float64(100+(i+3*k)%900) / 1000),
			}
		}
	}
	return s
}

// RecordDay writes snapshots from to from+n-1 of DaySnapshot under header
// h to a new recording in the test's directory and opens it: 0 and 86,400
// are the whole day, 43,200-n/2 and n a stretch with T0 in its middle. It
// streams them: a day with a fleet would not fit in a test's memory held
// whole.
func RecordDay(tb testing.TB, h recording.Header, from, n, servers int) *recording.Recording {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "day.lwrec.jsonl")
	w, err := recording.Create(path, h, recording.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	for i := from; i < from+n; i++ {
		if err := w.Append(DaySnapshot(i, servers)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	rec, err := recording.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = rec.Close() })
	return rec
}
