package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

func newExportCmd() *cobra.Command {
	var format, out string
	var strict bool
	cmd := &cobra.Command{
		Use:   "export FILE --format jsonl|csv|openmetrics [-o OUT]",
		Short: "Export a recording as JSON Lines frames, CSV or OpenMetrics",
		Long: `Export a recording:

  jsonl        one frame a line: the snapshot, its assessment against the plan,
               the events it raised and the problems standing, derived as the
               live screen derived them; the recording's annotations ride in
               .snapshot.annotations of the frame at or after each
  csv          one row a snapshot, a column a signal, for a spreadsheet (a
               missing value is an empty cell)
  openmetrics  OpenMetrics text that promtool imports into a Prometheus:
               promtool tsdb create-blocks-from openmetrics OUT ./data

Writes to standard output unless -o names a file. A line in the middle of the
recording that holds no record (torn, or edited) is read past with a warning
on standard error naming it; --strict refuses such a file instead.`,
		Example: `  launchwatch export launch.lwrec.jsonl --format csv -o launch.csv
  launchwatch export launch.lwrec.jsonl --format jsonl | jq 'select(.events != []) | .events'
  launchwatch export launch.lwrec.jsonl --format jsonl | jq -c '.snapshot | select(.annotations) | {time, annotations}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			write, ok := map[string]func(io.Writer, *recording.Recording) error{
				"jsonl": writeFrames, "csv": recording.WriteCSV, "openmetrics": recording.WriteOpenMetrics,
			}[format]
			if !ok {
				return fmt.Errorf("--format %q: want jsonl, csv or openmetrics", format)
			}
			rec, err := readRecording(cmd, args[0], strict)
			if err != nil {
				return err
			}
			defer rec.Close()
			if out == "" {
				return write(cmd.OutOrStdout(), rec)
			}
			if sameFile(out, args[0]) {
				return fmt.Errorf("-o %s is the recording itself: writing there would destroy it", out)
			}
			return writeFile(out, func(w io.Writer) error { return write(w, rec) })
		},
	}
	cmd.Flags().StringVar(&format, "format", "jsonl", "jsonl, csv or openmetrics")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write here instead of standard output")
	cmd.Flags().BoolVar(&strict, "strict", false, strictUsage)
	return cmd
}

// sameFile reports whether two paths name one existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// writeFrames derives every frame of a recording, as the pipeline does,
// and writes one JSON line each. The recording's annotations ride in the
// snapshot of the frame at or after each (recording.NotesBySnapshot), in
// its "annotations" as a live frame carries a note: a frame without one
// has no such key, so every other line is as it was.
func writeFrames(w io.Writer, rec *recording.Recording) error {
	plan, _, th, err := launch.RecordingPlan(rec)
	if err != nil {
		return err
	}
	an := pipeline.NewAnalyst(plan, th, 0)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	notes := rec.NotesBySnapshot()
	err = rec.Scan(0, rec.Len(), func(i int, s snapshot.Snapshot) error {
		if n := notes[i]; len(n) > 0 {
			s.Annotations = append(s.Annotations, n...)
		}
		return enc.Encode(an.Add(s))
	})
	return errors.Join(err, bw.Flush())
}
