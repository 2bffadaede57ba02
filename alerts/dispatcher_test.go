package alerts

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
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
				if a.State == Resolved {
					line += " " + a.Duration
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

func TestAnAlertSaysWhatHappenedInItsTextAndCleansWhatItQuotes(t *testing.T) {
	p := problem(events.KindEndpoint, "cart\x1b[31m", events.Crit, 0, "cart at 186% of its ceiling\x07 (372 of 200 QPS)")
	opened := newAlert(Opened, "Winter drop", p, t0)
	if want := "launchwatch · Winter drop: CRIT endpoint cart: cart at 186% of its ceiling (372 of 200 QPS)"; opened.Text != want {
		t.Errorf("opened text %q, want %q", opened.Text, want)
	}
	escalated := newAlert(Escalated, "Winter drop", p, t0)
	if want := "launchwatch · Winter drop: ESCALATED endpoint cart to CRIT: cart at 186% of its ceiling (372 of 200 QPS)"; escalated.Text != want {
		t.Errorf("escalated text %q, want %q", escalated.Text, want)
	}
	// The problem eased before it resolved: the resolve quotes the worst
	// it reached, never the recovered figure.
	p.Message = "cart at 12% of its ceiling (24 of 200 QPS)"
	p.Worst = "cart at 186% of its ceiling\x07 (372 of 200 QPS)" // as an older launchwatch worded it
	resolved := newAlert(Resolved, "Winter drop", p, t0.Add(4*time.Minute+12*time.Second))
	if want := "launchwatch · Winter drop: RESOLVED endpoint cart after 4m12s (worst, crit: cart at 186% of its ceiling (372 of 200 QPS))"; resolved.Text != want {
		t.Errorf("resolved text %q, want %q", resolved.Text, want)
	}
	if resolved.DurationSeconds != 252 {
		t.Errorf("duration_seconds %v, want 252", resolved.DurationSeconds)
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
