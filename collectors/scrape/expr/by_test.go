package expr

import (
	"maps"
	"math"
	"slices"
	"testing"
)

func TestExprEvalByGivesEachValueOfTheLabelItsOwnFigure(t *testing.T) {
	tests := []struct {
		name, src, label string
		want             map[string]float64
		warnings         []string
	}{
		{"failed requests per second by code", `rate(reqs{code=~"5.."})`, "code",
			map[string]float64{"503": 5, "502": 1}, nil}, // 50/10; reset 10/10
		{"a code no selector matches is no part of it", `rate(reqs{code!="200"})`, "code",
			map[string]float64{"503": 5, "502": 1}, nil},
		{"every selector is restricted to the value", `rate(reqs{code=~"5.."}) / rate(reqs)`, "code",
			map[string]float64{"503": 1, "502": 1, "200": 0}, nil}, // 200: 0 of 20/s
		{"a label no series carries gives nothing", `rate(reqs)`, "zone", map[string]float64{}, nil},
		{"gauges break down too", `conns`, "host", map[string]float64{"a": 5, "b": 7}, nil},
		{"a value whose figure is missing is left out with a warning", `rate(reqs{code=~"5.."}) / rate(reqs{code="503"})`, "code",
			map[string]float64{"503": 1}, []string{"division by zero"}},
		{"a histogram without series of a value leaves that value out", `rate(reqs) + histogram_quantile(0.5, d)`, "code",
			map[string]float64{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got, warnings, err := x.EvalBy(testData(), tt.label)
			if err != nil {
				t.Fatalf("EvalBy: %v", err)
			}
			if !maps.EqualFunc(got, tt.want, func(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }) {
				t.Errorf("= %v, want %v", got, tt.want)
			}
			for _, w := range tt.warnings {
				if !slices.Contains(warnings, w) {
					t.Errorf("warnings %q lack %q", warnings, w)
				}
			}
		})
	}
}

func TestExprEvalByAnUnknownMetricIsTheExpressionsError(t *testing.T) {
	x, err := Parse(`rate(nope{code=~"5.."})`)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := x.EvalBy(testData(), "code")
	if err == nil || err.Error() != "no target exposes a metric named nope" || got != nil {
		t.Errorf("= %v, %v; want the unknown metric's error", got, err)
	}
}

// fleetData is two servers' requests and latency, and a third target
// (no instance label on its gauge) that is no server.
func fleetData() Data {
	s := func(v, prev float64, labels ...string) Series {
		out := Series{Value: v, Prev: prev, HasPrev: true, Elapsed: 10}
		for i := 0; i+1 < len(labels); i += 2 {
			out.Labels = append(out.Labels, Label{labels[i], labels[i+1]})
		}
		return out
	}
	return Data{
		"reqs": {
			s(1100, 100, "code", "200", "instance", "web-1"),
			s(900, 100, "code", "200", "instance", "web-2"), s(200, 0, "code", "502", "instance", "web-2"),
			s(5, 5, "code", "200", "instance", "web-3"),
		},
		"d_bucket": {
			s(100, 0, "instance", "web-1", "le", "0.1"), s(100, 0, "instance", "web-1", "le", "+Inf"),
			s(0, 0, "instance", "web-2", "le", "0.1"), s(100, 0, "instance", "web-2", "le", "1"), s(100, 0, "instance", "web-2", "le", "+Inf"),
		},
		"stock": {s(40, 40)},
	}
}

func TestExprOverOneServerOfAFleet(t *testing.T) {
	parts := fleetData().Split("instance")
	if got := slices.Sorted(maps.Keys(parts)); !slices.Equal(got, []string{"web-1", "web-2", "web-3"}) {
		t.Fatalf("servers = %q, want web-1..3 (the series without the label belong to none)", got)
	}
	tests := []struct {
		name, src, server string
		want              float64
		missing, err      bool
	}{
		{"a server's own requests", "rate(reqs)", "web-2", 100, false, false}, // (800+200)/10
		{"no 5xx series yet is an error ratio of 0", `rate(reqs{code=~"5.."}) / rate(reqs)`, "web-1", 0, false, false},
		{"a server's own error ratio", `rate(reqs{code=~"5.."}) / rate(reqs)`, "web-2", 0.2, false, false},
		{"an idle server's ratio is 0/0 = 0", `rate(reqs{code=~"5.."}) / rate(reqs)`, "web-3", 0, false, false},
		{"x/0 stays missing where that server's denominator is 0", `rate(reqs) / rate(reqs{code="502"})`, "web-1", 0, true, false},
		{"a server's own latency", "histogram_quantile(0.5, d)", "web-2", 0.1 + 0.9*50/100, false, false},
		{"another server's latency", "histogram_quantile(0.5, d)", "web-1", 0.05, false, false},
		{"a histogram the server does not expose is no figure of it", "histogram_quantile(0.5, d)", "web-3", 0, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			v, ok, _, err := x.Eval(parts[tt.server])
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want an error: %v", err, tt.err)
			}
			switch {
			case tt.missing && ok:
				t.Errorf("= %v, want missing", v)
			case !tt.missing && (!ok || math.Abs(v-tt.want) > 1e-12):
				t.Errorf("= %v (ok %v), want %v", v, ok, tt.want)
			}
		})
	}
}

// Series of one value need not come together: a label an exporter sets
// (a pod) interleaves with others.
func TestExprSplitGathersAValuesSeriesWhereverTheyAre(t *testing.T) {
	s := func(v float64, pod string) Series {
		return Series{Labels: []Label{{"pod", pod}}, Value: v}
	}
	d := Data{"x": {s(1, "a"), s(2, "b"), s(3, "a"), s(4, "a"), s(5, "c"), s(6, "b"), s(7, "")}}
	parts := d.Split("pod")
	want := map[string][]float64{"a": {1, 3, 4}, "b": {2, 6}, "c": {5}}
	if len(parts) != len(want) {
		t.Fatalf("parts %v, want a, b and c", slices.Sorted(maps.Keys(parts)))
	}
	for pod, values := range want {
		var got []float64
		for _, s := range parts[pod]["x"] {
			got = append(got, s.Value)
		}
		if !slices.Equal(got, values) {
			t.Errorf("pod %s = %v, want %v", pod, got, values)
		}
	}
	if got := d["x"]; len(got) != 7 || got[1].Value != 2 || got[2].Value != 3 {
		t.Errorf("Split changed its data: %v", got)
	}
}
