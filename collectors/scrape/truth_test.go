package scrape

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors/scrape/expr"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/sourcetest"
)

func TestScrapeSumsOverATargetThatFailedArePartialNotFresh(t *testing.T) {
	up, down := newFakeTarget(t, "shop-1.prom"), newFakeTarget(t, "shop-1.prom")
	s := newTestSource(t, 0, map[string]string{
		"connections": "shop_http_connections_active",
		"pv":          "rate(shop_page_views_total)",
	}, up, down)
	if _, err := s.Collect(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	down.set("status:503")
	up.set("shop-2.prom")
	res, err := s.Collect(context.Background(), t0.Add(10*time.Second))
	if err == nil {
		t.Fatal("no error with a target down")
	}
	if v, _ := res.Values["connections"].Get(); v != 150 {
		t.Errorf("connections = %v, want the answering target's 150", v)
	}
	if got := strings.Join(res.Partial, ","); got != "connections,pv" {
		t.Errorf("partial = %q, want both signals: they sum a metric the silent target exposed", got)
	}
	target := down.URL + "/metrics"
	if msg := res.Errors[target]; !strings.Contains(msg, "status 503") {
		t.Errorf("errors = %q, want the silent target's own entry", res.Errors)
	}

	// The poller lists them partial, keeping them measured.
	p := &sourcetest.Poller{Source: s, Clock: func() time.Time { return t0.Add(20 * time.Second) }}
	snap := p.Poll(context.Background())
	h := snap.Sources["scrape"]
	if !slices.Equal(h.Partial, []string{"connections", "pv"}) || h.OK || !h.LastSuccess.Equal(snap.Time) {
		t.Errorf("health = %+v, want answered, not OK, both signals partial", h)
	}
}

func TestScrapeASignalNotReadingTheSilentTargetsMetricsIsWhole(t *testing.T) {
	a, b := newFakeTarget(t, "shop-1.prom"), newFakeTarget(t, "escapes.prom")
	s := newTestSource(t, 0, map[string]string{"stock": "shop_stock_remaining"}, a, b)
	if _, err := s.Collect(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	b.set("status:500")
	res, _ := s.Collect(context.Background(), t0.Add(time.Second))
	if len(res.Partial) != 0 {
		t.Errorf("partial = %q; the silent target never exposed shop_stock_remaining", res.Partial)
	}
}

func TestScrapeSeriesCarryTheirTargetsInstanceAndJob(t *testing.T) {
	a, b := newFakeTarget(t, "shop-1.prom"), newFakeTarget(t, "shop-2.prom")
	ua, _ := url.Parse(a.URL)
	cfg := &config.Scrape{Timeout: 2 * time.Second, Job: "shop", Targets: []string{a.URL + "/metrics", b.URL + "/metrics"}}
	s, err := New(cfg, signalsOf(map[string]string{
		"connections":   `shop_http_connections_active{instance="` + ua.Host + `"}`,
		"stock":         `shop_http_connections_active{job="shop"}`,
		"endpoints.buy": `shop_http_connections_active{job="other"}`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Collect(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	for sig, want := range map[string]float64{"connections": 120, "stock": 270, "endpoints.buy": 0} {
		if v, ok := res.Values[sig].Get(); !ok || v != want {
			t.Errorf("%s = %v, want %v", sig, res.Values[sig], want)
		}
	}
}

func TestScrapeTargetLabelsKeepTheExportersOwnAsExported(t *testing.T) {
	got := targetLabels(
		[]expr.Label{{Name: "handler", Value: "buy"}, {Name: "instance", Value: "pod-7"}},
		[]expr.Label{{Name: "instance", Value: "10.0.0.7:9400"}, {Name: "job", Value: "shop"}})
	want := []expr.Label{{Name: "exported_instance", Value: "pod-7"}, {Name: "handler", Value: "buy"}, {Name: "instance", Value: "10.0.0.7:9400"}, {Name: "job", Value: "shop"}}
	if !slices.Equal(got, want) {
		t.Errorf("labels = %v, want %v", got, want)
	}
}

func TestScrapeAnUnknownMetricIsTheSignalsErrorBesideAHealthySignal(t *testing.T) {
	s := newTestSource(t, 0, map[string]string{
		"connections": "shop_http_connections_active",
		"stock":       "shop_stok_remaining",
	}, newFakeTarget(t, "shop-1.prom"))
	snap := (&sourcetest.Poller{Source: s}).Poll(context.Background())
	h := snap.Sources["scrape"]
	if h.OK || h.Errors["stock"] != "no target exposes a metric named shop_stok_remaining" {
		t.Errorf("health = %+v, want stock's own error", h)
	}
	if _, failed := h.Errors["connections"]; failed || !snap.Connections.OK() {
		t.Errorf("connections = %v, errors %q: the healthy signal must stay measured", snap.Connections, h.Errors)
	}
}
