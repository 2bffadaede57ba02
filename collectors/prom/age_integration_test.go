package prom_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

// ageOld is how old the newest sample the servers hold is; ageOlder how
// much older the other metric's samples are, so that taking the first
// metric's time rather than the newest shows.
const (
	ageOld   = time.Minute
	ageOlder = 10 * time.Second
)

// ageTarget serves two metrics that share their label sets (both plain
// and both with shop="eu", and the job and instance every scrape adds),
// each sample stamped with its own time in the past: a server scraping it
// holds only data ageOld old, whenever it is asked.
//
// Explicit timestamps are the one quick way to that: both servers honour
// them by default (honor_timestamps). A target that stops being scraped
// would not do: Prometheus marks its series stale at once and they vanish
// from instant queries rather than growing old. It is also how data from
// a lagging pipeline looks (an exporter relaying another system's
// timestamps, federation).
type ageTarget struct {
	stamped time.Time // when the times were chosen
	newest  time.Time // stock's samples: the newest the server holds
	older   time.Time // pv's samples
}

func newAgeTarget() *ageTarget {
	now := time.Now().Truncate(time.Millisecond) // exposition timestamps are milliseconds
	newest := now.Add(-ageOld)
	return &ageTarget{stamped: now, newest: newest, older: newest.Add(-ageOlder)}
}

func (a *ageTarget) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	older, newest := a.older.UnixMilli(), a.newest.UnixMilli()
	fmt.Fprintf(w, `# TYPE shop_page_views_total counter
shop_page_views_total 5 %[1]d
shop_page_views_total{shop="eu"} 3 %[1]d
# TYPE shop_stock_remaining gauge
shop_stock_remaining 900 %[2]d
shop_stock_remaining{shop="eu"} 400 %[2]d
`, older, newest)
}

// TestTheDataAgeIsTheNewestSamplesOnPrometheusAndVictoriaMetrics lets a
// real Prometheus and a real VictoriaMetrics scrape two metrics sharing
// their label sets whose newest sample is a minute old, and checks that
// the source's newest_sample is that sample's time and the data age a
// minute, not the query time and 0 s. Prometheus 2.42 refuses to take
// timestamp() of both metrics in one selector ("vector cannot contain
// metrics with the same labelset"); VictoriaMetrics accepts it, so it
// alone would hide that.
func TestTheDataAgeIsTheNewestSamplesOnPrometheusAndVictoriaMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus and VictoriaMetrics")
	}
	servers := []struct {
		name  string
		start func(testing.TB, []string, time.Duration) *promtest.Server
		// offset is our latency_offset, as in the other integration
		// tests: VictoriaMetrics, started with -search.latencyOffset=1s,
		// is asked 2 s in the past.
		offset time.Duration
		// history: whether History is checked too. VictoriaMetrics'
		// range queries look back about one step for a series whose
		// samples all carry one time (it finds no interval between them
		// to go by): measured, nothing of samples a minute old at a 5 s
		// step, their time at 60 s, the same for the plain series as for
		// the newest-sample query. A property of its lookback, not of the
		// query, and a 1 s step is what this test can afford.
		history bool
	}{
		{"prometheus", promtest.StartPrometheus, 0, true},
		{"victoria-metrics", promtest.StartVictoriaMetrics, 2 * time.Second, false},
	}
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			target := newAgeTarget()
			shop := httptest.NewServer(target)
			t.Cleanup(shop.Close)
			srv := s.start(t, []string{strings.TrimPrefix(shop.URL, "http://")}, time.Second)
			src, err := prom.New(
				&config.Prometheus{URL: srv.URL, Timeout: 2 * time.Second, LatencyOffset: s.offset},
				map[string]config.Signal{
					// pv's metric comes first in the newest-sample query:
					// the older one, so only the newest of both is right.
					"pv":    {Query: "sum(shop_page_views_total)"},
					"stock": {Query: "sum(shop_stock_remaining)"},
				})
			if err != nil {
				t.Fatal(err)
			}

			snap := ageWaitForValues(t, collectors.NewPoller([]source.Source{src}, collectors.WithTimeout(3*time.Second)))
			h := snap.Sources[src.Name()]
			age, _ := h.DataAge(snap.Time)
			t.Logf("%s: newest_sample %s, data age %s, warnings %q, infos %q",
				s.name, h.NewestSample.Format(time.RFC3339Nano), age, h.Warnings, h.Infos)
			if !h.NewestSample.Equal(target.newest) {
				t.Errorf("newest_sample = %s, want the newest sample's own time %s (%s before the poll)",
					h.NewestSample.Format(time.RFC3339Nano), target.newest.Format(time.RFC3339Nano), snap.Time.Sub(target.newest))
			}
			// The data is ageOld old when the target chose its times, and
			// older by the time the test has run since.
			if most := ageOld + snap.Time.Sub(target.stamped); age < ageOld || age > most {
				t.Errorf("data age %s, want %s to %s: the newest sample was stamped %s in the past", age, ageOld, most, ageOld)
			}
			if len(h.Warnings) != 0 {
				t.Errorf("warnings %q, want none: the newest-sample query answered", h.Warnings)
			}

			// The form for many metrics: names no series has, and names
			// PromQL would misread unquoted (a regular expression, quotes, a
			// keyword), beside the two, in an order where neither is last.
			names := []string{"shop_stock_remaining", "no_such_metric", `odd.name|x "quoted"`, "offset", "shop_page_views_total"}
			q := prom.NewestQuery(names)
			if got, err := ageInstantTime(srv.URL, q, time.Now().Add(-s.offset)); err != nil || !got.Equal(target.newest) {
				t.Errorf("%s answered %s, %v; want %s", q, got.Format(time.RFC3339Nano), err, target.newest.Format(time.RFC3339Nano))
			}

			if s.history {
				ageCheckHistory(t, src, target.newest)
			}
		})
	}
}

