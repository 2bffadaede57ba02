package discover

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
)

// nodeBody is a node_exporter /metrics page: the second read of a target
// carrying it gives the devices' rates.
const nodeBody = `# TYPE node_network_transmit_bytes_total counter
node_network_transmit_bytes_total{device="eth0"} 100
# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} 5
# TYPE caddy_http_requests_total counter
caddy_http_requests_total{server="srv0"} 7
`

// serveN serves body to the first n requests, then fails with a 500
// (n < 0: always serves).
func serveN(t *testing.T, body string, n int64) string {
	t.Helper()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n >= 0 && served.Add(1) > n {
			http.Error(w, "gone", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/metrics"
}

// A target that does not answer, at the first read or at the second, is
// named with its error in the summary and written commented out, not as a
// live target; the others are read as if it were not there.
func TestATargetDownIsNamedAndCommentedOut(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/metrics"
	dead.Close()
	tests := []struct {
		name, want string
		down       func(t *testing.T) string
	}{
		{"down at the first read", "connection refused", func(*testing.T) string { return deadURL }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live, down := serveN(t, nodeBody, -1), tt.down(t)
			c, err := ReadScrape(context.Background(), http.DefaultClient, []string{live, down}, time.Millisecond)
			if err != nil {
				t.Fatalf("one target down is an error: %v", err)
			}
			if len(c.Targets) != 1 || c.Targets[0] != live || len(c.Down) != 1 || c.Down[0].URL != down || !strings.Contains(c.Down[0].Err, tt.want) {
				t.Fatalf("targets %v, down %+v; want %s live and %s down with %q", c.Targets, c.Down, live, down, tt.want)
			}
			r, file := detectAndRender(t, c)
			cfg, err := config.Parse("launchwatch.yaml", file)
			if err != nil {
				t.Fatalf("%v\n%s", err, file)
			}
			if got := cfg.Sources.Scrape.Targets; len(got) != 1 || got[0] != live {
				t.Errorf("the file's live targets are %v, want only %s:\n%s", got, live, file)
			}
			if !strings.Contains(string(file), "# - "+down+"   # did not answer when read: ") {
				t.Errorf("the file lacks %s commented out:\n%s", down, file)
			}
			var sum strings.Builder
			if err := r.WriteSummary(&sum, "launchwatch.yaml"); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"job scrape: 1 of 2 targets up", down + " did not answer: ", tt.want} {
				if !strings.Contains(sum.String(), want) {
					t.Errorf("the summary lacks %q:\n%s", want, sum.String())
				}
			}
		})
	}
}

// A target that answers the first read and fails the second (a blip) is
// kept: only its devices' rates are left out.
func TestATargetFailingOnlyTheSecondReadIsKept(t *testing.T) {
	live, blip := serveN(t, nodeBody, -1), serveN(t, nodeBody, 1)
	c, err := ReadScrape(context.Background(), http.DefaultClient, []string{live, blip}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Targets) != 2 || len(c.Down) != 0 {
		t.Errorf("targets %v, down %+v; want both targets kept", c.Targets, c.Down)
	}
}

// The servers a source is found on are counted as the fleet counts them:
// the demo shop behind one target, four servers by exported_instance, is
// four servers in its Found line and in the fleet's.
func TestTheServersAreCountedAsTheFleetCountsThem(t *testing.T) {
	var series []map[string]string
	for _, s := range []string{"web-1", "web-2", "web-3", "web-4"} {
		series = append(series, map[string]string{"instance": "127.0.0.1:9400", "exported_instance": s})
	}
	r, err := Detect(&Catalog{
		Targets: []string{"http://127.0.0.1:9400/metrics"},
		Names:   map[string]bool{"shop_page_views_total": true, "shop_http_requests_total": true},
		Series:  map[string][]map[string]string{"shop_page_views_total": series},
	})
	if err != nil {
		t.Fatal(err)
	}
	var sum strings.Builder
	if err := r.WriteSummary(&sum, "launchwatch.yaml"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Found the demo storefront (launchwatch sim) (4 servers)", "Fleet: 4 servers by exported_instance"} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, sum.String())
		}
	}
}

// Targets are parsed as the scrape source parses them: an OpenMetrics
// answer is read (its counters' _total names held), and an HTML page is
// a target down saying to check the URL's path, not a parser's riddle.
func TestTargetsAreParsedAsTheScrapeSourceParsesThem(t *testing.T) {
	serve := func(contentType, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", contentType)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/metrics"
	}
	om := serve("application/openmetrics-text; version=1.0.0; charset=utf-8",
		"# TYPE shop_page_views counter\n# UNIT shop_page_views views\nshop_page_views_total{instance=\"web-1\"} 5 1765000000.000 # {trace_id=\"a\"} 1\n# EOF\n")
	html := serve("text/html; charset=utf-8", "<!doctype html><html><body>the shop</body></html>")
	c, err := ReadScrape(context.Background(), http.DefaultClient, []string{om, html}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Names["shop_page_views_total"] {
		t.Errorf("the OpenMetrics counter is not held: %v", c.Names)
	}
	if len(c.Down) != 1 || c.Down[0].URL != html || !strings.Contains(c.Down[0].Err, "got an HTML page, not metrics") {
		t.Errorf("down %+v, want the HTML page with the scrape source's error", c.Down)
	}
}
