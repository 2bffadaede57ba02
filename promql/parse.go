package promql

import (
	"cmp"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// promParser is Prometheus' own parser, so a query is read as the servers
// read it (Thanos and Mimir embed the same parser). Experimental functions
// and fill modifiers are let through: a server may have them switched on,
// and refusing a query the server accepts would stop watch for nothing.
var promParser = parser.NewParser(parser.Options{
	EnableExperimentalFunctions: true,
	EnableBinopFillModifiers:    true,
})

// stand fills a query's variables with stand-ins of their kind, each
// padded with zeros to the length of the variable as written ("$__range"
// becomes "0000001m", "$__range_s" "000000001"), so the columns of a parse
// error still point into the query as written.
func stand(q string) (string, error) {
	return replace(q, func(x Variable, written string) string {
		if x.Unit == 0 {
			return strings.Repeat("0", len(written)-2) + "1m"
		}
		return strings.Repeat("0", len(written)-1) + "1"
	})
}

// Parse parses a query offline, its variables standing for values of
// their kind. The error is an *UnknownVariableError, or the parser's own,
// with the line:column within the query as written.
func Parse(q string) (parser.Expr, error) {
	filled, err := stand(q)
	if err != nil {
		return nil, err
	}
	return promParser.ParseExpr(filled)
}

// MetricNames returns the metric names a query reads, in order of first
// appearance: each selector's name, written before its braces or as an
// equality matcher on __name__ ({__name__="x"}). A selector of a regular
// expression over names names none. Of a query the parser refuses it
// returns what the parser read before the error: good enough to ask the
// server about those metrics' samples, since a name missed only makes a
// detection or a sample time less informed, never a value wrong.
func MetricNames(q string) []string {
	filled, err := stand(q)
	if err != nil {
		return nil
	}
	expr, _ := promParser.ParseExpr(filled)
	if expr == nil {
		return nil
	}
	type found struct {
		name string
		pos  int
	}
	var all []found
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		for _, m := range vs.LabelMatchers {
			if m != nil && m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
				all = append(all, found{m.Value, int(vs.PosRange.Start)})
			}
		}
		return nil
	})
	// The tree lists an aggregation's expression before its parameter;
	// the text is the order people read.
	slices.SortStableFunc(all, func(a, b found) int { return cmp.Compare(a.pos, b.pos) })
	var names []string
	for _, f := range all {
		if !slices.Contains(names, f.name) {
			names = append(names, f.name)
		}
	}
	return names
}
