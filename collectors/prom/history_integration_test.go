package prom_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
	"github.com/launchwatch/launchwatch/snapshot"
)

// TestHistoryChunksPastTheServersPointLimit asks a real Prometheus (and a
// real VictoriaMetrics) for twenty minutes at a 100 ms step, 12,001 points
// a series: more than the 11,000 Prometheus answers in one range query
// (checked first; VictoriaMetrics allows 30,000 and answers it), so the
// history cuts it in two chunks for both, and every step comes back in
// order, the steps before the shop existed missing and the source down
// there, the steps after it measured.
func TestHistoryChunksPastTheServersPointLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus and VictoriaMetrics")
	}
	servers := []struct {
		name       string
		start      func(testing.TB, []string, time.Duration) *promtest.Server
		wantStatus int    // for one query of 12,001 points
		offset     string // our latency_offset: past VictoriaMetrics' 1 s
	}{
		{"prometheus", promtest.StartPrometheus, http.StatusBadRequest, "0s"},
		{"victoria-metrics", promtest.StartVictoriaMetrics, http.StatusOK, "2s"},
	}
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Minute, Seed: 1})
			srv := s.start(t, []string{strings.TrimPrefix(base, "http://")}, time.Second)
			historyChunksIT(t, srv.URL, s.offset, s.wantStatus)
		})
	}
}

func historyChunksIT(t *testing.T, serverURL, offset string, wantStatus int) {
	cfg, err := config.Parse("history.yaml", []byte(fmt.Sprintf(`launch: {name: history}
interval: 1s
preset: sim
sources:
  prometheus:
    url: %s
    scrape_interval: 1s
    latency_offset: %s
`, serverURL, offset)))
	if err != nil {
		t.Fatal(err)
	}
	waitForSamples(t, serverURL, "shop_page_views_total", 6)

	const step = 100 * time.Millisecond
	to := time.Now()
	from := to.Add(-20 * time.Minute)
	// The limit is the server's: Prometheus refuses one query for all of it.
	status, body := rawRangeQuery(t, serverURL, "sum(shop_stock_remaining)", from, to, step)
	if status != wantStatus || (status == http.StatusBadRequest && !strings.Contains(body, "11,000")) {
		t.Fatalf("one query of 12,001 points answered %d %.300q, want %d", status, body, wantStatus)
	}

	hist, notHeld, err := collectors.HistoryFromConfig(cfg, nil, prom.HistoryStep(step))
	if err != nil {
		t.Fatal(err)
	}
	if len(notHeld) != 0 {
		t.Errorf("not held: %v; every signal of this config is a query", notHeld)
	}
	var chunks []prom.Chunk
	var snaps []snapshot.Snapshot
	err = hist.Fetch(context.Background(), from, to, func(c prom.Chunk, s []snapshot.Snapshot) error {
		chunks = append(chunks, c)
		snaps = append(snaps, s...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 2 {
		t.Fatalf("%d chunks, want 2: %+v", len(chunks), chunks)
	}
	want := 0
	for _, c := range chunks {
		want += c.Points
		if c.Points > prom.HistoryMaxPoints {
			t.Errorf("chunk %d asks for %d points", c.Index, c.Points)
		}
	}
	if len(snaps) != want || want < 12_000 {
		t.Fatalf("%d snapshots, want %d (about 12,001)", len(snaps), want)
	}
	measured, down := 0, 0
	for i, s := range snaps {
		if i > 0 && s.Time.Sub(snaps[i-1].Time) != step {
			t.Fatalf("snapshot %d is %s after the one before, want %s", i, s.Time.Sub(snaps[i-1].Time), step)
		}
		src := s.Sources["prometheus"]
		switch {
		case s.Stock.OK() && s.PV.OK():
			measured++
			if v, _ := s.Stock.Get(); v != 1000 {
				t.Errorf("%v: stock %v before the launch, want 1000", s.Time, v)
			}
		case src.LastSuccess.IsZero():
			down++
		}
	}
	t.Logf("%d snapshots in %d chunks: %d measured, %d before the shop was scraped (source down)", len(snaps), len(chunks), measured, down)
	if measured < 20 || down < 10_000 {
		t.Errorf("%d snapshots measured and %d down: want the last seconds measured and the minutes before the shop existed down", measured, down)
	}
}

// waitForSamples waits until the server holds n samples of a metric.
func waitForSamples(t *testing.T, base, metric string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		u := base + "/api/v1/query?query=" + url.QueryEscape("count_over_time("+metric+"[1m])")
		resp, err := http.Get(u)
		if err == nil {
			var ans struct {
				Data struct {
					Result []struct {
						Value [2]any `json:"value"`
					} `json:"result"`
				} `json:"data"`
			}
			err = json.NewDecoder(resp.Body).Decode(&ans)
			resp.Body.Close()
			if err == nil && len(ans.Data.Result) > 0 {
				s, _ := ans.Data.Result[0].Value[1].(string)
				if v, err := strconv.Atoi(s); err == nil && v >= n {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: fewer than %d samples after 30 s", metric, n)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// rawRangeQuery asks the server directly.
func rawRangeQuery(t *testing.T, base, q string, from, to time.Time, step time.Duration) (int, string) {
	t.Helper()
	v := url.Values{"query": {q}, "start": {strconv.FormatFloat(float64(from.UnixMilli())/1e3, 'f', 3, 64)},
		"end": {strconv.FormatFloat(float64(to.UnixMilli())/1e3, 'f', 3, 64)}, "step": {step.String()}}
	resp, err := http.Get(base + "/api/v1/query_range?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
