package prom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/promql"
)

func TestAnUnknownVariableIsAnErrorNamingItsPlace(t *testing.T) {
	_, err := New(&config.Prometheus{URL: "http://127.0.0.1:9"}, map[string]config.Signal{
		"pv": {Query: "rate(x[$__rate_intervall])", Pos: config.Pos{File: "lw.yaml", Line: 7}},
	})
	if err == nil || !strings.HasPrefix(err.Error(), "lw.yaml:7: signals.pv.query: unknown variable $__rate_intervall") {
		t.Errorf("err = %v", err)
	}
}

func TestThePrometheusSourceSendsEveryVariableFilled(t *testing.T) {
	// At a 2s poll and a 1s scrape, $__rate_interval is max(2s+1s, 4x1s).
	want := map[string]string{
		"interval": "2s", "interval_ms": "2000",
		"rate_interval": "4s", "rate_interval_ms": "4000",
		"range": "2s", "range_s": "2", "range_ms": "2000",
	}
	signals := map[string]config.Signal{}
	sent := map[string]string{} // by signal: the query it must be sent as
	for _, x := range promql.Variables {
		for i, written := range []string{"$__" + x.Name, "${__" + x.Name + "}"} {
			addr := fmt.Sprintf("%s_%d", x.Name, i)
			q, filled := "count_over_time(x["+written+"])", "count_over_time(x["+want[x.Name]+"])"
			if x.Unit != 0 {
				q, filled = "x * "+written, "x * "+want[x.Name]
			}
			signals[addr] = config.Signal{Query: q}
			sent[addr] = filled
		}
	}
	fake := &varsFake{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	p, err := New(&config.Prometheus{URL: srv.URL, Timeout: 2 * time.Second, ScrapeInterval: time.Second},
		signals, Interval(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Collect(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	for addr, q := range sent {
		if !slices.Contains(fake.queries, q) {
			t.Errorf("%s (%s) was not sent as %q; sent %q", addr, signals[addr].Query, q, fake.queries)
		}
	}
}

// varsFake answers the queries the variables' machinery sends: raw
// samples of a range selector, the newest-sample query, and signals.
type varsFake struct {
	mu      sync.Mutex
	gap     time.Duration // between raw samples; 0 answers no samples
	newest  time.Time     // the newest sample; zero answers nothing
	queries []string
}

func (f *varsFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.FormValue("query")
	f.mu.Lock()
	f.queries = append(f.queries, q)
	gap, newest := f.gap, f.newest
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	var result string
	switch {
	case strings.HasPrefix(q, "max(timestamp("):
		result = `{"resultType":"vector","result":[]}`
		if !newest.IsZero() {
			result = fmt.Sprintf(`{"resultType":"vector","result":[{"metric":{},"value":[%d,"%.3f"]}]}`, time.Now().Unix(), float64(newest.UnixMilli())/1000)
		}
	case strings.HasSuffix(q, "[60s]"):
		var pts []string
		if gap > 0 {
			for i := range 6 {
				ts := float64(1_700_000_000_000+int64(i)*gap.Milliseconds()) / 1000
				pts = append(pts, fmt.Sprintf(`[%.3f,"%d"]`, ts, i))
			}
		}
		series := `{"metric":{"__name__":"x"},"values":[` + strings.Join(pts, ",") + `]}`
		result = `{"resultType":"matrix","result":[` + series + `]}`
	default:
		result = `{"resultType":"vector","result":[{"metric":{},"value":[1,"42"]}]}`
	}
	body, _ := json.Marshal(map[string]any{"status": "success", "data": json.RawMessage(result)})
	_, _ = w.Write(body)
}

func newVarsTest(t *testing.T, fake *varsFake, scrape time.Duration) *Source {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	p, err := New(&config.Prometheus{URL: srv.URL, Timeout: 2 * time.Second, ScrapeInterval: scrape},
		map[string]config.Signal{"pv": {Query: "sum(rate(x[$__rate_interval]))"}}, Interval(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTheScrapeIntervalIsConfiguredDetectedOrAssumedSayingSo(t *testing.T) {
	t.Run("a configured interval wins and nothing is asked", func(t *testing.T) {
		fake := &varsFake{gap: 5 * time.Second}
		p := newVarsTest(t, fake, 2*time.Second)
		res, _ := p.Collect(context.Background(), time.Now())
		if res.ScrapeInterval != 2*time.Second || res.RateWindow != 8*time.Second || len(res.Infos) != 0 {
			t.Errorf("scrape %s, window %s, infos %q; want 2s, 8s, none", res.ScrapeInterval, res.RateWindow, res.Infos)
		}
		if !slices.Contains(fake.queries, "sum(rate(x[8s]))") || slices.ContainsFunc(fake.queries, func(q string) bool { return strings.HasSuffix(q, "[60s]") }) {
			t.Errorf("queries = %q, want the 8s window and no detection", fake.queries)
		}
	})
	t.Run("the median gap of the raw samples is detected once", func(t *testing.T) {
		fake := &varsFake{gap: time.Second}
		p := newVarsTest(t, fake, 0)
		for range 2 {
			res, err := p.Collect(context.Background(), time.Now())
			if err != nil || res.ScrapeInterval != time.Second || res.RateWindow != 4*time.Second || len(res.Infos) != 0 {
				t.Fatalf("scrape %s, window %s, infos %q, err %v; want 1s, 4s", res.ScrapeInterval, res.RateWindow, res.Infos, err)
			}
		}
		detections := 0
		for _, q := range fake.queries {
			if q == "x[60s]" {
				detections++
			}
		}
		if detections != 1 {
			t.Errorf("%d detections in %q, want one", detections, fake.queries)
		}
		if d, how, err := p.DetectScrapeInterval(context.Background()); d != time.Second || !strings.Contains(how, "median gap") || err != nil {
			t.Errorf("DetectScrapeInterval = %s, %q, %v", d, how, err)
		}
	})
	t.Run("without samples 15s is assumed, saying so, and detection is tried again", func(t *testing.T) {
		fake := &varsFake{}
		p := newVarsTest(t, fake, 0)
		res, _ := p.Collect(context.Background(), time.Now())
		if res.ScrapeInterval != 15*time.Second || res.RateWindow != time.Minute {
			t.Errorf("scrape %s, window %s; want the 15s fallback and a 60s window", res.ScrapeInterval, res.RateWindow)
		}
		if len(res.Infos) != 1 || !strings.Contains(res.Infos[0], "scrape interval not detected") ||
			!strings.Contains(res.Infos[0], "set sources.prometheus.scrape_interval") {
			t.Errorf("infos = %q, want the fallback explained", res.Infos)
		}
		fake.mu.Lock()
		fake.gap = 2 * time.Second
		fake.mu.Unlock()
		res, _ = p.Collect(context.Background(), time.Now())
		if res.ScrapeInterval != 2*time.Second || len(res.Infos) != 0 {
			t.Errorf("scrape %s, infos %q after samples arrived; want 2s detected", res.ScrapeInterval, res.Infos)
		}
	})
}

func TestTheNewestSampleIsTheDatasOwnTime(t *testing.T) {
	t.Run("timestamp() of the newest sample, not the evaluation time", func(t *testing.T) {
		newest := time.Now().Add(-1500 * time.Millisecond).Truncate(time.Millisecond)
		p := newVarsTest(t, &varsFake{newest: newest}, time.Second)
		res, _ := p.Collect(context.Background(), time.Now())
		if !res.NewestSample.Equal(newest) || len(res.Infos) != 0 {
			t.Errorf("newest = %v, infos %q; want %v", res.NewestSample, res.Infos, newest)
		}
	})
	t.Run("VictoriaMetrics' hidden 30s is named", func(t *testing.T) {
		newest := time.Now().Add(-31 * time.Second).Truncate(time.Millisecond)
		p := newVarsTest(t, &varsFake{newest: newest}, time.Second)
		res, _ := p.Collect(context.Background(), time.Now())
		if !res.NewestSample.Equal(newest) {
			t.Errorf("newest = %v, want %v", res.NewestSample, newest)
		}
		if len(res.Infos) != 1 || !strings.Contains(res.Infos[0], "-search.latencyOffset") {
			t.Errorf("infos = %q, want the hidden latency named", res.Infos)
		}
	})
	t.Run("without a sample time the evaluation time, latency offset and all", func(t *testing.T) {
		p := newVarsTest(t, &varsFake{}, time.Second)
		wall := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		p.wall = func() time.Time { return wall }
		p.offset = 30 * time.Second
		res, _ := p.Collect(context.Background(), wall)
		if !res.NewestSample.Equal(wall.Add(-30 * time.Second)) {
			t.Errorf("newest = %v, want the evaluation time %v", res.NewestSample, wall.Add(-30*time.Second))
		}
	})
}

func TestPrometheusFillsTheQueriesAgainOnlyWhenTheVariablesChange(t *testing.T) {
	signals := map[string]config.Signal{
		"pv":       {Query: "sum(rate(shop_page_views_total[$__rate_interval]))"},
		"requests": {Query: "sum(increase(shop_http_requests_total[${__range}]))"},
		"stock":    {Query: "shop_stock_remaining"},
	}
	p, err := New(&config.Prometheus{URL: "http://127.0.0.1:1"}, signals)
	if err != nil {
		t.Fatal(err)
	}
	check := func(vars promql.Vars) map[string]filled {
		t.Helper()
		got := p.expand(vars)
		for addr, s := range signals {
			want, err := promql.Expand(s.Query, vars)
			if got[addr].query != want || !errors.Is(got[addr].err, err) {
				t.Errorf("%v: %s = %q, %v; want %q, %v", vars, addr, got[addr].query, got[addr].err, want, err)
			}
		}
		return got
	}
	first := check(promql.Vars{Interval: time.Second, Scrape: 15 * time.Second})
	if again := check(promql.Vars{Interval: time.Second, Scrape: 15 * time.Second}); reflect.ValueOf(again).Pointer() != reflect.ValueOf(first).Pointer() {
		t.Errorf("the same variables filled the queries again")
	}
	if got := check(promql.Vars{Interval: time.Second, Scrape: time.Second}); got["pv"].query != "sum(rate(shop_page_views_total[4s]))" {
		t.Errorf("after the scrape interval was detected: pv = %q; want the 4s window", got["pv"].query)
	}
}
