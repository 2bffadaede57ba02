package expr

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestExprParse(t *testing.T) {
	tests := []struct {
		name, src, want string // want is the canonical String
		names           []string
	}{
		{"a bare metric is a selector", "shop_stock_remaining", "shop_stock_remaining", []string{"shop_stock_remaining"}},
		{"precedence binds * before +", "1 + 2 * x", "(1 + (2 * x))", []string{"x"}},
		{"operators of one level are left-associative", "a - b - c / d / e", "((a - b) - ((c / d) / e))", []string{"a", "b", "c", "d", "e"}},
		{"parentheses group", "(a + b) * 2", "((a + b) * 2)", []string{"a", "b"}},
		{"all four matchers parse", `x{a="1", b!="2", c=~"3.*", d!~'4'}`, `x{a="1", b!="2", c=~"3.*", d!~"4"}`, []string{"x"}},
		{"raw strings keep backslashes", "x{a=~`\\d+`}", `x{a=~"\\d+"}`, []string{"x"}},
		{"single quotes may hold double quotes", `x{a='say "hi"'}`, `x{a="say \"hi\""}`, []string{"x"}},
		{"numbers take exponents", "x / 1e-9 + .5", "((x / 1e-09) + 0.5)", []string{"x"}},
		{"histogram_quantile reads the _bucket series", `histogram_quantile(0.99, d{handler="buy"})`, `histogram_quantile(0.99, d{handler="buy"})`, []string{"d_bucket"}},
		{"names may hold colons", "job:requests:rate5m", "job:requests:rate5m", []string{"job:requests:rate5m"}},
		{"the error-rate preset parses", `rate(r{code=~"5.."}) / rate(r)`, `(rate(r{code=~"5.."}) / rate(r))`, []string{"r"}},
		{"sum takes a selector", "sum(x{a=\"b\"})", `sum(x{a="b"})`, []string{"x"}},
		{"a metric may be named like a function", "rate + sum", "(rate + sum)", []string{"rate", "sum"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.src, err)
			}
			if got := x.root.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
			if !slices.Equal(x.names, tt.names) {
				t.Errorf("names = %q, want %q", x.names, tt.names)
			}
		})
	}
}

func TestExprParseErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"an empty expression", "  ", "col 1: empty expression"},
		{"rate of a number", "rate(5)", "col 6: rate() takes a selector, got 5"},
		{"sum of a rate", "sum(rate(x))", "col 5: sum() takes a selector, got rate(x) (rate() already sums its series)"},
		{"a missing parenthesis", "(a + b", "col 7: expected ')', got end of expression"},
		{"an unclosed brace", `x{a="b"`, "col 8: expected '}', got end of expression"},
		{"a PromQL range", "rate(x[1m])", "col 7: no range needed: rate() spans the time since the previous poll"},
		{"an unknown function", "avg(x)", "col 1: unknown function avg(); known: histogram_quantile, rate, sum"},
		{"an unquoted label value", "x{a=b}", `col 5: expected a quoted string, got "b"`},
		{"a PromQL == matcher", `x{a=="b"}`, "col 4: use = to match a label, not =="},
		{"a bad regex", `x{a=~"("}`, `col 6: bad regex "(": error parsing regexp`},
		{"an unterminated string", `x{a="b}`, "col 5: unterminated string"},
		{"a trailing operator", "a +", "col 4: unexpected end of expression"},
		{"two operands in a row", "a b", `col 3: unexpected "b"`},
		{"unary minus", "-a", "col 1: unary minus is not supported; write 0 - x"},
		{"a quantile out of range", "histogram_quantile(1.5, d)", "col 20: histogram_quantile() takes a quantile between 0 and 1, got 1.5"},
		{"a quantile over _bucket", "histogram_quantile(0.5, d_bucket)", "col 20: histogram_quantile() takes the histogram's base name, without _bucket: d"},
		{"a number out of range", "1e999", "col 1: number 1e999 is out of range"},
		{"a duration", "x * 5m", `col 6: unexpected 'm' after number 5`},
		{"a stray character", "x % 2", "col 3: unexpected character '%'"},
		{"a column counts characters, not bytes", `x{a="é"} @`, "col 10: unexpected character '@'"},
		{"too deep nesting", strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100), "expression nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) = %v, want %q", tt.src, err, tt.want)
			}
		})
	}
}

// testData is two polls, 10 s apart, of a small shop.
func testData() Data {
	s := func(v, prev float64, labels ...string) Series {
		out := Series{Value: v, Prev: prev, HasPrev: true, Elapsed: 10}
		for i := 0; i+1 < len(labels); i += 2 {
			out.Labels = append(out.Labels, Label{labels[i], labels[i+1]})
		}
		return out
	}
	return Data{
		"conns":  {s(5, 0, "host", "a"), s(7, 0, "host", "b")},
		"reqs":   {s(300, 100, "code", "200"), s(50, 0, "code", "503"), s(10, 40, "code", "502")},
		"new":    {{Value: 10}},
		"frozen": {{Value: 10, Prev: 5, HasPrev: true, Elapsed: 0}},
		"d_bucket": {
			s(0, 0, "le", "0.1"), s(20, 0, "le", "1"), s(40, 0, "le", "+Inf"),
		},
		"nobs_bucket":  {s(3, 3, "le", "1"), s(3, 3, "le", "+Inf")},
		"noinf_bucket": {s(3, 0, "le", "1")},
	}
}

