package discover

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

// An app instrumented with client_golang's promhttp middleware
// (http_requests_total by code, http_request_duration_seconds), behind
// nginx and its exporter, all scraped by a real Prometheus under a little
// load: init takes requests from nginx and the errors and latency from the
// app, and the file passes `config check --online` with an error rate
// within 10% of what the app answered.
func TestAnAppInstrumentedWithPromhttpGivesTheErrorsAndLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx, its exporter and Prometheus")
	}
	reg := prometheus.NewRegistry()
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total", Help: "Requests by code."}, []string{"code", "method"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "http_request_duration_seconds", Help: "Time to answer.", Buckets: prometheus.DefBuckets}, []string{"method"})
	reg.MustRegister(reqs, dur)
	var n, failed atomic.Int64
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1)%4 == 0 { // one request in four fails
			failed.Add(1)
			http.Error(w, "no", http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	mux := http.NewServeMux()
	mux.Handle("/", promhttp.InstrumentHandlerDuration(dur, promhttp.InstrumentHandlerCounter(reqs, page)))
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	appURL, err := url.Parse(app.URL)
	if err != nil {
		t.Fatal(err)
	}

	nginx := promtest.StartNginx(t)
	exporter := promtest.StartNginxExporter(t, nginx)
	exporterURL, err := url.Parse(exporter.URL)
	if err != nil {
		t.Fatal(err)
	}
	prom := promtest.StartPrometheus(t, []string{appURL.Host, exporterURL.Host}, time.Second)
	paced(t, func(int) []string { return []string{app.URL + "/", nginx.URL + "/"} }) // 20 a second to each
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, file := initLive(t, ctx, prom.URL)
	from := map[string]string{}
	for _, ch := range r.Signals {
		from[ch.Name] = ch.From
	}
	for sig, want := range map[string]string{
		snapshot.SignalRequests:    "nginx-prometheus-exporter",
		snapshot.SignalErrorRate:   "the app's HTTP metrics (promhttp)",
		snapshot.SignalErrorCodes:  "the app's HTTP metrics (promhttp)",
		snapshot.SignalLatencyP95:  "the app's HTTP histogram (promhttp)",
		snapshot.SignalConnections: "nginx-prometheus-exporter",
	} {
		if from[sig] != want {
			t.Errorf("%s comes from %q, want %q", sig, from[sig], want)
		}
	}
	before := float64(failed.Load()) / float64(n.Load())
	rep := checkOnline(t, ctx, file)
	for _, l := range rep.Lines {
		if l.Signal != snapshot.SignalErrorRate {
			continue
		}
		got := l.Value.Or(math.NaN())
		t.Logf("error rate %.4f; the app failed %.4f of its requests", got, before)
		if math.IsNaN(got) || math.Abs(got-before) > 0.1*before {
			t.Errorf("error rate %v, the app failed %.4f of its requests: more than 10%% apart", got, before)
		}
	}
	if !strings.Contains(string(file), fmt.Sprintf("# From %s", "the app's HTTP metrics (promhttp)")) {
		t.Errorf("the file does not name the app's metrics as a source:\n%s", file)
	}
}
