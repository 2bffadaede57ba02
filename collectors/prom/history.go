package prom

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

// HistoryMaxPoints is the most points per series one range query asks for.
// Prometheus refuses a query_range of more than 11,000 points per series;
// VictoriaMetrics allows 30,000. The lower serves every server, so there is
// nothing to detect.
const HistoryMaxPoints = 11_000

// Defaults of a History.
const (
	// DefaultHistoryParallel is how many chunks are fetched at once, each
	// running one range query per signal concurrently: two keep a server
	// busy without crowding out its other users (Prometheus runs 20
	// queries at once by default).
	DefaultHistoryParallel = 2
	// DefaultHistoryTimeout bounds one range query: far longer than a
	// poll's, since a chunk of 11,000 points is real work for a server.
	DefaultHistoryTimeout = 30 * time.Second
)

// History reads the past from the Prometheus source's server with range
// queries and assembles the snapshots the live poll would have taken at
// each step: the same queries with the same variables, the same reduction
// of a vector to one number, and the same source health, so the screen, the
// events and the report read them exactly as they read a live recording.
//
// Each snapshot holds only what Prometheus holds: signals of other sources
// (the local host read directly, scraped targets) are missing, and the
// snapshot's Sources lists the Prometheus source alone.
type History struct {
	p         *Source
	rq        rangeQuerier
	step      time.Duration
	maxPoints int
	parallel  int
	timeout   time.Duration
	now       func() time.Time
}

// HistoryOption configures a History.
type HistoryOption func(*History)

// HistoryStep sets the time between snapshots (default: the source's poll
// interval, so a backfill has the density of a live recording).
func HistoryStep(d time.Duration) HistoryOption {
	return func(h *History) {
		if d > 0 {
			h.step = d
		}
	}
}

// HistoryMaxPointsPerQuery lowers the points per series of one range query
// (default and ceiling HistoryMaxPoints).
func HistoryMaxPointsPerQuery(n int) HistoryOption {
	return func(h *History) {
		if n > 0 {
			h.maxPoints = min(n, HistoryMaxPoints)
		}
	}
}

// HistoryParallel sets how many chunks are fetched at once (default
// DefaultHistoryParallel).
func HistoryParallel(n int) HistoryOption {
	return func(h *History) {
		if n > 0 {
			h.parallel = n
		}
	}
}

// HistoryTimeout bounds one range query (default DefaultHistoryTimeout).
func HistoryTimeout(d time.Duration) HistoryOption {
	return func(h *History) {
		if d > 0 {
			h.timeout = d
		}
	}
}

// HistoryClock sets the wall clock that bounds a range's end: nothing later
// than now minus the latency offset is asked for (default time.Now).
func HistoryClock(now func() time.Time) HistoryOption {
	return func(h *History) {
		if now != nil {
			h.now = now
		}
	}
}

// NewHistory returns a History over a Prometheus source.
func NewHistory(p *Source, opts ...HistoryOption) (*History, error) {
	if p == nil {
		return nil, errors.New("history: no Prometheus source")
	}
	rq, ok := p.api.(rangeQuerier)
	if !ok {
		return nil, errors.New("history: the Prometheus source's client cannot run range queries")
	}
	h := &History{
		p: p, rq: rq, step: p.interval, maxPoints: HistoryMaxPoints,
		parallel: DefaultHistoryParallel, timeout: DefaultHistoryTimeout, now: time.Now,
	}
	for _, o := range opts {
		o(h)
	}
	return h, nil
}

// Step returns the time between snapshots.
func (h *History) Step() time.Duration { return h.step }

// Chunk is one range query's span: the snapshots of steps From to To,
// both included, Points of them.
type Chunk struct {
	// Index counts from 1 to Of.
	Index, Of int
	// From and To are the first and last snapshot's times.
	From, To time.Time
	// Points is the number of steps, at most the points limit.
	Points int
}

