package alerts

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fakeSink records what it is sent; it can block until released or fail.
type fakeSink struct {
	name    string
	fail    error
	release chan struct{} // nil: return at once

	mu   sync.Mutex
	got  []Alert
	sent chan Alert
}

func newFakeSink(name string) *fakeSink { return &fakeSink{name: name, sent: make(chan Alert, 1000)} }

func (f *fakeSink) Name() string { return f.name }

func (f *fakeSink) Send(ctx context.Context, a Alert) error {
	if f.release != nil {
		select {
		case <-f.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	f.got = append(f.got, a)
	f.mu.Unlock()
	f.sent <- a
	return f.fail
}

func (f *fakeSink) alerts() []Alert {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Alert(nil), f.got...)
}

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func problem(kind events.Kind, subject string, sev events.Severity, since time.Duration, msg string) events.Problem {
	return events.Problem{Kind: kind, Subject: subject, Severity: sev, Since: t0.Add(since), Message: msg}
}

// acked is p acknowledged by by at t0 plus at.
func acked(p events.Problem, by string, at time.Duration) events.Problem {
	p.Ack = &snapshot.Ack{By: by, At: t0.Add(at)}
	return p
}

// step is one frame's problems, at t0 plus at.
type step struct {
	at       time.Duration
	problems []events.Problem
}

func TestAlertsFireOnceOnOpeningAndOnceOnResolving(t *testing.T) {
	cart := func(sev events.Severity, msg string) events.Problem {
		return problem(events.KindEndpoint, "cart", sev, 10*time.Second, msg)
	}
	link := problem(events.KindLimit, "bandwidth", events.Crit, 12*time.Second, "link at 100%")
	tests := []struct {
		name  string
		min   events.Severity
		steps []step
		want  []string // state kind/subject severity duration
	}{
		{
			name: "a problem whose figure moves each frame alerts once, once more when it turns crit, and resolves with how long it lasted",
			min:  events.Warn,
			steps: []step{
				{0, nil},
				{10 * time.Second, []events.Problem{cart(events.Warn, "cart at 85%")}},
				{11 * time.Second, []events.Problem{cart(events.Warn, "cart at 90%")}},
				{12 * time.Second, []events.Problem{cart(events.Crit, "cart at 117%"), link}},
				{13 * time.Second, []events.Problem{cart(events.Crit, "cart at 186%"), link}},
				{4*time.Minute + 22*time.Second, []events.Problem{link}},
				{4*time.Minute + 23*time.Second, nil},
			},
			want: []string{
				"opened endpoint/cart warn",
				"escalated endpoint/cart crit",
				"opened limit/bandwidth crit",
				"resolved endpoint/cart crit 4m12s",
				"resolved limit/bandwidth crit 4m11s",
			},
		},
		{
			name: "a crit-only sink fires when the problem first reaches crit and resolves only when it is gone",
			min:  events.Crit,
			steps: []step{
				{10 * time.Second, []events.Problem{cart(events.Warn, "cart at 85%")}},
				{12 * time.Second, []events.Problem{cart(events.Crit, "cart at 117%")}},
				{13 * time.Second, []events.Problem{cart(events.Warn, "cart at 90%")}},
				{14 * time.Second, []events.Problem{cart(events.Crit, "cart at 120%")}},
				{20 * time.Second, nil},
			},
			want: []string{"opened endpoint/cart crit", "resolved endpoint/cart crit 10s"},
		},
		{
			name: "a problem that falls back to warn and turns crit again escalates only once",
			min:  events.Warn,
			steps: []step{
				{10 * time.Second, []events.Problem{cart(events.Warn, "cart at 85%")}},
				{12 * time.Second, []events.Problem{cart(events.Crit, "cart at 117%")}},
				{13 * time.Second, []events.Problem{cart(events.Warn, "cart at 90%")}},
				{14 * time.Second, []events.Problem{cart(events.Crit, "cart at 120%")}},
				{20 * time.Second, nil},
			},
			want: []string{"opened endpoint/cart warn", "escalated endpoint/cart crit", "resolved endpoint/cart crit 10s"},
		},
		{
			name: "a resolve carries the highest severity the sink was told, though the problem fell back",
			min:  events.Crit,
			steps: []step{
				{10 * time.Second, []events.Problem{cart(events.Warn, "cart at 85%")}},
				{12 * time.Second, []events.Problem{cart(events.Crit, "cart at 117%")}},
				{13 * time.Second, []events.Problem{cart(events.Warn, "cart at 90%")}},
				{20 * time.Second, nil},
			},
			want: []string{"opened endpoint/cart crit", "resolved endpoint/cart crit 10s"},
		},
		{
			name: "a warning a crit-only sink never saw crit does not reach it",
			min:  events.Crit,
			steps: []step{
				{10 * time.Second, []events.Problem{cart(events.Warn, "cart at 85%")}},
				{20 * time.Second, nil},
			},
			want: nil,
		},
		{
			name: "an acknowledged problem fires acknowledged once, however long it stays so, and escalates and resolves as before",
			min:  events.Warn,
			steps: []step{
				{10 * time.Second, []events.Problem{cart(events.Warn, "cart at 85%")}},
				{11 * time.Second, []events.Problem{acked(cart(events.Warn, "cart at 86%"), "alice", 11*time.Second)}},
				{12 * time.Second, []events.Problem{acked(cart(events.Crit, "cart at 117%"), "alice", 11*time.Second)}},
				{13 * time.Second, []events.Problem{acked(cart(events.Crit, "cart at 118%"), "alice", 11*time.Second)}},
				{20 * time.Second, nil},
			},
			want: []string{"opened endpoint/cart warn", "acknowledged endpoint/cart warn by alice", "escalated endpoint/cart crit", "resolved endpoint/cart crit 10s"},
		},
		{
			name: "an acknowledgement carries the highest severity the sink was told, though the problem fell back",
			min:  events.Warn,
			steps: []step{
				{10 * time.Second, []events.Problem{cart(events.Crit, "cart at 117%")}},
				{11 * time.Second, []events.Problem{acked(cart(events.Warn, "cart at 90%"), "alice", 11*time.Second)}},
				{20 * time.Second, nil},
			},
			want: []string{"opened endpoint/cart crit", "acknowledged endpoint/cart crit by alice", "resolved endpoint/cart crit 10s"},
		},
		{
			name: "a crit-only sink that never opened the problem is told nothing of its acknowledgement",
			min:  events.Crit,
			steps: []step{
				{10 * time.Second, []events.Problem{cart(events.Warn, "cart at 85%")}},
				{11 * time.Second, []events.Problem{acked(cart(events.Warn, "cart at 86%"), "alice", 11*time.Second)}},
				{20 * time.Second, nil},
			},
			want: nil,
		},
		{
			name: "a crit-only sink that opens an acknowledged problem is told it opened, then that it is acknowledged",
			min:  events.Crit,
			steps: []step{
				{10 * time.Second, []events.Problem{cart(events.Warn, "cart at 85%")}},
				{11 * time.Second, []events.Problem{acked(cart(events.Warn, "cart at 86%"), "alice", 11*time.Second)}},
				{12 * time.Second, []events.Problem{acked(cart(events.Crit, "cart at 117%"), "alice", 11*time.Second)}},
				{20 * time.Second, nil},
			},
			want: []string{"opened endpoint/cart crit", "acknowledged endpoint/cart crit by alice", "resolved endpoint/cart crit 10s"},
		},
		{
			name: "a problem that resolves and comes back is acknowledged anew",
			min:  events.Warn,
			steps: []step{
				{10 * time.Second, []events.Problem{acked(cart(events.Warn, "cart at 85%"), "alice", 10*time.Second)}},
				{11 * time.Second, nil},
				{15 * time.Second, []events.Problem{problem(events.KindEndpoint, "cart", events.Warn, 15*time.Second, "cart at 88%")}},
				{16 * time.Second, []events.Problem{acked(problem(events.KindEndpoint, "cart", events.Warn, 15*time.Second, "cart at 88%"), "bob", 16*time.Second)}},
			},
			want: []string{"opened endpoint/cart warn", "acknowledged endpoint/cart warn by alice", "resolved endpoint/cart warn 1s",
				"opened endpoint/cart warn", "acknowledged endpoint/cart warn by bob"},
		},
		{
			name: "a problem that resolves and comes back alerts again",
			min:  events.Warn,
			steps: []step{
				{10 * time.Second, []events.Problem{cart(events.Warn, "cart at 85%")}},
				{11 * time.Second, nil},
				{15 * time.Second, []events.Problem{problem(events.KindEndpoint, "cart", events.Warn, 15*time.Second, "cart at 88%")}},
			},
			want: []string{"opened endpoint/cart warn", "resolved endpoint/cart warn 1s", "opened endpoint/cart warn"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newFakeSink("fake")
			d := mustNew(t, Options{Launch: "Winter drop", Routes: []Route{{Sink: sink, MinSeverity: tt.min}}})
			for _, s := range tt.steps {
				d.Observe(t0.Add(s.at), s.problems)
			}
			d.Close()
			var got []string
			for _, a := range sink.alerts() {
				line := string(a.State) + " " + a.Key() + " " + a.Severity.String()
				switch {
				case a.State == Resolved:
					line += " " + a.Duration
				case a.State == Acknowledged && a.Ack != nil:
					line += " by " + a.Ack.By
				}
				got = append(got, line)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if st := d.Status()[0]; st.Sent != len(tt.want) || st.Failing() {
				t.Errorf("status %+v, want %d sent and not failing", st, len(tt.want))
			}
		})
	}
}

func TestAnAlertSaysWhatHappenedInWordsAndCleansWhatItQuotes(t *testing.T) {
	burst := events.Problem{Kind: events.KindErrors, Subject: "error_rate", Title: "error burst", Severity: events.Crit, Since: t0,
		Message: "error burst: 42% of requests failing (120/s)\x1b[2J, measured", Lines: "warn 1%, crit 5%"}
	acked := burst
	acked.Ack = &snapshot.Ack{By: "alice@war-room\x07", At: t0.Add(time.Minute)}
	// The problem eased before it resolved: the resolve quotes the worst
	// it reached, never the recovered figure.
	eased := burst
	eased.Message = "error burst: 0.2% of requests failing (1/s), measured"
	eased.Worst = burst.Message
	cart := problem(events.KindEndpoint, "cart\x1b[31m", events.Crit, 0, "cart at 186% of its ceiling\x07 (372 of 200 QPS)")
	cart.Title = "cart endpoint"
	untitled := problem(events.KindEndpoint, "cart", events.Warn, 0, "cart at 86% of its ceiling")
	source := events.Problem{Kind: events.KindSource, Subject: "prometheus", Title: "source prometheus", Severity: events.Crit, Since: t0,
		Message: "source prometheus down: connection refused"}
	const end = 4*time.Minute + 10*time.Second
	tests := []struct {
		name  string
		state State
		p     events.Problem
		at    time.Duration
		want  string
	}{
		{"an opening says the severity, the summary with the plan's lines, and the launch", Opened, burst, 0,
			"CRITICAL · Error burst: 42% of requests failing (120/s), measured (plan: warn 1%, crit 5%) · Winter drop"},
		{"an escalation says to what", Escalated, burst, 0,
			"Escalated to critical · Error burst: 42% of requests failing (120/s), measured (plan: warn 1%, crit 5%) · Winter drop"},
		{"an acknowledgement says who, cleaned", Acknowledged, acked, time.Minute,
			"Acknowledged by alice@war-room · Error burst: 42% of requests failing (120/s), measured (plan: warn 1%, crit 5%) · Winter drop"},
		{"a resolve says how long and the worst it reached, not the recovered figure", Resolved, eased, end,
			"Resolved after 4m10s · Error burst (worst, critical: 42% of requests failing (120/s), measured) · Winter drop"},
		{"an endpoint is named by its title, its subject cleaned", Opened, cart, 0,
			"CRITICAL · Cart endpoint: cart at 186% of its ceiling (372 of 200 QPS) · Winter drop"},
		{"a problem without a title is its message", Opened, untitled, 0,
			"WARNING · Cart at 86% of its ceiling · Winter drop"},
		{"an untitled problem's resolve", Resolved, untitled, end,
			"Resolved after 4m10s · Cart at 86% of its ceiling (worst, warning) · Winter drop"},
		{"a message that names its problem is the whole line", Resolved, source, end,
			"Resolved after 4m10s · Source prometheus down: connection refused (worst, critical) · Winter drop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAlert(tt.state, "Winter drop", tt.p, t0.Add(tt.at))
			if a.Text != tt.want {
				t.Errorf("text\n%q, want\n%q", a.Text, tt.want)
			}
			for _, internal := range []string{tt.p.Key(), string(tt.p.Kind) + " " + tt.p.Subject, "error_rate", "errors"} {
				if strings.Contains(a.Text, internal) {
					t.Errorf("text %q names the internal %q", a.Text, internal)
				}
			}
		})
	}
	if resolved := newAlert(Resolved, "Winter drop", eased, t0.Add(end)); resolved.DurationSeconds != 250 || resolved.Duration != "4m10s" {
		t.Errorf("duration %v (%s), want 250 s", resolved.DurationSeconds, resolved.Duration)
	}
}

func TestObserveNeverWaitsOnASinkAndAFullQueueIsCountedAndVisible(t *testing.T) {
	stuck := &fakeSink{name: "stuck", release: make(chan struct{}), sent: make(chan Alert, 1000)}
	d := mustNew(t, Options{Routes: []Route{{Sink: stuck, Queue: 2}}, Grace: 50 * time.Millisecond})
	// Ten problems open at once with room for two: each past the second
	// drops the oldest waiting, so the newest two wait, one taken by the
	// stuck worker. Observe returns regardless.
	var ps []events.Problem
	for i := range 10 {
		ps = append(ps, problem(events.KindEndpoint, string(rune('a'+i)), events.Warn, 0, "x"))
	}
	returned := make(chan struct{})
	go func() { d.Observe(t0, ps); close(returned) }()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Observe waited on a sink that never returns")
	}
	st := d.Status()[0]
	if st.Dropped != 8 || st.Pending != 2 || !st.Failing() || !strings.Contains(st.LastError, "queue full (2): dropped the oldest alert, opened endpoint/h") {
		t.Errorf("status %+v: want 8 dropped, the newest 2 pending and the sink failing", st)
	}
	// Close gives up on the stuck sink after its grace and counts the
	// cancelled send and the one behind it as failed: lost, with no
	// queue file to keep them.
	d.Close()
	st = d.Status()[0]
	if st.Pending != 0 || st.Failed != 2 || st.Lost() != 10 || st.Kept != 0 || !strings.Contains(st.LastError, "2 alerts not sent by exit") {
		t.Errorf("after Close: %+v, want nothing pending and every alert lost", st)
	}
	if got := stuck.alerts(); len(got) != 0 {
		t.Errorf("the stuck sink took %d alerts", len(got))
	}
}

