package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
	"github.com/spf13/cobra"
)

// planFlags are the plan inputs as typed on the command line, units and all.
type planFlags struct {
	configFile string
	asJSON     bool
	plan       config.Plan
}

func newPlanCmd() *cobra.Command {
	var f planFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Print what the capacity plan predicts: bandwidth, connections, memory",
		Long: `Print what the capacity-plan formulas predict at the planned peak:

  bandwidth   = PV/s x resources per page x average resource size
  connections = bandwidth / average client download speed
  memory      = connections x memory per connection

With limits it names the limit the planned peak breaks first and the PV at
which each limit is reached. Units are SI (1 KB = 1,000 B); KiB/MiB and bit
rates (Mbps, Gbit/s) are accepted.`,
		Example: `  launchwatch plan --pv 100 --resources 30 --resource-size 100KB --download-speed 100KB/s --conn-memory 10KB
  launchwatch plan --config examples/demo.yaml --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			plan, err := f.resolve(cmd)
			if err != nil {
				return err
			}
			sum := plan.Summary()
			if f.asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(sum)
			}
			return sum.WriteText(cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.configFile, "config", "", "read the plan from this config's plan section (flags override it)")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON")
	fl.Float64Var(&f.plan.PeakPV, "pv", 0, "planned peak page views per second")
	fl.Float64Var(&f.plan.ResourcesPerPage, "resources", 0, "resources (images, scripts, styles) per page")
	fl.StringVar(&f.plan.ResourceSize, "resource-size", "", "average resource size, e.g. 100KB")
	fl.StringVar(&f.plan.DownloadSpeed, "download-speed", "", "average client download speed, e.g. 100KB/s or 800Kbps")
	fl.StringVar(&f.plan.ConnMemory, "conn-memory", "", "memory per connection, e.g. 10KB")
	fl.Float64Var(&f.plan.CDNShare, "cdn-share", 0, "share of static bytes the CDN serves, 0..1")
	fl.StringVar(&f.plan.Limits.Link, "link", "", "link bandwidth limit at the origin, e.g. 1Gbps")
	fl.Float64Var(&f.plan.Limits.MaxConnections, "max-conns", 0, "maximum concurrent connections")
	fl.StringVar(&f.plan.Limits.Memory, "memory", "", "memory limit for connections, e.g. 512MiB")
	return cmd
}

// resolve builds the plan from the config (if any) with the flags the user
// set laid over it, and validates it.
func (f *planFlags) resolve(cmd *cobra.Command) (capacity.Plan, error) {
	cfg := config.Default()
	if f.configFile != "" {
		loaded, err := config.Load(f.configFile)
		if err != nil {
			return capacity.Plan{}, err
		}
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
	}
	for _, o := range overlay {
		if set(o.flag) {
			o.apply()
		}
	}
	if !cfg.HasPlan() {
		return capacity.Plan{}, fmt.Errorf("no plan: give --pv, --resources, --resource-size and --download-speed, or --config FILE with a plan section")
	}
	plan, err := cfg.CapacityPlan()
	if err != nil {
		return capacity.Plan{}, flagNames(err)
	}
	return plan, nil
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
}

func flagNames(err error) error {
	msg := err.Error()
	for field, flag := range planFieldFlags {
		msg = strings.ReplaceAll(msg, field+":", flag+" ("+field+"):")
	}
	return errors.New(msg)
}
