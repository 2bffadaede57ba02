package collectors

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fakeSource answers from a function; unit tests only.
type fakeSource struct {
	name    string
	signals []string
	collect func(ctx context.Context, now time.Time) (source.Result, error)
}

func (f *fakeSource) Name() string      { return f.name }
func (f *fakeSource) Signals() []string { return f.signals }
func (f *fakeSource) Collect(ctx context.Context, now time.Time) (source.Result, error) {
	return f.collect(ctx, now)
}

func values(kv ...any) map[string]snapshot.Value {
	m := map[string]snapshot.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = snapshot.Some(kv[i+1].(float64))
	}
	return m
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestPollAssemblesEverySourceIntoOneSnapshot(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	traffic := &fakeSource{name: "scrape", signals: []string{"pv", "endpoints.buy"}, collect: func(context.Context, time.Time) (source.Result, error) {
		return source.Result{Values: values("pv", 100.0, "endpoints.buy", 42.0), Warnings: []string{"summed 3 series\x1b[2J"}}, nil
	}}
	host := &fakeSource{name: "host", signals: []string{"host.cpu"}, collect: func(_ context.Context, now time.Time) (source.Result, error) {
		if !now.Equal(clock.t) {
			return source.Result{}, errors.New("the source was not given the poller's clock")
		}
		return source.Result{Values: values("host.cpu", 0.5)}, nil
	}}
	p := NewPoller([]source.Source{traffic, host}, WithClock(clock.now))
	s := p.Poll(context.Background())

	if !s.Time.Equal(clock.t) {
		t.Errorf("time = %v, want the injected clock's %v", s.Time, clock.t)
	}
	if s.PV.Or(-1) != 100 || s.Endpoints["buy"].QPS.Or(-1) != 42 || s.Host.CPU.Or(-1) != 0.5 {
		t.Errorf("values not merged: %+v", s)
	}
	for _, name := range []string{"scrape", "host"} {
		h := s.Sources[name]
		if !h.OK || !h.LastSuccess.Equal(clock.t) || h.Error != "" {
			t.Errorf("%s health = %+v", name, h)
		}
	}
	if w := s.Sources["scrape"].Warnings; len(w) != 1 || w[0] != "summed 3 series" {
		t.Errorf("warnings must arrive cleaned: %q", w)
	}
}

func TestAFailedSourceKeepsItsLastGoodValuesMarkedStale(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	fail := false
	src := &fakeSource{name: "prometheus", signals: []string{"pv", "stock"}, collect: func(context.Context, time.Time) (source.Result, error) {
		if fail {
			return source.Result{}, errors.New("query pv: server answered 503")
		}
		return source.Result{Values: values("pv", 80.0, "stock", 500.0)}, nil
	}}
	p := NewPoller([]source.Source{src}, WithClock(clock.now))
	first := p.Poll(context.Background())

	fail = true
	clock.t = clock.t.Add(5 * time.Second)
	s := p.Poll(context.Background())

	if s.PV.Or(-1) != 80 || s.Stock.Or(-1) != 500 {
		t.Errorf("last good values were blanked: pv=%v stock=%v", s.PV, s.Stock)
	}
	h := s.Sources["prometheus"]
	if h.OK || !strings.Contains(h.Error, "503") {
		t.Errorf("health = %+v, want not OK with the server's error", h)
	}
	if !h.LastSuccess.Equal(first.Time) || h.Age(s.Time) != 5*time.Second {
		t.Errorf("last success = %v (age %v), want the first poll's time, 5s old", h.LastSuccess, h.Age(s.Time))
	}
	for _, sig := range []string{"pv", "stock"} {
		if st, stale := h.SignalStale(sig, s.Time, time.Hour); !stale || st.Age != 5*time.Second {
			t.Errorf("%s: stale=%v %+v; a carried figure must read stale with its age", sig, stale, st)
		}
	}
}

func TestAPartialFailureUpdatesWhatItMeasured(t *testing.T) {
	round := 0
	src := &fakeSource{name: "prometheus", signals: []string{"pv", "stock"}, collect: func(context.Context, time.Time) (source.Result, error) {
		round++
		if round == 1 {
			return source.Result{Values: values("pv", 10.0, "stock", 900.0)}, nil
		}
		return source.Result{Values: values("pv", 20.0)}, errors.New("query stock: empty result")
	}}
	p := NewPoller([]source.Source{src})
	p.Poll(context.Background())
	s := p.Poll(context.Background())
	if s.PV.Or(-1) != 20 || s.Stock.Or(-1) != 900 {
		t.Errorf("pv=%v stock=%v, want the new pv and the carried stock", s.PV, s.Stock)
	}
	h := s.Sources["prometheus"]
	if h.OK || !h.LastSuccess.Equal(s.Time) {
		t.Errorf("a partial failure is not OK but answered now: %+v", h)
	}
	if _, stale := h.SignalStale("pv", s.Time, time.Hour); stale {
		t.Error("the measured pv must not read stale")
	}
	if _, carried := h.Carried["stock"]; !carried || len(h.Carried) != 1 {
		t.Errorf("carried = %v, want only stock", h.Carried)
	}
}

