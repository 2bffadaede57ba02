package prom

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Widths the breakdowns' keys are cleaned to (snapshot's, which the
// scrape source uses too).
const (
	maxServerName = snapshot.MaxServerName
	maxCodeName   = snapshot.MaxCodeName
)

// checkFleet makes sure a signal a server carries can be asked by the
// fleet label: its query, filled with stand-ins, takes the rewrite.
func (p *Source) checkFleet(addr, query string) error {
	if p.fleet == "" || !slices.Contains(snapshot.FleetSignals, addr) {
		return nil
	}
	q, err := promql.Expand(query, promql.Vars{Interval: time.Second, Scrape: time.Second})
	if err != nil {
		return err
	}
	if _, err := promql.KeepLabel(q, p.fleet); err != nil {
		return fmt.Errorf("by fleet.label %s: %w", p.fleet, err)
	}
	return nil
}

// fleetKey names a signal's query by the fleet label in errors and notes:
// "pv by instance".
func (p *Source) fleetKey(addr string) string { return addr + " by " + p.fleet }

// collectFleet runs a signal's query rewritten by the fleet label and
// reads its answer as one figure a server.
func (p *Source) collectFleet(ctx context.Context, addr string, q filled, at time.Time) outcome {
	o := p.collectBy(ctx, p.fleetKey(addr), q.byFleet, cmp.Or(q.err, q.fleetErr), p.fleet, maxServerName, at)
	if n := keepSingles(addr, o.by, o.several); n > 0 {
		o.warnings = append(o.warnings, fmt.Sprintf("%s: %d servers answer several series, and a share or a percentile is no sum: "+
			"their figure is left out (aggregate the query's other labels away)", p.fleetKey(addr), n))
	}
	return o
}

// keepSingles drops from a signal's figures by server those of the
// servers that answered several series, when the signal's figures do not
// add up (a share, a percentile: a server's p95 by handler summed is no
// p95), and says how many it dropped.
func keepSingles(addr string, by map[string]float64, several []string) int {
	if row, ok := snapshot.Lookup(addr); len(several) == 0 || !ok || (row.Unit != snapshot.UnitShare && row.Unit != snapshot.UnitSeconds) {
		return 0
	}
	for _, name := range several {
		delete(by, name)
	}
	return len(several)
}

// collectCodes runs signals.error_codes and reads its answer as failed
// requests per second by code. No series is no failure: an empty map.
func (p *Source) collectCodes(ctx context.Context, addr string, q filled, at time.Time) outcome {
	return p.collectBy(ctx, addr, q.query, q.err, p.codesLabel, maxCodeName, at)
}

// collectBy runs a breakdown's query, its errors and notes keyed by key,
// and sums its answer by label (groupBy). qerr is the query's error from
// filling or rewriting it: checked in New, kept for safety.
func (p *Source) collectBy(ctx context.Context, key, query string, qerr error, label string, width int, at time.Time) outcome {
	o := outcome{addr: key}
	if qerr != nil {
		o.msg = qerr.Error()
		o.err = fmt.Errorf("query %s: %s", key, o.msg)
		return o
	}
	value, ok := p.run(ctx, &o, query, at)
	if !ok {
		return o
	}
	o.by, o.several, o.err = groupBy(value, label, width)
	if o.err != nil {
		o.msg = o.err.Error()
		o.err = fmt.Errorf("%s: %w", key, o.err)
	}
	return o
}

// groupBy sums an instant vector's samples by one label's value, cleaned
// for a terminal, and lists the values that had several series. A series without the label (the one "or vector(0)"
// adds) is dropped; so is a value that is no number (a quantile of a
// server with no requests is NaN): that figure is missing, never zero.
func groupBy(v model.Value, label string, width int) (by map[string]float64, several []string, err error) {
	switch v := v.(type) {
	case model.Vector:
		by = make(map[string]float64, len(v))
		for _, s := range v {
			name := string(s.Metric[model.LabelName(label)])
			f := float64(s.Value)
			if name == "" || math.IsNaN(f) || math.IsInf(f, 0) {
				continue
			}
			name = snapshot.CleanText(name, width)
			if _, twice := by[name]; twice && !slices.Contains(several, name) {
				several = append(several, name)
			}
			by[name] += f
		}
		return by, several, nil
	case nil:
		return nil, nil, errors.New("no result")
	default:
		return nil, nil, fmt.Errorf("%s result where an instant vector by %s is expected", v.Type(), label)
	}
}

