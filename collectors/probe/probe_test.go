package probe

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/testtool"
	pageprobe "github.com/launchwatch/launchwatch/probe"
	"github.com/launchwatch/launchwatch/snapshot"
)

// gatedProbe is a probe run that a test releases one by one; unit tests
// only.
type gatedProbe struct {
	runs    atomic.Int32
	release chan pageprobe.Result
}

func (g *gatedProbe) run(ctx context.Context) (pageprobe.Result, error) {
	g.runs.Add(1)
	select {
	case r := <-g.release:
		return r, nil
	case <-ctx.Done():
		return pageprobe.Result{}, ctx.Err()
	}
}

func pageWith(button bool, sizes ...int64) pageprobe.Result {
	r := pageprobe.Result{Button: pageprobe.Button{Present: button, Why: "no element matches #buy"}, Page: pageprobe.Resource{Bytes: 1000, Known: true, Status: 200}}
	for _, n := range sizes {
		r.Resources = append(r.Resources, pageprobe.Resource{URL: "http://shop/x.png", Status: 200, Bytes: n, Known: true})
	}
	return r
}

func TestTheProbeRunsAtItsOwnCadenceAndNeverHoldsUpAPoll(t *testing.T) {
	wall := testtool.NewClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	g := &gatedProbe{release: make(chan pageprobe.Result, 1)}
	p := &Source{run: g.run, every: 10 * time.Second, timeout: 8 * time.Second, wallNow: wall.Now}
	snapNow := wall.Now()

	// The first poll waits for the first probe, within its deadline.
	g.release <- pageWith(false, 4000, 5000)
	res, err := p.Collect(context.Background(), snapNow)
	if err != nil {
		t.Fatal(err)
	}
	if res.Values[snapshot.SignalProbeButton].Or(-1) != 0 || res.Values[snapshot.SignalProbePageBytes].Or(-1) != 10000 ||
		res.Values[snapshot.SignalProbeResources].Or(-1) != 2 || !res.NewestSample.Equal(snapNow) {
		t.Fatalf("first answer: %+v", res)
	}
	if _, ok := res.Values[snapshot.SignalProbeCDNShare]; ok {
		t.Error("without cdn_hosts the CDN's share must be missing, not measured")
	}
	if len(res.Infos) != 1 || res.Infos[0] != "purchase button missing: no element matches #buy" {
		t.Errorf("infos = %q", res.Infos)
	}

	// Polls within the interval answer from the last probe without a new run.
	for range 9 {
		wall.Advance(time.Second)
		if _, err := p.Collect(context.Background(), wall.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n := g.runs.Load(); n != 1 {
		t.Fatalf("%d probes within one interval, want 1", n)
	}

	// The interval passed: a new probe starts, and while it hangs every
	// poll still answers at once with the last one, its age growing.
	wall.Advance(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	res, err = p.Collect(ctx, wall.Now())
	cancel()
	if err != nil || res.Values == nil {
		t.Fatalf("a hanging probe held up the poll: %v", err)
	}
	waitFor(t, func() bool { return g.runs.Load() == 2 })
	if age := res.Values[snapshot.SignalProbeAge].Or(-1); age != 10 {
		t.Errorf("age = %v s, want 10", age)
	}

	// Released, the next poll has the new page.
	g.release <- pageWith(true, 4000)
	waitFor(t, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.st.inFlight == nil })
	wall.Advance(time.Second)
	res, _ = p.Collect(context.Background(), wall.Now())
	if res.Values[snapshot.SignalProbeButton].Or(-1) != 1 || res.Values[snapshot.SignalProbePageBytes].Or(-1) != 5000 {
		t.Errorf("after the second probe: %+v", res.Values)
	}
}

func TestAProbeLongOverdueReadsBehindWithItsOwnTime(t *testing.T) {
	wall := testtool.NewClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	g := &gatedProbe{release: make(chan pageprobe.Result, 1)}
	p := &Source{run: g.run, every: 10 * time.Second, timeout: 8 * time.Second, wallNow: wall.Now}
	first := wall.Now()
	g.release <- pageWith(true)
	if _, err := p.Collect(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	// Every later probe hangs (until its deadline, which the fake clock
	// never reaches): past 2 intervals and a timeout, the answer dates
	// from the last probe's start.
	wall.Advance(28 * time.Second)
	res, _ := p.Collect(context.Background(), wall.Now())
	if !res.NewestSample.Equal(wall.Now()) {
		t.Errorf("at 28 s the probe is on time; newest = %v", res.NewestSample)
	}
	wall.Advance(time.Second)
	res, _ = p.Collect(context.Background(), wall.Now())
	if !res.NewestSample.Equal(first) || len(res.Warnings) != 1 || res.Warnings[0] != "the last probe is 29s old" {
		t.Errorf("overdue: newest %v, warnings %q", res.NewestSample, res.Warnings)
	}
}

func TestAFailedPageIsTheSourcesErrorAndAPanicIsCaught(t *testing.T) {
	wall := testtool.NewClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	calls := 0
	p := &Source{every: 10 * time.Second, timeout: time.Second, wallNow: wall.Now, run: func(context.Context) (pageprobe.Result, error) {
		calls++
		if calls == 2 {
			panic("boom")
		}
		return pageprobe.Result{}, errors.New("probe http://shop/: the page answered 502 Bad Gateway")
	}}
	res, err := p.Collect(context.Background(), wall.Now())
	if err == nil || res.Errors["page"] != "probe http://shop/: the page answered 502 Bad Gateway" || len(res.Values) != 0 {
		t.Errorf("failed page: %+v, %v", res, err)
	}
	wall.Advance(10 * time.Second)
	_, _ = p.Collect(context.Background(), wall.Now())
	waitFor(t, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.st.inFlight == nil })
	_, err = p.Collect(context.Background(), wall.Now())
	if err == nil || !strings.Contains(err.Error(), "internal error: boom") {
		t.Errorf("panic: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}
