package capacity

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Window holds what an assessment reads of the snapshots before the one it
// assesses: their times, the stock (for the sell rate) and the gauges it
// averages over the PV's rate window (connections, TCP memory), for
// SellLookback back. A watch adds every snapshot after assessing it (see
// Plan.AssessWindow). It keeps a sixth of a snapshot's size per entry, and
// the lowest and highest stock of every block of entries, so that the sell
// rate's look back over a quarter of an hour passes whole blocks that
// cannot end it rather than one snapshot at a time: a day's recording
// assesses 86,400 snapshots. The zero Window is empty and ready to use.
type Window struct {
	entries []entry
	from    int // entries[from:] are in the window
	// seq is how many entries were ever added: entry i's number is
	// seq - len(entries) + i, which survives dropping the oldest.
	seq int
	// blocks[k] bounds the stocks of entries numbered (blockBase+k)*block
	// and on, a block of them.
	blocks    []stockRange
	blockBase int
	// backAt is the number of the newest entry whose time is before its
	// predecessor's (a clock stepped back), plus one; 0: none. While it is
	// in the window the look back walks one entry at a time, as it cannot
	// search by time.
	backAt int
	// strict keeps the look back at one entry at a time (tests).
	strict bool
}

// block is how many entries a stockRange bounds.
const block = 32

// stockRange is the lowest and highest stock of a block's entries that
// have one; lo > hi when none has.
type stockRange struct{ lo, hi float64 }

// entry is one snapshot as a Window keeps it.
type entry struct {
	t                 time.Time
	stock, conns, mem snapshot.Value
}

// NewWindow returns an empty window.
func NewWindow() *Window { return &Window{} }

// Add adds s, the newest snapshot, and forgets what is older than
// SellLookback before it. Snapshots come in time order; one out of order
// is kept, and the sell rate is then found the slow way until it leaves.
func (w *Window) Add(s snapshot.Snapshot) {
	w.push(s)
	newest := w.entries[len(w.entries)-1].t
	for newest.Sub(w.entries[w.from].t) > SellLookback {
		w.from++
	}
	// The slice is reused: it shifts down only once half of it is
	// forgotten, and the blocks before the first entry kept go with it.
	if w.from > len(w.entries)/2 {
		first := w.first()
		w.entries = append(w.entries[:0], w.entries[w.from:]...)
		w.from = 0
		if drop := first/block - w.blockBase; drop > 0 {
			w.blocks = append(w.blocks[:0], w.blocks[drop:]...)
			w.blockBase += drop
		}
	}
}

// first returns the number of the first entry in the window.
func (w *Window) first() int { return w.seq - len(w.entries) + w.from }

// push appends s without forgetting anything.
func (w *Window) push(s snapshot.Snapshot) {
	n := w.seq
	if len(w.entries) > 0 && s.Time.Before(w.entries[len(w.entries)-1].t) {
		w.backAt = n + 1
	}
	w.entries = append(w.entries, entry{t: s.Time, stock: s.Stock, conns: s.Connections, mem: s.Host.TCPMemory})
	w.seq++
	if len(w.blocks) == 0 {
		w.blockBase = n / block
	}
	for n/block-w.blockBase >= len(w.blocks) {
		w.blocks = append(w.blocks, stockRange{lo: math.Inf(1), hi: math.Inf(-1)})
	}
	if v, ok := s.Stock.Get(); ok {
		b := &w.blocks[n/block-w.blockBase]
		b.lo, b.hi = min(b.lo, v), max(b.hi, v)
	}
}

// Len returns how many snapshots the window holds.
func (w *Window) Len() int {
	if w == nil {
		return 0
	}
	return len(w.entries) - w.from
}

// Clone returns a copy that shares nothing with w: a checkpoint of a
// derive keeps one.
func (w *Window) Clone() *Window {
	c := *w
	c.entries = append([]entry(nil), w.entries[w.from:]...)
	c.from = 0
	drop := max(w.first()/block-w.blockBase, 0)
	c.blocks = append([]stockRange(nil), w.blocks[min(drop, len(w.blocks)):]...)
	c.blockBase = w.blockBase + drop
	return &c
}

// windowOf is a window over recent as given, oldest first, nothing
// forgotten: Assess's.
func windowOf(recent []snapshot.Snapshot) *Window {
	w := &Window{entries: make([]entry, 0, len(recent))}
	for _, s := range recent {
		w.push(s)
	}
	return w
}

// view returns the entries in the window, oldest first, and the number of
// the first.
func (w *Window) view() ([]entry, int) {
	if w == nil {
		return nil, 0
	}
	return w.entries[w.from:], w.first()
}

// rateWindow is the span the snapshot's PV is a rate over: what
// $__rate_interval stood for at the source that answers it, and at least
// the time since the previous snapshot (a scrape source's rate is taken
// between two polls).
func (w *Window) rateWindow(s snapshot.Snapshot) time.Duration {
	var d time.Duration
	if es, _ := w.view(); len(es) > 0 {
		d = s.Time.Sub(es[len(es)-1].t)
	}
	for _, src := range s.Sources {
		if slices.Contains(src.Signals, snapshot.SignalPV) {
			d = max(d, time.Duration(src.RateWindow*float64(time.Second)))
		}
	}
	return d
}

// gaugeMean averages a gauge over the span before s: the snapshots within
// it and the last one at or before its start, with s itself, so that it
// stands beside a rate over the same span. Missing samples are left out;
// without any the gauge is missing.
func (w *Window) gaugeMean(now snapshot.Value, t time.Time, span time.Duration, get func(*entry) snapshot.Value) snapshot.Value {
	v0, ok := now.Get()
	if !ok {
		return snapshot.Value{}
	}
	sum, n := v0, 1.0
	from := t.Add(-span)
	es, _ := w.view()
	for i := len(es) - 1; i >= 0 && span > 0; i-- {
		if v, ok := get(&es[i]).Get(); ok {
			sum, n = sum+v, n+1
		}
		if !es[i].t.After(from) {
			break
		}
	}
	return snapshot.Some(sum / n)
}

