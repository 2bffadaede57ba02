package prom

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

func TestPlanChunksStaysUnderThePointLimitAlignedToTheStep(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		from, to   time.Time
		step       time.Duration
		max        int
		wantPoints []int
		wantFrom   time.Time // the first step
		wantTo     time.Time // the last step
	}{
		{name: "a range of exactly the limit is one chunk", from: base, to: base.Add(10_999 * time.Second), step: time.Second, max: 11_000,
			wantPoints: []int{11_000}, wantFrom: base, wantTo: base.Add(10_999 * time.Second)},
		{name: "one step more is two chunks", from: base, to: base.Add(11_000 * time.Second), step: time.Second, max: 11_000,
			wantPoints: []int{11_000, 1}, wantFrom: base, wantTo: base.Add(11_000 * time.Second)},
		{name: "three hours at 100ms is ten chunks, the last one short", from: base, to: base.Add(3 * time.Hour), step: 100 * time.Millisecond, max: 11_000,
			wantPoints: []int{11_000, 11_000, 11_000, 11_000, 11_000, 11_000, 11_000, 11_000, 11_000, 9_001}, wantFrom: base, wantTo: base.Add(3 * time.Hour)},
		{name: "unaligned ends are rounded inwards to the step", from: base.Add(1500 * time.Millisecond), to: base.Add(9700 * time.Millisecond),
			step: time.Second, max: 100, wantPoints: []int{8}, wantFrom: base.Add(2 * time.Second), wantTo: base.Add(9 * time.Second)},
		{name: "a 15s step is aligned on the Unix clock", from: base.Add(7 * time.Second), to: base.Add(time.Minute), step: 15 * time.Second, max: 2,
			wantPoints: []int{2, 2}, wantFrom: base.Add(15 * time.Second), wantTo: base.Add(time.Minute)},
		{name: "no step between the ends is no chunk", from: base.Add(100 * time.Millisecond), to: base.Add(900 * time.Millisecond), step: time.Second, max: 10},
		{name: "an end before the start is no chunk", from: base.Add(time.Minute), to: base, step: time.Second, max: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks := PlanChunks(tt.from, tt.to, tt.step, tt.max)
			if len(chunks) != len(tt.wantPoints) {
				t.Fatalf("%d chunks, want %d: %+v", len(chunks), len(tt.wantPoints), chunks)
			}
			if len(chunks) == 0 {
				return
			}
			if !chunks[0].From.Equal(tt.wantFrom) || !chunks[len(chunks)-1].To.Equal(tt.wantTo) {
				t.Errorf("steps run %v to %v, want %v to %v", chunks[0].From, chunks[len(chunks)-1].To, tt.wantFrom, tt.wantTo)
			}
			for i, c := range chunks {
				if c.Points != tt.wantPoints[i] || c.Points > tt.max {
					t.Errorf("chunk %d holds %d points, want %d (limit %d)", i+1, c.Points, tt.wantPoints[i], tt.max)
				}
				if c.Index != i+1 || c.Of != len(chunks) {
					t.Errorf("chunk %d is numbered %d of %d", i+1, c.Index, c.Of)
				}
				if got := int(c.To.Sub(c.From)/tt.step) + 1; got != c.Points {
					t.Errorf("chunk %d spans %d steps but says %d points", i+1, got, c.Points)
				}
				if c.From.UnixNano()%int64(tt.step) != 0 {
					t.Errorf("chunk %d starts at %v, not aligned to %s", i+1, c.From, tt.step)
				}
				if i > 0 && c.From.Sub(chunks[i-1].To) != tt.step {
					t.Errorf("chunk %d starts %s after chunk %d ends, want one step", i+1, c.From.Sub(chunks[i-1].To), i)
				}
			}
		})
	}
}

// rangeFake answers query_range with series computed from the query name
// at every step, and counts requests; from request failAfter on it
// answers 500.
type rangeFake struct {
	requests  atomic.Int32
	failAfter int32
}

