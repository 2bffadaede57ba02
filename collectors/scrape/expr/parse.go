package expr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lexer and the recursive-descent parser of scrape expressions; the
// grammar is in expr.go.

type tokKind int

const (
	tokEOF tokKind = iota
	tokNumber
	tokIdent
	tokString
	tokPunct // ( ) { } [ ] , + - * / = != =~ !~
)

type token struct {
	kind tokKind
	pos  int    // byte offset
	text string // the source text; for a string, its unquoted value
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return "string " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

type parser struct {
	src string
	off int
	tok token
	err error
}

// fail records the first error; later ones are consequences of it.
func (p *parser) fail(pos int, format string, args ...any) {
	if p.err != nil {
		return
	}
	p.err = &Error{col: utf8.RuneCountInString(p.src[:pos]) + 1, msg: fmt.Sprintf(format, args...)}
	p.tok = token{kind: tokEOF, pos: len(p.src)}
	p.off = len(p.src)
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// next reads the next token into p.tok.
func (p *parser) next() {
	if p.err != nil {
		return
	}
	for p.off < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.off]) >= 0 {
		p.off++
	}
	start := p.off
	if start >= len(p.src) {
		p.tok = token{kind: tokEOF, pos: start}
		return
	}
	c := p.src[start]
	switch {
	case isIdentStart(c):
		end := start + 1
		for end < len(p.src) && (isIdentStart(p.src[end]) || isDigit(p.src[end])) {
			end++
		}
		p.off = end
		p.tok = token{kind: tokIdent, pos: start, text: p.src[start:end]}
	case isDigit(c) || (c == '.' && start+1 < len(p.src) && isDigit(p.src[start+1])):
		p.lexNumber(start)
	case c == '"' || c == '\'' || c == '`':
		p.lexString(start, c)
	case (c == '!' || c == '=') && start+1 < len(p.src) && (p.src[start+1] == '=' || p.src[start+1] == '~'):
		if c == '=' && p.src[start+1] == '=' {
			p.fail(start, "use = to match a label, not ==")
			return
		}
		p.off = start + 2
		p.tok = token{kind: tokPunct, pos: start, text: p.src[start:p.off]}
	case strings.IndexByte("(){}[],+-*/=", c) >= 0:
		p.off = start + 1
		p.tok = token{kind: tokPunct, pos: start, text: p.src[start:p.off]}
	default:
		r, _ := utf8.DecodeRuneInString(p.src[start:])
		p.fail(start, "unexpected character %q", r)
	}
}

