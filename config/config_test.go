package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTheGoodConfigLoadsWithDefaultsAndPreset(t *testing.T) {
	cfg, err := Load("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Launch.Name != "Winter drop" || !cfg.Launch.StartsAt.Equal(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("launch = %+v", cfg.Launch)
	}
	if got := cfg.Sources.Prometheus.Timeout; got != 800*time.Millisecond {
		t.Errorf("prometheus timeout defaults to 80%% of the interval: got %s", got)
	}
	if !cfg.Sources.Host.Enabled {
		t.Error("a host block without enabled: must be enabled")
	}
	if cfg.Thresholds.Warn != 0.7 || cfg.Thresholds.Crit != 0.95 || cfg.Thresholds.StaleAfter != 3*time.Second {
		t.Errorf("thresholds = %+v", cfg.Thresholds)
	}
	// The file's own signals win over the preset's.
	if q := cfg.Signals["error_rate"].Query; !strings.Contains(q, "nginx_http_requests_total{status") || cfg.Signals["error_rate"].Multi != MultiRefuse {
		t.Errorf("error_rate = %+v", cfg.Signals["error_rate"])
	}
	// The preset fills what the file leaves out …
	if q := cfg.Signals["connections"].Query; q != "sum(nginx_connections_active)" {
		t.Errorf("connections from preset = %q", q)
	}
	// … but leaves host figures to the local host source.
	if _, ok := cfg.Signals["host.cpu"]; ok {
		t.Error("preset host.cpu must yield to the enabled host source")
	}
	if p := cfg.Signals["pv"].Pos; p.File != "testdata/good.yaml" || p.Line != 19 {
		t.Errorf("pv position = %v, want testdata/good.yaml:19 (the key)", p)
	}
	plan, err := cfg.CapacityPlan()
	if err != nil {
		t.Fatal(err)
	}
	if plan.ResourceSize != 100_000 || plan.DownloadSpeed != 100_000 || plan.ConnMemory != 10_000 {
		t.Errorf("plan units: %+v", plan)
	}
	if plan.Limits.Link != 300_000_000 || plan.Limits.Memory != 512<<20 || plan.Limits.MaxConns != 5000 {
		t.Errorf("plan limits: %+v", plan.Limits)
	}
	if plan.Stock.Total != 1000 || plan.Stock.SellOut != 10*time.Minute || len(plan.Endpoints) != 2 || plan.Endpoints[1].MaxQPS != 100 {
		t.Errorf("plan stock/endpoints: %+v %+v", plan.Stock, plan.Endpoints)
	}
}

func TestEffectiveConfigRedactsSecrets(t *testing.T) {
	cfg, err := Load("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, "hunter2") {
		t.Fatalf("password printed in clear:\n%s", s)
	}
	for _, want := range []string{"<secret>", "timeout: 800ms", "stale_after: 3s", "sum(nginx_connections_active)"} {
		if !strings.Contains(s, want) {
			t.Errorf("effective config lacks %q:\n%s", want, s)
		}
	}
	// What config check prints must load again to the same thing.
	if _, err := Parse("effective.yaml", []byte(strings.ReplaceAll(s, "<secret>", "x"))); err != nil {
		t.Errorf("the effective config does not load back: %v", err)
	}
}