func TestASlowSourceNeverDelaysTheOthersPastTheDeadline(t *testing.T) {
	release := make(chan struct{})
	var started atomic.Int32
	hung := &fakeSource{name: "hung", signals: []string{"stock"}, collect: func(context.Context, time.Time) (source.Result, error) {
		started.Add(1)
		<-release // ignores its context, like a client without a timeout
		return source.Result{Values: values("stock", 1.0)}, nil
	}}
	fast := &fakeSource{name: "host", signals: []string{"host.cpu"}, collect: func(context.Context, time.Time) (source.Result, error) {
		return source.Result{Values: values("host.cpu", 0.25)}, nil
	}}
	p := NewPoller([]source.Source{hung, fast}, WithTimeout(50*time.Millisecond))
	defer close(release)

	// If Poll waited for the hung source, this would block until the test
	// binary's timeout: returning at all is the assertion.
	s := p.Poll(context.Background())
	if s.Host.CPU.Or(-1) != 0.25 || !s.Sources["host"].OK {
		t.Errorf("the fast source's values are missing: %+v", s.Sources["host"])
	}
	if h := s.Sources["hung"]; h.OK || !strings.Contains(h.Error, "no answer within 50ms") {
		t.Errorf("hung health = %+v", h)
	}

	// Still hung on the next tick: skipped, not stacked.
	s = p.Poll(context.Background())
	if h := s.Sources["hung"]; h.OK || !strings.Contains(h.Error, "still running") {
		t.Errorf("second poll of a hung source = %+v", h)
	}
	if n := started.Load(); n != 1 {
		t.Errorf("the hung source was started %d times, want 1", n)
	}
}

func TestAPanickingSourceBecomesAnError(t *testing.T) {
	src := &fakeSource{name: "scrape", signals: []string{"pv"}, collect: func(context.Context, time.Time) (source.Result, error) {
		var samples []float64
		return source.Result{Values: values("pv", samples[3])}, nil // an index out of range, as a malformed answer might cause
	}}
	s := NewPoller([]source.Source{src}).Poll(context.Background())
	if h := s.Sources["scrape"]; h.OK || !strings.Contains(h.Error, "internal error") {
		t.Errorf("health = %+v", h)
	}
}

func TestAFullSuccessThatLeavesASignalOutShowsItMissingNotCarried(t *testing.T) {
	round := 0
	src := &fakeSource{name: "scrape", signals: []string{"pv", "error_rate"}, collect: func(context.Context, time.Time) (source.Result, error) {
		round++
		if round == 1 {
			return source.Result{Values: values("pv", 10.0, "error_rate", 0.5)}, nil
		}
		return source.Result{Values: values("pv", 12.0), Warnings: []string{"error_rate: division by zero"}}, nil
	}}
	p := NewPoller([]source.Source{src})
	p.Poll(context.Background())
	s := p.Poll(context.Background())
	if s.ErrorRate.OK() || len(s.Sources["scrape"].Carried) != 0 {
		t.Errorf("error_rate = %v, carried %v: a value the source now leaves out is missing", s.ErrorRate, s.Sources["scrape"].Carried)
	}
}

func TestASourceThatNeverAnsweredHasNoValuesAndNoSuccessTime(t *testing.T) {
	src := &fakeSource{name: "prometheus", signals: []string{"pv"}, collect: func(context.Context, time.Time) (source.Result, error) {
		return source.Result{}, errors.New("dial tcp 127.0.0.1:9: connection refused")
	}}
	s := NewPoller([]source.Source{src}).Poll(context.Background())
	if s.PV.OK() {
		t.Errorf("pv = %v, want missing", s.PV)
	}
	if h := s.Sources["prometheus"]; !h.LastSuccess.IsZero() || h.OK {
		t.Errorf("health = %+v", h)
	}
}

// fleetSource answers one fleet a poll from a script of server names.
type fleetSource struct {
	polls [][]string
	n     int
}