// sellRate derives units sold per second from the stock's drop since a
// recent snapshot: the newest one at least SellSmoothing back over which
// at least MinSellUnits sold (taken back to where the stock first stood
// at that level, by at most one unit's time), else the oldest one at
// least MinSellWindow back, and never one before the launch. Stock moves
// in whole units, so a slow sale's rate over a fixed minute swings by half
// with each unit; over ten units it moves by a tenth. A rising stock (a
// restock) ends the look back: what came before it is another stock. With
// no usable window the rate is Snapshot.Sold.
func (w *Window) sellRate(s snapshot.Snapshot, launchAt time.Time) (snapshot.Value, time.Duration) {
	now, ok := s.Stock.Get()
	if !ok {
		return s.Sold, 0
	}
	es, first := w.view()
	var from int
	switch {
	case len(es) == 0:
		return s.Sold, 0
	case w.strict || w.backAt > first:
		from = sellFromOneByOne(es, s.Time, now, launchAt)
	default:
		from = w.sellFromByBlocks(es, first, s.Time, now, launchAt)
	}
	if from < 0 {
		return s.Sold, 0
	}
	then, _ := es[from].stock.Get()
	span := s.Time.Sub(es[from].t)
	if rate := snapshot.Some((then - now) / span.Seconds()); rate.OK() {
		return rate, span
	}
	return s.Sold, 0
}

// sellFromOneByOne finds where the sell rate's window starts (an index of
// es; -1: nowhere) by walking back one entry at a time: the rule as
// sellRate words it.
func sellFromOneByOne(es []entry, t time.Time, now float64, launchAt time.Time) int {
	from := -1
	for i := len(es) - 1; i >= 0; i-- {
		// Nothing sells before the launch: a stock that stood still while
		// the countdown ran is no part of the sale's rate.
		if !launchAt.IsZero() && t.After(launchAt) && es[i].t.Before(launchAt) {
			break
		}
		then, ok := es[i].stock.Get()
		if !ok {
			continue
		}
		if then < now {
			break
		}
		span := t.Sub(es[i].t)
		if span < MinSellWindow {
			continue
		}
		from = i
		if span >= SellSmoothing && then-now >= MinSellUnits {
			return extendToFirstUnit(es, from, span, then-now)
		}
	}
	return from
}

// extendToFirstUnit starts the window at i where the stock first stood at
// its level, so the window holds whole units rather than starting just
// before one sold; but no further back than one unit's average time, or a
// stock that stood still before the launch would stretch the window over
// the wait.
func extendToFirstUnit(es []entry, i int, span time.Duration, sold float64) int {
	unit := time.Duration(float64(span) / sold)
	first, from := es[i].t, i
	for from > 0 && es[from-1].stock == es[i].stock && first.Sub(es[from-1].t) <= unit {
		from--
	}
	return from
}

// sellFromByBlocks is sellFromOneByOne over entries in time order (es,
// the first numbered first), found in a few searches. Walking back, the
// walk ends at the launch or at the newest stock below now, whichever
// comes first (end); before that, at the newest entry at least
// SellSmoothing back whose stock is MinSellUnits above now, if one is
// there; else the window starts at the oldest entry with a stock at least
// MinSellWindow back before the end. Times are searched by bisection,
// stocks block by block (see stockRange).
func (w *Window) sellFromByBlocks(es []entry, first int, t time.Time, now float64, launchAt time.Time) int {
	n := len(es)
	// The newest entries at least MinSellWindow and SellSmoothing back,
	// and the newest before the launch when that ends the look back.
	iMin := sort.Search(n, func(i int) bool { return t.Sub(es[i].t) < MinSellWindow }) - 1
	iSmooth := sort.Search(n, func(i int) bool { return t.Sub(es[i].t) < SellSmoothing }) - 1
	end := -1
	if !launchAt.IsZero() && t.After(launchAt) {
		end = sort.Search(n, func(i int) bool { return !es[i].t.Before(launchAt) }) - 1
	}
	end = max(end, w.newest(es, first, end+1, n-1, func(r stockRange) bool { return r.lo < now },
		func(v float64) bool { return v < now }))
	if iSmooth > end {
		// Subtraction rounds monotonically: a block whose highest stock is
		// not MinSellUnits above now holds none that is.
		k := w.newest(es, first, end+1, iSmooth, func(r stockRange) bool { return r.hi-now >= MinSellUnits },
			func(v float64) bool { return v-now >= MinSellUnits })
		if k >= 0 {
			return extendToFirstUnit(es, k, t.Sub(es[k].t), es[k].stock.Or(0)-now)
		}
	}
	for i := end + 1; i <= iMin; i++ {
		if es[i].stock.OK() {
			return i
		}
	}
	return -1
}

// newest returns the newest index of es in [lo, hi] whose stock is there
// and takes, or -1. A block that cannot hold one (maybe false) is passed
// over whole.
func (w *Window) newest(es []entry, first, lo, hi int, maybe func(stockRange) bool, takes func(float64) bool) int {
	for i := hi; i >= lo; {
		n := first + i
		if !maybe(w.blocks[n/block-w.blockBase]) {
			i -= n%block + 1
			continue
		}
		if v, ok := es[i].stock.Get(); ok && takes(v) {
			return i
		}
		i--
	}
	return -1
}
