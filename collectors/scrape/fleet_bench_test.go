package scrape

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/launchwatch/launchwatch/collectors/scrape/expr"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fleetBenchExprs are the shop's signals, each server's too, and the
// error codes: what a fleet of web servers is watched with.
var fleetBenchExprs = map[string]string{
	"pv":                      "rate(shop_page_views_total)",
	"requests":                "rate(shop_http_requests_total)",
	"connections":             "shop_http_connections_active",
	"bandwidth":               "rate(shop_http_response_bytes_total)",
	"error_rate":              `rate(shop_http_requests_total{code=~"5.."}) / rate(shop_http_requests_total)`,
	"latency_p50":             "histogram_quantile(0.5, shop_http_request_duration_seconds)",
	"latency_p95":             "histogram_quantile(0.95, shop_http_request_duration_seconds)",
	"latency_p99":             "histogram_quantile(0.99, shop_http_request_duration_seconds)",
	"endpoints.buy":           `rate(shop_http_requests_total{handler="buy"})`,
	"endpoints.buy.p95":       `histogram_quantile(0.95, shop_http_request_duration_seconds{handler="buy"})`,
	snapshot.SignalErrorCodes: `rate(shop_http_requests_total{code=~"5.."})`,
}

var (
	benchHandlers = []string{"page", "static", "login", "cart", "buy", "search", "api", "health", "admin", "webhook"}
	benchCodes    = []string{"200", "301", "404", "500", "502"}
	benchBounds   = []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}
)

// webBody is one web server's exposition at a step: requests by handler
// and code, a latency histogram by handler, page views, bytes and
// connections (177 samples).
func webBody(server, step int) []byte {
	var b strings.Builder
	b.WriteString("# TYPE shop_http_requests_total counter\n")
	for i, h := range benchHandlers {
		for j, c := range benchCodes {
			fmt.Fprintf(&b, "shop_http_requests_total{code=%q,handler=%q} %d\n", c, h, (i+1)*(5-j)*(step+10)*(server%7+1))
		}
	}
	b.WriteString("# TYPE shop_http_request_duration_seconds histogram\n")
	for _, h := range benchHandlers {
		for k, le := range benchBounds {
			fmt.Fprintf(&b, "shop_http_request_duration_seconds_bucket{handler=%q,le=%q} %d\n", h, le, (k+1)*(step+5)*10)
		}
		fmt.Fprintf(&b, "shop_http_request_duration_seconds_sum{handler=%q} %d\nshop_http_request_duration_seconds_count{handler=%q} %d\n", h, step*7, h, len(benchBounds)*(step+5)*10)
	}
	fmt.Fprintf(&b, "# TYPE shop_page_views_total counter\nshop_page_views_total %d\n", 1000+step*(server+1))
	fmt.Fprintf(&b, "# TYPE shop_http_response_bytes_total counter\nshop_http_response_bytes_total %d\n", step*100000)
	fmt.Fprintf(&b, "# TYPE shop_http_connections_active gauge\nshop_http_connections_active %d\n", 100+server)
	return []byte(b.String())
}

// benchFleetData is one poll's data of n web servers, as advance lays it out,
// with every series' previous value.
func benchFleetData(b *testing.B, s *Source, n int) expr.Data {
	b.Helper()
	data := make(expr.Data)
	for i := range n {
		prev, err := parse(webBody(i, 1), "text/plain; version=0.0.4", s.keep)
		if err != nil {
			b.Fatal(err)
		}
		cur, err := parse(webBody(i, 2), "text/plain; version=0.0.4", s.keep)
		if err != nil {
			b.Fatal(err)
		}
		target := []expr.Label{{Name: "instance", Value: "web-" + strconv.Itoa(i) + ":9100"}, {Name: "job", Value: "shop"}}
		for j := range cur {
			cur[j].labels = targetLabels(cur[j].labels, target)
			data[cur[j].name] = append(data[cur[j].name], expr.Series{
				Labels: cur[j].labels, Value: cur[j].value, Prev: prev[j].value, HasPrev: true, Elapsed: 1,
			})
		}
	}
	return data
}

// BenchmarkScrapeFleetEvaluate measures what a poll of a 500-server fleet
// costs past fetching and parsing: every signal over the whole shop, the
// error codes, and every fleet signal over each server's own series.
func BenchmarkScrapeFleetEvaluate(b *testing.B) {
	for _, n := range []int{1, 500} {
		for _, label := range []string{"", "instance"} {
			name := fmt.Sprintf("servers=%d/fleet=%s", n, label)
			if label == "" {
				name = fmt.Sprintf("servers=%d/nofleet", n)
			}
			b.Run(name, func(b *testing.B) {
				cfg := &config.Scrape{Targets: []string{"http://web-0:9100/metrics"}}
				var opts []Option
				if label != "" {
					opts = append(opts, Fleet(label))
				}
				s, err := New(cfg, signalsOf(fleetBenchExprs), opts...)
				if err != nil {
					b.Fatal(err)
				}
				data := benchFleetData(b, s, n)
				b.ReportAllocs()
				for b.Loop() {
					var res source.Result
					if errs := s.evaluate(data, nil, &res); len(errs) > 0 {
						b.Fatal(errs)
					}
					if label != "" && len(res.Fleet) != n {
						b.Fatalf("%d servers, want %d", len(res.Fleet), n)
					}
				}
			})
		}
	}
}

// BenchmarkScrapeFleetCollect polls 500 web servers over loopback (one
// listener, each server its own 127.0.0.x address so each is its own
// instance): fetching, parsing and evaluating, the fleet's included.
func BenchmarkScrapeFleetCollect(b *testing.B) {
	const n = 500
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		b.Skipf("cannot listen on every loopback address: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	bodies := make([][2][]byte, n)
	for i := range bodies {
		bodies[i] = [2][]byte{webBody(i, 1), webBody(i, 2)}
	}
	var poll atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		ip := net.ParseIP(host).To4()
		i := (int(ip[2])*250 + int(ip[3]) - 1) % n
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(bodies[i][poll.Load()%2])
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	cfg := &config.Scrape{Job: "shop", Timeout: 5e9}
	for i := range n {
		cfg.Targets = append(cfg.Targets, fmt.Sprintf("http://127.0.%d.%d:%d/metrics", i/250, i%250+1, port))
	}
	s, err := New(cfg, signalsOf(fleetBenchExprs), Fleet("instance"))
	if err != nil {
		b.Fatal(err)
	}
	now := t0
	if _, err := s.Collect(context.Background(), now); err != nil {
		b.Skipf("loopback addresses beyond 127.0.0.1 do not answer here: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(1e9)
		poll.Add(1)
		res, err := s.Collect(context.Background(), now)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Fleet) != n {
			b.Fatalf("%d servers, want %d", len(res.Fleet), n)
		}
	}
}