// PlanChunks splits the steps from from to to into chunks of at most
// maxPoints steps. Steps are aligned to the step on the Unix clock
// (from rounded up, to rounded down), as servers caching range queries
// (Thanos, Mimir) want them; no step between them gives no chunk.
func PlanChunks(from, to time.Time, step time.Duration, maxPoints int) []Chunk {
	if step <= 0 || maxPoints <= 0 {
		return nil
	}
	first, last := alignUp(from, step), alignDown(to, step)
	if last.Before(first) {
		return nil
	}
	total := int(last.Sub(first)/step) + 1
	n := (total + maxPoints - 1) / maxPoints
	chunks := make([]Chunk, 0, n)
	for i := range n {
		points := min(maxPoints, total-i*maxPoints)
		start := first.Add(time.Duration(i*maxPoints) * step)
		chunks = append(chunks, Chunk{Index: i + 1, Of: n, From: start, To: start.Add(time.Duration(points-1) * step), Points: points})
	}
	return chunks
}

func alignDown(t time.Time, step time.Duration) time.Time {
	ns := t.UnixNano()
	r := ns % int64(step)
	if r < 0 {
		r += int64(step)
	}
	return time.Unix(0, ns-r).In(t.Location())
}

func alignUp(t time.Time, step time.Duration) time.Time {
	d := alignDown(t, step)
	if d.Before(t) {
		d = d.Add(step)
	}
	return d
}

// Plan returns the chunks Fetch runs for [from, to]: the end is held at
// now minus the latency offset (the live poll never sees later data
// either), and the steps are those of snapshots, which are taken at the
// evaluation time plus the offset as the live poll takes them.
func (h *History) Plan(from, to time.Time) []Chunk {
	if limit := h.now(); to.After(limit) {
		to = limit
	}
	return PlanChunks(from, to, h.step, h.maxPoints)
}

// ErrNoSteps says a range holds no step.
var ErrNoSteps = errors.New("no step between from and to")

