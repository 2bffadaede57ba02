package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"
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

// probeURLWidth caps a URL in the resource table.
const probeURLWidth = 100

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
		err = writeProbeText(cmd.OutOrStdout(), rep)
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

// writeProbeText prints the audit for a person.
func writeProbeText(w io.Writer, rep probe.Audit) error {
	sw := &errWriter{w: w}
	res := rep.Result
	fmt.Fprintf(sw, "Sale page  %s", snapshot.CleanText(res.URL, 0))
	if res.FinalURL != "" && res.FinalURL != res.URL {
		fmt.Fprintf(sw, " -> %s", snapshot.CleanText(res.FinalURL, 0))
	}
	if res.Status != 0 {
		fmt.Fprintf(sw, " (%d %s)", res.Status, http.StatusText(res.Status))
	}
	fmt.Fprintf(sw, ", probed in %s\n", res.Took.Round(time.Millisecond))
	if rep.Error != "" {
		fmt.Fprintf(sw, "Error      %s\n", rep.Error)
		fmt.Fprintf(sw, "Verdict: %s\n", rep.Verdict)
		return sw.err
	}
	if res.Title != "" {
		fmt.Fprintf(sw, "Title      %s\n", snapshot.CleanText(res.Title, 0))
	}
	marker := snapshot.CleanText(res.Button.Selector, 0)
	if res.Button.Text != "" {
		marker += fmt.Sprintf(" with %q", snapshot.CleanText(res.Button.Text, 0))
	}
	if res.Button.Present {
		fmt.Fprintf(sw, "Button     present (%s)\n", marker)
	} else {
		fmt.Fprintf(sw, "Button     MISSING (%s): %s\n", marker, snapshot.CleanText(res.Button.Why, 0))
	}
	fmt.Fprintf(sw, "Weight     %s: the page %s and %d resources", capacity.FormatBytes(float64(rep.WeightBytes)),
		capacity.FormatBytes(float64(res.Page.Bytes)), len(res.Resources))
	if rep.CDNShare != nil {
		fmt.Fprintf(sw, ", %s from the CDN", capacity.FormatPercent(*rep.CDNShare))
	}
	fmt.Fprintf(sw, ", %s compressible sent uncompressed, %d failing\n\n", capacity.FormatBytes(float64(rep.UncompressedBytes)), rep.FailedResources)

	if err := writeResourceTable(sw, res); err != nil {
		return err
	}
	if pp := rep.Plan; pp != nil {
		fmt.Fprintf(sw, "\nAgainst the plan\n")
		fmt.Fprintf(sw, "  page weight   %s, plan %s: %sx; %s a view from the origin\n", capacity.FormatBytes(float64(rep.WeightBytes)),
			capacity.FormatBytes(pp.Planned), capacity.FormatNumber(pp.Ratio.Or(0)), capacity.FormatBytes(pp.Origin.Or(0)))
		fmt.Fprintf(sw, "  %s\n", pp.Statement)
		s := pp.AsItIs
		fmt.Fprintf(sw, "  at the planned peak of %s PV/s with the page as it is (%s from the CDN):\n", capacity.FormatNumber(s.PV), capacity.FormatPercent(s.CDNShare))
		fmt.Fprintf(sw, "    bandwidth     %s (%s), %s at the origin\n", capacity.FormatByteRate(s.Bandwidth), capacity.FormatBitRate(s.Bandwidth), capacity.FormatByteRate(s.OriginBandwidth))
		fmt.Fprintf(sw, "    connections   %s, %s at the origin\n", capacity.FormatCount(s.Connections), capacity.FormatCount(s.OriginConnections))
		if s.Memory > 0 {
			fmt.Fprintf(sw, "    memory        %s\n", capacity.FormatBytes(s.Memory))
		}
		fmt.Fprintf(sw, "  limits: %s\n", pp.Limits.Statement)
	}
	if len(rep.Advice) > 0 {
		fmt.Fprintf(sw, "\nTo do\n")
		for _, a := range rep.Advice {
			fmt.Fprintf(sw, "  - %s\n", a)
		}
	}
	fmt.Fprintf(sw, "\nVerdict: %s\n", rep.Verdict)
	return sw.err
}

// writeResourceTable lists the resources by size, largest first.
func writeResourceTable(w io.Writer, res probe.Result) error {
	rs := slices.Clone(res.Resources)
	slices.SortStableFunc(rs, func(a, b probe.Resource) int { return cmp.Compare(b.Bytes, a.Bytes) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "size\tstatus\tencoding\tcache\thost\tkind\turl")
	for _, r := range rs {
		size := "?"
		if r.Known {
			size = capacity.FormatBytes(float64(r.Bytes))
			if r.AtLeast {
				size = ">" + size
			}
		}
		status := fmt.Sprint(r.Status)
		if r.Err != "" {
			status = "error"
		}
		enc := cmp.Or(r.Encoding, "none")
		if !r.Compressible() && r.Encoding == "" {
			enc = "-"
		}
		cache := cmp.Or(r.CacheControl, "-")
		if r.ETag {
			cache += " +etag"
		}
		host := snapshot.CleanText(r.Host, 40)
		if r.CDN {
			host += " (cdn)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", size, status, snapshot.CleanText(enc, 20), snapshot.CleanText(cache, 40),
			host, r.Kind, snapshot.CleanText(r.URL, probeURLWidth))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rs {
		if r.Err != "" {
			if _, err := fmt.Fprintf(w, "  %s: %s\n", snapshot.CleanText(r.URL, probeURLWidth), snapshot.CleanText(r.Err, 0)); err != nil {
				return err
			}
		}
	}
	return nil
}

// errWriter keeps the first write error, so a run of Fprintf calls is
// checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
