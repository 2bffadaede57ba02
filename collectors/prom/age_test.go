package prom

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/sourcetest"
	"github.com/launchwatch/launchwatch/snapshot"
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
		if got := newestQuery(tt.metrics); got != tt.want {
			t.Errorf("%s: newestQuery(%q) =\n%s\nwant\n%s", tt.name, tt.metrics, got, tt.want)
		}
	}

	t.Run("many metrics are one term each, every one labelled apart", func(t *testing.T) {
		var metrics []string
		for i := range 12 {
			metrics = append(metrics, fmt.Sprintf("m%d:rate5m", i))
		}
		q := newestQuery(metrics)
		if !strings.HasPrefix(q, "max(label_replace(") || strings.Count(q, " or ") != len(metrics)-1 || strings.Contains(q, "=~") {
			t.Errorf("query = %s, want max() over %d terms joined with or, and no regular expression", q, len(metrics))
		}
		for i, m := range metrics {
			term := fmt.Sprintf(`label_replace(max(timestamp({__name__=%q})), %q, "%d", "", "")`, m, newestLabel, i)
			if strings.Count(q, term) != 1 {
				t.Errorf("query = %s, want the term %s once", q, term)
			}
		}
	})
}

func TestAFailingNewestSampleQueryIsAWarningThatStaysTheSame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		newest fakeRoute
		want   string
	}{
		// Prometheus 2.42's own answer (status, body) to
		// max(timestamp({__name__=~"a|b"})) when a and b share a label set.
		{"Prometheus refusing metrics that share a label set", fakeRoute{status: 422, file: "same-labelset-422.json"},
			"data age unknown: the newest-sample query failed: server answered 422 Unprocessable Entity: " +
				"execution: vector cannot contain metrics with the same labelset; ages read as the query time"},
		{"a query that hangs past its timeout", fakeRoute{hang: true},
			"data age unknown: the newest-sample query failed: timed out after 300ms; ages read as the query time"},
		{"an answer that is no time", fakeRoute{file: "vector-nan.json"},
			"data age unknown: the newest-sample query failed: NaN is no sample time; ages read as the query time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(&fakeServer{newest: tt.newest})
			t.Cleanup(srv.Close)
			p, err := New(&config.Prometheus{URL: srv.URL, Timeout: 300 * time.Millisecond},
				map[string]config.Signal{"pv": {Query: "one"}, "stock": {Query: "scalar"}})
			if err != nil {
				t.Fatal(err)
			}
			wall := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
			p.wall = func() time.Time { return wall }
			p.offset = 5 * time.Second
			poller := &sourcetest.Poller{Source: p, Timeout: 2 * time.Second, Clock: func() time.Time { return wall }}
			// A failure that lasts is the same warning every poll, not a
			// new text each second.
			for poll := range 2 {
				snap := poller.Poll(context.Background())
				h := snap.Sources[p.Name()]
				if len(h.Warnings) != 1 || h.Warnings[0] != tt.want {
					t.Errorf("poll %d: warnings %q, want [%q]", poll, h.Warnings, tt.want)
				}
				// The values came back: the source is fine, only its
				// data's age is not known.
				if !h.OK || !snap.PV.OK() || !snap.Stock.OK() {
					t.Errorf("poll %d: ok %v, pv %v, stock %v; want both measured", poll, h.OK, snap.PV, snap.Stock)
				}
				if at := wall.Add(-p.offset); !h.NewestSample.Equal(at) {
					t.Errorf("poll %d: newest_sample %v, want the query time %v", poll, h.NewestSample, at)
				}
			}
		})
	}
}

func TestTheDataAgeWarnsOnlyWhenItMisleads(t *testing.T) {
	t.Parallel()
	t.Run("no sample of the metrics is no warning", func(t *testing.T) {
		t.Parallel()
		// The default fake holds no sample time: the signals' own answers
		// say whether anything is missing.
		p, _ := newTestSource(t, 2*time.Second, map[string]config.Signal{"pv": {Query: "one"}, "stock": {Query: "scalar"}})
		res, err := p.Collect(context.Background(), time.Now())
		if err != nil || len(res.Warnings) != 0 {
			t.Errorf("err %v, warnings %q; want neither", err, res.Warnings)
		}
	})
	t.Run("a poll that answered nothing has no age to misread", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(&fakeServer{newest: fakeRoute{status: 503, file: "unavailable-503.txt", contentType: "text/plain; charset=utf-8"}})
		t.Cleanup(srv.Close)
		p, err := New(&config.Prometheus{URL: srv.URL, Timeout: 2 * time.Second},
			map[string]config.Signal{"pv": {Query: "unavailable"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Collect(context.Background(), time.Now())
		if err == nil || len(res.Values) != 0 || len(res.Warnings) != 0 {
			t.Errorf("err %v, values %v, warnings %q; want the signal's error alone", err, res.Values, res.Warnings)
		}
	})
}

func TestHistoryWarnsWhenTheNewestSampleQueryFails(t *testing.T) {
	t.Parallel()
	// The range fake answers only its named queries: the newest-sample
	// query gets a 400. The gappy series misses every third second: those
	// steps answer nothing, and have no age to misread.
	h := newHistoryTest(t, &rangeFake{}, map[string]config.Signal{"connections": {Query: "gappy"}}, HistoryStep(time.Second))
	from := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var got []snapshot.Snapshot
	err := h.Fetch(context.Background(), from, from.Add(5*time.Second), func(_ Chunk, s []snapshot.Snapshot) error {
		got = append(got, s...)
		return nil
	})
	if err != nil || len(got) != 6 {
		t.Fatalf("%d snapshots, err %v; want 6 and the chunk kept", len(got), err)
	}
	const prefix = "data age unknown: the newest-sample query failed: server answered 400 Bad Request: bad_data: unknown query max(timestamp("
	answered := 0
	for _, s := range got {
		src := s.Sources[h.p.Name()]
		if _, carried := src.Carried["connections"]; carried {
			if len(src.Warnings) != 0 {
				t.Errorf("%v: warnings %q for a step that answered nothing", s.Time, src.Warnings)
			}
			continue
		}
		if len(src.Warnings) != 1 || !strings.HasPrefix(src.Warnings[0], prefix) || !strings.HasSuffix(src.Warnings[0], "; ages read as the query time") {
			t.Errorf("%v: warnings %q, want the failed newest-sample query named", s.Time, src.Warnings)
		}
		if !src.NewestSample.Equal(s.Time) {
			t.Errorf("%v: newest_sample %v, want the query time", s.Time, src.NewestSample)
		}
		answered++
	}
	if answered == 0 || answered == len(got) {
		t.Errorf("%d of %d steps answered: want both kinds", answered, len(got))
	}
}
