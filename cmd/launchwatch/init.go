package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/discover"
)

type initFlags struct {
	prometheus string
	scrape     []string
	out, page  string
	force      bool
	timeout    time.Duration
	gap        time.Duration
}

func newInitCmd() *cobra.Command {
	var f initFlags
	cmd := &cobra.Command{
		Use:   "init (--prometheus URL | --scrape URL...)",
		Short: "Write a launchwatch.yaml from what your Prometheus (or /metrics) holds",
		Long: `Read what a Prometheus-API server holds (metric names, the series'
labels, the scrape interval, up by job, the network devices' traffic), or
what /metrics endpoints serve (--scrape; node_exporter's read twice, --gap
apart, for the devices' rates; a target that does not answer is written
commented out with its error),
and write a commented launchwatch.yaml: each signal from the best source
found (the demo shop, Caddy, ingress-nginx, Envoy, HAProxy, Traefik,
nginx-prometheus-exporter, an app's promhttp metrics, the shop's own
*_page_views_total-like counters, node_exporter), with the presets' queries. A signal no source answers is
a commented line saying what to add and why. With more than one server,
the fleet view is on; bandwidth reads the preset's physical network
devices, and the bytes each device sent when read are noted beside it.
--page URL weighs the sale page for the plan's skeleton.

It asks nothing, with or without a terminal, and never overwrites a file
without --force.`,
		Example: `  launchwatch init --prometheus http://127.0.0.1:9090
  launchwatch init --scrape http://10.0.0.7:2019/metrics --scrape http://10.0.0.8:2019/metrics -o shop.yaml
  launchwatch init --prometheus http://prom:9090 --page https://shop.example/sale --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.prometheus, "prometheus", "", "the Prometheus-API server to read (Prometheus, Thanos, Mimir, VictoriaMetrics)")
	fl.StringArrayVar(&f.scrape, "scrape", nil, "a /metrics URL to read directly (repeatable), for shops without Prometheus")
	fl.StringVarP(&f.out, "output", "o", defaultConfig, "the config to write")
	fl.BoolVar(&f.force, "force", false, "overwrite the output file")
	fl.StringVar(&f.page, "page", "", "the sale page to weigh for the plan's resources per page and their size")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "deadline of all the reading")
	fl.DurationVar(&f.gap, "gap", time.Second, "with --scrape, the time between the two reads of each target")
	return cmd
}

func (f *initFlags) run(cmd *cobra.Command) error {
	if (f.prometheus == "") == (len(f.scrape) == 0) {
		return errors.New("init: give --prometheus URL or --scrape URL (one of them)")
	}
	if f.gap <= 0 {
		return fmt.Errorf("init: --gap must be > 0, got %s", f.gap)
	}
	// Before any reading: a mistyped directory is the quickest answer.
	if err := existingDir("-o", f.out); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if !f.force {
		if _, err := os.Lstat(f.out); err == nil {
			return fmt.Errorf("init: %s exists; pass --force to overwrite it, or -o another file", f.out)
		}
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
	defer cancel()
	client := &http.Client{Timeout: f.timeout}
	var cat *discover.Catalog
	var err error
	if f.prometheus != "" {
		cat, err = discover.ReadPrometheus(ctx, client, f.prometheus)
	} else {
		cat, err = discover.ReadScrape(ctx, client, f.scrape, f.gap)
	}
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	res, err := discover.Detect(cat)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if f.page != "" {
		if res.Page, err = discover.ProbePage(ctx, f.page); err != nil {
			return fmt.Errorf("init: --page: %w", err)
		}
	}
	data, err := discover.Render(res, f.out)
	if err != nil {
		return err
	}
	// What is written must load: a file init cannot read back is its bug,
	// reported here rather than at the user's first watch.
	if _, err := config.Parse(f.out, data); err != nil {
		return fmt.Errorf("init: the config written does not load (a bug, please report it): %w", err)
	}
	if err := writeNew(f.out, data, f.force); err != nil {
		return err
	}
	return res.WriteSummary(cmd.OutOrStdout(), f.out)
}

// writeNew writes data to path: a new file, or any file with force. A
// missing directory is an error, never created.
func writeNew(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	out, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("init: %s exists; pass --force to overwrite it, or -o another file", path)
	}
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if _, err := out.Write(data); err != nil {
		out.Close()
		return fmt.Errorf("init: write %s: %w", path, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("init: write %s: %w", path, err)
	}
	return nil
}