func (p *parser) lexNumber(start int) {
	end := start
	for end < len(p.src) && (isDigit(p.src[end]) || p.src[end] == '.') {
		end++
	}
	if end < len(p.src) && (p.src[end] == 'e' || p.src[end] == 'E') {
		e := end + 1
		if e < len(p.src) && (p.src[e] == '+' || p.src[e] == '-') {
			e++
		}
		if e < len(p.src) && isDigit(p.src[e]) {
			for e < len(p.src) && isDigit(p.src[e]) {
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
	case end < len(p.src) && (isIdentStart(p.src[end]) || isDigit(p.src[end])):
		p.fail(end, "unexpected %q after number %s (durations are not needed: rate() spans the time since the previous poll)", p.src[end], text)
		return
	}
	p.off = end
	p.tok = token{kind: tokNumber, pos: start, text: strconv.FormatFloat(v, 'g', -1, 64)}
}

func (p *parser) lexString(start int, quote byte) {
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
	p.tok = token{kind: tokString, pos: start, text: val}
}

func (p *parser) isPunct(s string) bool { return p.tok.kind == tokPunct && p.tok.text == s }

func (p *parser) expect(s string) {
	if !p.isPunct(s) {
		p.fail(p.tok.pos, "expected '%s', got %s", s, p.tok.describe())
		return
	}
	p.next()
}

func (p *parser) parseExpr(depth int) node {
	if depth > maxDepth {
		p.fail(p.tok.pos, "expression nested too deeply")
		return nil
	}
	n := p.parseTerm(depth)
	for p.err == nil && (p.isPunct("+") || p.isPunct("-")) {
		op := p.tok.text[0]
		p.next()
		n = &binary{op: op, l: n, r: p.parseTerm(depth)}
	}
	return n
}

func (p *parser) parseTerm(depth int) node {
	n := p.parseFactor(depth)
	for p.err == nil && (p.isPunct("*") || p.isPunct("/")) {
		op := p.tok.text[0]
		p.next()
		n = &binary{op: op, l: n, r: p.parseFactor(depth)}
	}
	return n
}

func (p *parser) parseFactor(depth int) node {
	if p.err != nil {
		return nil
	}
	t := p.tok
	switch {
	case t.kind == tokNumber:
		p.next()
		v, _ := strconv.ParseFloat(t.text, 64)
		return &number{v: v}
	case p.isPunct("("):
		p.next()
		n := p.parseExpr(depth + 1)
		p.expect(")")
		return n
	case t.kind == tokIdent:
		p.next()
		if p.isPunct("(") {
			return p.parseCall(t, depth)
		}
		return p.parseSelector(t)
	case p.isPunct("-"):
		p.fail(t.pos, "unary minus is not supported; write 0 - x")
		return nil
	case t.kind == tokEOF:
		p.fail(t.pos, "unexpected end of expression")
		return nil
	}
	p.fail(t.pos, "expected a number, '(', a function or a metric name, got %s", t.describe())
	return nil
}

// parseCall parses a call whose name is fn; p.tok is its '('.
func (p *parser) parseCall(fn token, depth int) node {
	p.next()
	switch fn.text {
	case "rate", "sum":
		sel := p.parseSelectorArg(fn.text, depth)
		p.expect(")")
		if fn.text == "rate" {
			return &rateCall{sel: sel}
		}
		return &sumCall{sel: sel}
	case "histogram_quantile":
		pos := p.tok.pos
		arg := p.parseExpr(depth + 1)
		if p.err != nil {
			return nil
		}
		num, ok := arg.(*number)
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
		return &quantileCall{q: num.v, sel: sel}
	}
	p.fail(fn.pos, "unknown function %s(); known: histogram_quantile, rate, sum", fn.text)
	return nil
}

// parseSelectorArg parses a function argument that must be a selector.
func (p *parser) parseSelectorArg(fn string, depth int) *selector {
	pos := p.tok.pos
	arg := p.parseExpr(depth + 1)
	if p.err != nil {
		return nil
	}
	sel, ok := arg.(*selector)
	if !ok {
		hint := ""
		if _, inner := arg.(*rateCall); inner && fn == "sum" {
			hint = " (rate() already sums its series)"
		}
		p.fail(pos, "%s() takes a selector, got %s%s", fn, arg, hint)
		return nil
	}
	return sel
}

// parseSelector parses the rest of a selector whose name is name.
func (p *parser) parseSelector(name token) node {
	sel := &selector{name: name.text}
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

func (p *parser) parseMatcher() matcher {
	t := p.tok
	if t.kind != tokIdent || strings.Contains(t.text, ":") {
		p.fail(t.pos, "expected a label name, got %s", t.describe())
		return matcher{}
	}
	p.next()
	op := p.tok
	if op.kind != tokPunct || (op.text != "=" && op.text != "!=" && op.text != "=~" && op.text != "!~") {
		p.fail(op.pos, "expected one of = != =~ !~, got %s", op.describe())
		return matcher{}
	}
	p.next()
	val := p.tok
	if val.kind != tokString {
		p.fail(val.pos, "expected a quoted string, got %s", val.describe())
		return matcher{}
	}
	p.next()
	m := matcher{label: t.text, op: op.text, value: val.text}
	if op.text == "=~" || op.text == "!~" {
		re, err := regexp.Compile("^(?s:" + val.text + ")$")
		if err != nil {
			p.fail(val.pos, "bad regex %s: %v", strconv.Quote(val.text), err)
			return matcher{}
		}
		m.re, m.memo = re, new(regexMemo)
	}
	return m
}