// Fetch reads [from, to] chunk by chunk, at most the parallel number at
// once, and hands each chunk's snapshots to yield in time order, one chunk
// after the other. What was yielded stays valid whatever happens next: a
// failed query, a cancelled ctx or an error from yield stop the fetch, and
// the error names the chunk and what failed.
//
// The variables are filled as for a live poll, except that $__interval
// stands for the larger of the poll interval and the step (Grafana's
// meaning in a range query), so a coarse step's rates cover the time
// between steps rather than sampling it.
func (h *History) Fetch(ctx context.Context, from, to time.Time, yield func(Chunk, []snapshot.Snapshot) error) error {
	chunks := h.Plan(from, to)
	if len(chunks) == 0 {
		return fmt.Errorf("%w (%s to %s at a %s step)", ErrNoSteps, from.Format(time.RFC3339), to.Format(time.RFC3339), h.step)
	}
	// Deferred in this order, the fetches still out are cancelled first and
	// then awaited.
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	vars := promql.Vars{Interval: max(h.p.interval, h.step)}
	var scrapeInfo string
	if h.p.usesRate {
		vars.Scrape, scrapeInfo = h.p.scrapeInterval(ctx, chunks[len(chunks)-1].To.Add(-h.p.offset))
	}
	expanded := h.p.expandAll(vars)
	// The signals' queries by address, and the fleet's by "pv by instance":
	// a backfilled recording keeps the fleet as a live one does.
	queries := make(map[string]string, len(h.p.names)+len(h.p.fleetNames))
	for _, addr := range h.p.names {
		e := expanded[addr]
		if e.err != nil { // checked in New
			return fmt.Errorf("query %s: %w", addr, e.err)
		}
		queries[addr] = e.query
	}
	for _, addr := range h.p.fleetNames {
		e := expanded[addr]
		if e.fleetErr != nil { // checked in New
			return fmt.Errorf("query %s: %w", h.p.fleetKey(addr), e.fleetErr)
		}
		queries[h.p.fleetKey(addr)] = e.byFleet
	}

	// The fetches run ahead of the chunk being yielded by at most parallel
	// chunks, so a slow early chunk never lets later ones pile up.
	results := make([]chan historyChunk, len(chunks))
	next := 0
	acc := new(source.Tracker)
	roster := new(source.Roster)
	for i, c := range chunks {
		if err := ctx.Err(); err != nil { // nothing more once cancelled, even if fetched
			return fmt.Errorf("chunk %d of %d (%s to %s): %w", c.Index, c.Of, stamp(c.From), stamp(c.To), err)
		}
		for ; next < len(chunks) && next < i+h.parallel; next++ {
			ch := make(chan historyChunk, 1)
			results[next] = ch
			c := chunks[next]
			wg.Go(func() { ch <- h.fetchChunk(ctx, c, queries) })
		}
		var r historyChunk
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return fmt.Errorf("chunk %d of %d (%s to %s): %w", c.Index, c.Of, stamp(c.From), stamp(c.To), context.Cause(ctx))
		}
		if r.err != nil {
			return fmt.Errorf("chunk %d of %d (%s to %s): %w", c.Index, c.Of, stamp(c.From), stamp(c.To), r.err)
		}
		snaps := h.assemble(acc, roster, c, r, vars, scrapeInfo)
		if err := yield(c, snaps); err != nil {
			return err
		}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// historyChunk is one chunk's answers: a matrix per query (a signal's, or
// a fleet signal's by the fleet label), and the
// newest sample's time at each step when the server said.
type historyChunk struct {
	series   map[string]model.Matrix
	newest   model.Matrix
	warnings []string
	infos    []string
	err      error
	// ageWarning says the newest-sample query failed: for the steps that
	// answered, as a live poll says it.
	ageWarning string
}

// fetchChunk runs one range query per query (the signals', the fleet's),
// concurrently, plus one for the newest sample's time; the first query
// that fails fails the chunk.
func (h *History) fetchChunk(ctx context.Context, c Chunk, queries map[string]string) historyChunk {
	r := promv1.Range{Start: c.From.Add(-h.p.offset), End: c.To.Add(-h.p.offset), Step: h.step}
	out := historyChunk{series: make(map[string]model.Matrix, len(queries))}
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for addr, q := range queries {
		wg.Go(func() {
			m, ans, err := h.rangeQuery(ctx, q, r)
			mu.Lock()
			defer mu.Unlock()
			for _, w := range ans.warnings {
				out.warnings = append(out.warnings, addr+": "+snapshot.CleanText(w, source.MaxDetail))
			}
			for _, i := range ans.infos {
				out.infos = append(out.infos, addr+": "+snapshot.CleanText(i, source.MaxDetail))
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("query %s: %w", addr, err))
				return
			}
			out.series[addr] = m
		})
	}
	if len(h.p.metrics) > 0 {
		wg.Go(func() {
			// Without the sample time each snapshot's data reads as old as
			// its evaluation time, as in a live poll: a warning says so, and
			// the chunk is kept.
			m, _, err := h.rangeQuery(ctx, h.p.newestQuery, r)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				out.ageWarning = ageUnknown(err.Error())
				return
			}
			out.newest = m
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		out.err = errs[0] // one failure says what failed; the rest are alike
	}
	slices.Sort(out.warnings)
	slices.Sort(out.infos)
	return out
}

// rangeQuery runs one range query under the history's timeout and words a
// failure as a live poll's would be worded.
func (h *History) rangeQuery(ctx context.Context, q string, r promv1.Range) (model.Matrix, answer, error) {
	qctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	ans, err := h.rq.queryRange(qctx, q, r)
	if err != nil {
		if ctx.Err() == nil && (qctx.Err() != nil || errors.Is(err, context.DeadlineExceeded)) {
			return nil, ans, fmt.Errorf("timed out after %s", h.timeout)
		}
		return nil, ans, errors.New(h.p.describe(ctx, qctx, ans, err))
	}
	switch v := ans.value.(type) {
	case model.Matrix:
		return v, ans, nil
	case nil:
		return nil, ans, errors.New("no result")
	default:
		return nil, ans, fmt.Errorf("%s result where a range query gives a matrix", v.Type())
	}
}

// assemble turns a chunk's answers into one snapshot a step, laid out by
// a source.Tracker as the poller lays live answers, so health, carried
// values and errors take the shape a live poll gives them.
func (h *History) assemble(acc *source.Tracker, roster *source.Roster, c Chunk, r historyChunk, vars promql.Vars, scrapeInfo string) []snapshot.Snapshot {
	cursors := make(map[string][]int, len(r.series))
	for addr, m := range r.series {
		cursors[addr] = make([]int, len(m))
	}
	newestCur := make([]int, len(r.newest))
	out := make([]snapshot.Snapshot, 0, c.Points)
	for i := range c.Points {
		at := c.From.Add(time.Duration(i) * h.step)
		eval := at.Add(-h.p.offset)
		ts := model.TimeFromUnixNano(eval.UnixNano())
		res := source.Result{Values: make(map[string]snapshot.Value, len(h.p.names))}
		res.Warnings = append(res.Warnings, r.warnings...)
		res.Infos = append(res.Infos, r.infos...)
		if scrapeInfo != "" {
			res.Infos = append(res.Infos, scrapeInfo)
		}
		if h.p.usesRate {
			res.ScrapeInterval, res.RateWindow = vars.Scrape, vars.RateInterval()
		}
		var errs []error
		for _, addr := range h.p.names {
			vec := samplesAt(r.series[addr], cursors[addr], ts)
			if addr == snapshot.SignalErrorCodes {
				h.p.layCodes(&res, vec)
				continue
			}
			v, warning, err := reduce(addr, h.p.signals[addr].Multi, vec)
			if warning != "" {
				res.Warnings = append(res.Warnings, warning)
			}
			if errors.Is(err, errNaN) && snapshot.Percentile(addr) {
				continue // a percentile of no requests: no value, no failure (as live)
			}
			if err != nil {
				errs = append(errs, err)
				res.AddError(addr, errors.New(strings.TrimPrefix(err.Error(), addr+": ")))
				continue
			}
			res.Values[addr] = snapshot.Some(v)
		}
		if h.p.fleet != "" {
			b := newFleetBuilder(0)
			for _, addr := range h.p.fleetNames {
				key := h.p.fleetKey(addr)
				by, several, _ := groupBy(samplesAt(r.series[key], cursors[key], ts), h.p.fleet, maxServerName)
				keepSingles(addr, by, several)
				b.lay(addr, by)
			}
			res.Fleet = b.fleet()
		}
		res.NewestSample = eval
		if r.ageWarning != "" && len(res.Values) > 0 {
			res.Warnings = append(res.Warnings, r.ageWarning)
		}
		if nv := samplesAt(r.newest, newestCur, ts); len(nv) == 1 {
			if t, ok := sampleTime(float64(nv[0].Value)); ok {
				res.NewestSample = t
			}
		}
		snap := snapshot.Snapshot{Time: at, Sources: make(map[string]snapshot.Source, 1)}
		snap.Sources[h.p.Name()] = acc.Merge(&snap, h.p.Signals(), source.Outcome{Result: res, Err: errors.Join(errs...)}, at)
		snap.Fleet = roster.Mark(snap.Fleet, at) // a server that stops answering is gone, as live
		out = append(out, snap)
	}
	return out
}

// samplesAt returns the samples of a matrix's series at ts, as the
// instant query at ts would give them, moving each series' cursor on.
// Range queries answer at the step times exactly, in time order.
func samplesAt(m model.Matrix, cur []int, ts model.Time) model.Vector {
	var vec model.Vector
	for j, s := range m {
		k := cur[j]
		for k < len(s.Values) && s.Values[k].Timestamp < ts {
			k++
		}
		cur[j] = k
		if k < len(s.Values) && s.Values[k].Timestamp == ts {
			if vec == nil {
				vec = make(model.Vector, 0, len(m))
			}
			vec = append(vec, &model.Sample{Metric: s.Metric, Value: s.Values[k].Value, Timestamp: ts})
		}
	}
	if vec == nil {
		vec = model.Vector{}
	}
	return vec
}

// rangeQuerier is the range-query side of the seam over client_golang.
type rangeQuerier interface {
	queryRange(ctx context.Context, q string, r promv1.Range) (answer, error)
}

func (a clientAPI) queryRange(ctx context.Context, q string, r promv1.Range) (answer, error) {
	ex := &exchange{}
	ctx = context.WithValue(ctx, exchangeKey{}, ex)
	v, warnings, infos, err := a.api.QueryRange(ctx, q, r)
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return answer{value: v, warnings: warnings, infos: infos, status: ex.status, contentType: ex.contentType}, err
}
