package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/probe"
	"github.com/launchwatch/launchwatch/snapshot"
)

// probeDefaultTimeout bounds the one probe of the command: longer than the
// source's, since an audit runs once and a heavy page takes a while.
const probeDefaultTimeout = 30 * time.Second

type probeFlags struct {
	plan           planFlags
	selector, text string
	requireEnabled bool
	cdnHosts       []string
	headers        []string
	timeout        time.Duration
}

func newProbeCmd() *cobra.Command {
	var f probeFlags
	cmd := &cobra.Command{
		Use:   "probe [URL]",
		Short: "Audit the sale page before the launch: the purchase button and the page weight",
		Long: `Probe the sale page once, as a first visitor's browser starts to: fetch it,
look for the purchase button (--selector, optionally --text, and with
--require-enabled neither disabled nor hidden by an inline style), and list
every resource it pulls (images and srcset, scripts, stylesheets, preloads,
the url()s in the stylesheets) sorted by size, with its compression, cache
headers and host.

With a plan (--config FILE with a plan section, or the plan flags as in
launchwatch plan), the page is judged by the limit it moves, as the live
probe's problem judges it: the bytes a view takes from the origin (less
what the CDN hosts served, else less the plan's CDN share), carried to the
planned peak, against the link (--link, plan.limits.link). Past the
warning line (--warn, thresholds.warn, 0.8 of the link by default) the
page is OVER PLAN. With no link set, the weight and its ratio to the
plan's page are information, never a verdict. The formulas also say the
bandwidth, connections and memory at the planned peak with the page as it
is, and the limits' verdict on them. The advice names what to compress and
what to move to the CDN (--cdn-host, else the config's
sources.probe.cdn_hosts).

With --config, sources.probe gives the URL, the marker, headers and caps;
flags override them.

Exit status:
  0  the button is present and the page within the plan (or no plan, or
     no link, is given)
  1  the button is missing, the page could not be probed, or bad input
  2  the button is present and, at the planned peak, the page's origin
     bytes take the link past the warning line`,
		Example: `  launchwatch probe https://shop.example/sale --selector '#buy' --text 'Buy'
  launchwatch probe https://shop.example/sale --config launchwatch.yaml --json
  launchwatch probe http://127.0.0.1:9400/ --pv 200 --resources 20 --resource-size 50KB --download-speed 200KB/s`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return f.run(cmd, args) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.plan.configFile, "config", "", "read the plan, thresholds and sources.probe from this config (flags override it)")
	fl.BoolVar(&f.plan.asJSON, "json", false, "print JSON")
	fl.StringVar(&f.selector, "selector", probe.DefaultSelector, "CSS selector of the purchase button")
	fl.StringVar(&f.text, "text", "", "text the button must carry (ignoring case)")
	fl.BoolVar(&f.requireEnabled, "require-enabled", false, "the button must be neither disabled nor hidden")
	fl.StringArrayVar(&f.cdnHosts, "cdn-host", nil, "a host the CDN serves from (repeatable): cdn.example.com, *.cdn.example.com, shop.example.com/static/")
	fl.StringArrayVar(&f.headers, "header", nil, "a header for the page's own host, 'Name: value' (repeatable)")
	fl.DurationVar(&f.timeout, "timeout", probeDefaultTimeout, "deadline of the whole probe")
	f.plan.registerPlan(fl)
	return cmd
}

func (f *probeFlags) run(cmd *cobra.Command, args []string) error {
	cfg, err := f.plan.loadConfig()
	if err != nil {
		return err
	}
	opts, err := f.options(cmd, args, cfg)
	if err != nil {
		return err
	}
	against, err := f.resolvePlan(cmd, cfg)
	if err != nil {
		return err
	}
	against.CDNNamed = len(opts.CDNHosts) > 0
	p, err := probe.New(opts)
	if err != nil {
		return err
	}
	res, runErr := p.Run(cmd.Context())
	rep := probe.NewAudit(res, runErr, against)
	if f.plan.asJSON {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(cmd.OutOrStdout())
	}
	if err != nil {
		return err
	}
	if rep.ExitStatus != 0 {
		return &exitError{code: rep.ExitStatus}
	}
	return nil
}

// options builds the probe's options: the config's sources.probe, if any
// (cfg nil: no config), with the flags the user set laid over it.
func (f *probeFlags) options(cmd *cobra.Command, args []string, cfg *config.Config) (probe.Options, error) {
	var o probe.Options
	if cfg != nil && cfg.Sources.Probe != nil {
		o = cfg.Sources.Probe.ProbeOptions()
	}
	set := cmd.Flags().Changed
	if len(args) == 1 {
		o.URL = args[0]
	}
	if o.URL == "" {
		return o, errors.New("probe needs the sale page's URL (or --config FILE with sources.probe.url)")
	}
	if set("selector") || o.Marker.Selector == "" {
		o.Marker.Selector = f.selector
	}
	if set("text") {
		o.Marker.Text = f.text
	}
	if set("require-enabled") {
		o.Marker.RequireEnabled = f.requireEnabled
	}
	if set("cdn-host") {
		o.CDNHosts = f.cdnHosts
	}
	if set("timeout") || o.Timeout == 0 {
		o.Timeout = f.timeout
	}
	if f.timeout <= 0 {
		return o, fmt.Errorf("--timeout: must be positive, got %s", f.timeout)
	}
	for _, h := range f.headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return o, fmt.Errorf("--header %q: want 'Name: value'", snapshot.CleanText(h, 80))
		}
		if o.Headers == nil {
			o.Headers = http.Header{}
		}
		o.Headers.Add(name, strings.TrimSpace(value))
	}
	if _, err := probe.ParseURL(o.URL); err != nil {
		return o, errors.New(snapshot.CleanText(err.Error(), 0))
	}
	return o, nil
}

// resolvePlan returns the plan to hold the page against, when the config
// (cfg, nil for none) has one or a plan flag is set; no plan otherwise.
func (f *probeFlags) resolvePlan(cmd *cobra.Command, cfg *config.Config) (probe.AuditOptions, error) {
	o := probe.AuditOptions{Thresholds: capacity.DefaultThresholds()}
	want := false
	for _, flag := range planFieldFlags {
		want = want || cmd.Flags().Changed(strings.TrimPrefix(flag, "--"))
	}
	if cfg != nil {
		o.Thresholds = cfg.CapacityThresholds()
		want = want || cfg.HasPlan()
	}
	if !want {
		return o, nil
	}
	plan, th, err := f.plan.resolveWith(cmd, cfg)
	o.Plan, o.Thresholds = &plan, th
	return o, err
}
