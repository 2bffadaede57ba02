package discover

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

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
	paced(t, func(i int) []string { // 20 requests a second, one in five failing
		if i%5 == 0 {
			return []string{haproxy.SiteURL + "/fail"}
		}
		return []string{haproxy.SiteURL + "/"}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, file := initLive(t, ctx, prom.URL)
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
	checkOnline(t, ctx, file)
}
