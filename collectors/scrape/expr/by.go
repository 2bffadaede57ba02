package expr

import (
	"errors"
	"math"
	"strings"
)

// Breakdowns: an expression evaluated once per value of a label (EvalBy,
// for signals.error_codes) and a poll's series split by a label (Split,
// for a fleet's servers).

// EvalBy evaluates the expression once for each value label takes among
// the series its selectors match, with every selector restricted to the
// series carrying that value: rate(r{code=~"5.."}) by code gives each
// failing code's requests per second, as PromQL's sum by (code) would.
// Series without the label are left out. A value whose figure is missing
// (warming up, x/0) or not finite is left out too; the warnings say why.
// err is the expression's, as Eval's: a metric no target exposes.
func (x *Expr) EvalBy(data Data, label string) (values map[string]float64, warnings []string, err error) {
	env := evaluation{data: data}
	var seen []string // the values, in the order met
	walk(x.root, func(sel *selector, histogram bool) {
		name := sel.name
		if histogram {
			name += "_bucket"
		}
		all, ok := env.lookup(name)
		if !ok {
			return
		}
		last := ""
		for i := range all {
			if !sel.keeps(&env, all[i].Labels) {
				continue
			}
			v, has := labelValue(all[i].Labels, label)
			if !has || v == last {
				continue
			}
			last = v
			if !containsString(seen, v) {
				seen = append(seen, v)
			}
		}
	})
	if len(env.errs) > 0 {
		return nil, env.warnings, errors.New(strings.Join(env.errs, "; "))
	}
	values = make(map[string]float64, len(seen))
	for _, v := range seen {
		env.only = &matcher{label: label, op: "=", value: v}
		f, ok := x.root.eval(&env)
		if len(env.errs) > 0 {
			return nil, env.warnings, errors.New(strings.Join(env.errs, "; "))
		}
		if ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
			values[v] = f
		}
	}
	return values, env.warnings, nil
}

// containsString is slices.Contains for the few values of a breakdown.
func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// labelValue returns the value of the label name among labels, and
// whether it is there with a value: an empty value is no label, as in
// Prometheus. A series has a handful of labels: a scan for equal names
// (lengths compared first) beats ordering them.
func labelValue(labels []Label, name string) (string, bool) {
	for _, l := range labels {
		if l.Name == name {
			return l.Value, l.Value != ""
		}
	}
	return "", false
}

// Split groups the series by the value of label, for a fleet: one Data
// a value, holding only the series that carry it, and only the names
// among them. Evaluated over one part, an expression sees one server: a
// selector matching none of its series is 0 (no 5xx yet), a name it does
// not expose at all is an error (it is not that kind of server). Series
// without the label belong to no part. A part's series may share data's
// arrays: read them only.
func (d Data) Split(label string) map[string]Data {
	parts := make(map[string]Data)
	// A poll's series come a target after another, so runs of one value
	// are the rule: a value is looked up once a run, and a value whose
	// series are one run (a target's instance) is a slice of data's own
	// array. Only values spread over several runs are copied, once, into
	// one array cut into the parts' slices.
	type run struct {
		value      string
		start, end int
	}
	type group struct{ series, runs, first int }
	var runs []run
	groups := make(map[string]group)
	for name, series := range d {
		runs = runs[:0]
		clear(groups)
		for i := range series {
			v, ok := labelValue(series[i].Labels, label)
			switch {
			case !ok:
				continue
			case len(runs) > 0 && runs[len(runs)-1].end == i && runs[len(runs)-1].value == v:
				runs[len(runs)-1].end++
			default:
				runs = append(runs, run{v, i, i + 1})
			}
		}
		spread := 0
		for i, r := range runs {
			g, seen := groups[r.value]
			if !seen {
				g.first = i
			}
			g.series += r.end - r.start
			g.runs++
			groups[r.value] = g
			if g.runs > 1 {
				spread += r.end - r.start
				if g.runs == 2 {
					spread += runs[g.first].end - runs[g.first].start
				}
			}
		}
		var all []Series // for the values spread over several runs
		if spread > 0 {
			all = make([]Series, 0, spread)
		}
		for v, g := range groups {
			part := parts[v]
			if part == nil {
				part = make(Data, len(d))
				parts[v] = part
			}
			if g.runs == 1 {
				r := runs[g.first]
				part[name] = series[r.start:r.end:r.end]
				continue
			}
			start := len(all)
			for _, r := range runs[g.first:] {
				if r.value == v {
					all = append(all, series[r.start:r.end]...)
				}
			}
			part[name] = all[start:len(all):len(all)]
		}
	}
	return parts
}
