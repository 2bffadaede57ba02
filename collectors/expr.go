package collectors

// Scrape expressions: a tiny PromQL-like language evaluated over the series
// of one poll of the scrape targets and their values at the previous poll.
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
//     not exist yet); a metric name no target exposes makes the expression
//     missing, with a warning.
//   - x/0 is missing with a warning, except 0/0 = 0 (an idle error rate).
//   - Any missing operand makes the whole expression missing.
//
// The parser and the evaluator do no IO: the scrape source hands the
// evaluator an exprData of the series it needs.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// exprMaxDepth bounds nesting, so a hostile or mistyped expression cannot
// exhaust the stack.
const exprMaxDepth = 64

// expr is one parsed scrape expression.
type expr struct {
	root exprNode
	// names are the metric names it reads (a histogram's _bucket series),
	// sorted: the scrape source keeps only these.
	names []string
}

// exprNode is a node of a parsed expression.
type exprNode interface {
	// String formats the node so that it parses back to the same tree.
	String() string
	eval(env *exprEnv) (float64, bool)
}

type (
	exprNumber struct{ v float64 }
	exprBinary struct {
		op   byte
		l, r exprNode
	}
	exprSelector struct {
		name     string
		matchers []exprMatcher
	}
	exprRate     struct{ sel *exprSelector }
	exprSum      struct{ sel *exprSelector }
	exprQuantile struct {
		q   float64
		sel *exprSelector
	}
)

// exprMatcher is one label matcher of a selector.
type exprMatcher struct {
	label, op, value string
	re               *regexp.Regexp // for =~ and !~, anchored
}

// exprLabel is one label of a series.
type exprLabel struct{ Name, Value string }

// exprSeries is one series as an expression sees it: its value at this poll
// and, when known, its value at the previous poll and the seconds between.
type exprSeries struct {
	Labels  []exprLabel // sorted by name
	Value   float64
	Prev    float64
	HasPrev bool
	Elapsed float64
}

// exprData holds the series of one poll by metric name, over all targets
// that answered. A name that is absent is exposed by no target.
type exprData map[string][]exprSeries

// exprEnv is one evaluation: the data and the warnings it raised.
type exprEnv struct {
	data     exprData
	warnings []string
}

func (e *exprEnv) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !slices.Contains(e.warnings, w) {
		e.warnings = append(e.warnings, w)
	}
}

// eval evaluates the expression over data. ok is false when the value is
// missing; the warnings say why when that is worth saying.
func (x *expr) eval(data exprData) (v float64, ok bool, warnings []string) {
	env := exprEnv{data: data}
	v, ok = x.root.eval(&env)
	return v, ok, env.warnings
}

// exprError is a parse error at a column of the expression (1-based, in
// characters).
type exprError struct {
	col int
	msg string
}

func (e *exprError) Error() string { return fmt.Sprintf("col %d: %s", e.col, e.msg) }

