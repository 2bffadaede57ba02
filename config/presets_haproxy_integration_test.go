package config_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

// TestTheHAProxyPresetAnswersOnARealHAProxy puts Debian's haproxy, its
// built-in exporter on, in front of a Caddy that fails one path with a
// 503, scrapes the exporter with a real Prometheus every second under a
// little load, and asks every query of the haproxy preset as `config
// check --online` does: each answers a value, and the error rate HAProxy
// counts agrees with the 503s Caddy counts behind it, over the same
// window.
func TestTheHAProxyPresetAnswersOnARealHAProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts haproxy, Caddy and Prometheus")
	}
	caddy := promtest.StartCaddy(t, "respond /fail \"no\" 503\nrespond \"ok\"")
	haproxy := promtest.StartHAProxy(t, hostPort(t, caddy.SiteURL))
	prom := promtest.StartPrometheus(t, []string{haproxy.Target, caddy.Target}, time.Second)
	load(t, map[string]float64{haproxy.SiteURL + "/": caddyRPS, haproxy.SiteURL + "/fail": caddyFailPS})

	client, err := api.NewClient(api.Config{Address: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	papi := promv1.NewAPI(client)
	waitFor(t, papi, "min(count_over_time(up[8s])) >= 8 and min(up) == 1")

	cfg, err := config.Parse("haproxy.yaml", fmt.Appendf(nil,
		"interval: 1s\npreset: haproxy\nsources:\n  prometheus: {url: %s, scrape_interval: 1s}\n", prom.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	at := time.Now()
	rep, err := collectors.CheckOnline(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	queries, _ := config.PresetQueries("haproxy", "")
	got := map[string]float64{}
	for _, l := range rep.Lines {
		if l.Problem != "" || !l.Value.OK() {
			t.Errorf("%s = %v, problem %q", l.Signal, l.Value, l.Problem)
			continue
		}
		got[l.Signal] = l.Value.Or(0)
	}
	for addr := range queries {
		if _, ok := got[addr]; !ok {
			t.Errorf("%s was not answered", addr)
		}
	}
	if rep.Problems() != 0 {
		var b strings.Builder
		_ = rep.WriteText(&b)
		t.Fatalf("%d problems:\n%s", rep.Problems(), b.String())
	}

	// Caddy's own count of what it answered, over the preset's window.
	v, _, _, err := papi.Query(ctx, `sum(rate(caddy_http_request_duration_seconds_count{code="503"}[4s])) / sum(rate(caddy_http_request_duration_seconds_count[4s]))`, at)
	if err != nil {
		t.Fatal(err)
	}
	vec, ok := v.(model.Vector)
	if !ok || len(vec) != 1 {
		t.Fatalf("Caddy's error ratio answered %v", v)
	}
	want := float64(vec[0].Value)
	t.Logf("error rate: HAProxy %.4f, Caddy %.4f; requests %.1f/s", got[snapshot.SignalErrorRate], want, got[snapshot.SignalRequests])
	if e := got[snapshot.SignalErrorRate]; want <= 0 || math.Abs(e-want) > 0.1*want {
		t.Errorf("error rate %.4f, Caddy counted %.4f: more than 10%% apart", e, want)
	}
}
