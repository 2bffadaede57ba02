package discover

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

// HAProxy, found on a real one: Debian's haproxy with its built-in
// exporter in front of a Caddy, scraped by a real Prometheus under a
// little load. init finds HAProxy, takes its signals from the haproxy
// preset (no page views, no percentiles: the file says why), and the file
// it writes passes `config check --online`.
func TestHAProxyIsFoundOnARealHAProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts haproxy, Caddy and Prometheus")
	}
	caddy := promtest.StartCaddy(t, "respond /fail \"no\" 503\nrespond \"ok\"")
	site, err := url.Parse(caddy.SiteURL)
	if err != nil {
		t.Fatal(err)
	}
	haproxy := promtest.StartHAProxy(t, site.Host)
	prom := promtest.StartPrometheus(t, []string{haproxy.Target}, time.Second)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // 20 requests a second, one in five failing
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			path := "/"
			if i%5 == 0 {
				path = "/fail"
			}
			if resp, err := http.Get(haproxy.SiteURL + path); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	waitScraped(t, prom.URL, 8)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := ReadPrometheus(ctx, http.DefaultClient, prom.URL)
	if err != nil {
		t.Fatal(err)
	}
	r, file := detectAndRender(t, c)
	i := slices.IndexFunc(r.Found, func(f Found) bool { return f.Name == "HAProxy" })
	if i < 0 {
		t.Fatalf("HAProxy is not found: %+v", r.Found)
	}
	for _, want := range []string{snapshot.SignalRequests, snapshot.SignalConnections, snapshot.SignalBandwidth, snapshot.SignalErrorRate, snapshot.SignalErrorCodes} {
		if !slices.Contains(r.Found[i].Signals, want) {
			t.Errorf("%s is not taken from HAProxy: %v", want, r.Found[i].Signals)
		}
	}
	for _, why := range []string{"HAProxy: it counts requests, not page views", "HAProxy: it exports averages, not percentiles"} {
		if !strings.Contains(string(file), why) {
			t.Errorf("the file does not say %q:\n%s", why, file)
		}
	}
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
		t.Errorf("config check --online: %d problems:\n%s\n%s", rep.Problems(), b.String(), file)
	}
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
