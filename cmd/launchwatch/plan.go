package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// planFlags are the plan inputs as typed on the command line, units and all.
type planFlags struct {
	configFile string
	asJSON     bool
	plan       config.Plan
	warn, crit float64
}

// planExitOver is plan's exit status when the peak passes a threshold or
// breaks a limit; 0 is under the warning line, 1 bad input (run's default
// for an error). The help and docs/plan.md state all three.
const planExitOver = 2

func newPlanCmd() *cobra.Command {
	var f planFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Print what the capacity plan predicts: bandwidth, connections, memory",
		Long: `Print what the capacity-plan formulas predict at the planned peak:

  bandwidth   = PV/s x resources per page x average resource size
  connections = bandwidth / average client download speed
  memory      = connections x memory per connection

--pv, --resources, --resource-size and --download-speed are required (or a
--config with a plan section). Sizes and rates need a unit: SI (1 KB =
1,000 B), KiB/MiB, and bit rates (Mbps, Gbit/s). Counts take k, M and G
(200k, 1.5M). Absurd magnitudes are refused (a resource over 1 TB, a peak
over 1G PV/s, a download speed over 100 Gbit/s, ...).

With limits (--link, --max-conns, --memory) it names the limit the planned
peak reaches first, the PV at which each limit is reached, and a verdict
against the thresholds: --warn and --crit, else the config's thresholds,
else 0.8 and 0.95 of a limit.

Exit status:
  0  the planned peak stays under the warning line of every limit (or no
     limit is set)
  1  bad input
  2  the planned peak passes the warning or critical line, or breaks a limit`,
		Example: `  launchwatch plan --pv 100 --resources 30 --resource-size 100KB --download-speed 100KB/s --conn-memory 10KB
  launchwatch plan --pv 200k --resources 30 --resource-size 100KB --download-speed 1Mbps --link 10Gbps
  launchwatch plan --config examples/demo.yaml --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			plan, th, err := f.resolve(cmd)
			if err != nil {
				return err
			}
			sum := plan.Summary()
			v := plan.Judge(th)
			if f.asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				err = enc.Encode(struct {
					capacity.Summary
					Verdict capacity.Verdict `json:"verdict"`
				}{sum, v})
			} else {
				err = writePlanText(cmd.OutOrStdout(), sum, v, th)
			}
			if err != nil {
				return err
			}
			if v.Over() {
				return &exitError{code: planExitOver}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.configFile, "config", "", "read the plan and thresholds from this config (flags override it)")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON")
	f.registerPlan(fl)
	return cmd
}

// registerPlan adds the plan's input flags and --warn and --crit to fl:
// plan and probe both take them.
func (f *planFlags) registerPlan(fl *pflag.FlagSet) {
	fl.Var(countFlag{&f.plan.PeakPV}, "pv", "planned peak page views per second, e.g. 100 or 200k")
	fl.Var(countFlag{&f.plan.ResourcesPerPage}, "resources", "resources (images, scripts, styles) per page")
	fl.StringVar(&f.plan.ResourceSize, "resource-size", "", "average resource size, e.g. 100KB")
	fl.StringVar(&f.plan.DownloadSpeed, "download-speed", "", "average client download speed, e.g. 100KB/s or 800Kbps")
	fl.StringVar(&f.plan.ConnMemory, "conn-memory", "", "memory per connection, e.g. 10KB")
	fl.Float64Var(&f.plan.CDNShare, "cdn-share", 0, "share of static bytes the CDN serves, 0..1")
	fl.StringVar(&f.plan.Limits.Link, "link", "", "link bandwidth limit at the origin, e.g. 1Gbps")
	fl.Var(countFlag{&f.plan.Limits.MaxConnections}, "max-conns", "maximum concurrent connections, e.g. 10000 or 10k")
	fl.StringVar(&f.plan.Limits.Memory, "memory", "", "memory limit for connections, e.g. 512MiB")
	fl.Float64Var(&f.warn, "warn", 0, "share of a limit that is the warning line (default: the config's, else 0.8)")
	fl.Float64Var(&f.crit, "crit", 0, "share of a limit that is the critical line (default: the config's, else 0.95)")
}

// countFlag is a count flag: "200000", "200k", "1.5M".
type countFlag struct{ v *config.Count }

func (c countFlag) String() string {
	if c.v == nil {
		return "0"
	}
	return capacity.FormatNumber(float64(*c.v))
}

func (c countFlag) Set(s string) error {
	v, err := capacity.ParseCount(s)
	if err != nil {
		return err
	}
	*c.v = config.Count(v)
	return nil
}

func (countFlag) Type() string { return "count" }

// requiredPlanFlags are the inputs without which the formulas say nothing.
var requiredPlanFlags = []struct {
	flag, example string
	missing       func(config.Plan) bool
}{
	{"--pv", "--pv 100", func(p config.Plan) bool { return p.PeakPV == 0 }},
	{"--resources", "--resources 30", func(p config.Plan) bool { return p.ResourcesPerPage == 0 }},
	{"--resource-size", "--resource-size 100KB", func(p config.Plan) bool { return p.ResourceSize == "" }},
	{"--download-speed", "--download-speed 100KB/s", func(p config.Plan) bool { return p.DownloadSpeed == "" }},
}

// loadConfig loads --config; nil without one.
func (f *planFlags) loadConfig() (*config.Config, error) {
	if f.configFile == "" {
		return nil, nil
	}
	return config.Load(f.configFile)
}

// resolve builds the plan from the config (if any) with the flags the user
// set laid over it, validates it, and returns the thresholds to judge it by.
func (f *planFlags) resolve(cmd *cobra.Command) (capacity.Plan, capacity.Thresholds, error) {
	loaded, err := f.loadConfig()
	if err != nil {
		return capacity.Plan{}, capacity.Thresholds{}, err
	}
	return f.resolveWith(cmd, loaded)
}

// resolveWith is resolve with the config already loaded (nil: none).
func (f *planFlags) resolveWith(cmd *cobra.Command, loaded *config.Config) (capacity.Plan, capacity.Thresholds, error) {
	cfg := config.Default()
	if loaded != nil {
		cfg = *loaded
	}
	set := cmd.Flags().Changed
	p := &cfg.Plan
	overlay := []struct {
		flag  string
		apply func()
	}{
		{"pv", func() { p.PeakPV = f.plan.PeakPV }},
		{"resources", func() { p.ResourcesPerPage = f.plan.ResourcesPerPage }},
		{"resource-size", func() { p.ResourceSize = f.plan.ResourceSize }},
		{"download-speed", func() { p.DownloadSpeed = f.plan.DownloadSpeed }},
		{"conn-memory", func() { p.ConnMemory = f.plan.ConnMemory }},
		{"cdn-share", func() { p.CDNShare = f.plan.CDNShare }},
		{"link", func() { p.Limits.Link = f.plan.Limits.Link }},
		{"max-conns", func() { p.Limits.MaxConnections = f.plan.Limits.MaxConnections }},
		{"memory", func() { p.Limits.Memory = f.plan.Limits.Memory }},
		{"warn", func() { cfg.Thresholds.Warn = f.warn }},
		{"crit", func() { cfg.Thresholds.Crit = f.crit }},
	}
	for _, o := range overlay {
		if set(o.flag) {
			o.apply()
		}
	}
	if !cfg.HasPlan() {
		return capacity.Plan{}, capacity.Thresholds{}, fmt.Errorf("no plan: give --pv, --resources, --resource-size and --download-speed, or --config FILE with a plan section")
	}
	var missing, examples []string
	for _, r := range requiredPlanFlags {
		if r.missing(*p) && !set(strings.TrimPrefix(r.flag, "--")) {
			missing = append(missing, r.flag)
			examples = append(examples, r.example)
		}
	}
	if len(missing) > 0 {
		return capacity.Plan{}, capacity.Thresholds{}, fmt.Errorf("missing %s: the formulas need every one of --pv, --resources, --resource-size and --download-speed (e.g. %s)",
			strings.Join(missing, ", "), strings.Join(examples, " "))
	}
	th := cfg.CapacityThresholds()
	if err := cfg.Thresholds.Validate(); err != nil {
		return capacity.Plan{}, capacity.Thresholds{}, flagNames(err)
	}
	plan, err := cfg.CapacityPlan()
	if err != nil {
		return capacity.Plan{}, capacity.Thresholds{}, flagNames(err)
	}
	return plan, th, nil
}

// planFieldFlags maps config field paths to the flags that set them, so an
// error about a flag's value names the flag the user typed.
var planFieldFlags = map[string]string{
	"plan.peak_pv":                "--pv",
	"plan.resources_per_page":     "--resources",
	"plan.resource_size":          "--resource-size",
	"plan.download_speed":         "--download-speed",
	"plan.conn_memory":            "--conn-memory",
	"plan.cdn_share":              "--cdn-share",
	"plan.limits.link":            "--link",
	"plan.limits.max_connections": "--max-conns",
	"plan.limits.memory":          "--memory",
	"thresholds.warn":             "--warn",
	"thresholds.crit":             "--crit",
}

// flagNames names each bad field of err by the flag that sets it:
// "--download-speed (plan.download_speed): must be > 0".
func flagNames(err error) error {
	fields, other := capacity.FieldErrors(err)
	for _, fe := range fields {
		path := fe.Path
		if flag, ok := planFieldFlags[fe.Path]; ok {
			path = flag + " (" + fe.Path + ")"
		}
		other = append(other, &capacity.FieldError{Path: path, Msg: fe.Msg})
	}
	return errors.Join(other...)
}

// writePlanText prints the summary and the verdict under it.
func writePlanText(w io.Writer, sum capacity.Summary, v capacity.Verdict, th capacity.Thresholds) error {
	if err := sum.WriteText(w, th); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nVerdict: %s\n", v.Statement)
	return err
}
