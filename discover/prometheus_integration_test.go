package discover

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/promtest"
)

// openMetrics writes a family's samples, one every 15 s from from to to
// (before now), each series' value rising by one a sample.
func openMetrics(b *strings.Builder, family, kind string, series []string, now time.Time, from, to time.Duration) {
	fmt.Fprintf(b, "# TYPE %s %s\n", family, kind)
	name := family
	if kind == "counter" {
		name += "_total"
	}
	for _, ls := range series {
		v := 0
		for d := from; d >= to; d -= 15 * time.Second {
			v++
			fmt.Fprintf(b, "%s{%s} %d %d\n", name, ls, v, now.Add(-d).Unix())
		}
	}
}

// readReal is the catalog ReadPrometheus reads from a real Prometheus
// holding the OpenMetrics text om, and what Detect makes of it.
func readReal(t *testing.T, om string) *Result {
	t.Helper()
	prom := promtest.StartPrometheusWith(t, om+"# EOF\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := ReadPrometheus(ctx, http.DefaultClient, prom.URL)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Detect(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A Caddy retired days ago is not found: its names linger in the server's
// index, but the signals come from the nginx exporter that answers now.
func TestAnExporterGoneDaysAgoIsNotFound(t *testing.T) {
	now := time.Now()
	var om strings.Builder
	openMetrics(&om, "caddy_http_requests", "counter", []string{`handler="subroute",server="srv0",instance="web-1:2019",job="caddy"`}, now, 72*time.Hour, 71*time.Hour)
	openMetrics(&om, "nginx_connections_active", "gauge", []string{`instance="web-1:9113",job="nginx"`}, now, 3*time.Minute, 15*time.Second)
	openMetrics(&om, "nginx_http_requests", "counter", []string{`instance="web-1:9113",job="nginx"`}, now, 3*time.Minute, 15*time.Second)
	r := readReal(t, om.String())
	for _, f := range r.Found {
		if f.Name == "Caddy" {
			t.Errorf("the Caddy gone three days ago is found: %s", f.Line())
		}
	}
	for _, ch := range r.Signals {
		if ch.Name == "requests" && ch.From != "nginx-prometheus-exporter" {
			t.Errorf("requests come from %s, want the live nginx-prometheus-exporter", ch.From)
		}
	}
	if !slices.ContainsFunc(r.Signals, func(ch Choice) bool { return ch.Name == "requests" }) {
		t.Errorf("no requests signal: %+v", r.Signals)
	}
}

// The fleet and the handlers are every value the server holds, however
// many series one server or one handler has: 600 series of web-1 sort
// before web-2's and web-3's, 600 of handler buy before cart's, past the
// 500 a sample of /api/v1/series would keep.
func TestTheFleetAndTheHandlersAreEveryValueHeld(t *testing.T) {
	now := time.Now()
	var pv, reqs []string
	for i := range 600 {
		pv = append(pv, fmt.Sprintf(`exported_instance="web-1",page="p%03d",instance="shop:9400",job="shop"`, i))
		reqs = append(reqs, fmt.Sprintf(`handler="buy",code="200",n="%03d",instance="shop:9400",job="shop"`, i))
	}
	pv = append(pv, `exported_instance="web-2",page="p000",instance="shop:9400",job="shop"`, `exported_instance="web-3",page="p000",instance="shop:9400",job="shop"`)
	reqs = append(reqs, `handler="cart",code="200",n="000",instance="shop:9400",job="shop"`)
	var om strings.Builder
	openMetrics(&om, "shop_page_views", "counter", pv, now, time.Minute, 15*time.Second)
	openMetrics(&om, "shop_http_requests", "counter", reqs, now, time.Minute, 15*time.Second)
	r := readReal(t, om.String())
	if r.Fleet != "exported_instance" || !slices.Equal(r.FleetServers, []string{"web-1", "web-2", "web-3"}) {
		t.Errorf("fleet %q %v, want exported_instance [web-1 web-2 web-3]", r.Fleet, r.FleetServers)
	}
	var handlers []string
	for _, e := range r.Endpoints {
		handlers = append(handlers, e.Name)
	}
	if !slices.Equal(handlers, []string{"buy", "cart"}) {
		t.Errorf("handlers %v, want [buy cart]", handlers)
	}
}
