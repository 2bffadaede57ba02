package promql

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestGrafanaVariablesAreFilledTheWayGrafanaFillsThem(t *testing.T) {
	tests := []struct {
		name             string
		interval, scrape time.Duration
		query, want      string
	}{
		{"a 1s scrape at 1s polls gives four scrapes", time.Second, time.Second, "rate(x[$__rate_interval])", "rate(x[4s])"},
		{"a 15s scrape at 1s polls gives 60s", time.Second, 15 * time.Second, "rate(x[$__rate_interval])", "rate(x[60s])"},
		{"a long poll interval wins: interval plus one scrape", 10 * time.Second, time.Second, "rate(x[$__rate_interval])", "rate(x[11s])"},
		{"a sub-second sum is written in milliseconds", 500 * time.Millisecond, 2 * time.Second, "rate(x[$__rate_interval])", "rate(x[8s])"},
		{"milliseconds when the window is not whole seconds", 1500 * time.Millisecond, 300 * time.Millisecond, "rate(x[$__rate_interval])", "rate(x[1800ms])"},
		{"$__interval is the poll interval", 2 * time.Second, time.Second, "avg_over_time(x[$__interval])", "avg_over_time(x[2s])"},
		{"$__range is the poll interval for an instant query", time.Second, time.Second, "increase(x[$__range])", "increase(x[1s])"},
		{"the braced form and the number forms", 2 * time.Second, time.Second, "x[${__rate_interval}] / $__interval_ms / $__range_s / $__range_ms / $__rate_interval_ms",
			"x[4s] / 2000 / 2 / 2000 / 4000"},
		{"$__range_s rounds to whole seconds", 1500 * time.Millisecond, time.Second, "x / $__range_s / ${__range_s}", "x / 2 / 2"},
		{"a query without variables is unchanged, $ in a regex too", time.Second, time.Second, `sum(rate(x{path=~"/a$"}[30s]))`, `sum(rate(x{path=~"/a$"}[30s]))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.query, Vars{Interval: tt.interval, Scrape: tt.scrape})
			if err != nil || got != tt.want {
				t.Errorf("= %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestEveryVariableInBothSpellingsHasItsValue(t *testing.T) {
	vars := Vars{Interval: 2 * time.Second, Scrape: 5 * time.Second} // rate interval 20s
	want := map[string]string{
		"interval": "2s", "interval_ms": "2000",
		"rate_interval": "20s", "rate_interval_ms": "20000",
		"range": "2s", "range_s": "2", "range_ms": "2000",
	}
	if len(want) != len(Variables) {
		t.Fatalf("%d variables in the table, %d here", len(Variables), len(want))
	}
	for _, x := range Variables {
		for _, written := range []string{"$__" + x.Name, "${__" + x.Name + "}"} {
			got, err := Expand("x * "+written, vars)
			if err != nil || got != "x * "+want[x.Name] {
				t.Errorf("%s = %q, %v; want %q", written, got, err, "x * "+want[x.Name])
			}
			if _, err := Parse("sum(rate(x[1m])) * " + written); err != nil && x.Unit != 0 {
				t.Errorf("%s does not parse as a number: %v", written, err)
			}
			if UsesRateInterval(written) != x.Rate {
				t.Errorf("UsesRateInterval(%s) = %v", written, !x.Rate)
			}
		}
	}
}

func TestAnUnknownVariableIsNamedWithTheKnownOnes(t *testing.T) {
	for _, q := range []string{"rate(x[$__rate_intervall])", "rate(x[${__foo}])"} {
		_, err := Expand(q, Vars{Interval: time.Second, Scrape: time.Second})
		var unknown *UnknownVariableError
		if !errors.As(err, &unknown) || len(unknown.Written) != 1 ||
			!strings.HasSuffix(err.Error(), "known: $__interval, $__interval_ms, $__rate_interval, $__rate_interval_ms, $__range, $__range_s, $__range_ms") {
			t.Errorf("Expand(%q) err = %v", q, err)
		}
		if _, err := Parse(q); !errors.As(err, &unknown) {
			t.Errorf("Parse(%q) err = %v, want the unknown variable", q, err)
		}
	}
}