// ageWaitForValues polls until both signals answer: the server has
// scraped the target once.
func ageWaitForValues(t *testing.T, poller *collectors.Poller) snapshot.Snapshot {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		snap := poller.Poll(context.Background())
		if snap.PV.OK() && snap.Stock.OK() {
			return snap
		}
		if time.Now().After(deadline) {
			t.Fatalf("no values after 30 s: pv %v, stock %v, sources %+v", snap.PV, snap.Stock, snap.Sources)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// ageCheckHistory reads the last seconds through History: every step's
// newest sample is the same minute-old one.
func ageCheckHistory(t *testing.T, src *prom.Source, newest time.Time) {
	t.Helper()
	hist, err := prom.NewHistory(src, prom.HistoryStep(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	to := time.Now()
	var snaps []snapshot.Snapshot
	err = hist.Fetch(context.Background(), to.Add(-5*time.Second), to, func(_ prom.Chunk, s []snapshot.Snapshot) error {
		snaps = append(snaps, s...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) == 0 {
		t.Fatal("history: no snapshots")
	}
	for _, s := range snaps {
		h := s.Sources[src.Name()]
		if !h.NewestSample.Equal(newest) || len(h.Warnings) != 0 {
			t.Errorf("history at %s: newest_sample %s, warnings %q; want %s and none",
				s.Time.Format(time.RFC3339), h.NewestSample.Format(time.RFC3339Nano), h.Warnings, newest.Format(time.RFC3339Nano))
		}
	}
}

// ageInstantTime asks the server an instant query whose answer is one
// sample time.
func ageInstantTime(base, q string, at time.Time) (time.Time, error) {
	v := url.Values{"query": {q}, "time": {strconv.FormatFloat(float64(at.UnixMilli())/1e3, 'f', 3, 64)}}
	resp, err := http.PostForm(base+"/api/v1/query", v)
	if err != nil {
		return time.Time{}, err
	}
	defer resp.Body.Close()
	var ans struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return time.Time{}, err
	}
	if ans.Status != "success" || len(ans.Data.Result) != 1 {
		return time.Time{}, fmt.Errorf("%s %s, %d series", ans.Status, ans.Error, len(ans.Data.Result))
	}
	s, _ := ans.Data.Result[0].Value[1].(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(int64(math.Round(f * 1e3))), nil
}
