package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

// simAt serves a shop whose clock the test sets: speed 1, T0 a minute
// after the start.
func simAt(t *testing.T, scenario string, sinceT0 time.Duration) string {
	t.Helper()
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := start
	shop, base := simtest.Serve(t, sim.Options{Scenario: scenario, Speed: 1, StartIn: time.Minute, Seed: 1, Wall: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}})
	mu.Lock()
	now = shop.LaunchAt().Add(sinceT0)
	mu.Unlock()
	return base
}

// demoPlanFlags is the demo's plan (examples/demo.yaml) as flags.
var demoPlanFlags = append([]string{"--link", "1Gbps"}, demoPlanNoLink...)

// demoPlanNoLink is the demo's plan without its link.
var demoPlanNoLink = []string{"--pv", "200", "--resources", "20", "--resource-size", "50KB", "--download-speed", "200KB/s", "--cdn-share", "0.9"}

func TestProbeGatesOnTheButtonThenTheLinkThePageTakes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scenario string
		sinceT0  time.Duration
		plan     []string
		code     int
		want     []string
	}{
		{"first launch, button missing and page heavy", "first-launch", 5 * time.Minute, demoPlanFlags, 1, []string{
			"Button     MISSING (#buy): no element matches #buy",
			"page weight   10.1 MB, plan 1 MB: 10.1x; 10.1 MB a view from the origin",
			"the link limit is the first one reached, at 12.4 PV/s",
			"compress (gzip or brotli) 1.05 MB sent uncompressed",
			"Verdict: BUTTON MISSING: no element matches #buy; OVER PLAN",
		}},
		{"first launch after the fix of the button: heavy only", "first-launch", 20 * time.Minute, demoPlanFlags, 2, []string{
			"Button     present (#buy)",
			"Verdict: OVER PLAN: at the planned peak of 200 PV/s the page's 10.1 MB from the origin a view takes 1608% of the 1 Gbit/s link, over the 95% critical line; the link fills at 12.4 PV/s",
		}},
		// Without a link the page threatens no named limit: its weight,
		// ten times the plan's, is said, and judged by nothing.
		{"first launch with no link set: the weight is information", "first-launch", 20 * time.Minute, demoPlanNoLink, 0, []string{
			"Verdict: OK: the purchase button is present; the page weighs 10.1 MB, 10.1x the plan's 1 MB page: information, with no link limit to hold it against",
		}},
		// 20 x 50 KB under /cdn/ and a 2 KB page from the origin.
		{"second launch", "second-launch", time.Minute, demoPlanFlags, 0, []string{
			"Button     present (#buy)", "(99.8% from the CDN)",
			"Verdict: OK: the purchase button is present; within the plan: at the planned peak of 200 PV/s the page's",
			"of the 1 Gbit/s link, under the 80% warning line",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := simAt(t, tc.scenario, tc.sinceT0)
			host := strings.TrimPrefix(base, "http://")
			args := append([]string{"probe", base + "/", "--cdn-host", host + "/cdn/"}, tc.plan...)
			out, errOut, code := execute(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestProbeJSONAndTheDemoConfig(t *testing.T) {
	base := simAt(t, "first-launch", time.Minute)
	out, errOut, code := execute(t, "probe", base+"/", "--config", "../../examples/demo.yaml", "--json", "--text", "buy now")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (button missing)\n%s%s", code, out, errOut)
	}
	var rep struct {
		Result struct {
			Button    struct{ Present bool }
			Resources []struct{ Bytes int64 }
		}
		WeightBytes int64 `json:"weight_bytes"`
		Plan        *struct {
			Ratio   float64
			PeakUse float64 `json:"peak_use"`
			Level   string
			Over    bool
		}
		ExitStatus int `json:"exit_status"`
		Advice     []string
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The demo's config names CDN hosts, and the first launch serves
	// nothing from them: all 10 MB come from the origin.
	if rep.Result.Button.Present || len(rep.Result.Resources) != 20 || rep.ExitStatus != 1 || rep.Plan == nil || !rep.Plan.Over ||
		rep.Plan.Level != "crit" || rep.Plan.PeakUse < 10 || rep.Plan.Ratio < 10 || len(rep.Advice) != 2 {
		t.Errorf("report = %+v, plan %+v", rep, rep.Plan)
	}
}

func TestProbeWithoutAPlanJudgesTheButtonAlone(t *testing.T) {
	base := simAt(t, "first-launch", 20*time.Minute)
	out, _, code := execute(t, "probe", base+"/", "--text", "Buy", "--require-enabled")
	if code != 0 || strings.Contains(out, "Against the plan") || !strings.Contains(out, "Verdict: OK: the purchase button is present\n") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestProbeRefusesBadInputAndCleansWhatThePageSays(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("<title>\x1b]0;pwned\x07Sale\u202e</title><img src=\"/x\u202e\u009b2J.png\"><button id=buy>Buy</button>"))
	}))
	t.Cleanup(srv.Close)
	out, errOut, code := execute(t, "probe", srv.URL+"/")
	if code != 0 || strings.ContainsAny(out+errOut, "\x1b\x07\u202e\u009b") {
		t.Errorf("exit %d; raw control text reached the terminal: %q", code, out+errOut)
	}
	if !strings.Contains(out, "Title      Sale") || !strings.Contains(out, "fix 1 failing resources") {
		t.Errorf("output:\n%s", out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"probe"}, "probe needs the sale page's URL"},
		{[]string{"probe", "shop.example/sale"}, "not an http(s) URL with a host"},
		{[]string{"probe", srv.URL, "--header", "no colon"}, `--header "no colon": want 'Name: value'`},
		{[]string{"probe", srv.URL, "--selector", "#buy["}, `selector "#buy["`},
		{[]string{"probe", srv.URL, "--pv", "100"}, "missing --resources"},
	} {
		_, errOut, code := execute(t, tc.args...)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 1 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestProbeOfAPageThatDoesNotAnswerSaysWhy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "upstream down", http.StatusBadGateway)
	}))
	t.Cleanup(srv.Close)
	out, _, code := execute(t, "probe", srv.URL+"/")
	if code != 1 || !strings.Contains(out, "Verdict: NOT PROBED:") || !strings.Contains(out, "the page answered 502 Bad Gateway") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestWatchOnceWithThePlanFromTheProbe(t *testing.T) {
	base := simAt(t, "first-launch", time.Minute)
	cfg := filepath.Join(t.TempDir(), "probe.yaml")
	// The link is what a heavy page threatens: without a limit a page
	// weight is information, never a problem.
	yaml := "interval: 1s\nsources:\n  probe:\n    url: " + base + "/\nplan:\n  peak_pv: 200\n  resources_per_page: 20\n  resource_size: 50KB\n  download_speed: 200KB/s\n  limits:\n    link: 1Gbps\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := execute(t, "watch", "--config", cfg, "--once", "--json", "--plan-from-probe")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var frame struct {
		Snapshot struct {
			Probe struct {
				ButtonPresent *float64 `json:"button_present"`
				PageBytes     float64  `json:"page_bytes"`
			}
		}
		Assessment struct {
			Peak struct {
				Bandwidth float64 `json:"bandwidth_bytes_per_sec"`
			} `json:"peak"`
			Probe struct {
				FromProbe bool    `json:"from_probe"`
				Planned   float64 `json:"planned"`
			}
		}
		Problems []struct {
			Kind     string
			Severity string
		}
	}
	if err := json.Unmarshal([]byte(out), &frame); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	a, pr := frame.Assessment, frame.Snapshot.Probe
	if !a.Probe.FromProbe || a.Probe.Planned != 1e6 || a.Peak.Bandwidth != 200*pr.PageBytes || pr.ButtonPresent == nil || *pr.ButtonPresent != 0 {
		t.Errorf("assessment %+v, probe %+v: want the peak at 200 PV/s x the probed page", a, pr)
	}
	kinds := map[string]string{}
	for _, p := range frame.Problems {
		kinds[p.Kind] = p.Severity
	}
	if kinds["button"] != "crit" || kinds["page-weight"] != "crit" {
		t.Errorf("problems = %+v, want the button missing and the page filling the link far before the peak, both critical", frame.Problems)
	}

	noProbe := filepath.Join(t.TempDir(), "host.yaml")
	if err := os.WriteFile(noProbe, []byte("interval: 1s\nsources:\n  host: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := execute(t, "watch", "--config", noProbe, "--once", "--plan-from-probe"); code != 1 || !strings.Contains(errOut, "--plan-from-probe needs a plan section and sources.probe") {
		t.Errorf("without a probe: exit %d, %q", code, errOut)
	}
}
