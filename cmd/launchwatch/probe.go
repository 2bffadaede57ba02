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

// probe's exit statuses beside 0 (the button present and the weight within
// the plan): 1 when the button is missing or the page could not be probed
// (run's default for an error, bad input included), 2 when the page
// weighs over the plan. A missing button wins over a heavy page.
const (
	probeExitButton = 1
	probeExitWeight = 2
)

// probeDefaultTimeout bounds the one probe of the command: longer than the
// source's, since an audit runs once and a heavy page takes a while.
const probeDefaultTimeout = 30 * time.Second

// probeTop is how many resources each advice line names.
const probeTop = 5

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
launchwatch plan), the page's weight is held against the plan's, and the
formulas say the bandwidth and connections at the planned peak with the
page as it is. The advice names what to compress and what to move to the
CDN (--cdn-host, else the config's sources.probe.cdn_hosts).

With --config, sources.probe gives the URL, the marker, headers and caps;
flags override them.

Exit status:
  0  the button is present and the weight is under the plan's drift line
     (thresholds.page_weight_drift, 2x by default), or no plan is given
  1  the button is missing, the page could not be probed, or bad input
  2  the page weighs at least the drift line times the plan's page weight`,
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

// probeReport is the audit, as --json prints it.
type probeReport struct {
	Result            probe.Result `json:"result"`
	WeightBytes       int64        `json:"weight_bytes"`
	UncompressedBytes int64        `json:"uncompressed_bytes"`
	// CDNShare is the share of the weight from the named CDN hosts; null
	// when none is named.
	CDNShare        *float64 `json:"cdn_share"`
	FailedResources int      `json:"failed_resources"`
	// Error is why the page could not be probed; empty when it was.
	Error string `json:"error,omitempty"`
	// Plan holds the page against the plan; nil without a plan.
	Plan *probePlan `json:"plan,omitempty"`
	// Advice names what to compress and what to move to the CDN.
	Advice     []string `json:"advice"`
	ExitStatus int      `json:"exit_status"`
	Verdict    string   `json:"verdict"`
}

// probePlan is the probed page against the plan.
type probePlan struct {
	PlannedWeight float64 `json:"planned_weight_bytes"`
	Ratio         float64 `json:"ratio"`
	DriftLine     float64 `json:"drift_line"`
	Over          bool    `json:"over"`
	// AsItIs is the plan at its peak with the probed page's resources and
	// size in place of the planned ones (and its CDN share, when CDN hosts
	// are named), and Limits its verdict.
	AsItIs capacity.Summary `json:"peak_with_page_as_is"`
	Limits capacity.Verdict `json:"limits"`
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
	plan, th, hasPlan, err := f.resolvePlan(cmd, cfg)
	if err != nil {
		return err
	}
	p, err := probe.New(opts)
	if err != nil {
		return err
	}
	res, runErr := p.Run(cmd.Context())
	rep := buildProbeReport(res, runErr, plan, th, hasPlan, len(opts.CDNHosts) > 0)
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
// (cfg, nil for none) has one or a plan flag is set; hasPlan is false
// otherwise.
func (f *probeFlags) resolvePlan(cmd *cobra.Command, cfg *config.Config) (capacity.Plan, capacity.Thresholds, bool, error) {
	th := capacity.DefaultThresholds()
	want := false
	for _, flag := range planFieldFlags {
		want = want || cmd.Flags().Changed(strings.TrimPrefix(flag, "--"))
	}
	if cfg != nil {
		th = cfg.CapacityThresholds()
		want = want || cfg.HasPlan()
	}
	if !want {
		return capacity.Plan{}, th, false, nil
	}
	plan, th, err := f.plan.resolveWith(cmd, cfg)
	return plan, th, err == nil, err
}

// buildProbeReport judges the probe: the button, the weight against the
// plan, the advice. The page as it is keeps the plan's CDN share unless
// CDN hosts were named (cdnNamed), when the measured share replaces it.
func buildProbeReport(res probe.Result, runErr error, plan capacity.Plan, th capacity.Thresholds, hasPlan, cdnNamed bool) probeReport {
	rep := probeReport{Result: res, Advice: []string{}}
	if runErr != nil {
		rep.Error = snapshot.CleanText(runErr.Error(), 0)
		rep.ExitStatus = probeExitButton
		rep.Verdict = "NOT PROBED: " + rep.Error
		return rep
	}
	rep.WeightBytes = res.Weight()
	rep.UncompressedBytes = res.UncompressedBytes()
	rep.FailedResources = len(res.Failed())
	if share, ok := res.CDNShare(); ok && cdnNamed {
		rep.CDNShare = &share
	}
	rep.Advice = advice(res)
	var verdicts []string
	if !res.Button.Present {
		rep.ExitStatus = probeExitButton
		verdicts = append(verdicts, "BUTTON MISSING: "+res.Button.Why)
	}
	if hasPlan {
		sn := snapshot.Probe{PageBytes: snapshot.Some(float64(rep.WeightBytes)), Resources: snapshot.Some(float64(len(res.Resources)))}
		asked := plan
		asked.FromProbe = true
		asIs, _ := asked.FromProbePage(sn)
		if rep.CDNShare != nil {
			asIs.CDNShare = *rep.CDNShare
		}
		pp := &probePlan{PlannedWeight: plan.PageWeight(), DriftLine: th.PageWeightDrift, AsItIs: asIs.Summary(), Limits: asIs.Judge(th)}
		if pp.PlannedWeight > 0 {
			pp.Ratio = float64(rep.WeightBytes) / pp.PlannedWeight
			pp.Over = pp.Ratio >= th.PageWeightDrift
		}
		rep.Plan = pp
		if pp.Over {
			if rep.ExitStatus == 0 {
				rep.ExitStatus = probeExitWeight
			}
			verdicts = append(verdicts, fmt.Sprintf("OVER PLAN: the page weighs %s, %sx the plan's %s (the line is %sx)",
				capacity.FormatBytes(float64(rep.WeightBytes)), capacity.FormatNumber(pp.Ratio), capacity.FormatBytes(pp.PlannedWeight), capacity.FormatNumber(pp.DriftLine)))
		}
	}
	if len(verdicts) == 0 {
		msg := "OK: the purchase button is present"
		if hasPlan {
			msg += fmt.Sprintf(" and the page weighs %sx the plan", capacity.FormatNumber(rep.Plan.Ratio))
		}
		verdicts = append(verdicts, msg)
	}
	rep.Verdict = strings.Join(verdicts, "; ")
	return rep
}

// advice names the biggest wins: compressible bytes sent as they are, and
// origin bytes a CDN could serve.
func advice(res probe.Result) []string {
	all := append([]probe.Resource{res.Page}, res.Resources...)
	var raw, origin []probe.Resource
	for _, r := range all {
		if r.Uncompressed() {
			raw = append(raw, r)
		}
		if r.Kind != "page" && r.Known && !r.CDN && !r.Failed() {
			origin = append(origin, r)
		}
	}
	var out []string
	if len(raw) > 0 {
		out = append(out, fmt.Sprintf("compress (gzip or brotli) %s sent uncompressed: %s", bytesOf(raw), names(raw)))
	}
	if len(origin) > 0 {
		out = append(out, fmt.Sprintf("move to the CDN %d resources, %s from the origin: %s", len(origin), bytesOf(origin), names(origin)))
	}
	if f := res.Failed(); len(f) > 0 {
		out = append(out, fmt.Sprintf("fix %d failing resources: %s", len(f), names(f)))
	}
	if res.LeftOut > 0 {
		out = append(out, fmt.Sprintf("%d more resources past the cap were not weighed: raise max_resources to see them", res.LeftOut))
	}
	return out
}

func bytesOf(rs []probe.Resource) string {
	var n int64
	for _, r := range rs {
		n += r.Bytes
	}
	return capacity.FormatBytes(float64(n))
}

// names lists the largest few resources by URL, with how many more.
func names(rs []probe.Resource) string {
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, func(a, b probe.Resource) int { return cmp.Compare(b.Bytes, a.Bytes) })
	var parts []string
	for i, r := range rs {
		if i == probeTop {
			parts = append(parts, fmt.Sprintf("and %d more", len(rs)-i))
			break
		}
		parts = append(parts, snapshot.CleanText(r.URL, probeURLWidth))
	}
	return strings.Join(parts, ", ")
}

// writeProbeText prints the audit for a person.
func writeProbeText(w io.Writer, rep probeReport) error {
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
		fmt.Fprintf(sw, "  page weight   %s, plan %s: %sx (the drift line is %sx)\n", capacity.FormatBytes(float64(rep.WeightBytes)),
			capacity.FormatBytes(pp.PlannedWeight), capacity.FormatNumber(pp.Ratio), capacity.FormatNumber(pp.DriftLine))
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