// badConfigs is every bad-*.yaml in testdata with what its error must say.
var badConfigs = []struct {
	file string
	want []string
}{
	{"bad-zero-download-speed.yaml", []string{"bad-zero-download-speed.yaml:8: plan.download_speed:"}},
	{"bad-unknown-unit.yaml", []string{"bad-unknown-unit.yaml:7: plan.resource_size:", "100XB"}},
	{"bad-negative-size.yaml", []string{"bad-negative-size.yaml:7: plan.resource_size:", "-5KB"}},
	{"bad-unknown-field.yaml", []string{"bad-unknown-field.yaml:6: plan.resourses_per_page: unknown field \"resourses_per_page\""}},
	{"bad-interval-type.yaml", []string{"bad-interval-type.yaml:1: interval:", "soon"}},
	{"bad-prometheus-url.yaml", []string{"bad-prometheus-url.yaml:4: sources.prometheus.url:"}},
	{"bad-timeout-over-interval.yaml", []string{"bad-timeout-over-interval.yaml:5: sources.prometheus.timeout:", "shorter than the interval"}},
	{"bad-unknown-signal.yaml", []string{"bad-unknown-signal.yaml:6: signals.pageviews: unknown signal"}},
	{"bad-query-without-prometheus.yaml", []string{"bad-query-without-prometheus.yaml:7: signals.pv.query: needs sources.prometheus"}},
	{"bad-endpoints.yaml", []string{"bad-endpoints.yaml:9: endpoints[1].name: \"buy\" is already endpoints[0]", "bad-endpoints.yaml:10: endpoints[1].max_qps:"}},
	{"bad-no-source.yaml", []string{"bad-no-source.yaml:2: sources: no source is configured"}},
	{"bad-thresholds.yaml", []string{"bad-thresholds.yaml:5: thresholds.warn: 0.9 must be below crit",
		"bad-thresholds.yaml:7: thresholds.min_drift: must be within [0, 1]",
		"bad-thresholds.yaml:8: thresholds.min_failures: must be a number of failed requests per second, 0 or more, got -1",
		"bad-thresholds.yaml:10: thresholds.close_after: 5s must be at least open_after (10s): a problem that closes faster than it opens flaps"}},
	{"bad-preset.yaml", []string{"bad-preset.yaml:4: preset: unknown preset \"grafana\"", "sim"}},
	{"bad-yaml-syntax.yaml", []string{"bad-yaml-syntax.yaml:"}},
	{"bad-cdn-share.yaml", []string{"bad-cdn-share.yaml:9: plan.cdn_share:"}},
	{"bad-http-client-config.yaml", []string{"bad-http-client-config.yaml", "bearer_token"}},
	{"bad-prometheus-url-port.yaml", []string{"bad-prometheus-url-port.yaml:4: sources.prometheus.url: port 99999 in \"http://launch:xxxxx@prometheus.example:99999\" is not within 1..65535"}},
	{"bad-prometheus-url-secret.yaml", []string{"bad-prometheus-url-secret.yaml:4: sources.prometheus.url:", "launch:xxxxx@", "invalid port"}},
	{"bad-scrape-target-port.yaml", []string{"bad-scrape-target-port.yaml:7: sources.scrape.targets[1]: port 0 in \"http://scraper:xxxxx@127.0.0.1:0/metrics\" is not within 1..65535"}},
	{"bad-host-port.yaml", []string{"bad-host-port.yaml:4: sources.host.ports[1]: port 70000 is not within 1..65535"}},
	{"bad-nothing-to-watch.yaml", []string{"bad-nothing-to-watch.yaml:2: sources: nothing to watch: no signal or endpoint reads sources.prometheus", "signals.pv.query", "a preset (caddy, envoy, haproxy, ingress-nginx, nginx-node, node, promhttp, sim, traefik)"}},
	{"bad-host-disabled-only.yaml", []string{"bad-host-disabled-only.yaml:2: sources: no source is configured", "examples/demo.yaml"}},
	{"bad-starts-at.yaml", []string{"bad-starts-at.yaml:3: launch.starts_at: \"tomorrow noon\" is not a time; accepted: RFC 3339 such as 2026-12-01T12:00:00Z"}},
	{"bad-starts-at-no-zone.yaml", []string{"bad-starts-at-no-zone.yaml:3: launch.starts_at: \"2026-12-01 12:00:00\" has no time zone: add Z for UTC or an offset such as +01:00"}},
	{"bad-launch-unknown-field.yaml", []string{"bad-launch-unknown-field.yaml:3: launch.start: unknown field \"start\""}},
	{"bad-promql.yaml", []string{"bad-promql.yaml:7: signals.pv.query: not valid PromQL: 1:36: parse error: unclosed left parenthesis"}},
	{"bad-endpoint-promql.yaml", []string{"bad-endpoint-promql.yaml:8: endpoints[0].query: not valid PromQL: 1:48: parse error: unexpected character inside braces: '['"}},
	{"bad-promql-rate-without-range.yaml", []string{"bad-promql-rate-without-range.yaml:7: signals.pv.query: not valid PromQL:", "expected type range vector"}},
	{"bad-absurd-sizes.yaml", []string{"bad-absurd-sizes.yaml:7: plan.resource_size: 2 TB is beyond any real plan; at most 1 TB is accepted", "bad-absurd-sizes.yaml:8: plan.download_speed: 1 Tbit/s is beyond any real plan; at most 100 Gbit/s is accepted"}},
	{"bad-missing-peak-pv.yaml", []string{"bad-missing-peak-pv.yaml:4: plan.peak_pv: is required and must be > 0"}},
	{"bad-size-without-unit.yaml", []string{"bad-size-without-unit.yaml:7: plan.resource_size: size \"100\" has no unit: write e.g. \"100KB\""}},
	{"bad-peak-pv-count.yaml", []string{"bad-peak-pv-count.yaml:5: plan.peak_pv: \"lots\": not a number"}},
	{"bad-second-document.yaml", []string{"bad-second-document.yaml:5: a second YAML document starts here"}},
	{"bad-scrape-interval.yaml", []string{"bad-scrape-interval.yaml:5: sources.prometheus.scrape_interval: must be at least 1ms", "-15s"}},
}

