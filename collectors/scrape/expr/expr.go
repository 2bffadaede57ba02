// Package expr is the scrape source's expression language: a tiny
// PromQL-like language evaluated over the series of one poll of the scrape
// targets and their values at the previous poll. Where it reads like
// PromQL but means something else (a selector is one number, the sum of
// its series; rate() spans the time since the previous poll; x/0 is
// missing), the list under Meaning says so.
//
//	expr     := term (('+'|'-') term)*
//	term     := factor (('*'|'/') factor)*
//	factor   := NUMBER | '(' expr ')' | call | selector
//	call     := 'rate' '(' selector ')'
//	          | 'sum' '(' selector ')'
//	          | 'histogram_quantile' '(' NUMBER ',' selector ')'
//	selector := METRIC_NAME ( '{' matcher (',' matcher)* '}' )?
//	matcher  := LABEL ('=' | '!=' | '=~' | '!~') STRING
//
// NUMBER is a decimal float (1, 0.5, .5, 1e-9). METRIC_NAME is
// [a-zA-Z_:][a-zA-Z0-9_:]*, LABEL the same without ':'. STRING is quoted
// with "…" or '…' (Go escapes) or `…` (raw). Regexes are fully anchored, as
// in PromQL. There is no unary minus and no range ([1m]): rate() always
// spans the time since the previous poll.
//
// Meaning:
//   - selector and sum(selector): the sum of the current values of the
//     matching series (gauges, or counters' raw values).
//   - rate(selector): the sum over matching series of the per-second increase
//     since the previous poll; a counter that went down was reset, and its
//     increase is its new value (as Prometheus does).
//   - histogram_quantile(q, selector): the selector names a histogram by its
//     base name (without _bucket); the quantile is computed from the bucket
//     increases since the previous poll, summed over the matching series by
//     le, with Prometheus' linear interpolation inside the bucket. It is
//     missing when nothing was observed in the interval.
//   - A selector whose matchers match no series is 0 (a 5xx series that does
//     not exist yet); a metric name no target exposes is the signal's error
//     (a typo, or the wrong target), as is a histogram_quantile whose
//     matchers match no bucket at all (it could never give a value).
//   - x/0 is missing with a warning, except 0/0 = 0 (an idle error rate).
//   - Any missing operand makes the whole expression missing.
//   - Broken down by a label (signals.error_codes, by code unless its label
//     says otherwise; EvalBy): the expression is evaluated once for each
//     value the label takes among the series its selectors match, every
//     selector restricted to the series carrying that value, as if each
//     were summed by (code) in PromQL: rate(r{code=~"5.."}) gives each
//     failing code's requests per second, and a code none of the selectors
//     match (200 here) is no part of it. Series without the label are
//     left out.
//   - Over one server of a fleet (fleet.label; Data.Split): the poll's
//     series are split by the label's value once, and the expression is
//     evaluated over one server's series alone. A selector matching none
//     of them is 0, so an error ratio of a server with no 5xx series yet
//     is 0 while it answers requests; x/0 is missing only where that
//     server's denominator is 0 (and 0/0 is 0, as above). A metric the
//     server does not expose at all leaves its figure missing, not an
//     error: other targets expose it. Series without the label belong to
//     no server (PromQL would group them under an empty name).
//
// The parser and the evaluator do no IO: the scrape source hands the
// evaluator the Data of the series it needs.
package expr

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds nesting, so a hostile or mistyped expression cannot
// exhaust the stack.
const maxDepth = 64

// Expr is one parsed scrape expression.
type Expr struct {
	root node
	// names are the metric names it reads (a histogram's _bucket series),
	// sorted: the scrape source keeps only these.
	names []string
}

// node is a node of a parsed expression.
type node interface {
	// String formats the node so that it parses back to the same tree.
	String() string
	eval(env *evaluation) (float64, bool)
}

type (
	number struct{ v float64 }
	binary struct {
		op   byte
		l, r node
	}
	selector struct {
		name     string
		matchers []matcher
	}
	rateCall     struct{ sel *selector }
	sumCall      struct{ sel *selector }
	quantileCall struct {
		q   float64
		sel *selector
	}
)

// matcher is one label matcher of a selector.
type matcher struct {
	label, op, value string
	re               *regexp.Regexp // for =~ and !~, anchored
	memo             *regexMemo     // for =~ and !~: the answers given
}

