package discover

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/config"
)

// The integration tests' shared steps: load on the servers, init reading
// a real Prometheus once it has scraped them, and config check --online
// on the file init wrote.

// paced sends GETs every 50 ms until the test ends: at the i-th tick, one
// to each URL urls(i) gives.
func paced(t *testing.T, urls func(i int) []string) {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			for _, u := range urls(i) {
				if resp, err := http.Get(u); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// initLive is what init reads from the Prometheus at base, detects and
// writes, once every target has been scraped 8 times.
func initLive(t *testing.T, ctx context.Context, base string) (*Result, []byte) {
	t.Helper()
	waitScraped(t, base, 8)
	c, err := ReadPrometheus(ctx, http.DefaultClient, base)
	if err != nil {
		t.Fatal(err)
	}
	return detectAndRender(t, c)
}

// checkOnline loads file and runs config check --online on it: no
// problem is allowed. It returns the report.
func checkOnline(t *testing.T, ctx context.Context, file []byte) collectors.CheckReport {
	t.Helper()
	cfg, err := config.Parse("launchwatch.yaml", file)
	if err != nil {
		t.Fatalf("the file does not load: %v\n%s", err, file)
	}
	rep, err := collectors.CheckOnline(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Problems() != 0 {
		var b strings.Builder
		_ = rep.WriteText(&b)
		t.Fatalf("config check --online: %d problems:\n%s\n%s", rep.Problems(), b.String(), file)
	}
	return rep
}

// waitScraped waits, at most 60 s, until every target of the Prometheus
// at base has n samples of up in the last n seconds.
func waitScraped(t *testing.T, base string, n int) {
	t.Helper()
	q := url.Values{"query": {fmt.Sprintf("min(count_over_time(up[%ds])) >= %d", n, n)}}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/api/v1/query?" + q.Encode())
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), `"result":[{`) {
				return
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("Prometheus at %s did not scrape %d times in 60 s", base, n)
}
