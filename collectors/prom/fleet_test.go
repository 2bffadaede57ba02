package prom

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fleetFake is a querier answering each query by its text, instant and
// range alike, and remembering what it was asked. The newest-sample query
// is answered with no sample.
type fleetFake struct {
	mu      sync.Mutex
	asked   []string
	answers map[string]model.Value  // instant answers by query
	ranges  map[string]model.Matrix // range answers by query
	fail    map[string]error
}

func (f *fleetFake) query(_ context.Context, q string, _ time.Time) (answer, error) {
	f.mu.Lock()
	f.asked = append(f.asked, q)
	f.mu.Unlock()
	if strings.HasPrefix(q, "max(timestamp(") {
		return answer{value: model.Vector{}}, nil
	}
	if err := f.fail[q]; err != nil {
		return answer{}, err
	}
	v, ok := f.answers[q]
	if !ok {
		return answer{}, fmt.Errorf("no answer for %s", q)
	}
	return answer{value: v}, nil
}

func (f *fleetFake) queryRange(_ context.Context, q string, _ promv1.Range) (answer, error) {
	f.mu.Lock()
	f.asked = append(f.asked, q)
	f.mu.Unlock()
	if strings.HasPrefix(q, "max(timestamp(") {
		return answer{value: model.Matrix{}}, nil
	}
	m, ok := f.ranges[q]
	if !ok {
		return answer{}, fmt.Errorf("no answer for %s", q)
	}
	return answer{value: m}, nil
}

// fleetSource builds a source over a fleetFake with the fleet label
// "instance".
func fleetSource(t testing.TB, signals map[string]config.Signal, fake *fleetFake) *Source {
	t.Helper()
	p, err := New(&config.Prometheus{URL: "http://127.0.0.1:9", Timeout: 2 * time.Second}, signals,
		Interval(time.Second), Fleet("instance"))
	if err != nil {
		t.Fatal(err)
	}
	p.api = fake
	return p
}

func sample(v float64, labels ...string) *model.Sample {
	m := model.Metric{}
	for i := 0; i+1 < len(labels); i += 2 {
		m[model.LabelName(labels[i])] = model.LabelValue(labels[i+1])
	}
	return &model.Sample{Metric: m, Value: model.SampleValue(v)}
}

