package discover

import (
	"context"
	"encoding/json"
	"flag"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fakePrometheus serves a Prometheus API from testdata/dir: names.json,
// series-METRIC.json (the series the group by of METRIC answers from),
// targets.json, config.json, up.json and devices.json
// (the answer to the device rates' query). A file that is not there is a
// 404, as from a server without that API.
func fakePrometheus(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := ""
		switch r.URL.Path {
		case "/api/v1/label/__name__/values":
			file = "names.json"
		case "/api/v1/targets":
			file = "targets.json"
		case "/api/v1/status/config":
			file = "config.json"
		case "/api/v1/query":
			switch q := r.URL.Query().Get("query"); {
			case groupQuery.MatchString(q):
				m := groupQuery.FindStringSubmatch(q)
				_, _ = w.Write(groupAnswer(t, filepath.Join("testdata", dir, "series-"+m[2]+".json"), strings.Split(m[1], ", ")))
				return
			case q == "up":
				file = "up.json"
			case strings.Contains(q, deviceMetric):
				file = "devices.json"
			default:
				t.Errorf("unexpected query %q", q)
			}
		}
		body, err := os.ReadFile(filepath.Join("testdata", dir, file))
		if file == "" || err != nil {
			http.Error(w, `{"status":"error","error":"not found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// groupQuery is the catalog's instant query of a metric's label sets.
var groupQuery = regexp.MustCompile(`^group by \(([a-z_, ]+)\) \(\{__name__="([a-zA-Z0-9_:]+)"\}\)$`)

// groupAnswer is Prometheus' answer to group by (by) of the series listed
// in file (an /api/v1/series answer): their distinct label sets kept to
// by; no series when the file is not there.
func groupAnswer(t *testing.T, file string, by []string) []byte {
	var series struct {
		Data []map[string]string `json:"data"`
	}
	if body, err := os.ReadFile(file); err == nil {
		if err := json.Unmarshal(body, &series); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
	type one struct {
		Metric map[string]string `json:"metric"`
		Value  [2]any            `json:"value"`
	}
	var result []one
	for _, ls := range series.Data {
		kept := map[string]string{}
		for _, l := range by {
			if v, ok := ls[l]; ok {
				kept[l] = v
			}
		}
		if !slices.ContainsFunc(result, func(o one) bool { return maps.Equal(o.Metric, kept) }) {
			result = append(result, one{Metric: kept, Value: [2]any{1765000000, "1"}})
		}
	}
	out, err := json.Marshal(map[string]any{"status": "success", "data": map[string]any{"resultType": "vector", "result": result}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fakeTargets serves testdata/dir/metrics.txt as n /metrics targets.
func fakeTargets(t *testing.T, dir string, n int) []string {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", dir, "metrics.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for range n {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			_, _ = w.Write(body)
		}))
		t.Cleanup(srv.Close)
		out = append(out, srv.URL+"/metrics")
	}
	return out
}

// The file init writes, for a fixed catalog, is the golden one, and it
// loads and validates with the project's config loader.
func TestTheWrittenFileIsTheGoldenOneAndLoads(t *testing.T) {
	tests := []struct {
		name, golden string
		read         func(t *testing.T) (*Catalog, string, error)
	}{
		{"nginx-prometheus-exporter and node_exporter on two servers", "nginx-node", func(t *testing.T) (*Catalog, string, error) {
			srv := fakePrometheus(t, "nginx-node")
			c, err := ReadPrometheus(context.Background(), srv.Client(), srv.URL)
			return c, srv.URL, err
		}},
		{"Caddy and the shop's own counters, the interval from the config", "caddy-shop", func(t *testing.T) (*Catalog, string, error) {
			srv := fakePrometheus(t, "caddy-shop")
			c, err := ReadPrometheus(context.Background(), srv.Client(), srv.URL)
			return c, srv.URL, err
		}},
		{"two Caddy servers read directly", "scrape-caddy", func(t *testing.T) (*Catalog, string, error) {
			targets := fakeTargets(t, "scrape-caddy", 2)
			c, err := ReadScrape(context.Background(), http.DefaultClient, targets, time.Millisecond)
			return c, strings.Join(targets, " "), err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, base, err := tt.read(t)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, c)
			if _, err := config.Parse("launchwatch.yaml", got); err != nil {
				t.Fatalf("the file does not load: %v\n%s", err, got)
			}
			// The fakes' ports change from run to run (and so does their
			// order, sorted in the fleet's list).
			text := string(got)
			for _, b := range strings.Fields(base) {
				u, err := url.Parse(b)
				if err != nil {
					t.Fatal(err)
				}
				text = strings.ReplaceAll(text, u.Host, "127.0.0.1:PORT")
			}
			stable := []byte(text)
			golden := filepath.Join("testdata", tt.golden, "launchwatch.yaml.golden")
			if *update {
				if err := os.WriteFile(golden, stable, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if string(stable) != string(want) {
				t.Errorf("the file differs from %s (go test ./discover -update rewrites it):\n%s", golden, stable)
			}
		})
	}
}

// The devices' rates measured when init runs never change the queries:
// bandwidth and host.net_* are the node preset's own, whichever device
// was busiest (init usually runs on an idle stack, where that is
// loopback's scrapes), and the rates are only a comment.
func TestTheMeasuredDevicesLeaveThePresetsQueriesAlone(t *testing.T) {
	preset, _ := config.PresetSignals("node")
	for _, rates := range []map[string]float64{
		{"lo": 50000, "eth0": 10},
		{"eth0": 100, "eth1": 20, "docker0": 500},
		nil,
	} {
		r, err := Detect(&Catalog{
			Prometheus: "http://p:9090",
			Names:      map[string]bool{"node_cpu_seconds_total": true, deviceMetric: true},
			Devices:    rates,
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]Choice{}
		for _, ch := range r.Signals {
			got[ch.Name] = ch
		}
		for _, sig := range []string{"bandwidth", "host.net_tx", "host.net_rx"} {
			if got[sig].Query != preset[sig].Query {
				t.Errorf("rates %v: %s = %q, want the preset's %q", rates, sig, got[sig].Query, preset[sig].Query)
			}
		}
		note := got["bandwidth"].Note
		if rates == nil && note != "" {
			t.Errorf("no rates read, yet the note %q", note)
		}
		if rates != nil && !strings.HasPrefix(note, "bytes sent by device when read: ") {
			t.Errorf("rates %v: the note %q", rates, note)
		}
	}
}

// Without any metric launchwatch knows, init says what it looked for
// rather than writing a file with nothing in it.
func TestNothingKnownIsAnErrorNamingWhatWasLookedFor(t *testing.T) {
	_, err := Detect(&Catalog{Prometheus: "http://p", Names: map[string]bool{"go_goroutines": true}})
	if err == nil || !strings.Contains(err.Error(), "nginx-prometheus-exporter") || !strings.Contains(err.Error(), "Caddy") {
		t.Fatalf("err = %v, want one naming the exporters looked for", err)
	}
}

// Every detector names a preset that exists and markers its preset's
// queries read, so a preset renamed or rewritten cannot leave a detector
// pointing at nothing.
func TestEveryDetectorsPresetReadsItsMarkers(t *testing.T) {
	for _, d := range detectors {
		if d.preset == "" {
			continue
		}
		sigs, ok := config.PresetSignals(d.preset)
		if !ok {
			t.Errorf("%s: unknown preset %q", d.name, d.preset)
			continue
		}
		all := ""
		for _, s := range sigs {
			all += s.Query + " " + s.Scrape + " "
		}
		for _, m := range d.markers {
			if !strings.Contains(all, m) {
				t.Errorf("%s: the %s preset reads no %s", d.name, d.preset, m)
			}
		}
	}
}

// A server's label values reach the file only cleaned: a newline in an
// instance or a handler cannot start a line of YAML of its own.
func TestTheServersTextCannotWriteYAML(t *testing.T) {
	evil := "web-1\nlaunch: {name: evil}\x1b[2J"
	c := &Catalog{
		Prometheus: "http://p:9090",
		Names:      map[string]bool{"shop_page_views_total": true, "shop_http_requests_total": true},
		Series: map[string][]map[string]string{"shop_page_views_total": {
			{"instance": evil}, {"instance": "web-2"},
		}, "shop_http_requests_total": {{"handler": evil}}},
		Jobs: []Job{{Name: "shop\n# x", Up: 1, All: 1}},
	}
	got := render(t, c)
	for _, line := range strings.Split(string(got), "\n") {
		if strings.HasPrefix(line, "launch: {name: evil}") || strings.Contains(line, "\x1b") {
			t.Fatalf("the server's text wrote a line of its own: %q\n%s", line, got)
		}
	}
	if _, err := config.Parse("launchwatch.yaml", got); err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
}

// Read directly, an exporter whose preset has no scrape expressions is
// found but answers nothing, and the file says to read it through
// Prometheus.
func TestAnExporterReadOnlyThroughPrometheusIsSaidSo(t *testing.T) {
	c := &Catalog{
		Targets: []string{"http://web-1:9113/metrics", "http://web-1:2019/metrics"},
		Names:   map[string]bool{"nginx_http_requests_total": true, "nginx_connections_active": true, "caddy_http_requests_total": true},
	}
	r, err := Detect(c)
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, f := range r.Found {
		if f.Name == "nginx-prometheus-exporter" {
			line = f.Line()
		}
	}
	if !strings.Contains(line, "the nginx-node preset reads it through Prometheus only (init --prometheus)") {
		t.Errorf("nginx-prometheus-exporter's line = %q", line)
	}
}

// render is the file Detect and Render write for c.
func render(t *testing.T, c *Catalog) []byte {
	t.Helper()
	_, got := detectAndRender(t, c)
	return got
}

// detectAndRender is what Detect makes of c, and the file Render writes.
func detectAndRender(t *testing.T, c *Catalog) (*Result, []byte) {
	t.Helper()
	r, err := Detect(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Render(r, "launchwatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return r, got
}

// The commented blocks are ready to use: the plan's skeleton and the
// endpoints, uncommented as they stand, load and validate.
func TestTheCommentedBlocksLoadUncommented(t *testing.T) {
	c := &Catalog{
		Targets: []string{"http://127.0.0.1:9400/metrics"},
		Names:   map[string]bool{"shop_page_views_total": true, "shop_http_requests_total": true},
		Series: map[string][]map[string]string{
			"shop_page_views_total":    {{"instance": "127.0.0.1:9400"}},
			"shop_http_requests_total": {{"handler": "buy"}, {"handler": "cart"}},
		},
	}
	r, err := Detect(c)
	if err != nil {
		t.Fatal(err)
	}
	r.Page = &Page{URL: "http://127.0.0.1:9400/", Resources: 20, Bytes: 1_000_000}
	got, err := Render(r, "launchwatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	block := false
	for _, line := range strings.Split(string(got), "\n") {
		// The probe block sits under sources:, indented.
		switch trimmed := strings.TrimSpace(line); {
		case trimmed == "# plan:" || trimmed == "# endpoints:" || trimmed == "# probe:":
			block = true
		case block && !strings.HasPrefix(trimmed, "#   "):
			block = false
		}
		if block {
			line = strings.Replace(line, "# ", "", 1)
		}
		out = append(out, line)
	}
	text := strings.Join(out, "\n")
	for _, want := range []string{"\nplan:\n", "\nendpoints:\n", "\n  probe:\n    url: ", "\n  resources_per_page: 20", "\n  resource_size: 50KB"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the uncommented file lacks %q:\n%s", want, text)
		}
	}
	cfg, err := config.Parse("launchwatch.yaml", []byte(text))
	if err != nil {
		t.Fatalf("uncommented, the file does not load: %v\n%s", err, text)
	}
	if !cfg.HasPlan() || len(cfg.Endpoints) != 2 {
		t.Errorf("plan %v, endpoints %d; want a plan and 2 endpoints", cfg.HasPlan(), len(cfg.Endpoints))
	}
	if cfg.Sources.Probe == nil || cfg.Sources.Probe.URL != r.Page.URL {
		t.Errorf("sources.probe = %+v, want the page %s", cfg.Sources.Probe, r.Page.URL)
	}
}

// The scrape interval written is the longest of the jobs carrying the
// signals' metrics, not of every job: a 60 s blackbox job beside them
// would make every rate window 4 minutes. With the jobs unknown it is
// the longest of all.
func TestTheScrapeIntervalIsTheSignalsJobs(t *testing.T) {
	srv := fakePrometheus(t, "nginx-node") // targets: nginx 15s, node 30s, blackbox 1m
	c, err := ReadPrometheus(context.Background(), srv.Client(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Detect(c)
	if err != nil {
		t.Fatal(err)
	}
	if r.ScrapeInterval != 30*time.Second || !strings.Contains(r.ScrapeHow, "jobs nginx, node (/api/v1/targets)") {
		t.Errorf("nginx and node: %s from %q, want 30s from jobs nginx, node", r.ScrapeInterval, r.ScrapeHow)
	}
	intervals := map[string]time.Duration{"nginx": 15 * time.Second, "node": 30 * time.Second, "blackbox": time.Minute}
	nginx := func(job string) *Catalog {
		return &Catalog{
			Prometheus: "http://p:9090",
			Names:      map[string]bool{"nginx_http_requests_total": true, "nginx_connections_active": true},
			Series:     map[string][]map[string]string{"nginx_http_requests_total": {{"instance": "web-1:9113", "job": job}}},
			Intervals:  intervals, ScrapeInterval: time.Minute, ScrapeHow: "/api/v1/targets",
		}
	}
	if r, _ := Detect(nginx("nginx")); r.ScrapeInterval != 15*time.Second {
		t.Errorf("nginx alone: %s from %q, want 15s", r.ScrapeInterval, r.ScrapeHow)
	}
	if r, _ := Detect(nginx("")); r.ScrapeInterval != time.Minute || !strings.Contains(r.ScrapeHow, "every job") {
		t.Errorf("the job unknown: %s from %q, want 1m, the longest of every job", r.ScrapeInterval, r.ScrapeHow)
	}
}

// An http_requests_total without a code label (an app counting requests
// only) gives no errors: the promhttp detector needs the code, and the
// error rate stays a line saying what to add rather than a 0% that is
// not measured.
func TestAnAppCounterWithoutStatusCodesGivesNoErrorRate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		series map[string]string
		want   bool
	}{
		{"by code", map[string]string{"instance": "app:8080", "code": "200"}, true},
		{"without a code", map[string]string{"instance": "app:8080"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// nginx's exporter beside it answers requests either way.
			nginx := []map[string]string{{"instance": "web-1:9113"}}
			r, err := Detect(&Catalog{
				Prometheus: "http://prom:9090",
				Names:      map[string]bool{"http_requests_total": true, "nginx_http_requests_total": true, "nginx_connections_active": true},
				Series: map[string][]map[string]string{"http_requests_total": {tt.series},
					"nginx_http_requests_total": nginx, "nginx_connections_active": nginx},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := slices.ContainsFunc(r.Signals, func(ch Choice) bool { return ch.Name == snapshot.SignalErrorRate })
			if got != tt.want {
				t.Errorf("error_rate chosen: %v, want %v (%+v)", got, tt.want, r.Signals)
			}
		})
	}
}
