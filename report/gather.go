package report

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// sample is one snapshot's figures as the charts and the later passes read
// them; NaN is missing.
type sample struct {
	t                 time.Time
	phase             capacity.Phase
	pv, req           float64
	conn, connPlan    float64
	bw, bwPlan        float64
	mem, memPlan      float64
	errRate, purchase float64
	pageWeight        float64
	p50, p95, p99     float64
	loads             []float64 // each planned endpoint's load, in plan order
}

// accumulators walk the frames once, keeping what the report needs.
type accumulators struct {
	th    capacity.Thresholds
	names []string // a frame's source names, one buffer for every frame
	// loadBlock is what is left of the block the samples' loads are cut
	// from (loads).
	loadBlock []float64
	samples   []sample
	peaks     []peakAcc
	phase     *Span
	phases    []Span
	open      map[crossingID]*crossingAcc
	// openKinds counts the open crossings by their subjects' kind: a row
	// under both lines whose kind has none open has nothing to close, and
	// is passed over without looking up its two lines.
	openKinds map[string]int
	done      []Crossing
	misses    []Miss
	epIndex   map[string]int
	eps       []EndpointPeak
	down      map[string]*SourceDown
	downDone  []SourceDown
	soldOut   time.Time
	stock     snapshot.Value
	// purchase names the signal the purchase path is judged by: an
	// endpoints.NAME, or "sold".
	purchase string
	fleet    fleetAcc
	signals  signalAcc
	button   buttonAcc
}

type peakAcc struct {
	signal, label string
	hidden        bool            // a latency percentile the peaks table leaves to the latency section
	sig           snapshot.Signal // read where the frame is: a copy of it for each peak was 0.5 KB
	format        func(float64) string
	peak          Peak
}

// crossingID names an open crossing by its subject and line: looked up for
// every subject every frame, it is a key no string is joined for.
type crossingID struct {
	kind, name string
	line       capacity.Level
}

type crossingAcc struct {
	c         Crossing
	worst     float64
	worstText string    // the worst figure in words, with its basis
	under     time.Time // since when the figure has read under the line; zero while at or over it
}

func (a *accumulators) init(r *Report, th capacity.Thresholds) {
	a.th = th
	a.open = make(map[crossingID]*crossingAcc)
	a.openKinds = make(map[string]int)
	a.down = make(map[string]*SourceDown)
	a.epIndex = make(map[string]int)
	// The peaks are the signal table's rows with a peak, in its order.
	for sig := range snapshot.All() {
		hidden := sig.Name == snapshot.SignalLatencyP50 || sig.Name == snapshot.SignalLatencyP99
		if sig.Peak == "" && !hidden {
			continue
		}
		a.peaks = append(a.peaks, peakAcc{signal: sig.Name, label: sig.Peak, sig: sig, hidden: hidden,
			format: func(v float64) string {
				if sig.Suffix == "" {
					return capacity.Format(sig.Unit, v)
				}
				return capacity.Format(sig.Unit, v) + " " + sig.Suffix
			}})
	}
	for _, nc := range (capacity.Assessment{}).Checks() {
		a.misses = append(a.misses, Miss{Name: nc.Name, format: nc.Format, PeakMeasured: math.Inf(-1)})
	}
	for i, ep := range r.Plan.Endpoints {
		a.epIndex[ep.Name] = i
		a.eps = append(a.eps, EndpointPeak{Name: ep.Name, MaxQPS: ep.MaxQPS})
	}
	a.purchase = snapshot.SignalSold
	for _, ep := range r.Plan.Endpoints {
		if isPurchase(ep.Name) {
			a.purchase = snapshot.EndpointSignal(ep.Name)
			break
		}
	}
}

