package capacity

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// sellRateAsWritten is the sell rate's rule walked one snapshot at a time
// over the snapshots themselves, as it was first written: what the
// Window's walk by runs must give in every case.
func sellRateAsWritten(s snapshot.Snapshot, recent []snapshot.Snapshot, launchAt time.Time) (snapshot.Value, time.Duration) {
	now, ok := s.Stock.Get()
	if !ok {
		return s.Sold, 0
	}
	from := -1
	for i := len(recent) - 1; i >= 0; i-- {
		if !launchAt.IsZero() && s.Time.After(launchAt) && recent[i].Time.Before(launchAt) {
			break
		}
		then, ok := recent[i].Stock.Get()
		if !ok {
			continue
		}
		if then < now {
			break
		}
		span := s.Time.Sub(recent[i].Time)
		if span < MinSellWindow {
			continue
		}
		from = i
		if span >= SellSmoothing && then-now >= MinSellUnits {
			unit := time.Duration(float64(span) / (then - now))
			first := recent[i].Time
			for from > 0 && recent[from-1].Stock == recent[i].Stock && first.Sub(recent[from-1].Time) <= unit {
				from--
			}
			break
		}
	}
	if from < 0 {
		return s.Sold, 0
	}
	then, _ := recent[from].Stock.Get()
	span := s.Time.Sub(recent[from].Time)
	if rate := snapshot.Some((then - now) / span.Seconds()); rate.OK() {
		return rate, span
	}
	return s.Sold, 0
}

// stockWalk makes a stock the way launches move it, at random: standing
// still for long stretches, selling a unit now and then or many a second,
// missing readings, restocks, a clock that steps back now and then when
// back is set, snapshots one to three seconds apart.
func stockWalk(r *rand.Rand, n int, start time.Time, back bool) []snapshot.Snapshot {
	out := make([]snapshot.Snapshot, n)
	t, stock := start, float64(r.IntN(50))
	mode := 0
	for i := range out {
		if r.IntN(200) == 0 {
			mode = r.IntN(5)
		}
		switch mode {
		case 4: // a stock that moves by fractions (a rate integrated)
			stock = max(stock-r.Float64()/30, 0)
		case 1: // a slow sale
			if r.IntN(20) == 0 && stock > 0 {
				stock--
			}
		case 2: // a fast one
			stock = max(stock-float64(r.IntN(4)), 0)
		case 3: // noisy around a level
			stock += float64(r.IntN(3) - 1)
		}
		if r.IntN(500) == 0 {
			stock += float64(r.IntN(30)) // a restock
		}
		s := snapshot.Snapshot{Time: t, Stock: snapshot.Some(stock), Sold: snapshot.Some(0.5)}
		if r.IntN(40) == 0 {
			s.Stock = snapshot.Value{}
		}
		out[i] = s
		step := time.Duration(1+r.IntN(3)) * time.Second
		if back && r.IntN(300) == 0 {
			step = -5 * time.Second
		}
		t = t.Add(step)
	}
	return out
}

func TestTheWindowsSellRateIsTheRuleAsWritten(t *testing.T) {
	for seed := range uint64(24) {
		r := rand.New(rand.NewPCG(seed, 7))
		start := launch.Add(-time.Duration(r.IntN(3600)) * time.Second)
		snaps := stockWalk(r, 4000, start, seed%3 == 0)
		launchAt := launch
		if seed%4 == 1 {
			launchAt = time.Time{}
		}
		w := NewWindow()
		from := 0
		compared := 0
		for _, s := range snaps {
			// The window as a watch keeps it against the snapshots
			// themselves, trimmed by the same rule.
			gotRate, gotSpan := w.sellRate(s, launchAt)
			wantRate, wantSpan := sellRateAsWritten(s, snaps[from:from+w.Len()], launchAt)
			if gotRate != wantRate || gotSpan != wantSpan {
				t.Fatalf("seed %d at %v: rate %v over %v, want %v over %v", seed, s.Time, gotRate, gotSpan, wantRate, wantSpan)
			}
			compared++
			before := w.Len()
			w.Add(s)
			from += before + 1 - w.Len()
		}
		if compared != len(snaps) {
			t.Fatalf("compared %d of %d", compared, len(snaps))
		}
	}
}

func TestAssessOverAWindowIsAssessOverItsSnapshots(t *testing.T) {
	p := salePlan()
	r := rand.New(rand.NewPCG(3, 3))
	snaps := stockWalk(r, 3000, launch.Add(-20*time.Minute), false)
	for i := range snaps {
		snaps[i].PV = snapshot.Some(float64(r.IntN(300)))
		snaps[i].Connections = snapshot.Some(float64(r.IntN(3000)))
		snaps[i].Host.TCPMemory = snapshot.Some(float64(r.IntN(3e6)))
		snaps[i].Sources = map[string]snapshot.Source{"prom": {OK: true, Signals: []string{snapshot.SignalPV}, RateWindow: float64(r.IntN(40))}}
	}
	p.HostIsOrigin = true
	w := NewWindow()
	from := 0
	for _, s := range snaps {
		got, want := p.AssessWindow(s, w), p.Assess(s, snaps[from:from+w.Len()])
		if got.SellOut != want.SellOut || got.Connections != want.Connections || got.Memory != want.Memory {
			t.Fatalf("at %v: %+v\nwant %+v", s.Time, got, want)
		}
		before := w.Len()
		w.Add(s)
		from += before + 1 - w.Len()
	}
}

func TestAClonedWindowGoesOnAsTheOriginal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	snaps := stockWalk(r, 2500, launch, false)
	w := NewWindow()
	for _, s := range snaps[:1500] {
		w.Add(s)
	}
	c := w.Clone()
	for _, s := range snaps[1500:] {
		a, ad := w.sellRate(s, launch)
		b, bd := c.sellRate(s, launch)
		if a != b || ad != bd || w.Len() != c.Len() {
			t.Fatalf("at %v: the clone says %v over %v, the original %v over %v", s.Time, b, bd, a, ad)
		}
		w.Add(s)
		c.Add(s)
	}
}

// BenchmarkSellRate is the sell rate over a full look back at 1 s of a
// stock that stood still (before the launch, after a sell-out) and of one
// that fell by a fraction every second (fewer than MinSellUnits over the
// look back): searched by blocks, and walked one snapshot at a time.
func BenchmarkSellRate(b *testing.B) {
	at := launch.Add(2 * time.Hour)
	for _, tt := range []struct {
		name  string
		stock func(sec int) float64
	}{{"standstill", func(int) float64 { return 0 }}, {"fractions", func(sec int) float64 { return 100 - float64(sec)/120 }}} {
		w := NewWindow()
		for i := range 900 {
			w.Add(snapshot.Snapshot{Time: at.Add(time.Duration(i-900) * time.Second), Stock: snapshot.Some(tt.stock(i))})
		}
		s := snapshot.Snapshot{Time: at, Stock: snapshot.Some(tt.stock(900))}
		for _, strict := range []bool{false, true} {
			name := tt.name + "/by-blocks"
			if strict {
				name = tt.name + "/one-by-one"
			}
			b.Run(name, func(b *testing.B) {
				w.strict = strict
				b.ReportAllocs()
				for b.Loop() {
					w.sellRate(s, launch)
				}
			})
		}
	}
}