func (f *fleetSource) Name() string      { return "fleet" }
func (f *fleetSource) Signals() []string { return []string{snapshot.SignalRequests} }
func (f *fleetSource) Collect(context.Context, time.Time) (source.Result, error) {
	names := f.polls[min(f.n, len(f.polls)-1)]
	f.n++
	res := source.Result{Values: map[string]snapshot.Value{snapshot.SignalRequests: snapshot.Some(float64(len(names)))}, Fleet: map[string]snapshot.Server{}}
	for _, name := range names {
		res.Fleet[name] = snapshot.Server{Requests: snapshot.Some(10)}
	}
	return res, nil
}

// A server that stops answering is kept, gone since it was last seen,
// its figures missing; one that comes back is no longer gone.
func TestAServerThatStopsAnsweringIsGoneNotZero(t *testing.T) {
	clock := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	src := &fleetSource{polls: [][]string{{"web-2", "web-1"}, {"web-1"}, {"web-1", "web-2"}}}
	p := NewPoller([]source.Source{src}, WithClock(func() time.Time { return clock }))
	first := p.Poll(context.Background())
	if len(first.Fleet) != 2 || first.Fleet[0].Name != "web-1" || first.Fleet[1].Name != "web-2" {
		t.Fatalf("first fleet %+v, want web-1 and web-2 sorted", first.Fleet)
	}
	seen := clock
	clock = clock.Add(time.Second)
	second := p.Poll(context.Background())
	web2, ok := second.Server("web-2")
	switch {
	case !ok:
		t.Fatalf("web-2 dropped from %+v", second.Fleet)
	case !web2.Gone || !web2.GoneSince.Equal(seen):
		t.Fatalf("web-2 = %+v, want gone since %s", web2, seen)
	case web2.Requests.OK():
		t.Fatalf("a gone server's requests read %v, want missing", web2.Requests)
	}
	clock = clock.Add(time.Second)
	third := p.Poll(context.Background())
	if web2, _ := third.Server("web-2"); web2.Gone || web2.Requests.Or(-1) != 10 {
		t.Fatalf("web-2 back = %+v", web2)
	}
}

// failingFleet answers a fleet and codes once, then fails every poll.
type failingFleet struct{ n int }

func (f *failingFleet) Name() string      { return "fleet" }
func (f *failingFleet) Signals() []string { return []string{snapshot.SignalRequests} }
func (f *failingFleet) Collect(context.Context, time.Time) (source.Result, error) {
	f.n++
	if f.n > 1 {
		return source.Result{}, errors.New("connection refused")
	}
	return source.Result{
		Values:     map[string]snapshot.Value{snapshot.SignalRequests: snapshot.Some(20)},
		Fleet:      map[string]snapshot.Server{"web-1": {Requests: snapshot.Some(10)}, "web-2": {Requests: snapshot.Some(10)}},
		ErrorCodes: map[string]snapshot.Value{"502": snapshot.Some(3)},
	}, nil
}

// While its source is down the fleet is unknown: its servers stay (not
// gone: the source failed, not they) with no figures, and no breakdown of
// failures is shown as if measured now.
func TestAFleetWhoseSourceIsDownIsUnknownNotGoneNorFresh(t *testing.T) {
	clock := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	p := NewPoller([]source.Source{&failingFleet{}}, WithClock(func() time.Time { return clock }))
	p.Poll(context.Background())
	for range 5 {
		clock = clock.Add(time.Minute)
		s := p.Poll(context.Background())
		if len(s.Fleet) != 2 {
			t.Fatalf("fleet %+v, want web-1 and web-2 still known", s.Fleet)
		}
		for _, srv := range s.Fleet {
			if srv.Gone || srv.Requests.OK() {
				t.Fatalf("%s = %+v, want known with its figures unknown", srv.Name, srv)
			}
		}
		if len(s.ErrorCodes) != 0 {
			t.Fatalf("error codes %v carried while the source is down", s.ErrorCodes)
		}
	}
}

// TestAnAnsweredPollLeavesTheSourceFreeForTheNext: a source that answered
// is free for the next poll at once. Its busy mark was cleared after the
// answer was handed over, so a poll that followed straight on could find
// it still marked and call the source down ("the previous poll is still
// running"): a recording made at full speed (a test's hand-moved clock,
// a backfill) had sources down that never were.
func TestAnAnsweredPollLeavesTheSourceFreeForTheNext(t *testing.T) {
	src := &fakeSource{name: "scrape", signals: []string{"pv"}, collect: func(context.Context, time.Time) (source.Result, error) {
		return source.Result{Values: values("pv", 1.0)}, nil
	}}
	p := NewPoller([]source.Source{src}, WithTimeout(time.Minute))
	for i := range 20_000 {
		if h := p.Poll(context.Background()).Sources["scrape"]; !h.OK {
			t.Fatalf("poll %d: the source is down (%s) though every poll before it was answered", i, h.Error)
		}
	}
}