// secret is the password the test files write; no output may carry it.
const secret = "hunter2"

func TestBadConfigsNameFileLineAndField(t *testing.T) {
	for _, tt := range badConfigs {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			_, err := Load(path)
			if err == nil {
				t.Fatalf("%s loaded without error", tt.file)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error prints the password:\n%v", err)
			}
		})
	}
}

func TestEveryBadFileIsCoveredByATest(t *testing.T) {
	var files []string
	for _, b := range badConfigs {
		files = append(files, b.file)
	}
	requireCovered(t, "testdata", "bad-", files, "badConfigs")
}

// requireCovered fails for every file in dir whose name starts with prefix
// ("bad-") that the table (named for the message) does not list, so no bad
// file goes untested.
func requireCovered(t *testing.T, dir, prefix string, files []string, table string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && !slices.Contains(files, e.Name()) {
			t.Errorf("%s/%s is not in %s: say what its error must name", dir, e.Name(), table)
		}
	}
}

func TestStartsAtTakesRFC3339AndASpaceForTheT(t *testing.T) {
	want := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in string
	}{
		{"RFC 3339 with an offset", "2026-12-01T12:00:00+01:00"},
		{"RFC 3339 in UTC", "2026-12-01T11:00:00Z"},
		{"RFC 3339 with fractional seconds", "2026-12-01T11:00:00.000Z"},
		{"a space for the T", "2026-12-01 12:00:00+01:00"},
		{"a quoted time", `"2026-12-01T11:00:00Z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("t.yaml", []byte("launch:\n  name: x\n  starts_at: "+tt.in+"\nsources:\n  host: {}\n"))
			if err != nil {
				t.Fatal(err)
			}
			if !cfg.Launch.StartsAt.Equal(want) || cfg.Launch.Name != "x" {
				t.Errorf("launch = %+v, want T0 %v", cfg.Launch, want)
			}
		})
	}
}

func TestPlanCountsTakeThousandsAndMillions(t *testing.T) {
	cfg, err := Parse("counts.yaml", []byte("sources:\n  host: {}\nplan:\n  peak_pv: 1.5k\n  resources_per_page: 30\n  resource_size: 100KB\n  download_speed: 100KB/s\n  limits:\n    max_connections: 1M\n  stock:\n    total: 2k\n"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := cfg.CapacityPlan()
	if err != nil {
		t.Fatal(err)
	}
	if plan.PeakPV != 1500 || plan.Limits.MaxConns != 1e6 || plan.Stock.Total != 2000 {
		t.Errorf("plan = %+v", plan)
	}
}

func TestMissingFileAndEmptyFileAreClearErrors(t *testing.T) {
	if _, err := Load("testdata/nope.yaml"); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Parse("empty.yaml", nil); err == nil || !strings.Contains(err.Error(), "empty.yaml: the file is empty") {
		t.Errorf("empty file: %v", err)
	}
}

func TestAConfigWithoutAPlanIsAllowed(t *testing.T) {
	cfg, err := Parse("noplan.yaml", []byte("sources:\n  host: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HasPlan() {
		t.Error("HasPlan with no plan section")
	}
}

func TestTheSimPresetPicksScrapeExpressionsWithoutPrometheus(t *testing.T) {
	cfg, err := Parse("demo.yaml", []byte("preset: sim\nsources:\n  scrape:\n    targets: [http://127.0.0.1:9400/metrics]\nendpoints:\n  - name: buy\n    max_qps: 100\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Signals["pv"]; s.Scrape != "rate(shop_page_views_total)" || s.Query != "" {
		t.Errorf("pv = %+v", s)
	}
	if s := cfg.Endpoints[0].Signal; s.Scrape != `rate(shop_http_requests_total{handler="buy"})` {
		t.Errorf("buy = %+v", s)
	}
}

func TestEndpointsAreCheckedEvenWithoutAPlan(t *testing.T) {
	_, err := Parse("noplan.yaml", []byte("sources:\n  scrape:\n    targets: [http://127.0.0.1:9400/metrics]\nendpoints:\n  - name: buy\n    max_qps: -1\n    scrape: rate(x)\n"))
	if err == nil || !strings.Contains(err.Error(), "noplan.yaml:6: endpoints[0].max_qps: must be > 0") {
		t.Errorf("err = %v", err)
	}
}

func TestAHostIsTheOriginOnlyWhenTheConfigSaysSo(t *testing.T) {
	for _, tt := range []struct {
		host string
		want bool
	}{{"host: {}", false}, {"host: {origin: true}", true}, {"host: {origin: false}", false}} {
		cfg, err := Parse("origin.yaml", []byte(`launch: {name: x}
sources:
  `+tt.host+`
plan: {peak_pv: 10, resources_per_page: 1, resource_size: 1KB, download_speed: 1KB/s}
`))
		if err != nil {
			t.Fatalf("%s: %v", tt.host, err)
		}
		plan, err := cfg.CapacityPlan()
		if err != nil {
			t.Fatal(err)
		}
		if plan.HostIsOrigin != tt.want {
			t.Errorf("%s: HostIsOrigin = %v, want %v", tt.host, plan.HostIsOrigin, tt.want)
		}
	}
}

func TestATrailingEmptyDocumentIsNoSecondConfig(t *testing.T) {
	good, err := os.ReadFile("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tail := range []string{"\n---\n", "\n---\n# nothing more\n", "\n---\n...\n", "\n--- ~\n"} {
		if _, err := Parse("good.yaml", append(append([]byte{}, good...), tail...)); err != nil {
			t.Errorf("a config ending %q: %v", tail, err)
		}
	}
	lines := bytes.Count(good, []byte("\n"))
	_, err = Parse("good.yaml", append(append([]byte{}, good...), "\n---\n# a comment\ninterval: 2s\n"...))
	want := fmt.Sprintf("good.yaml:%d: a second YAML document starts here", lines+2) // the "---" line
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a second document with a value: %v, want %q", err, want)
	}
}
