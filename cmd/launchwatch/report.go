package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/report"
)

func newReportCmd() *cobra.Command {
	var htmlOut, mdOut, compare string
	var strict bool
	cmd := &cobra.Command{
		Use:   "report FILE [--compare OTHER] [-o report.html] [--md report.md]",
		Short: "Write the post-mortem of a recorded launch",
		Long: `Write the post-mortem of a recording (live, demo or backfilled): the launch
window and phases; the peaks of PV, requests, connections, bandwidth and error
rate with their times from T0; every threshold crossed and for how long; the
sell-out against the plan; bandwidth, connections and memory predicted against
measured, with the largest miss; page weight (bytes over page views) against
plan; the bottleneck endpoint; every event; every gap in the data (sources
down, snapshots missing, each signal's unmeasured stretches); and the three
failure modes of the first launch where the data shows them (page weight far
over plan, the refresh avalanche at T0 with errors and retries, the purchase
path dead, with the probe's looks at the buy button).

Every snapshot is held against the recording's plan and thresholds again, as
the live screen held it. Markdown goes to standard output, or to --md FILE,
and is written first; -o FILE writes one self-contained HTML page with SVG
charts (nothing fetched from anywhere; it prints). A chart clips a point far
over the rest and says so. The same recording gives the same report byte for
byte.

--compare OTHER sets two launches side by side: both named (launch, recording
ID, T0), their failure modes, peaks, page weight and the lines their figures
crossed in two columns, and the charts laid over each other on launch-relative
time (each from its own T0; a recording without T0 from its first snapshot,
and the page says so).`,
		Example: `  launchwatch report launch.lwrec.jsonl > postmortem.md
  launchwatch report launch.lwrec.jsonl -o postmortem.html --md postmortem.md
  launchwatch report first.lwrec.jsonl --compare second.lwrec.jsonl -o compare.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inputs := args
			if compare != "" {
				inputs = append(inputs, compare)
			}
			for _, out := range []string{htmlOut, mdOut} {
				for _, in := range inputs {
					if out != "" && sameFile(out, in) {
						return fmt.Errorf("%s is the recording itself: writing there would destroy it", out)
					}
				}
			}
			if htmlOut != "" && htmlOut == mdOut {
				return fmt.Errorf("-o and --md both name %s", htmlOut)
			}
			r, err := buildReport(cmd, args[0], strict)
			if err != nil {
				return err
			}
			if compare == "" {
				return writeReports(r, htmlOut, mdOut, cmd.OutOrStdout())
			}
			other, err := buildReport(cmd, compare, strict)
			if err != nil {
				return err
			}
			return writeReports(report.Compare(r, other), htmlOut, mdOut, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&htmlOut, "output", "o", "", "write the HTML report here")
	cmd.Flags().StringVar(&mdOut, "md", "", "write the Markdown report here instead of standard output")
	cmd.Flags().StringVar(&compare, "compare", "", "set this recording's launch beside FILE's, two columns and overlaid charts")
	cmd.Flags().BoolVar(&strict, "strict", false, strictUsage)
	return cmd
}

// buildReport reads a recording and builds its report against the plan
// and thresholds its header holds.
func buildReport(cmd *cobra.Command, path string, strict bool) (*report.Report, error) {
	rec, err := readRecording(cmd, path, strict)
	if err != nil {
		return nil, err
	}
	defer rec.Close()
	plan, hasPlan, th, err := launch.RecordingPlan(rec)
	if err != nil {
		return nil, err
	}
	return report.Build(rec, plan, hasPlan, th)
}

// reportWriter is what the report command writes: a report.Report, or a
// report.Comparison of two.
type reportWriter interface {
	WriteMarkdown(io.Writer) error
	WriteHTML(io.Writer) error
}

// writeReports writes the Markdown first, to mdOut or else to out, then
// the HTML page to htmlOut when asked: the Markdown never waits on the
// page. The page is built whole before its file is opened, so a page that
// cannot be built leaves no empty file; one built without a chart (which
// leaves a note in its place) is written, and its error returned.
func writeReports(r reportWriter, htmlOut, mdOut string, out io.Writer) error {
	var err error
	if mdOut != "" {
		err = writeFile(mdOut, r.WriteMarkdown)
	} else {
		err = r.WriteMarkdown(out)
	}
	if err != nil || htmlOut == "" {
		return err
	}
	var page bytes.Buffer
	pageErr := r.WriteHTML(&page)
	if page.Len() > 0 {
		if err := writeFile(htmlOut, func(w io.Writer) error { _, err := w.Write(page.Bytes()); return err }); err != nil {
			return err
		}
	}
	if pageErr != nil {
		return fmt.Errorf("%s: %w", htmlOut, pageErr)
	}
	return nil
}

// writeFile writes a file through write, mode 0600 as the recordings are
// (a report names hosts and figures a team may not want public).
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		return errors.Join(fmt.Errorf("%s: %w", path, err), f.Close())
	}
	return f.Close()
}
