package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanRefusesMissingUnitlessAndAbsurdInputNamingTheFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no --resources is an error, not a 0 B page", []string{"plan", "--pv", "100", "--resource-size", "100KB", "--download-speed", "100KB/s"}, "missing --resources: the formulas need every one of"},
		{"no --pv is an error naming it", []string{"plan", "--resources", "30", "--resource-size", "100KB", "--download-speed", "100KB/s"}, "missing --pv"},
		{"every missing flag is named at once", []string{"plan", "--pv", "100"}, "missing --resources, --resource-size, --download-speed"},
		{"a size without a unit suggests one", []string{"plan", "--pv", "100", "--resources", "30", "--resource-size", "100", "--download-speed", "100KB/s"}, `--resource-size (plan.resource_size): size "100" has no unit: write e.g. "100KB"`},
		{"a rate without a unit suggests one", []string{"plan", "--pv", "100", "--resources", "30", "--resource-size", "100KB", "--download-speed", "800"}, `--download-speed (plan.download_speed): rate "800" has no unit`},
		{"a count that is not one names the flag", []string{"plan", "--pv", "lots", "--resources", "30", "--resource-size", "100KB", "--download-speed", "100KB/s"}, `invalid argument "lots" for "--pv" flag`},
		{"a resource over 1 TB is refused stating the bound", []string{"plan", "--pv", "100", "--resources", "30", "--resource-size", "2TB", "--download-speed", "100KB/s"}, "--resource-size (plan.resource_size): 2 TB is beyond any real plan; at most 1 TB is accepted"},
		{"a peak over 1G PV/s is refused stating the bound", []string{"plan", "--pv", "2G", "--resources", "30", "--resource-size", "100KB", "--download-speed", "100KB/s"}, "--pv (plan.peak_pv): 2,000,000,000/s is beyond any real plan; at most 1,000,000,000/s"},
		{"a download speed over 100 Gbit/s is refused stating the bound", []string{"plan", "--pv", "100", "--resources", "30", "--resource-size", "100KB", "--download-speed", "1Tbps"}, "--download-speed (plan.download_speed): 1 Tbit/s is beyond any real plan; at most 100 Gbit/s"},
		{"a zero peak is refused", []string{"plan", "--pv", "0", "--resources", "30", "--resource-size", "100KB", "--download-speed", "100KB/s"}, "--pv (plan.peak_pv): is required and must be > 0"},
		{"a warning line above the critical one is refused", append(append([]string{}, worked...), "--warn", "0.9", "--crit", "0.8"), "--warn (thresholds.warn): 0.9 must be below crit (0.8)"},
		{"a critical line above one is refused", append(append([]string{}, worked...), "--crit", "1.5"), "--crit (thresholds.crit): must be within (0, 1], got 1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := execute(t, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 naming %q", code, errOut, tt.want)
			}
			if out != "" {
				t.Errorf("a refused plan printed a page:\n%s", out)
			}
		})
	}
}

func TestPlanCountsTakeThousandsAndMillions(t *testing.T) {
	out, errOut, code := execute(t, "plan", "--pv", "1.5k", "--resources", "30", "--resource-size", "100KB", "--download-speed", "100KB/s", "--max-conns", "1M", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		PV          float64 `json:"pv"`
		Connections float64 `json:"connections"`
		Limits      []struct {
			Limit float64 `json:"limit"`
		} `json:"limits"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.PV != 1500 || got.Connections != 45000 || len(got.Limits) != 1 || got.Limits[0].Limit != 1e6 {
		t.Errorf("plan = %+v", got)
	}
}

func TestPlanVerdictAppliesTheThresholds(t *testing.T) {
	// The worked example's origin bandwidth is 300 MB/s.
	th := filepath.Join(t.TempDir(), "th.yaml")
	if err := os.WriteFile(th, []byte("sources:\n  host: {}\nplan:\n  peak_pv: 100\n  resources_per_page: 30\n  resource_size: 100KB\n  download_speed: 100KB/s\n  limits:\n    link: 4.8Gbps\nthresholds:\n  warn: 0.4\n  crit: 0.9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		level string
		want  string
	}{
		{"a peak at 96% of the link is over the 95% critical line", append(append([]string{}, worked...), "--link", "2.5Gbps"), 2, "crit",
			"Verdict: CRITICAL: the planned peak uses 96% of the link limit, over the 95% critical line; the link limit is the first one reached, at 104 PV/s"},
		{"a peak at 86% of the link is over the 80% warning line", append(append([]string{}, worked...), "--link", "2.8Gbps"), 2, "warn",
			"Verdict: WARNING: the planned peak uses 85.7% of the link limit, over the 80% warning line"},
		{"a peak at exactly the warning line is not under it", append(append([]string{}, worked...), "--link", "3Gbps"), 2, "warn", "uses 80% of the link limit"},
		{"a peak at half the link fits under the warning line", append(append([]string{}, worked...), "--link", "4.8Gbps", "--max-conns", "100k"), 0, "ok",
			"Verdict: OK: the planned peak uses at most 50% of a limit (the link), under the 80% warning line; the link limit is the first one reached, at 200 PV/s"},
		{"a broken limit says so", append(append([]string{}, worked...), "--link", "1Gbps"), 2, "broken", "Verdict: BROKEN: the planned peak needs 240% of the link limit"},
		{"no limits is nothing to judge", worked, 0, "no_limits", "Verdict: no limit set"},
		{"--crit moves the critical line", append(append([]string{}, worked...), "--link", "2.5Gbps", "--crit", "0.97"), 2, "warn", "over the 80% warning line"},
		{"--warn moves the warning line", append(append([]string{}, worked...), "--link", "4.8Gbps", "--warn", "0.5"), 2, "warn", "over the 50% warning line"},
		{"the config's thresholds apply", []string{"plan", "--config", th}, 2, "warn", "over the 40% warning line"},
		{"flags override the config's thresholds", []string{"plan", "--config", th, "--warn", "0.6"}, 0, "ok", "under the 60% warning line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := execute(t, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.want, out, errOut)
			}
			if errOut != "" {
				t.Errorf("stderr %q: the verdict is the output, not an error", errOut)
			}
			jsonOut, _, jsonCode := execute(t, append(tt.args, "--json")...)
			var got struct {
				Verdict struct {
					Level string `json:"level"`
				} `json:"verdict"`
			}
			if err := json.Unmarshal([]byte(jsonOut), &got); err != nil || got.Verdict.Level != tt.level || jsonCode != tt.code {
				t.Errorf("--json: exit %d, verdict %+v (%v), want %s:\n%s", jsonCode, got.Verdict, err, tt.level, jsonOut)
			}
		})
	}
}

func TestPlanHelpStatesTheExitStatuses(t *testing.T) {
	out, _, _ := execute(t, "plan", "--help")
	for _, want := range []string{"Exit status:", "0  the planned peak stays under the warning line", "1  bad input", "2  the planned peak passes the warning or critical line, or breaks a limit", "--warn", "--crit"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan --help lacks %q:\n%s", want, out)
		}
	}
}