func (f *rangeFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.requests.Add(1)
	if r.URL.Path != "/api/v1/query_range" {
		http.NotFound(w, r)
		return
	}
	if f.failAfter > 0 && n > f.failAfter {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("out of memory\n"))
		return
	}
	start, _ := strconv.ParseFloat(r.FormValue("start"), 64)
	end, _ := strconv.ParseFloat(r.FormValue("end"), 64)
	step, _ := strconv.ParseFloat(r.FormValue("step"), 64)
	type series struct {
		Metric map[string]string `json:"metric"`
		Values [][2]any          `json:"values"`
	}
	var out []series
	// Each query is a name saying what to answer.
	switch q := r.FormValue("query"); q {
	case "steady": // one series, 10 at every step
		s := series{Metric: map[string]string{}}
		for t := start; t <= end+1e-9; t += step {
			s.Values = append(s.Values, [2]any{t, "10"})
		}
		out = append(out, s)
	case "gappy": // one series, missing every third second, else the Unix second mod 1000
		s := series{Metric: map[string]string{}}
		for t := start; t <= end+1e-9; t += step {
			if sec := int64(t); sec%3 != 2 {
				s.Values = append(s.Values, [2]any{t, strconv.FormatInt(sec%1000, 10)})
			}
		}
		out = append(out, s)
	case "pair": // two series
		for _, v := range []string{"1", "2"} {
			s := series{Metric: map[string]string{"instance": "web-" + v}}
			for t := start; t <= end+1e-9; t += step {
				s.Values = append(s.Values, [2]any{t, v})
			}
			out = append(out, s)
		}
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":%q}`, "unknown query "+q)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": out}})
}