// orderedSink is slow on a problem's first alert: with more than one
// worker, a later alert of the same problem could overtake it.
type orderedSink struct {
	mu  sync.Mutex
	got map[string][]State
}

func (o *orderedSink) Name() string { return "ordered" }

func (o *orderedSink) Send(_ context.Context, a Alert) error {
	if a.State == Opened {
		time.Sleep(50 * time.Millisecond)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got[a.Key()] = append(o.got[a.Key()], a.State)
	return nil
}

func TestAProblemsAlertsArriveInTheOrderTheyFiredWithSeveralWorkers(t *testing.T) {
	sink := &orderedSink{got: map[string][]State{}}
	d := mustNew(t, Options{Routes: []Route{{Sink: sink, Concurrency: 4}}})
	subjects := []string{"cart", "buy", "search", "login", "home", "stock"}
	var warn, crit []events.Problem
	for _, s := range subjects {
		warn = append(warn, problem(events.KindEndpoint, s, events.Warn, 0, s+" at 85%"))
		crit = append(crit, problem(events.KindEndpoint, s, events.Crit, 0, s+" at 120%"))
	}
	d.Observe(t0, warn)
	d.Observe(t0.Add(time.Second), crit)
	d.Observe(t0.Add(2*time.Second), nil)
	d.Close()
	want := []State{Opened, Escalated, Resolved}
	for _, s := range subjects {
		if got := sink.got["endpoint/"+s]; !slices.Equal(got, want) {
			t.Errorf("%s: %v; want %v", s, got, want)
		}
	}
}

// mustNew starts a dispatcher or fails the test.
func mustNew(t testing.TB, opts Options) *Dispatcher {
	t.Helper()
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
