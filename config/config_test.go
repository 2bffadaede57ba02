package config

import (
	"os"
	"path/filepath"
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
	{"bad-thresholds.yaml", []string{"bad-thresholds.yaml:5: thresholds.warn: 0.9 must be below crit"}},
	{"bad-preset.yaml", []string{"bad-preset.yaml:4: preset: unknown preset \"grafana\"", "sim"}},
	{"bad-yaml-syntax.yaml", []string{"bad-yaml-syntax.yaml:"}},
	{"bad-cdn-share.yaml", []string{"bad-cdn-share.yaml:9: plan.cdn_share:"}},
	{"bad-http-client-config.yaml", []string{"bad-http-client-config.yaml", "bearer_token"}},
	{"bad-scrape-interval.yaml", []string{"bad-scrape-interval.yaml:5: sources.prometheus.scrape_interval: must be at least 1ms", "-15s"}},
}

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
		})
	}
}

func TestEveryBadFileIsCoveredByATest(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, b := range badConfigs {
		covered[b.file] = true
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "bad-") && !covered[e.Name()] {
			t.Errorf("testdata/%s is not in badConfigs: say what its error must name", e.Name())
		}
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