func byInstance(t testing.TB, q string) string {
	t.Helper()
	r, err := promql.KeepLabel(q, "instance")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTheFleetIsOneQueryASignalGroupedByTheLabel(t *testing.T) {
	signals := map[string]config.Signal{
		"pv":          {Query: "sum(rate(pv_total[4s]))"},
		"error_rate":  {Query: "sum(rate(err_total[4s])) / sum(rate(req_total[4s]))"},
		"latency_p95": {Query: "histogram_quantile(0.95, sum by (le) (rate(h_bucket[4s])))"},
		"stock":       {Query: "sum(stock)"},
		"error_codes": {Query: "sum by (code) (rate(req_total{code=~\"5..\"}[4s]))", Label: "code"},
	}
	fake := &fleetFake{answers: map[string]model.Value{
		"sum(rate(pv_total[4s]))": model.Vector{sample(30)},
		byInstance(t, "sum(rate(pv_total[4s]))"): model.Vector{
			// One server's two series (its exporter answering twice) are summed.
			sample(10, "instance", "web-1"), sample(5, "instance", "web-1", "replica", "b"),
			sample(15, "instance", "web-2"),
			// Without the label ("or vector(0)"): dropped.
			sample(99),
		},
		"sum(rate(err_total[4s])) / sum(rate(req_total[4s]))": model.Vector{sample(0.1)},
		byInstance(t, "sum(rate(err_total[4s])) / sum(rate(req_total[4s]))"): model.Vector{
			sample(0.2, "instance", "web-1"), sample(0, "instance", "web-2"),
		},
		"histogram_quantile(0.95, sum by (le) (rate(h_bucket[4s])))": model.Vector{sample(0.3)},
		byInstance(t, "histogram_quantile(0.95, sum by (le) (rate(h_bucket[4s])))"): model.Vector{
			// A server the label names with an escape sequence is cleaned;
			// one with no requests has no quantile: missing, not zero.
			sample(0.25, "instance", "web-1"), sample(0.5, "instance", "\x1b[31mweb-3"),
			sample(math.NaN(), "instance", "web-2"),
		},
		"sum(stock)": model.Vector{sample(7)},
		`sum by (code) (rate(req_total{code=~"5.."}[4s]))`: model.Vector{
			sample(2, "code", "502"), sample(1, "code", "502", "job", "b"), sample(0.5, "code", "504"),
			sample(4), // no code: dropped
		},
	}}
	p := fleetSource(t, signals, fake)
	res, err := p.Collect(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]snapshot.Server{
		"web-1": {Name: "web-1", PV: snapshot.Some(15), ErrorRate: snapshot.Some(0.2), LatencyP95: snapshot.Some(0.25)},
		"web-2": {Name: "web-2", PV: snapshot.Some(15), ErrorRate: snapshot.Some(0)},
		"web-3": {Name: "web-3", LatencyP95: snapshot.Some(0.5)},
	}
	if !maps.Equal(res.Fleet, want) {
		t.Errorf("fleet = %+v\nwant    %+v", res.Fleet, want)
	}
	wantCodes := map[string]snapshot.Value{"502": snapshot.Some(3), "504": snapshot.Some(0.5)}
	if !maps.Equal(res.ErrorCodes, wantCodes) {
		t.Errorf("codes = %v, want %v", res.ErrorCodes, wantCodes)
	}
	if _, ok := res.Values["error_codes"]; ok || res.Values["pv"].Or(-1) != 30 || res.Values["stock"].Or(-1) != 7 {
		t.Errorf("values = %v", res.Values)
	}
	// One query a signal, one more a fleet signal, and the newest sample's.
	if len(fake.asked) != len(signals)+3+1 {
		t.Errorf("%d queries: %q", len(fake.asked), fake.asked)
	}
	if !slices.Contains(p.Signals(), "error_codes") {
		t.Errorf("signals %v leave out error_codes", p.Signals())
	}
}

func TestAFailingFleetQueryIsAnErrorOfItsOwnAndTheSignalsStillAnswer(t *testing.T) {
	q, r := "sum(rate(pv_total[4s]))", "sum(rate(req_total[4s]))"
	fake := &fleetFake{
		answers: map[string]model.Value{
			q: model.Vector{sample(30)}, "sum(stock)": model.Vector{sample(7)},
			r: model.Vector{sample(4)}, byInstance(t, r): model.Vector{sample(4, "instance", "web-1")},
		},
		fail: map[string]error{byInstance(t, q): errors.New("connection reset by peer")},
	}
	p := fleetSource(t, map[string]config.Signal{"pv": {Query: q}, "requests": {Query: r}, "stock": {Query: "sum(stock)"}}, fake)
	res, err := p.Collect(context.Background(), time.Now())
	if err == nil || !strings.Contains(err.Error(), "query pv by instance: connection reset by peer") {
		t.Errorf("err = %v, want the fleet query named", err)
	}
	if msg := res.Errors["pv by instance"]; msg != "connection reset by peer" {
		t.Errorf("errors = %v", res.Errors)
	}
	want := map[string]snapshot.Server{"web-1": {Name: "web-1", Requests: snapshot.Some(4)}}
	if res.Values["pv"].Or(-1) != 30 || !maps.Equal(res.Fleet, want) {
		t.Errorf("values %v, fleet %v: want pv, and the fleet's requests without its pv", res.Values, res.Fleet)
	}
}

func TestWhenEveryFleetQueryFailsTheFleetIsNilSoTheLastOneIsCarried(t *testing.T) {
	fake := &fleetFake{answers: map[string]model.Value{}} // the server answers nothing
	p := fleetSource(t, map[string]config.Signal{"pv": {Query: "sum(a)"}, "requests": {Query: "sum(b)"}}, fake)
	res, err := p.Collect(context.Background(), time.Now())
	if err == nil || res.Fleet != nil || len(res.Errors) != 4 {
		t.Errorf("fleet %v, errors %v, err %v; want nil, four errors", res.Fleet, res.Errors, err)
	}
}

func TestAFleetAnswerThatIsNoVectorIsAnErrorNamingWhatCame(t *testing.T) {
	q := "sum(rate(pv_total[4s]))"
	fake := &fleetFake{answers: map[string]model.Value{q: model.Vector{sample(1)}, byInstance(t, q): &model.Scalar{Value: 3}}}
	p := fleetSource(t, map[string]config.Signal{"pv": {Query: q}}, fake)
	res, err := p.Collect(context.Background(), time.Now())
	if err == nil || res.Errors["pv by instance"] != "scalar result where an instant vector by instance is expected" {
		t.Errorf("err %v, errors %v", err, res.Errors)
	}
}

func TestTheFleetRewriteIsCachedWithTheExpansion(t *testing.T) {
	q := "sum(rate(pv_total[4s]))"
	fake := &fleetFake{answers: map[string]model.Value{q: model.Vector{sample(1)}, byInstance(t, q): model.Vector{}}}
	p := fleetSource(t, map[string]config.Signal{"pv": {Query: q}}, fake)
	for range 2 {
		if _, err := p.Collect(context.Background(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	first := p.expanded.queries
	if _, err := p.Collect(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	same := reflect.ValueOf(first).UnsafePointer() == reflect.ValueOf(p.expanded.queries).UnsafePointer()
	if got := p.expanded.queries["pv"].byFleet; got != byInstance(t, q) || !same {
		t.Errorf("byFleet = %q, or the expansion was filled again", got)
	}
}

func TestAQueryTheFleetRewriteCannotTakeIsAnErrorNamingItsPlace(t *testing.T) {
	_, err := New(&config.Prometheus{URL: "http://127.0.0.1:9"}, map[string]config.Signal{
		"pv":    {Query: "sum(rate(x[1m])", Pos: config.Pos{File: "lw.yaml", Line: 7}},
		"stock": {Query: "sum(rate(x[1m])"}, // not a fleet signal: the server says
	}, Fleet("instance"))
	if err == nil || !strings.HasPrefix(err.Error(), "lw.yaml:7: signals.pv.query: by fleet.label instance:") || strings.Contains(err.Error(), "stock") {
		t.Errorf("err = %v", err)
	}
}

func TestWithoutAFleetNoFleetQueryIsSent(t *testing.T) {
	q := "sum(rate(pv_total[4s]))"
	fake := &fleetFake{answers: map[string]model.Value{q: model.Vector{sample(1)}}}
	p, err := New(&config.Prometheus{URL: "http://127.0.0.1:9"}, map[string]config.Signal{"pv": {Query: q}})
	if err != nil {
		t.Fatal(err)
	}
	p.api = fake
	res, err := p.Collect(context.Background(), time.Now())
	if err != nil || res.Fleet != nil || len(fake.asked) != 2 {
		t.Errorf("fleet %v, err %v, asked %q", res.Fleet, err, fake.asked)
	}
}

func TestHistoryKeepsTheFleetAndTheErrorCodes(t *testing.T) {
	q, codes := "sum(rate(req_total[4s]))", `sum by (code) (rate(req_total{code=~"5.."}[4s]))`
	from := time.Unix(1_700_000_000, 0)
	steps := []model.Time{model.TimeFromUnix(from.Unix()), model.TimeFromUnix(from.Unix() + 1), model.TimeFromUnix(from.Unix() + 2)}
	series := func(labels model.Metric, vals ...float64) *model.SampleStream {
		s := &model.SampleStream{Metric: labels}
		for i, v := range vals {
			if v >= 0 { // a negative value stands for no sample at that step
				s.Values = append(s.Values, model.SamplePair{Timestamp: steps[i], Value: model.SampleValue(v)})
			}
		}
		return s
	}
	fake := &fleetFake{ranges: map[string]model.Matrix{
		q: {series(model.Metric{}, 30, 31, 32)},
		byInstance(t, q): {
			series(model.Metric{"instance": "web-1"}, 10, 11, 12),
			series(model.Metric{"instance": "web-2"}, 20, -1, 20), // gone at the second step
		},
		codes: {series(model.Metric{"code": "502"}, 1, 2, 3), series(model.Metric{"code": "504"}, -1, -1, 0.5)},
	}}
	p := fleetSource(t, map[string]config.Signal{"requests": {Query: q}, "error_codes": {Query: codes, Label: "code"}}, fake)
	h, err := NewHistory(p, HistoryClock(func() time.Time { return from.Add(time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	var snaps []snapshot.Snapshot
	err = h.Fetch(context.Background(), from, from.Add(2*time.Second), func(_ Chunk, s []snapshot.Snapshot) error {
		snaps = append(snaps, s...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	type server struct {
		name string
		req  float64
		gone bool
	}
	// web-2, missing at the second step, is gone there, as live: kept, its
	// figures missing.
	want := [][]server{{{"web-1", 10, false}, {"web-2", 20, false}}, {{"web-1", 11, false}, {"web-2", -1, true}}, {{"web-1", 12, false}, {"web-2", 20, false}}}
	wantCodes := []map[string]snapshot.Value{
		{"502": snapshot.Some(1)}, {"502": snapshot.Some(2)}, {"502": snapshot.Some(3), "504": snapshot.Some(0.5)},
	}
	if len(snaps) != len(want) {
		t.Fatalf("%d snapshots, want %d", len(snaps), len(want))
	}
	for i, s := range snaps {
		var got []server
		for _, srv := range s.Fleet {
			got = append(got, server{srv.Name, srv.Requests.Or(-1), srv.Gone})
		}
		if !slices.Equal(got, want[i]) {
			t.Errorf("step %d: fleet %v, want %v", i, got, want[i])
		}
		if !maps.Equal(s.ErrorCodes, wantCodes[i]) {
			t.Errorf("step %d: codes %v, want %v", i, s.ErrorCodes, wantCodes[i])
		}
		if s.Requests.Or(-1) != 30+float64(i) {
			t.Errorf("step %d: requests %v", i, s.Requests)
		}
	}
}

// BenchmarkCollectFleetOf500 polls every fleet signal of a fleet of 500
// servers: one query a signal and one by the label, each fleet answer 500
// series, as Prometheus would send them.
func BenchmarkCollectFleetOf500(b *testing.B) {
	const servers = 500
	signals := map[string]config.Signal{}
	fake := &fleetFake{answers: map[string]model.Value{}}
	for i, addr := range snapshot.FleetSignals {
		q := fmt.Sprintf("sum(rate(metric_%d_total[4s]))", i)
		signals[addr] = config.Signal{Query: q}
		fake.answers[q] = model.Vector{sample(float64(servers))}
		vec := make(model.Vector, servers)
		for s := range servers {
			vec[s] = sample(float64(s), "instance", fmt.Sprintf("web-%03d:9100", s))
		}
		fake.answers[byInstance(b, q)] = vec
	}
	if len(signals) != 8 {
		b.Fatalf("%d fleet signals, the benchmark says 8", len(signals))
	}
	p := fleetSource(b, signals, fake)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		fake.mu.Lock()
		fake.asked = fake.asked[:0]
		fake.mu.Unlock()
		res, err := p.Collect(ctx, time.Now())
		if err != nil || len(res.Fleet) != servers {
			b.Fatalf("%d servers, err %v", len(res.Fleet), err)
		}
	}
}

// A server answering several series of a share or a percentile (a p95 by
// handler, the by() of the query missing a label) has no figure: a sum of
// p95s is no p95. A rate's series add up.
func TestSeveralSeriesOfAPercentileForOneServerAreNoSum(t *testing.T) {
	p95 := "histogram_quantile(0.95, sum by (le, handler) (rate(h_bucket[4s])))"
	req := "sum(rate(req_total[4s]))"
	fake := &fleetFake{answers: map[string]model.Value{
		p95: model.Vector{sample(0.3, "handler", "a"), sample(0.4, "handler", "b")},
		byInstance(t, p95): model.Vector{
			sample(0.25, "instance", "web-1", "handler", "a"), sample(0.5, "instance", "web-1", "handler", "b"),
			sample(0.2, "instance", "web-2", "handler", "a"),
		},
		req:                model.Vector{sample(30)},
		byInstance(t, req): model.Vector{sample(10, "instance", "web-1", "x", "a"), sample(5, "instance", "web-1", "x", "b")},
	}}
	p := fleetSource(t, map[string]config.Signal{"latency_p95": {Query: p95}, "requests": {Query: req}}, fake)
	res, _ := p.Collect(context.Background(), time.Now())
	if v := res.Fleet["web-1"].LatencyP95; v.OK() {
		t.Errorf("web-1's p95 = %v from two handlers' p95s, want missing", v)
	}
	if v := res.Fleet["web-2"].LatencyP95.Or(-1); v != 0.2 {
		t.Errorf("web-2's p95 = %v, want 0.2", v)
	}
	if v := res.Fleet["web-1"].Requests.Or(-1); v != 15 {
		t.Errorf("web-1's requests = %v, want the two series summed, 15", v)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool {
		return strings.Contains(w, "latency_p95 by instance: 1 servers answer several series")
	}) {
		t.Errorf("no warning naming the signal: %q", res.Warnings)
	}
}
