package tui

import (
	"context"
	"math"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// t0 is the launch in every test: fixed, so goldens never move.
var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// fakeFeed turns scripted snapshots into frames exactly as the pipeline
// does (through its Analyst) and serves them through a channel, on a fake
// clock; unit tests only.
type fakeFeed struct {
	mu    sync.Mutex
	snaps []snapshot.Snapshot
	i     int
	an    *pipeline.Analyst
	ch    chan pipeline.Frame
	clock time.Time // when set, Now returns it instead of the last snapshot's time
	// noWait makes Next answer at once that nothing more comes, so a test
	// can run the commands Update returns without blocking on the wait.
	noWait bool
}

func newFeed(snaps []snapshot.Snapshot, plan capacity.Plan) *fakeFeed {
	return &fakeFeed{snaps: snaps, an: pipeline.NewAnalyst(plan, testThresholds(), 10_000), ch: make(chan pipeline.Frame, 16)}
}

// testThresholds are the defaults with problems opening at once and
// falling after 10 s under: the scripted launches here are about what the
// screen shows of a problem, not about how long one stands before it
// opens (events' tests are).
func testThresholds() capacity.Thresholds {
	th := capacity.DefaultThresholds()
	th.OpenAfter, th.CloseAfter = 0, 10*time.Second
	return th
}

func (f *fakeFeed) setClock(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = t
}

// msg derives the frame of s, as the pipeline would publish it.
func (f *fakeFeed) msg(s snapshot.Snapshot) frameMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	return frameMsg{frame: f.an.Add(s)}
}

// next is the frame of the next scripted snapshot; the clock moves on to it.
func (f *fakeFeed) next() frameMsg {
	f.mu.Lock()
	s := f.snaps[min(f.i, len(f.snaps)-1)]
	f.i++
	f.mu.Unlock()
	return f.msg(s)
}

// Next serves frames pushed on ch to a running program.
func (f *fakeFeed) Next(ctx context.Context) (pipeline.Frame, error) {
	if f.noWait {
		return pipeline.Frame{}, pipeline.ErrClosed
	}
	select {
	case fr := <-f.ch:
		return fr, nil
	case <-ctx.Done():
		return pipeline.Frame{}, ctx.Err()
	}
}

func (f *fakeFeed) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.clock.IsZero() {
		return f.clock
	}
	return f.snaps[max(min(f.i, len(f.snaps))-1, 0)].Time
}

func demoPlan() capacity.Plan {
	return capacity.Plan{
		PeakPV: 200, ResourcesPerPage: 20, ResourceSize: 50e3, DownloadSpeed: 200e3, ConnMemory: 10e3, CDNShare: 0.9,
		Limits:    capacity.Limits{Link: 125e6, MaxConns: 10000, Memory: 512 << 20},
		Endpoints: []capacity.Endpoint{{Name: "login", MaxQPS: 300}, {Name: "cart", MaxQPS: 200}, {Name: "buy", MaxQPS: 100}},
		Stock:     capacity.Stock{Total: 1000, SellOut: 10 * time.Minute},
		LaunchAt:  t0,
	}
}

// launchSnapshots scripts a launch from T-30s to T+n-31s, one a second:
// a trickle, the avalanche at T0, a heavy page, the buy endpoint near its
// ceiling, stock selling, and the host.
func launchSnapshots(n int) []snapshot.Snapshot {
	out := make([]snapshot.Snapshot, 0, n)
	for i := range n {
		at := t0.Add(time.Duration(i-30) * time.Second)
		sec := float64(i - 30)
		pv := 20.0
		if sec >= 0 {
			pv = 150 + 40*math.Sin(sec/7)
		}
		stock := 1000.0
		if sec > 0 {
			stock = math.Max(1000-sec*1.5, 0)
		}
		s := snapshot.Snapshot{
			Time: at, PV: snapshot.Some(pv), Requests: snapshot.Some(pv * 3.2),
			Connections: snapshot.Some(pv * 1e6 / 200e3 * 1.2), Bandwidth: snapshot.Some(pv * 1e6),
			ErrorRate: snapshot.Some(0.002 + math.Max(sec-40, 0)*0.001), Stock: snapshot.Some(stock), Sold: snapshot.Some(1.5),
			Endpoints: map[string]snapshot.Endpoint{
				"login": {QPS: snapshot.Some(pv * 0.5)}, "cart": {QPS: snapshot.Some(pv * 0.4)}, "buy": {QPS: snapshot.Some(pv * 0.45)},
			},
			Host: snapshot.Host{
				CPU: snapshot.Some(0.42), MemoryUsed: snapshot.Some(6.2e9), MemoryTotal: snapshot.Some(16e9), Load1: snapshot.Some(2.35),
				NetTX: snapshot.Some(pv * 1e5), NetRX: snapshot.Some(pv * 8e3), TCPEstablished: snapshot.Some(pv * 6), TCPMemory: snapshot.Some(pv * 6 * 4096),
			},
			Sources: map[string]snapshot.Source{
				"scrape": {OK: true, LastSuccess: at, Duration: 0.004, Signals: []string{"pv", "requests", "connections", "bandwidth", "error_rate", "stock", "sold", "endpoints.login", "endpoints.cart", "endpoints.buy"}},
				"host":   {OK: true, LastSuccess: at, Duration: 0.001, Signals: snapshot.HostSignals},
			},
		}
		out = append(out, s)
	}
	return out
}

// pinned is a renderer on a colour profile and a dark background, so that
// views do not follow the terminal the tests run in.
func pinned(profile termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(profile)
	r.SetHasDarkBackground(true)
	return r
}

// testModel builds a model on a pinned colour profile and an injected wall
// clock.
func testModel(feed *fakeFeed, profile termenv.Profile) Model {
	r := pinned(profile)
	wall := t0
	return New(Options{
		Frames: feed, Clock: feed.Now, Plan: demoPlan(), HasPlan: true, Thresholds: testThresholds(),
		LaunchName: "Flash sale (test)", Renderer: r, Wall: func() time.Time { return wall },
	})
}

// drive feeds messages straight into Update, without a program.
func drive(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		next, _ := m.Update(msg)
		m = next.(Model)
	}
	return m
}

// fed returns a model that has taken n frames of the scripted launch at a size.
func fed(n, w, h int, profile termenv.Profile) (Model, *fakeFeed) {
	feed := newFeed(launchSnapshots(n), demoPlan())
	m := testModel(feed, profile)
	m = drive(m, tea.WindowSizeMsg{Width: w, Height: h})
	for range n {
		m = drive(m, feed.next())
	}
	return m, feed
}

// keyMsg is the key message of a key's name, as the help names it.
func keyMsg(s string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "enter": tea.KeyEnter, "esc": tea.KeyEsc,
		"up": tea.KeyUp, "down": tea.KeyDown, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
	}
	if t, ok := named[s]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}
