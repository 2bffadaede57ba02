package collectors

import (
	"fmt"
	"strings"
	"testing"
)

func TestTheNewestSampleQueryTakesEachMetricsTimeOnItsOwn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		metrics []string
		want    string
	}{
		{"one metric is the newest timestamp() of its series", []string{"up"}, `max(timestamp({__name__="up"}))`},
		{"two metrics are each reduced, labelled apart and joined with or", []string{"shop_page_views_total", "shop_stock_remaining"},
			`max(label_replace(max(timestamp({__name__="shop_page_views_total"})), "launchwatch_metric", "0", "", "")` +
				` or label_replace(max(timestamp({__name__="shop_stock_remaining"})), "launchwatch_metric", "1", "", ""))`},
		{"a name is matched exactly, its regular-expression characters meaning themselves", []string{`a.b|c+`},
			`max(timestamp({__name__="a.b|c+"}))`},
		{"quotes and backslashes in a name are escaped", []string{`say "hi" \ bye`},
			`max(timestamp({__name__="say \"hi\" \\ bye"}))`},
		{"a PromQL keyword is only a name inside the quotes", []string{"offset"}, `max(timestamp({__name__="offset"}))`},
	}
	for _, tt := range tests {
		if got := promNewestQuery(tt.metrics); got != tt.want {
			t.Errorf("%s: promNewestQuery(%q) =\n%s\nwant\n%s", tt.name, tt.metrics, got, tt.want)
		}
	}

	t.Run("many metrics are one term each, every one labelled apart", func(t *testing.T) {
		var metrics []string
		for i := range 12 {
			metrics = append(metrics, fmt.Sprintf("m%d:rate5m", i))
		}
		q := promNewestQuery(metrics)
		if !strings.HasPrefix(q, "max(label_replace(") || strings.Count(q, " or ") != len(metrics)-1 || strings.Contains(q, "=~") {
			t.Errorf("query = %s, want max() over %d terms joined with or, and no regular expression", q, len(metrics))
		}
		for i, m := range metrics {
			term := fmt.Sprintf(`label_replace(max(timestamp({__name__=%q})), %q, "%d", "", "")`, m, promNewestLabel, i)
			if strings.Count(q, term) != 1 {
				t.Errorf("query = %s, want the term %s once", q, term)
			}
		}
	})
}
