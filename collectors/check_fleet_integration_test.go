package collectors

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
)

// TestAFleetLabelNoSeriesCarriesIsAnOnlineCheckError runs the online check
// against a real Prometheus scraping one web server: a fleet label its
// series do not carry is a problem naming fleet.label and the labels they
// carry; the label they do carry finds the server.
func TestAFleetLabelNoSeriesCarriesIsAnOnlineCheckError(t *testing.T) {
	since := time.Now()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# TYPE web_requests_total counter\nweb_requests_total{code=\"200\"} %.3f\n", 10*time.Since(since).Seconds())
	}))
	t.Cleanup(web.Close)
	instance := strings.TrimPrefix(web.URL, "http://")
	prom := promtest.StartPrometheus(t, []string{instance}, time.Second)

	check := func(label string) CheckLine {
		t.Helper()
		cfg, err := config.Parse("fleet.yaml", []byte(`launch: {name: fleet}
interval: 1s
fleet: {label: `+label+`}
sources:
  prometheus: {url: `+prom.URL+`, timeout: 800ms, scrape_interval: 1s}
signals:
  requests: {query: "sum(rate(web_requests_total[$__rate_interval]))"}
`))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rep, err := CheckOnline(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range rep.Lines {
			if l.Signal == "fleet.label" {
				return l
			}
		}
		t.Fatalf("no fleet.label line in %+v", rep.Lines)
		return CheckLine{}
	}

	// Wait for the server's first samples: before them no label is found
	// at all, and the check rightly says the signals answered no series.
	deadline := time.Now().Add(30 * time.Second)
	for {
		l := check("instance")
		if l.Problem == "" {
			if l.Value.Or(-1) != 1 || len(l.Notes) != 1 || l.Notes[0] != "servers by instance: "+instance {
				t.Errorf("fleet by instance = %+v, want the one server named", l)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fleet by instance never found the server: %+v", l)
		}
	}

	l := check("pod")
	want := `no series of requests carries label "pod"; their series carry code, instance, job`
	if l.Problem != want || l.Value.OK() {
		t.Errorf("fleet by pod = %+v\nwant the problem %q", l, want)
	}
	var out strings.Builder
	if err := (CheckReport{Lines: []CheckLine{l}}).WriteText(&out); err != nil || !strings.Contains(out.String(), "prometheus fleet.label  PROBLEM: "+want) {
		t.Errorf("printed %q, %v", out.String(), err)
	}
}