// exprParse parses a scrape expression.
func exprParse(src string) (*expr, error) {
	p := &exprParser{src: src}
	p.next()
	if p.tok.kind == exprTokEOF && p.err == nil {
		return nil, &exprError{col: 1, msg: "empty expression"}
	}
	root := p.parseExpr(0)
	if p.err == nil && p.tok.kind != exprTokEOF {
		p.fail(p.tok.pos, "unexpected %s", p.tok.describe())
	}
	if p.err != nil {
		return nil, p.err
	}
	x := &expr{root: root}
	exprWalk(root, func(s *exprSelector, histogram bool) {
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

// exprWalk calls fn for every selector in the tree.
func exprWalk(n exprNode, fn func(sel *exprSelector, histogram bool)) {
	switch n := n.(type) {
	case *exprBinary:
		exprWalk(n.l, fn)
		exprWalk(n.r, fn)
	case *exprSelector:
		fn(n, false)
	case *exprRate:
		fn(n.sel, false)
	case *exprSum:
		fn(n.sel, false)
	case *exprQuantile:
		fn(n.sel, true)
	}
}

// Tokens.

type exprTokKind int

const (
	exprTokEOF exprTokKind = iota
	exprTokNumber
	exprTokIdent
	exprTokString
	exprTokPunct // ( ) { } [ ] , + - * / = != =~ !~
)

type exprToken struct {
	kind exprTokKind
	pos  int    // byte offset
	text string // the source text; for a string, its unquoted value
}

func (t exprToken) describe() string {
	switch t.kind {
	case exprTokEOF:
		return "end of expression"
	case exprTokString:
		return "string " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

type exprParser struct {
	src string
	off int
	tok exprToken
	err error
}

// fail records the first error; later ones are consequences of it.
func (p *exprParser) fail(pos int, format string, args ...any) {
	if p.err != nil {
		return
	}
	p.err = &exprError{col: utf8.RuneCountInString(p.src[:pos]) + 1, msg: fmt.Sprintf(format, args...)}
	p.tok = exprToken{kind: exprTokEOF, pos: len(p.src)}
	p.off = len(p.src)
}

func exprIsIdentStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func exprIsDigit(c byte) bool { return c >= '0' && c <= '9' }

// next reads the next token into p.tok.
func (p *exprParser) next() {
	if p.err != nil {
		return
	}
	for p.off < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.off]) >= 0 {
		p.off++
	}
	start := p.off
	if start >= len(p.src) {
		p.tok = exprToken{kind: exprTokEOF, pos: start}
		return
	}
	c := p.src[start]
	switch {
	case exprIsIdentStart(c):
		end := start + 1
		for end < len(p.src) && (exprIsIdentStart(p.src[end]) || exprIsDigit(p.src[end])) {
			end++
		}
		p.off = end
		p.tok = exprToken{kind: exprTokIdent, pos: start, text: p.src[start:end]}
	case exprIsDigit(c) || (c == '.' && start+1 < len(p.src) && exprIsDigit(p.src[start+1])):
		p.lexNumber(start)
	case c == '"' || c == '\'' || c == '`':
		p.lexString(start, c)
	case (c == '!' || c == '=') && start+1 < len(p.src) && (p.src[start+1] == '=' || p.src[start+1] == '~'):
		if c == '=' && p.src[start+1] == '=' {
			p.fail(start, "use = to match a label, not ==")
			return
		}
		p.off = start + 2
		p.tok = exprToken{kind: exprTokPunct, pos: start, text: p.src[start:p.off]}
	case strings.IndexByte("(){}[],+-*/=", c) >= 0:
		p.off = start + 1
		p.tok = exprToken{kind: exprTokPunct, pos: start, text: p.src[start:p.off]}
	default:
		r, _ := utf8.DecodeRuneInString(p.src[start:])
		p.fail(start, "unexpected character %q", r)
	}
}

func (p *exprParser) lexNumber(start int) {
	end := start
	for end < len(p.src) && (exprIsDigit(p.src[end]) || p.src[end] == '.') {
		end++
	}
	if end < len(p.src) && (p.src[end] == 'e' || p.src[end] == 'E') {
		e := end + 1
		if e < len(p.src) && (p.src[e] == '+' || p.src[e] == '-') {
			e++
		}
		if e < len(p.src) && exprIsDigit(p.src[e]) {
			for e < len(p.src) && exprIsDigit(p.src[e]) {
				e++
			}
			end = e
		}
	}
	text := p.src[start:end]
	v, err := strconv.ParseFloat(text, 64)
	switch {
	case err != nil && strings.Contains(err.Error(), "range"):
		p.fail(start, "number %s is out of range", text)
		return
	case err != nil:
		p.fail(start, "bad number %q", text)
		return
	case end < len(p.src) && (exprIsIdentStart(p.src[end]) || exprIsDigit(p.src[end])):
		p.fail(end, "unexpected %q after number %s (durations are not needed: rate() spans the time since the previous poll)", p.src[end], text)
		return
	}
	p.off = end
	p.tok = exprToken{kind: exprTokNumber, pos: start, text: strconv.FormatFloat(v, 'g', -1, 64)}
}

func (p *exprParser) lexString(start int, quote byte) {
	end := start + 1
	for end < len(p.src) && p.src[end] != quote {
		if p.src[end] == '\\' && quote != '`' {
			end++
		}
		if end < len(p.src) && p.src[end] == '\n' && quote != '`' {
			break
		}
		end++
	}
	if end >= len(p.src) || p.src[end] != quote {
		p.fail(start, "unterminated string")
		return
	}
	raw := p.src[start : end+1]
	var val string
	var err error
	switch quote {
	case '`':
		val = raw[1 : len(raw)-1]
	case '\'':
		// Re-quote as a Go string literal: \' means ', a bare " needs escaping.
		var b strings.Builder
		b.WriteByte('"')
		in := raw[1 : len(raw)-1]
		for i := 0; i < len(in); i++ {
			switch {
			case in[i] == '\\' && i+1 < len(in) && in[i+1] == '\'':
				b.WriteByte('\'')
				i++
			case in[i] == '\\' && i+1 < len(in):
				b.WriteString(in[i : i+2])
				i++
			case in[i] == '"':
				b.WriteString(`\"`)
			default:
				b.WriteByte(in[i])
			}
		}
		b.WriteByte('"')
		val, err = strconv.Unquote(b.String())
	default:
		val, err = strconv.Unquote(raw)
	}
	if err != nil {
		p.fail(start, "bad escape in string %s", raw)
		return
	}
	p.off = end + 1
	p.tok = exprToken{kind: exprTokString, pos: start, text: val}
}

func (p *exprParser) isPunct(s string) bool { return p.tok.kind == exprTokPunct && p.tok.text == s }

func (p *exprParser) expect(s string) {
	if !p.isPunct(s) {
		p.fail(p.tok.pos, "expected '%s', got %s", s, p.tok.describe())
		return
	}
	p.next()
}

func (p *exprParser) parseExpr(depth int) exprNode {
	if depth > exprMaxDepth {
		p.fail(p.tok.pos, "expression nested too deeply")
		return nil
	}
	n := p.parseTerm(depth)
	for p.err == nil && (p.isPunct("+") || p.isPunct("-")) {
		op := p.tok.text[0]
		p.next()
		n = &exprBinary{op: op, l: n, r: p.parseTerm(depth)}
	}
	return n
}

func (p *exprParser) parseTerm(depth int) exprNode {
	n := p.parseFactor(depth)
	for p.err == nil && (p.isPunct("*") || p.isPunct("/")) {
		op := p.tok.text[0]
		p.next()
		n = &exprBinary{op: op, l: n, r: p.parseFactor(depth)}
	}
	return n
}

func (p *exprParser) parseFactor(depth int) exprNode {
	if p.err != nil {
		return nil
	}
	t := p.tok
	switch {
	case t.kind == exprTokNumber:
		p.next()
		v, _ := strconv.ParseFloat(t.text, 64)
		return &exprNumber{v: v}
	case p.isPunct("("):
		p.next()
		n := p.parseExpr(depth + 1)
		p.expect(")")
		return n
	case t.kind == exprTokIdent:
		p.next()
		if p.isPunct("(") {
			return p.parseCall(t, depth)
		}
		return p.parseSelector(t)
	case p.isPunct("-"):
		p.fail(t.pos, "unary minus is not supported; write 0 - x")
		return nil
	case t.kind == exprTokEOF:
		p.fail(t.pos, "unexpected end of expression")
		return nil
	}
	p.fail(t.pos, "expected a number, '(', a function or a metric name, got %s", t.describe())
	return nil
}

// parseCall parses a call whose name is fn; p.tok is its '('.
func (p *exprParser) parseCall(fn exprToken, depth int) exprNode {
	p.next()
	switch fn.text {
	case "rate", "sum":
		sel := p.parseSelectorArg(fn.text, depth)
		p.expect(")")
		if fn.text == "rate" {
			return &exprRate{sel: sel}
		}
		return &exprSum{sel: sel}
	case "histogram_quantile":
		pos := p.tok.pos
		arg := p.parseExpr(depth + 1)
		if p.err != nil {
			return nil
		}
		num, ok := arg.(*exprNumber)
		if !ok {
			p.fail(pos, "histogram_quantile() takes a number first, got %s", arg)
			return nil
		}
		if num.v < 0 || num.v > 1 {
			p.fail(pos, "histogram_quantile() takes a quantile between 0 and 1, got %s", num)
			return nil
		}
		p.expect(",")
		sel := p.parseSelectorArg(fn.text, depth)
		if p.err == nil && strings.HasSuffix(sel.name, "_bucket") {
			p.fail(pos, "histogram_quantile() takes the histogram's base name, without _bucket: %s", strings.TrimSuffix(sel.name, "_bucket"))
			return nil
		}
		p.expect(")")
		return &exprQuantile{q: num.v, sel: sel}
	}
	p.fail(fn.pos, "unknown function %s(); known: histogram_quantile, rate, sum", fn.text)
	return nil
}

// parseSelectorArg parses a function argument that must be a selector.
func (p *exprParser) parseSelectorArg(fn string, depth int) *exprSelector {
	pos := p.tok.pos
	arg := p.parseExpr(depth + 1)
	if p.err != nil {
		return nil
	}
	sel, ok := arg.(*exprSelector)
	if !ok {
		hint := ""
		if _, inner := arg.(*exprRate); inner && fn == "sum" {
			hint = " (rate() already sums its series)"
		}
		p.fail(pos, "%s() takes a selector, got %s%s", fn, arg, hint)
		return nil
	}
	return sel
}

// parseSelector parses the rest of a selector whose name is name.
func (p *exprParser) parseSelector(name exprToken) exprNode {
	sel := &exprSelector{name: name.text}
	if p.isPunct("{") {
		p.next()
		for p.err == nil {
			sel.matchers = append(sel.matchers, p.parseMatcher())
			if p.isPunct(",") {
				p.next()
				continue
			}
			p.expect("}")
			break
		}
	}
	if p.isPunct("[") {
		p.fail(p.tok.pos, "no range needed: rate() spans the time since the previous poll")
	}
	return sel
}

func (p *exprParser) parseMatcher() exprMatcher {
	t := p.tok
	if t.kind != exprTokIdent || strings.Contains(t.text, ":") {
		p.fail(t.pos, "expected a label name, got %s", t.describe())
		return exprMatcher{}
	}
	p.next()
	op := p.tok
	if op.kind != exprTokPunct || (op.text != "=" && op.text != "!=" && op.text != "=~" && op.text != "!~") {
		p.fail(op.pos, "expected one of = != =~ !~, got %s", op.describe())
		return exprMatcher{}
	}
	p.next()
	val := p.tok
	if val.kind != exprTokString {
		p.fail(val.pos, "expected a quoted string, got %s", val.describe())
		return exprMatcher{}
	}
	p.next()
	m := exprMatcher{label: t.text, op: op.text, value: val.text}
	if op.text == "=~" || op.text == "!~" {
		re, err := regexp.Compile("^(?s:" + val.text + ")$")
		if err != nil {
			p.fail(val.pos, "bad regex %s: %v", strconv.Quote(val.text), err)
			return exprMatcher{}
		}
		m.re = re
	}
	return m
}

// Formatting: every String parses back to the same tree.

func (n *exprNumber) String() string { return strconv.FormatFloat(n.v, 'g', -1, 64) }
func (n *exprBinary) String() string {
	return "(" + n.l.String() + " " + string(n.op) + " " + n.r.String() + ")"
}
func (n *exprRate) String() string { return "rate(" + n.sel.String() + ")" }
func (n *exprSum) String() string  { return "sum(" + n.sel.String() + ")" }
func (n *exprQuantile) String() string {
	return "histogram_quantile(" + strconv.FormatFloat(n.q, 'g', -1, 64) + ", " + n.sel.String() + ")"
}
func (n *exprSelector) String() string {
	if len(n.matchers) == 0 {
		return n.name
	}
	parts := make([]string, len(n.matchers))
	for i, m := range n.matchers {
		parts[i] = m.label + m.op + strconv.Quote(m.value)
	}
	return n.name + "{" + strings.Join(parts, ", ") + "}"
}

// Evaluation.

func (m *exprMatcher) matches(labels []exprLabel) bool {
	v := ""
	for _, l := range labels {
		if l.Name == m.label {
			v = l.Value
			break
		}
	}
	switch m.op {
	case "=":
		return v == m.value
	case "!=":
		return v != m.value
	case "=~":
		return m.re.MatchString(v)
	default: // "!~"
		return !m.re.MatchString(v)
	}
}

// match returns the series of name that match, and false (with a warning)
// when no target exposes name at all.
func (n *exprSelector) match(env *exprEnv, name string) ([]exprSeries, bool) {
	all, known := env.data[name]
	if !known {
		env.warn("no series named %s", name)
		return nil, false
	}
	if len(n.matchers) == 0 {
		return all, true
	}
	var out []exprSeries
	for _, s := range all {
		ok := true
		for i := range n.matchers {
			if !n.matchers[i].matches(s.Labels) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, true
}

func (n *exprNumber) eval(*exprEnv) (float64, bool) { return n.v, true }

func (n *exprBinary) eval(env *exprEnv) (float64, bool) {
	l, lok := n.l.eval(env)
	r, rok := n.r.eval(env) // evaluated anyway, for its warnings
	if !lok || !rok {
		return 0, false
	}
	switch n.op {
	case '+':
		return l + r, true
	case '-':
		return l - r, true
	case '*':
		return l * r, true
	}
	if r == 0 {
		if l == 0 {
			return 0, true // an idle ratio: nothing failed out of nothing
		}
		env.warn("division by zero")
		return 0, false
	}
	return l / r, true
}

func (n *exprSelector) eval(env *exprEnv) (float64, bool) {
	series, ok := n.match(env, n.name)
	if !ok {
		return 0, false
	}
	sum := 0.0
	for _, s := range series {
		sum += s.Value
	}
	return sum, true
}

func (n *exprSum) eval(env *exprEnv) (float64, bool) { return n.sel.eval(env) }

// exprIncrease is a counter's increase since the previous poll; a drop is a
// reset, after which the counter counted up from zero.
func exprIncrease(s exprSeries) float64 {
	if s.Value < s.Prev {
		return s.Value
	}
	return s.Value - s.Prev
}

// exprCheckPrev reports whether the series can give an increase: false with
// a warning when none has a previous value (warming up) or the clock did not
// advance.
func exprCheckPrev(env *exprEnv, series []exprSeries) bool {
	warm := len(series) > 0
	for _, s := range series {
		if !s.HasPrev {
			continue
		}
		warm = false
		if !(s.Elapsed > 0) {
			env.warn("clock did not advance since the previous poll")
			return false
		}
	}
	if warm {
		env.warn("warming up")
		return false
	}
	return true
}

func (n *exprRate) eval(env *exprEnv) (float64, bool) {
	series, ok := n.sel.match(env, n.sel.name)
	if !ok || !exprCheckPrev(env, series) {
		return 0, false
	}
	sum := 0.0
	for _, s := range series {
		if s.HasPrev {
			sum += exprIncrease(s) / s.Elapsed
		}
	}
	return sum, true
}

// exprBucket is one cumulative histogram bucket.
type exprBucket struct{ upper, count float64 }

func (n *exprQuantile) eval(env *exprEnv) (float64, bool) {
	name := n.sel.name + "_bucket"
	series, ok := n.sel.match(env, name)
	if !ok || !exprCheckPrev(env, series) {
		return 0, false
	}
	var buckets []exprBucket
	for _, s := range series {
		if !s.HasPrev {
			continue
		}
		le := ""
		for _, l := range s.Labels {
			if l.Name == "le" {
				le = l.Value
			}
		}
		upper, err := strconv.ParseFloat(le, 64)
		if err != nil {
			continue
		}
		inc := exprIncrease(s)
		if i := slices.IndexFunc(buckets, func(b exprBucket) bool { return b.upper == upper }); i >= 0 {
			buckets[i].count += inc
		} else {
			buckets = append(buckets, exprBucket{upper: upper, count: inc})
		}
	}
	if len(buckets) == 0 {
		return 0, false // nothing matched: nothing observed
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].upper < buckets[j].upper })
	if !math.IsInf(buckets[len(buckets)-1].upper, 1) {
		env.warn("%s has no le=\"+Inf\" bucket", name)
		return 0, false
	}
	return exprBucketQuantile(n.q, buckets)
}

// exprBucketQuantile is Prometheus' bucketQuantile for classic histograms:
// find the bucket holding the q-th observation and interpolate linearly
// inside it, assuming observations spread evenly. buckets are sorted by
// upper bound and end with +Inf.
func exprBucketQuantile(q float64, buckets []exprBucket) (float64, bool) {
	if len(buckets) < 2 {
		return 0, false
	}
	// Buckets summed from several series, or reset independently, can come
	// out non-monotonic; Prometheus evens them out the same way.
	for i := 1; i < len(buckets); i++ {
		if buckets[i].count < buckets[i-1].count {
			buckets[i].count = buckets[i-1].count
		}
	}
	total := buckets[len(buckets)-1].count
	if !(total > 0) {
		return 0, false // no observations in the interval
	}
	rank := q * total
	// For q = 0 the rank is 0: look for the first bucket holding anything,
	// or an empty first bucket would interpolate 0/0.
	b := sort.Search(len(buckets)-1, func(i int) bool { return buckets[i].count >= rank && buckets[i].count > 0 })
	switch {
	case b == len(buckets)-1:
		return buckets[len(buckets)-2].upper, true
	case b == 0 && buckets[0].upper <= 0:
		return buckets[0].upper, true
	}
	start, end, count := 0.0, buckets[b].upper, buckets[b].count
	if b > 0 {
		start = buckets[b-1].upper
		count -= buckets[b-1].count
		rank -= buckets[b-1].count
	}
	return start + (end-start)*(rank/count), true
}
