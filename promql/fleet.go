package promql

import (
	"errors"
	"fmt"
	"slices"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// KeepLabel rewrites a filled query (its variables already replaced by
// Expand) so that its answer is broken down by a label, one figure a value
// of it: the per-server form of a signal, asked once for the whole fleet.
// The rewrite goes through Prometheus' own parser, never the text:
//
//   - every aggregation keeps the label: sum(x) becomes sum by (label) (x),
//     by (le) becomes by (le, label), and without (a, label) no longer
//     drops it; topk, quantile, count_values and nested ones alike;
//   - a binary operation between two sides that both carry the label (a
//     selector or an aggregation does; a number, vector() and scalar() do
//     not) matches on it: it joins an on(…) list, on() included, and
//     leaves an ignoring(…) list;
//   - a side without the label facing one with it (sum(x) + vector(1))
//     is matched ignoring the label, group_left or group_right, as the
//     whole query matched it before;
//   - a ratio A / B whose sides both carry the label becomes
//     (A / B) or on(label) (B * 0): a server whose numerator has no series
//     while its denominator has (no 5xx yet) reads 0, not missing;
//   - scalar()'s argument and an aggregation's parameter (topk's k) are
//     left as written: they stand for the whole.
//
// "or vector(0)" stays: its series without the label is the caller's to
// drop. A query without any aggregation keeps its series' labels already:
// only its ratios change.
func KeepLabel(query, label string) (string, error) {
	if label == "" || label == model.MetricNameLabel {
		return "", fmt.Errorf("%q is not a label to break a query down by", label)
	}
	expr, err := promParser.ParseExpr(query)
	if err != nil {
		return "", err
	}
	k := keeper{label: label, made: map[*parser.ParenExpr]bool{}}
	out, _ := k.rewrite(expr)
	if p, ok := out.(*parser.ParenExpr); ok && k.made[p] {
		out = p.Expr
	}
	s := out.String()
	// The printer is not the parser's inverse in every corner; a rewrite
	// the server would refuse is an error here, not a failed poll there.
	if _, err := promParser.ParseExpr(s); err != nil {
		return "", errors.Join(fmt.Errorf("rewritten by %s, %q does not parse", label, s), err)
	}
	return s, nil
}

// keeper rewrites one parsed query in place.
type keeper struct {
	label string
	// made holds the parentheses the rewrite added around a ratio, so one
	// at the top or directly inside written ones is not doubled.
	made map[*parser.ParenExpr]bool
}

// rewrite rewrites e and returns what takes its place, and whether that
// answer's series carry the label.
func (k *keeper) rewrite(e parser.Expr) (parser.Expr, bool) {
	switch n := e.(type) {
	case *parser.VectorSelector, *parser.MatrixSelector:
		return e, true
	case *parser.AggregateExpr:
		// The parameter (topk's k, quantile's φ, count_values' label) is
		// the whole's: left as written.
		var carries bool
		n.Expr, carries = k.rewrite(n.Expr)
		if n.Without {
			n.Grouping = slices.DeleteFunc(n.Grouping, func(l string) bool { return l == k.label })
		} else if !slices.Contains(n.Grouping, k.label) {
			n.Grouping = append(n.Grouping, k.label)
		}
		return n, carries
	case *parser.BinaryExpr:
		return k.binary(n)
	case *parser.Call:
		return k.call(n)
	case *parser.ParenExpr:
		inner, carries := k.rewrite(n.Expr)
		if p, ok := inner.(*parser.ParenExpr); ok && k.made[p] {
			return p, carries
		}
		n.Expr = inner
		return n, carries
	case *parser.UnaryExpr:
		var carries bool
		n.Expr, carries = k.rewrite(n.Expr)
		return n, carries
	case *parser.SubqueryExpr:
		var carries bool
		n.Expr, carries = k.rewrite(n.Expr)
		return n, carries
	case *parser.StepInvariantExpr:
		var carries bool
		n.Expr, carries = k.rewrite(n.Expr)
		return n, carries
	}
	return e, false // numbers, strings, durations
}

// call rewrites a function's arguments; its answer carries the label when
// it answers a vector built from an argument that carries it.
func (k *keeper) call(n *parser.Call) (parser.Expr, bool) {
	if n.Func.Name == "scalar" {
		return n, false // one number for the whole: left as written
	}
	carries := false
	for i, a := range n.Args {
		var c bool
		n.Args[i], c = k.rewrite(a)
		if t := a.Type(); c && (t == parser.ValueTypeVector || t == parser.ValueTypeMatrix) {
			carries = true
		}
	}
	switch n.Func.Name {
	case "vector", "absent", "absent_over_time":
		// Their series hold no label but the matchers' equalities.
		return n, false
	}
	return n, carries && n.Func.ReturnType == parser.ValueTypeVector
}

// binary rewrites both sides of a binary operation and its matching.
func (k *keeper) binary(n *parser.BinaryExpr) (parser.Expr, bool) {
	var lc, rc bool
	n.LHS, lc = k.rewrite(n.LHS)
	n.RHS, rc = k.rewrite(n.RHS)
	vm := n.VectorMatching
	if vm == nil {
		// A scalar on one side (or both): the vector's labels pass through.
		return n, lc || rc
	}
	switch {
	case lc && rc:
		if vm.On {
			if !slices.Contains(vm.MatchingLabels, k.label) {
				vm.MatchingLabels = append(vm.MatchingLabels, k.label)
			}
			// A label may not be both matched on and copied by group_x.
			vm.Include = slices.DeleteFunc(vm.Include, func(l string) bool { return l == k.label })
		} else {
			vm.MatchingLabels = slices.DeleteFunc(vm.MatchingLabels, func(l string) bool { return l == k.label })
		}
		if n.Op == parser.DIV {
			return k.ratio(n), true
		}
		return n, true
	case n.Op.IsSetOperator():
		// "A or vector(0)" stays: the caller drops the series without
		// the label. and/unless answer the left side's series.
		if n.Op == parser.LOR {
			return n, lc || rc
		}
		return n, lc
	case lc != rc:
		// One side lost its labels to a whole aggregation before (it
		// matched the other side's none); now it has the label, so it is
		// matched ignoring it, many of it to the other side's one.
		if !vm.On && !slices.Contains(vm.MatchingLabels, k.label) {
			vm.MatchingLabels = append(vm.MatchingLabels, k.label)
		}
		switch {
		case vm.Card == parser.CardOneToOne && lc:
			vm.Card = parser.CardManyToOne
		case vm.Card == parser.CardOneToOne:
			vm.Card = parser.CardOneToMany
		}
		return n, true
	}
	return n, false
}

// ratio makes a ratio whose sides both carry the label read 0 for a value
// of it the numerator has no series for: (A / B) or on(label) (B * 0).
func (k *keeper) ratio(n *parser.BinaryExpr) parser.Expr {
	den := n.RHS
	switch den.(type) {
	case *parser.BinaryExpr, *parser.UnaryExpr:
		den = &parser.ParenExpr{Expr: den}
	}
	zero := &parser.BinaryExpr{
		Op:             parser.MUL,
		LHS:            den,
		RHS:            &parser.NumberLiteral{Val: 0},
		VectorMatching: nil,
	}
	or := &parser.BinaryExpr{
		Op:  parser.LOR,
		LHS: &parser.ParenExpr{Expr: n},
		RHS: &parser.ParenExpr{Expr: zero},
		VectorMatching: &parser.VectorMatching{
			Card: parser.CardManyToMany, On: true, MatchingLabels: []string{k.label},
		},
	}
	p := &parser.ParenExpr{Expr: or}
	k.made[p] = true
	return p
}