// layBreakdowns lays the breakdowns of one poll into its result: each
// fleet signal's figures into the servers of Result.Fleet, error_codes'
// into Result.ErrorCodes. signals are the signals' outcomes in names'
// order, fleet the fleet queries' in fleetNames' order.
func (p *Source) layBreakdowns(res *source.Result, signals, fleet []outcome) {
	if p.codesLabel != "" {
		for _, o := range signals {
			if o.addr == snapshot.SignalErrorCodes && o.err == nil {
				res.ErrorCodes = codes(o.by)
			}
		}
	}
	if p.fleet == "" {
		return
	}
	n, answered := 0, false
	for _, o := range fleet {
		n = max(n, len(o.by))
		answered = answered || o.err == nil
	}
	if !answered {
		// Nil, not empty: the tracker carries the last fleet rather than
		// reading a server that did not answer as a fleet of none.
		return
	}
	b := newFleetBuilder(n)
	for i, o := range fleet {
		if o.err == nil {
			b.lay(p.fleetNames[i], o.by)
		}
	}
	res.Fleet = b.fleet()
}

// layCodes lays error_codes' answer at one step of a history into its
// result: a range query's step is a vector as an instant query's answer.
func (p *Source) layCodes(res *source.Result, vec model.Vector) {
	by, _, _ := groupBy(vec, p.codesLabel, maxCodeName) // a vector: no error
	res.ErrorCodes = codes(by)
}

func codes(by map[string]float64) map[string]snapshot.Value {
	out := make(map[string]snapshot.Value, len(by))
	for code, f := range by {
		out[code] = snapshot.Some(f)
	}
	return out
}

// fleetBuilder gathers the servers' figures signal by signal in one slice:
// setting a figure on a map's copy of a Server would put each on the heap.
type fleetBuilder struct {
	at      map[string]int
	servers []snapshot.Server
}

func newFleetBuilder(n int) *fleetBuilder {
	return &fleetBuilder{at: make(map[string]int, n), servers: make([]snapshot.Server, 0, n)}
}

// lay sets one signal's figure on each server named.
func (b *fleetBuilder) lay(addr string, by map[string]float64) {
	for name, f := range by {
		i, ok := b.at[name]
		if !ok {
			i = len(b.servers)
			b.at[name] = i
			b.servers = append(b.servers, snapshot.Server{Name: name})
		}
		b.servers[i].Set(addr, snapshot.Some(f))
	}
}

// fleet returns the servers by name, as source.Result.Fleet holds them.
func (b *fleetBuilder) fleet() map[string]snapshot.Server {
	out := make(map[string]snapshot.Server, len(b.servers))
	for _, srv := range b.servers {
		out[srv.Name] = srv
	}
	return out
}

// FleetCheck is what the fleet label finds in the server's answers.
type FleetCheck struct {
	// Label is the fleet label.
	Label string
	// Servers are the label's values the fleet signals' answers carry,
	// sorted; Signals the fleet signals asked.
	Servers, Signals []string
	// Labels are the label names the series of the metrics those signals
	// read carry instead, sorted: filled only when Servers is empty.
	Labels []string
}

// CheckFleet asks each fleet signal by the fleet label once, as a poll
// does, and reports the servers found; when none is, it asks for a few
// series of each metric the signals read and lists the labels they carry,
// so a misnamed label can be told from data not there yet. A query that
// fails is an error naming it.
func (p *Source) CheckFleet(ctx context.Context) (FleetCheck, error) {
	fc := FleetCheck{Label: p.fleet, Signals: slices.Clone(p.fleetNames)}
	if p.fleet == "" || len(p.fleetNames) == 0 {
		return fc, nil
	}
	at := p.wall().Add(-p.offset)
	vars := promql.Vars{Interval: p.interval}
	if p.usesRate {
		vars.Scrape, _ = p.scrapeInterval(ctx, at)
	}
	queries := p.expand(vars)
	servers := map[string]bool{}
	var errs []error
	for _, addr := range p.fleetNames {
		o := p.collectFleet(ctx, addr, queries[addr], at)
		if o.err != nil {
			errs = append(errs, o.err)
			continue
		}
		for name := range o.by {
			servers[name] = true
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fc, err
	}
	fc.Servers = slices.Sorted(maps.Keys(servers))
	if len(fc.Servers) > 0 {
		return fc, nil
	}
	var metrics []string
	for _, addr := range p.fleetNames {
		for _, m := range promql.MetricNames(p.signals[addr].Query) {
			if !slices.Contains(metrics, m) {
				metrics = append(metrics, m)
			}
		}
	}
	if len(metrics) == 0 {
		return fc, nil
	}
	terms := make([]string, len(metrics))
	for i, m := range metrics {
		terms[i] = "topk(3, " + nameSelector(m) + ")"
	}
	o := outcome{addr: "fleet.label"}
	value, ok := p.run(ctx, &o, strings.Join(terms, " or "), at)
	if !ok {
		return fc, o.err
	}
	names := map[string]bool{}
	if vec, ok := value.(model.Vector); ok {
		for _, s := range vec {
			for name := range s.Metric {
				if name != model.MetricNameLabel {
					names[snapshot.CleanText(string(name), 60)] = true
				}
			}
		}
	}
	fc.Labels = slices.Sorted(maps.Keys(names))
	return fc, nil
}