// Label is one label of a series.
type Label struct{ Name, Value string }

// Series is one series as an expression sees it: its value at this poll
// and, when known, its value at the previous poll and the seconds between.
type Series struct {
	Labels  []Label // sorted by name
	Value   float64
	Prev    float64
	HasPrev bool
	Elapsed float64
}

// Data holds the series of one poll by metric name, over all targets
// that answered. A name that is absent is exposed by no target.
type Data map[string][]Series

// evaluation is one evaluation: the data, the warnings and the errors it
// raised.
type evaluation struct {
	data     Data
	warnings []string
	errs     []string
	// only, when set, is a matcher every selector adds to its own: EvalBy
	// restricts the whole expression to one value of its label.
	only *matcher
}

// fail records why the expression cannot be evaluated: an error of the
// signal, not a value warming up.
func (e *evaluation) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !slices.Contains(e.errs, msg) {
		e.errs = append(e.errs, msg)
	}
}

func (e *evaluation) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !slices.Contains(e.warnings, w) {
		e.warnings = append(e.warnings, w)
	}
}

// Eval evaluates the expression over data. ok is false when the value is
// missing; the warnings say why when that is worth saying, and err when
// the expression cannot be answered from what the targets expose.
func (x *Expr) Eval(data Data) (v float64, ok bool, warnings []string, err error) {
	env := evaluation{data: data}
	v, ok = x.root.eval(&env)
	if len(env.errs) > 0 {
		return 0, false, env.warnings, errors.New(strings.Join(env.errs, "; "))
	}
	return v, ok, env.warnings, nil
}

// Error is a parse error at a column of the expression (1-based, in
// characters).
type Error struct {
	col int
	msg string
}

func (e *Error) Error() string { return fmt.Sprintf("col %d: %s", e.col, e.msg) }

// Parse parses a scrape expression.
func Parse(src string) (*Expr, error) {
	p := &parser{src: src}
	p.next()
	if p.tok.kind == tokEOF && p.err == nil {
		return nil, &Error{col: 1, msg: "empty expression"}
	}
	root := p.parseExpr(0)
	if p.err == nil && p.tok.kind != tokEOF {
		p.fail(p.tok.pos, "unexpected %s", p.tok.describe())
	}
	if p.err != nil {
		return nil, p.err
	}
	x := &Expr{root: root}
	walk(root, func(s *selector, histogram bool) {
		name := s.name
		if histogram {
			name += "_bucket"
		}
		if !slices.Contains(x.names, name) {
			x.names = append(x.names, name)
		}
	})
	slices.Sort(x.names)
	return x, nil
}

// Names returns the metric names the expression reads (a histogram's
// _bucket series), sorted: the scrape source keeps only these. The slice
// is the expression's own: read only.
func (x *Expr) Names() []string { return x.names }

// String formats the expression so that it parses back to the same one.
func (x *Expr) String() string { return x.root.String() }

// walk calls fn for every selector in the tree.
func walk(n node, fn func(sel *selector, histogram bool)) {
	switch n := n.(type) {
	case *binary:
		walk(n.l, fn)
		walk(n.r, fn)
	case *selector:
		fn(n, false)
	case *rateCall:
		fn(n.sel, false)
	case *sumCall:
		fn(n.sel, false)
	case *quantileCall:
		fn(n.sel, true)
	}
}

// Formatting: every String parses back to the same tree.

func (n *number) String() string { return strconv.FormatFloat(n.v, 'g', -1, 64) }
func (n *binary) String() string {
	return "(" + n.l.String() + " " + string(n.op) + " " + n.r.String() + ")"
}
func (n *rateCall) String() string { return "rate(" + n.sel.String() + ")" }
func (n *sumCall) String() string  { return "sum(" + n.sel.String() + ")" }
func (n *quantileCall) String() string {
	return "histogram_quantile(" + strconv.FormatFloat(n.q, 'g', -1, 64) + ", " + n.sel.String() + ")"
}
func (n *selector) String() string {
	if len(n.matchers) == 0 {
		return n.name
	}
	parts := make([]string, len(n.matchers))
	for i, m := range n.matchers {
		parts[i] = m.label + m.op + strconv.Quote(m.value)
	}
	return n.name + "{" + strings.Join(parts, ", ") + "}"
}
