package promql

import (
	"strings"
	"testing"
)

func TestMetricNamesFindsTheMetricsAQueryReads(t *testing.T) {
	tests := []struct{ query, want string }{
		{`sum(rate(shop_page_views_total[$__rate_interval]))`, "shop_page_views_total"},
		{`(sum(rate(shop_http_requests_total{code=~"5.."}[1m])) or vector(0)) / clamp_min(sum(rate(shop_http_requests_total[1m])), 1e-9)`,
			"shop_http_requests_total"},
		{`sum by (job, instance) (node_load1) + on(instance) group_left(nodename) node_uname_info`, "node_load1,node_uname_info"},
		{`1 - avg(rate(node_cpu_seconds_total{mode="idle", cpu!~"x{y"}[30s] offset 5m))`, "node_cpu_seconds_total"},
		{`histogram_quantile(0.99, sum(rate(http_bucket[5m])) by (le)) > bool 0.5`, "http_bucket"},
		{`vector(1)`, ""},
		{`job:requests:rate5m # a recording rule`, "job:requests:rate5m"},
		{`{__name__="shop_stock_remaining", job="shop"} + {__name__=~"a|b"}`, "shop_stock_remaining"},
		{`{"shop.stock.remaining"}`, "shop.stock.remaining"},
		{`topk(scalar(limit), requests) / $__range_s`, "limit,requests"},
		{`max_over_time(sum(rate(x[$__rate_interval]))[$__range:$__interval]) * $__interval_ms`, "x"},
		{`rate(a[1m]) + no_such_function(b)`, "a,b"},
		{`rate(x[$__unknown])`, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(MetricNames(tt.query), ","); got != tt.want {
			t.Errorf("MetricNames(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestAParseErrorAfterAVariablePointsAtTheQueryAsWritten(t *testing.T) {
	// Each variable stands for a value as long as itself: the error is
	// where the same query with a literal of that length has it.
	tests := []struct{ query, literal string }{
		{"rate(x[$__rate_interval]])", "rate(x[000000000000001m]])"},
		{"x / $__range_s )", "x / 0000000001 )"},
		{"x / ${__interval_ms} )", "x / 0000000000000001 )"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.query)
		_, want := Parse(tt.literal)
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("Parse(%q) = %v, want %v", tt.query, err, want)
		}
	}
}