func newHistoryTest(t *testing.T, fake *rangeFake, signals map[string]config.Signal, opts ...HistoryOption) *History {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	p, err := New(&config.Prometheus{URL: srv.URL}, signals)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHistory(p, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHistoryAssemblesTheSnapshotsALivePollWouldTake(t *testing.T) {
	t.Parallel()
	fake := &rangeFake{}
	h := newHistoryTest(t, fake, map[string]config.Signal{
		"pv":            {Query: "steady"},
		"connections":   {Query: "gappy"},
		"requests":      {Query: "pair"},
		"endpoints.buy": {Query: "pair", Multi: config.MultiRefuse},
	}, HistoryStep(time.Second), HistoryMaxPointsPerQuery(4))
	from := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var got []snapshot.Snapshot
	var chunks []Chunk
	err := h.Fetch(context.Background(), from, from.Add(9*time.Second), func(c Chunk, s []snapshot.Snapshot) error {
		chunks = append(chunks, c)
		got = append(got, s...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 3 || len(got) != 10 {
		t.Fatalf("%d chunks and %d snapshots, want 3 and 10", len(chunks), len(got))
	}
	for i, s := range got {
		if want := from.Add(time.Duration(i) * time.Second); !s.Time.Equal(want) {
			t.Fatalf("snapshot %d is at %v, want %v", i, s.Time, want)
		}
		src, ok := s.Sources["prometheus"]
		if !ok || len(s.Sources) != 1 {
			t.Fatalf("snapshot %d's sources are %v, want prometheus alone", i, s.SourceNames())
		}
		if v, _ := s.PV.Get(); v != 10 {
			t.Errorf("snapshot %d: pv %v, want 10", i, s.PV)
		}
		if v, _ := s.Requests.Get(); v != 3 {
			t.Errorf("snapshot %d: requests %v, want the two series summed, 3", i, s.Requests)
		}
		if !strings.Contains(strings.Join(src.Warnings, "\n"), "requests: summed 2 series") {
			t.Errorf("snapshot %d: the sum is not said: %q", i, src.Warnings)
		}
		if !strings.Contains(src.Errors["endpoints.buy"], "2 series where one is expected") {
			t.Errorf("snapshot %d: multi: refuse is not kept: %q", i, src.Errors)
		}
		if s.Host.CPU.OK() || s.Stock.OK() {
			t.Errorf("snapshot %d: a signal with no query has a value", i)
		}
		if !src.LastSuccess.Equal(s.Time) || src.OK {
			t.Errorf("snapshot %d: answered in part at its own time: ok %v, last success %v", i, src.OK, src.LastSuccess)
		}
		// The gappy series misses every third step: its last value is
		// carried, marked with its time, as a live poll carries it.
		sec := s.Time.Unix()
		if sec%3 == 2 && i > 0 {
			if at := src.Carried["connections"]; !at.Equal(s.Time.Add(-time.Second)) {
				t.Errorf("snapshot %d: connections carried from %v, want the step before", i, at)
			}
			if v, _ := s.Connections.Get(); v != float64((sec-1)%1000) {
				t.Errorf("snapshot %d: connections %v, want the carried %d", i, s.Connections, (sec-1)%1000)
			}
			if !strings.Contains(src.Errors["connections"], "empty result") {
				t.Errorf("snapshot %d: the gap is not said: %q", i, src.Errors)
			}
		}
	}
}

func TestHistoryStoppedHalfWayLeavesWhatCameBeforeAndNamesTheFailure(t *testing.T) {
	t.Parallel()
	// Three requests a chunk (two signals and the newest sample's time,
	// which this fake refuses, as a live poll shrugs off), one chunk at a
	// time: the server fails from the seventh request, in chunk 3.
	fake := &rangeFake{failAfter: 6}
	h := newHistoryTest(t, fake, map[string]config.Signal{"pv": {Query: "steady"}, "requests": {Query: "pair"}},
		HistoryStep(time.Second), HistoryMaxPointsPerQuery(5), HistoryParallel(1))
	from := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var got []snapshot.Snapshot
	err := h.Fetch(context.Background(), from, from.Add(29*time.Second), func(_ Chunk, s []snapshot.Snapshot) error {
		got = append(got, s...)
		return nil
	})
	if err == nil {
		t.Fatal("a server failing half way is no error")
	}
	for _, want := range []string{"chunk 3 of 6", "2026-11-26T12:00:10Z to 2026-11-26T12:00:14Z", "server answered 500 Internal Server Error: out of memory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	if len(got) != 10 || !got[9].Time.Equal(from.Add(9*time.Second)) {
		t.Fatalf("%d snapshots came before the failure, want the first two chunks' 10", len(got))
	}
}

func TestHistoryCancelledKeepsTheChunksYielded(t *testing.T) {
	t.Parallel()
	fake := &rangeFake{}
	h := newHistoryTest(t, fake, map[string]config.Signal{"pv": {Query: "steady"}}, HistoryStep(time.Second), HistoryMaxPointsPerQuery(5))
	from := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []snapshot.Snapshot
	err := h.Fetch(ctx, from, from.Add(99*time.Second), func(c Chunk, s []snapshot.Snapshot) error {
		got = append(got, s...)
		if c.Index == 2 {
			cancel()
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "chunk 3 of 20") {
		t.Fatalf("a cancelled fetch says %v, want it to name chunk 3 of 20", err)
	}
	if len(got) != 10 {
		t.Errorf("%d snapshots kept, want the 10 of the two chunks yielded", len(got))
	}
}

// BenchmarkHistoryAssemble measures turning one full chunk's answers (eight
// signals of 11,000 points each) into snapshots: the CPU side of a
// backfill, apart from the server's time.
func BenchmarkHistoryAssemble(b *testing.B) {
	signals := map[string]config.Signal{}
	for _, addr := range []string{"pv", "requests", "connections", "bandwidth", "error_rate", "stock", "sold", "endpoints.buy"} {
		signals[addr] = config.Signal{Query: "steady"}
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	b.Cleanup(srv.Close)
	p, err := New(&config.Prometheus{URL: srv.URL}, signals)
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewHistory(p, HistoryStep(time.Second))
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	c := PlanChunks(from, from.Add((HistoryMaxPoints-1)*time.Second), time.Second, HistoryMaxPoints)[0]
	r := historyChunk{series: map[string]model.Matrix{}}
	for addr := range signals {
		s := &model.SampleStream{Metric: model.Metric{}}
		for i := range c.Points {
			s.Values = append(s.Values, model.SamplePair{Timestamp: model.TimeFromUnixNano(c.From.Add(time.Duration(i) * time.Second).UnixNano()), Value: model.SampleValue(i)})
		}
		r.series[addr] = model.Matrix{s}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		snaps := h.assemble(new(source.Tracker), new(source.Roster), c, r, promql.Vars{Interval: time.Second}, "")
		if len(snaps) != c.Points {
			b.Fatalf("%d snapshots", len(snaps))
		}
	}
	b.ReportMetric(float64(c.Points*b.N)/b.Elapsed().Seconds(), "snapshots/s")
}
