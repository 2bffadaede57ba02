package promql_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/promql"
)

func TestKeepLabelAddsTheLabelToEveryAggregationThroughTheAST(t *testing.T) {
	tests := []struct{ name, query, want string }{
		{"a whole sum gains by", `sum(x)`, `sum by (instance) (x)`},
		{"a by list gains the label", `sum by (le) (rate(h_bucket[1m]))`, `sum by (le, instance) (rate(h_bucket[1m]))`},
		{"a by list holding it already is unchanged", `sum by (instance) (x)`, `sum by (instance) (x)`},
		{"a without list drops it", `sum without (a, instance) (x)`, `sum without (a) (x)`},
		{"a without list not naming it keeps it already", `sum without (a) (x)`, `sum without (a) (x)`},
		{"nested aggregations both gain it", `max(sum by (job) (x))`, `max by (instance) (sum by (job, instance) (x))`},
		{"topk is per server, its k untouched", `topk(3, sum(rate(x[1m])))`, `topk by (instance) (3, sum by (instance) (rate(x[1m])))`},
		{"topk's scalar() parameter stays the whole's", `topk(scalar(sum(limit)), sum(x))`, `topk by (instance) (scalar(sum(limit)), sum by (instance) (x))`},
		{"quantile", `quantile(0.9, sum by (pod) (x))`, `quantile by (instance) (0.9, sum by (pod, instance) (x))`},
		{"count_values", `count_values("code", sum(x))`, `count_values by (instance) ("code", sum by (instance) (x))`},
		{"a query without aggregation is left as written", `node_load1`, `node_load1`},
		{"a ratio without aggregation reads 0 where its numerator has no series", `rate(a[1m])  /  rate(b[1m])`,
			`(rate(a[1m]) / rate(b[1m])) or on (instance) (rate(b[1m]) * 0)`},
		{"or vector(0) stays", `sum(a) or vector(0)`, `sum by (instance) (a) or vector(0)`},
		{"on() gains the label", `sum(a) or on() sum(b)`, `sum by (instance) (a) or on (instance) sum by (instance) (b)`},
		{"an on list gains the label", `sum by (job) (a) and on(job) sum by (job) (b)`,
			`sum by (job, instance) (a) and on (job, instance) sum by (job, instance) (b)`},
		{"an ignoring list loses it", `sum by (job) (a) - ignoring(instance, job) sum(b)`,
			`sum by (job, instance) (a) - ignoring (job) sum by (instance) (b)`},
		{"group_left no longer copies a label matched on", `sum by (job, instance) (a) * on(job) group_left(instance) sum by (job) (b)`,
			`sum by (job, instance) (a) * on (job, instance) group_left () sum by (job, instance) (b)`},
		{"a side without the label is matched ignoring it, on the left", `sum(a) + vector(1)`,
			`sum by (instance) (a) + ignoring (instance) group_left () vector(1)`},
		{"a side without the label is matched ignoring it, on the right", `vector(1) - sum(a)`,
			`vector(1) - ignoring (instance) group_right () sum by (instance) (a)`},
		{"scalar() arguments are left alone", `sum(a) / scalar(sum(b))`, `sum by (instance) (a) / scalar(sum(b))`},
		{"a number on one side changes no matching", `sum(a) * 100`, `sum by (instance) (a) * 100`},
		{"a ratio reads 0 where its numerator has no series", `sum(a) / sum(b)`,
			`(sum by (instance) (a) / sum by (instance) (b)) or on (instance) (sum by (instance) (b) * 0)`},
		{"a ratio inside an expression keeps its parentheses", `1 - sum(a) / sum(b) * 100`,
			`1 - ((sum by (instance) (a) / sum by (instance) (b)) or on (instance) (sum by (instance) (b) * 0)) * 100`},
		{"a ratio in written parentheses is not doubled", `(sum(a) / sum(b))`,
			`(sum by (instance) (a) / sum by (instance) (b)) or on (instance) (sum by (instance) (b) * 0)`},
		{"a compound denominator is parenthesised in its zero", `sum(a) / (sum(b) + sum(c))`,
			`(sum by (instance) (a) / (sum by (instance) (b) + sum by (instance) (c))) or on (instance) ((sum by (instance) (b) + sum by (instance) (c)) * 0)`},
		{"a ratio with vector(0) in its numerator", `(sum(rate(r{code=~"5.."}[4s])) or vector(0)) / clamp_min(sum(rate(r[4s])), 0.5)`,
			`((sum by (instance) (rate(r{code=~"5.."}[4s])) or vector(0)) / clamp_min(sum by (instance) (rate(r[4s])), 0.5)) or on (instance) (clamp_min(sum by (instance) (rate(r[4s])), 0.5) * 0)`},
		{"a ratio over a scalar() is no ratio of two servers' figures", `sum(a) / scalar(sum(b))`, `sum by (instance) (a) / scalar(sum(b))`},
		{"histogram_quantile over by (le)", `histogram_quantile(0.95, sum by (le) (rate(h_bucket[1m])))`,
			`histogram_quantile(0.95, sum by (le, instance) (rate(h_bucket[1m])))`},
		{"histogram_quantile over a native histogram", `histogram_quantile(0.95, sum(rate(h[1m])))`,
			`histogram_quantile(0.95, sum by (instance) (rate(h[1m])))`},
		{"a subquery", `max_over_time(sum(rate(x[1m]))[5m:1m])`, `max_over_time(sum by (instance) (rate(x[1m]))[5m:1m])`},
		{"absent() carries no label", `sum(a) + absent(b)`, `sum by (instance) (a) + ignoring (instance) group_left () absent(b)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := promql.KeepLabel(tt.query, "instance")
			if err != nil || got != tt.want {
				t.Fatalf("KeepLabel(%q)\n got %q, %v\nwant %q", tt.query, got, err, tt.want)
			}
			if _, err := parser.NewParser(parser.Options{}).ParseExpr(got); err != nil {
				t.Errorf("the rewrite does not parse: %v", err)
			}
		})
	}
}

func TestKeepLabelRefusesWhatItCannotRewrite(t *testing.T) {
	for _, tt := range []struct{ query, label string }{
		{`sum(x)`, ""},
		{`sum(x)`, "__name__"},
		{`sum(x`, "instance"},
	} {
		if got, err := promql.KeepLabel(tt.query, tt.label); err == nil {
			t.Errorf("KeepLabel(%q, %q) = %q, want an error", tt.query, tt.label, got)
		}
	}
}

// TestKeepLabelTakesEveryPresetQuery walks every preset config knows, so a
// preset added later is rewritten here without a line of this test
// changing.
func TestKeepLabelTakesEveryPresetQuery(t *testing.T) {
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range config.Presets() {
			if !yield(name) {
				return
			}
		}
	})
	if len(names) == 0 {
		t.Fatal("no presets")
	}
	vars := promql.Vars{Interval: time.Second, Scrape: time.Second}
	n := 0
	for _, name := range names {
		queries, ok := config.PresetQueries(name, "buy")
		if !ok {
			t.Fatalf("preset %s has no queries", name)
		}
		for addr, q := range queries {
			t.Run(name+"/"+addr, func(t *testing.T) {
				filled, err := promql.Expand(q, vars)
				if err != nil {
					t.Fatal(err)
				}
				got, err := promql.KeepLabel(filled, "pod")
				if err != nil {
					t.Fatalf("KeepLabel(%q): %v", filled, err)
				}
				checkKeeps(t, filled, got, "pod")
			})
			n++
		}
	}
	t.Logf("%d preset queries rewritten", n)
}

// checkKeeps checks a rewrite: it parses, reads the same metrics, every
// aggregation keeps the label, every on() list names it, and a query without aggregation
// is unchanged.
func checkKeeps(t *testing.T, query, got, label string) {
	t.Helper()
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(got)
	if err != nil {
		t.Fatalf("%q does not parse: %v", got, err)
	}
	if !slices.Equal(promql.MetricNames(query), promql.MetricNames(got)) {
		t.Errorf("%q reads %v, the query %v", got, promql.MetricNames(got), promql.MetricNames(query))
	}
	aggregations := 0
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		switch n := n.(type) {
		case *parser.AggregateExpr:
			aggregations++
			if n.Without == slices.Contains(n.Grouping, label) {
				t.Errorf("%s drops %s in %q", n.ShortString(), label, got)
			}
		case *parser.BinaryExpr:
			if vm := n.VectorMatching; vm != nil && vm.On && !slices.Contains(vm.MatchingLabels, label) {
				t.Errorf("%q matches without %s", got, label)
			}
		}
		return nil
	})
	if aggregations == 0 && got != query {
		t.Errorf("no aggregation, yet rewritten to %q", got)
	}
	if aggregations > 0 && !strings.Contains(got, label) {
		t.Errorf("%q does not name %s", got, label)
	}
}