func TestExprEval(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    float64
		missing bool
		warning string
	}{
		{"a selector sums its series", "conns", 12, false, ""},
		{"matchers filter series", `conns{host="b"}`, 7, false, ""},
		{"a regex is anchored", `conns{host=~"a|"}`, 5, false, ""},
		{"a negative regex", `reqs{code!~"5.."}`, 300, false, ""},
		{"an absent label matches the empty string", `conns{zone=""}`, 12, false, ""},
		{"a selector matching nothing is 0", `conns{host="c"}`, 0, false, ""},
		{"rate is increase per second, resets counting from zero", "rate(reqs)", (200 + 50 + 10) / 10.0, false, ""},
		{"arithmetic respects precedence", "1 + 2 * 3 - 4 / 2", 5, false, ""},
		{"0/0 is 0", `rate(reqs{code="404"}) / conns{host="c"}`, 0, false, ""},
		{"x/0 is missing with a warning", `conns / conns{host="c"}`, 0, true, "division by zero"},
		{"a series without a previous value warms up", "rate(new)", 0, true, "warming up"},
		{"a clock that did not advance gives no rate", "rate(frozen)", 0, true, "clock did not advance since the previous poll"},
		{"the median interpolates in its bucket", "histogram_quantile(0.5, d)", 0.1 + 0.9*(20.0/20), false, ""},
		{"a low quantile interpolates from the bucket's lower bound", "histogram_quantile(0.25, d)", 0.1 + 0.9*(10.0/20), false, ""},
		{"a quantile in the +Inf bucket reads the highest finite bound", "histogram_quantile(0.9, d)", 1, false, ""},
		{"no observations in the interval is missing", "histogram_quantile(0.5, nobs)", 0, true, ""},
		{"a histogram without +Inf is missing with a warning", "histogram_quantile(0.5, noinf)", 0, true, `noinf_bucket has no le="+Inf" bucket`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			v, ok, warnings, err := x.Eval(testData())
			if err != nil {
				t.Errorf("error %v, want a value or a warning", err)
			}
			switch {
			case tt.missing && ok:
				t.Errorf("= %v, want missing", v)
			case !tt.missing && !ok:
				t.Errorf("missing (warnings %q), want %v", warnings, tt.want)
			case ok && !(math.Abs(v-tt.want) <= 1e-12):
				t.Errorf("= %v, want %v", v, tt.want)
			}
			if tt.warning != "" && !slices.Contains(warnings, tt.warning) {
				t.Errorf("warnings = %q, want %q", warnings, tt.warning)
			}
			if tt.warning == "" && len(warnings) > 0 {
				t.Errorf("unexpected warnings %q", warnings)
			}
		})
	}
}

func TestExprBucketQuantileMatchesPrometheus(t *testing.T) {
	// Hand-computed as Prometheus' bucketQuantile does.
	b := func() []bucket {
		return []bucket{{upper: 0.05}, {upper: 0.1, count: 40}, {upper: 0.25, count: 60}, {upper: 0.5, count: 60}, {upper: math.Inf(1), count: 60}}
	}
	tests := []struct {
		name string
		q    float64
		want float64
	}{
		{"the median", 0.5, 0.05 + 0.05*30/40},
		{"the 99th percentile", 0.99, 0.1 + 0.15*19.4/20},
		{"the maximum stops at the last filled bucket", 1, 0.25},
		{"the minimum is the start of the first filled bucket", 0, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := bucketQuantile(tt.q, b())
			if !ok || !(math.Abs(got-tt.want) <= 1e-12) {
				t.Errorf("= %v (ok %v), want %v", got, ok, tt.want)
			}
		})
	}
}

func FuzzParseExpr(f *testing.F) {
	for _, seed := range []string{
		"rate(shop_page_views_total)",
		`rate(shop_http_requests_total{code=~"5.."}) / rate(shop_http_requests_total)`,
		`histogram_quantile(0.99, shop_http_request_duration_seconds{handler="buy"})`,
		"(a + b) * 2 - c / 1e-9",
		`x{a='b\'c', d=~` + "`\\d+`" + `}`,
		"rate(x[1m])", "((((", `x{a="\xff"}`, "1e999", "histogram_quantile(1, d)",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		x, err := Parse(src)
		if err != nil {
			if x != nil {
				t.Fatalf("Parse(%q) returned a tree and an error", src)
			}
			return
		}
		// The canonical form parses back to itself.
		canon := x.root.String()
		y, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q fails: %v", src, canon, err)
		}
		if again := y.root.String(); again != canon {
			t.Fatalf("String round-trip: %q → %q", canon, again)
		}
		_, _, _, _ = x.Eval(testData()) // must not panic either
		_, _, _ = x.EvalBy(testData(), "code")
		for _, part := range testData().Split("host") {
			_, _, _, _ = x.Eval(part)
		}
	})
}

func TestExprEvalErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"an unknown metric is the expression's error", "rate(nope) + 1", "no target exposes a metric named nope"},
		{"an unknown histogram is the expression's error", "histogram_quantile(0.5, nope)", "no target exposes a metric named nope_bucket"},
		{"a histogram whose matchers match no bucket is an error", `histogram_quantile(0.5, d{handler="nope"})`,
			`no d_bucket series match d{handler="nope"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			v, ok, _, err := x.Eval(testData())
			if ok {
				t.Errorf("= %v, want missing", v)
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