// isPurchase tells an endpoint of the purchase path by its name.
func isPurchase(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"buy", "purchase", "checkout", "order"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func nan(v snapshot.Value) float64 { return v.Or(math.NaN()) }

// add takes a frame. It and what it calls read the frame where it is, by
// pointer: a snapshot and its assessment are 1.7 KB, copied for each
// reader 86,400 times a day.
func (a *accumulators) add(f *pipeline.Frame, judged []capacity.Judgement) {
	s, as := &f.Snapshot, &f.Assessment
	a.samples = append(a.samples, sample{
		t: s.Time, phase: as.Phase, pv: nan(s.PV), req: nan(s.Requests),
		conn: nan(s.Connections), connPlan: nan(as.Connections.Predicted),
		bw: nan(s.Bandwidth), bwPlan: nan(as.Bandwidth.Predicted),
		mem: nan(s.Host.TCPMemory), memPlan: nan(as.Memory.Predicted),
		errRate: nan(s.ErrorRate), purchase: nan(s.Get(a.purchase)),
		pageWeight: nan(as.PageWeight.Measured), loads: a.loads(as),
		p50: nan(s.LatencyP50), p95: nan(s.LatencyP95), p99: nan(s.LatencyP99),
	})
	a.fleet.add(s)
	a.fleet.judge(judged)
	for i := range a.peaks {
		p := &a.peaks[i]
		if v, ok := p.sig.Read(s).Get(); ok && (!p.peak.Known || v > p.peak.Value) {
			p.peak.Value, p.peak.Known, p.peak.At = v, true, dataTime(s, p.signal)
		}
	}
	// The stock running out is a figure's moment: the data's time (see
	// dataTime), which a lagging source gives earlier than its poll.
	at := s.Time
	if as.Phase == capacity.PhaseSoldOut && (a.phase == nil || a.phase.Name != as.Phase.String()) {
		if at = dataTime(s, snapshot.SignalStock); at.Before(a.phaseFrom()) {
			at = a.phaseFrom()
		}
	}
	a.phaseAt(as.Phase, at)
	if as.Phase == capacity.PhaseSoldOut && a.soldOut.IsZero() {
		a.soldOut = at
	}
	if s.Stock.OK() {
		a.stock = s.Stock
	}
	a.crossings(s.Time, judged)
	a.checks(as)
	for _, e := range as.Endpoints {
		i, ok := a.epIndex[e.Name]
		l, known := e.Load.Get()
		if !ok || !known {
			continue
		}
		if p := &a.eps[i]; !p.Known || l > p.Load {
			p.Known, p.Load, p.QPS, p.At = true, l, e.QPS.Or(0), dataTime(s, snapshot.EndpointSignal(e.Name))
		}
	}
	a.sources(s)
	a.signals.add(s)
	a.button.add(s, judged)
}

// loads returns a sample's endpoint loads, cut from a block many samples
// share: a day holds 86,400, each a few figures long.
func (a *accumulators) loads(as *capacity.Assessment) []float64 {
	n := len(a.eps)
	if n == 0 {
		return nil
	}
	if len(a.loadBlock) < n {
		a.loadBlock = make([]float64, 4096*n)
	}
	out := a.loadBlock[:n:n]
	a.loadBlock = a.loadBlock[n:]
	for i := range out {
		out[i] = math.NaN()
	}
	for _, e := range as.Endpoints {
		if i, ok := a.epIndex[e.Name]; ok {
			out[i] = nan(e.Load)
		}
	}
	return out
}

// phaseFrom is when the phase now running began; zero before the first.
func (a *accumulators) phaseFrom() time.Time {
	if a.phase == nil {
		return time.Time{}
	}
	return a.phase.From
}

func (a *accumulators) phaseAt(ph capacity.Phase, t time.Time) {
	if a.phase != nil && a.phase.Name == ph.String() {
		a.phase.To = t
		return
	}
	if a.phase != nil {
		a.phase.To = t
		a.phases = append(a.phases, *a.phase)
	}
	a.phase = &Span{Name: ph.String(), From: t, To: t}
}

// crossings opens and closes the spans at or over each line. A span ends
// where its figure fell under the line once it has stayed under for
// Thresholds.CloseAfter, as a problem falls: a figure dancing on a line
// (a server at exactly twice its share) is one crossing, not hundreds of
// one-second ones. A figure that cannot be judged (no data) leaves its
// spans as they are, as the events do: a gap is not a recovery.
//
// The subjects are the thresholds' table (capacity.Judgement), each with
// its figure in words; a finding without a figure (the button, the
// resources) is an event, not a line crossed.
func (a *accumulators) crossings(t time.Time, judged []capacity.Judgement) {
	for _, j := range judged {
		if j.Format == nil || j.Level == capacity.LevelUnknown {
			continue
		}
		l := j.Level
		if l < capacity.LevelWarn && a.openKinds[j.Kind] == 0 {
			continue // under both lines with nothing of its kind open to close: most rows, most frames
		}
		v, vok := j.Figure.Get()
		lowerWorse := j.LowerWorse
		for _, line := range []capacity.Level{capacity.LevelWarn, capacity.LevelCrit} {
			id := crossingID{j.Kind, j.Name, line}
			c := a.open[id]
			switch {
			case l >= line && c == nil:
				c = &crossingAcc{c: Crossing{Span: Span{From: t, To: t}, Subject: j.Key(), Title: j.Title, Line: line,
					LineName: j.Line(a.th, line), lowerWorse: lowerWorse}, worst: math.NaN()}
				a.open[id] = c
				a.openKinds[id.kind]++
				fallthrough
			case l >= line:
				if vok && (math.IsNaN(c.worst) || (lowerWorse && v < c.worst) || (!lowerWorse && v > c.worst)) {
					c.worst, c.worstText = v, j.FigureText()
				}
				if j.Basis() == capacity.BasisPredicted {
					c.c.Predicted = true
				} else {
					c.c.Measured = true
				}
				c.c.To, c.under = t, time.Time{}
			case c != nil && c.under.IsZero():
				c.under = t
				fallthrough
			case c != nil:
				if t.Sub(c.under) >= a.th.CloseAfter {
					c.c.To = c.under
					a.closeCrossing(id)
				}
			}
		}
	}
}

func (a *accumulators) closeCrossing(id crossingID) {
	c := a.open[id]
	c.c.Worst, c.c.worst = c.worstText, c.worst
	a.done = append(a.done, c.c)
	delete(a.open, id)
	if a.openKinds[id.kind]--; a.openKinds[id.kind] == 0 {
		delete(a.openKinds, id.kind)
	}
}

func (a *accumulators) checks(as *capacity.Assessment) {
	for i, nc := range as.Checks() {
		m := &a.misses[i]
		m.AtPeak, m.Limit = nc.Check.AtPeak, nc.Check.Limit
		meas, mok := nc.Check.Measured.Get()
		if mok && meas > m.PeakMeasured {
			m.PeakMeasured = meas
		}
		pred, pok := nc.Check.Predicted.Get()
		if !mok || !pok {
			continue
		}
		if !m.Known || math.Abs(meas-pred) > math.Abs(m.Measured-m.Predicted) {
			m.Known, m.At, m.Measured, m.Predicted, m.Ratio = true, as.Time, meas, pred, nc.Check.Ratio
		}
	}
}

func (a *accumulators) sources(s *snapshot.Snapshot) {
	a.names = s.AppendSourceNames(a.names[:0])
	for _, name := range a.names {
		src := s.Sources[name]
		d := a.down[name]
		switch down := src.Down(s.Time, a.th.StaleAfter); {
		case down && d == nil:
			why := src.Error
			if why == "" {
				why = "no answer"
			}
			a.down[name] = &SourceDown{Span: Span{Name: name, From: s.Time, To: s.Time}, Why: why}
		case down:
			d.To = s.Time
		case d != nil:
			d.To = s.Time
			a.downDone = append(a.downDone, *d)
			delete(a.down, name)
		}
	}
}

func (a *accumulators) finish(r *Report) {
	if a.phase != nil {
		a.phase.Open = true
		r.Phases = append(a.phases, *a.phase)
	}
	for _, p := range a.peaks {
		pk := p.peak
		if !pk.Known {
			continue // a signal this recording never measured (no latency): no row
		}
		pk.Signal, pk.Label, pk.Text = p.signal, p.label, p.format(pk.Value)
		if p.hidden {
			r.hiddenPeaks = append(r.hiddenPeaks, pk)
			continue
		}
		r.Peaks = append(r.Peaks, pk)
	}
	r.SignalGaps, r.SourceLags = a.signals.finish()
	r.ButtonMissing = a.button.finish()
	r.Fleet = a.fleet.finish()
	r.ErrorCodes = snapshot.ErrorCodeShares(a.fleet.codes)
	r.ErrorCodesAtPeak = snapshot.ErrorCodeShares(a.fleet.atPeak)
	r.ErrorPeakAt = a.fleet.errPeakAt
	// In a fixed order, though the crossings are sorted below, where no two
	// open ones tie.
	for _, id := range slices.SortedFunc(maps.Keys(a.open), func(x, y crossingID) int {
		return cmp.Or(cmp.Compare(x.kind, y.kind), cmp.Compare(x.name, y.name), cmp.Compare(x.line, y.line))
	}) {
		c := a.open[id]
		if c.under.IsZero() {
			c.c.Open = true
		} else {
			c.c.To = c.under // it had fallen under when the recording ended
		}
		a.closeCrossing(id)
	}
	slices.SortStableFunc(a.done, func(x, y Crossing) int {
		return cmp.Or(x.From.Compare(y.From), cmp.Compare(x.Subject, y.Subject), cmp.Compare(x.Line, y.Line))
	})
	r.Crossings = a.done
	r.SellOut = SellOut{Total: r.Plan.Stock.Total, Planned: r.Plan.Stock.SellOut, SoldOut: a.soldOut, Remaining: a.stock}
	for i := range a.misses {
		if math.IsInf(a.misses[i].PeakMeasured, -1) {
			a.misses[i].PeakMeasured = math.NaN()
		}
	}
	r.Misses = a.misses
	r.PageWeight = pageWeight(r.Plan, a.samples)
	r.Endpoints = a.eps
	best := -1
	for i, e := range a.eps {
		if e.Known && (best < 0 || e.Load > a.eps[best].Load) {
			best = i
		}
	}
	if best >= 0 {
		r.Bottleneck = a.eps[best].Name
	}
	for _, name := range slices.Sorted(maps.Keys(a.down)) {
		d := a.down[name]
		d.Open = true
		a.downDone = append(a.downDone, *d)
	}
	slices.SortStableFunc(a.downDone, func(x, y SourceDown) int {
		return cmp.Or(x.From.Compare(y.From), cmp.Compare(x.Name, y.Name))
	})
	r.SourcesDown = a.downDone
	r.Step = medianStep(a.samples)
	r.Gaps = gaps(a.samples, max(r.Interval, r.Step))
	r.samples = a.samples
	r.purchase = a.purchase
	r.Failures = failures(r)
}

func pageWeight(plan capacity.Plan, samples []sample) PageWeight {
	pw := PageWeight{Planned: plan.Assess(snapshot.Snapshot{}, nil).PageWeight.Planned}
	type point struct{ perView, views float64 }
	pts := make([]point, 0, len(samples))
	pvs, costs := make([]float64, 0, len(samples)), make([]float64, 0, len(samples))
	for _, s := range samples {
		if math.IsNaN(s.pageWeight) || !(s.pv > 0) || math.IsInf(s.pv, 0) {
			continue
		}
		pts = append(pts, point{s.pageWeight, s.pv})
		pvs, costs = append(pvs, s.pv), append(costs, s.pageWeight)
	}
	if len(pts) == 0 {
		return pw
	}
	// A snapshot whose PV or cost a view stands a million times over the
	// rest's (a counter reset read as a rate) would outweigh the whole
	// launch: it is left out, and counted.
	pvLine, costLine := clipLine(pvs), clipLine(costs)
	kept := pts[:0]
	for _, p := range pts {
		if p.views > pvLine || p.perView > costLine {
			pw.LeftOut++
			continue
		}
		kept = append(kept, p)
	}
	pts = kept
	if len(pts) == 0 {
		return pw
	}
	// The bytes over the views, kept as a running mean weighted by views
	// so that no sum can overflow.
	var mean, views float64
	for _, p := range pts {
		views += p.views
		mean += (p.perView - mean) * (p.views / views)
	}
	slices.SortFunc(pts, func(a, b point) int { return cmp.Compare(a.perView, b.perView) })
	pw.Known, pw.Snapshots, pw.PerView = true, len(pts), mean
	// The 95th percentile by page views: the cost of the view at which
	// the views counted from the cheapest reach 95% of them all.
	acc := 0.0
	for _, p := range pts {
		acc += p.views
		pw.P95 = p.perView
		if acc >= 0.95*views {
			break
		}
	}
	return pw
}

// medianStep is the median time between two snapshots; 0 for fewer than
// two.
func medianStep(samples []sample) time.Duration {
	if len(samples) < 2 {
		return 0
	}
	d := make([]time.Duration, len(samples)-1)
	for i := range d {
		d[i] = samples[i+1].t.Sub(samples[i].t)
	}
	slices.Sort(d)
	return d[len(d)/2]
}

// gaps finds the stretches without a snapshot: more than twice the
// interval between two.
func gaps(samples []sample, interval time.Duration) []Gap {
	if interval <= 0 {
		interval = time.Second
	}
	var out []Gap
	for i := 1; i < len(samples); i++ {
		if samples[i].t.Sub(samples[i-1].t) > 2*interval {
			out = append(out, Gap{From: samples[i-1].t, To: samples[i].t})
		}
	}
	return out
}
