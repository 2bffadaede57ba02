package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/config"
)

// configCheckOnline runs every query and scrape of cfg once (twice, an
// interval apart, for rates) and prints each signal's answer or what is
// wrong with it, and the detected scrape interval. Something wrong is exit 1.
func configCheckOnline(ctx context.Context, w io.Writer, cfg *config.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 2*cfg.Interval+30*time.Second)
	defer cancel()
	rep, err := collectors.CheckOnline(ctx, cfg, nil)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch {
	case rep.ScrapeProblem != "":
		fmt.Fprintf(tw, "scrape interval\tPROBLEM: %s\n", rep.ScrapeProblem)
	case rep.ScrapeInterval > 0:
		fmt.Fprintf(tw, "scrape interval\t%s (%s); $__rate_interval = %s\n", rep.ScrapeInterval, rep.ScrapeHow, rep.RateWindow)
	}
	for _, l := range rep.Lines {
		status := "ok"
		if v, ok := l.Value.Get(); ok {
			status = "ok " + capacity.FormatNumber(v)
		}
		if l.Problem != "" {
			status = "PROBLEM: " + l.Problem
		}
		fmt.Fprintf(tw, "%s %s\t%s\n", l.Source, l.Signal, status)
		for _, n := range l.Notes {
			fmt.Fprintf(tw, "\tnote: %s\n", n)
		}
	}
	for _, i := range rep.Infos {
		fmt.Fprintf(tw, "info\t%s\n", i)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n := rep.Problems(); n > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%s: %d problem(s) found online", cfg.File, n)}
	}
	fmt.Fprintf(w, "# %s: every signal answered.\n", cfg.File)
	return nil
}
