package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/replay"
	"github.com/launchwatch/launchwatch/serve"
	"github.com/launchwatch/launchwatch/snapshot"
)

func newAnnotateCmd() *cobra.Command {
	var at, by string
	cmd := &cobra.Command{
		Use:   `annotate FILE --at TIME "TEXT"`,
		Short: "Lay a note on a moment of a recording",
		Long: `Append an annotation to a recording: a note on a moment, such as a deploy,
that replay shows on its timeline and the report on its charts and tables, and
the exports carry (an info series in OpenMetrics, a column in CSV).

--at takes the times replay's g takes: T+05:00, T-30s, T+1h2m (from the
launch's T0), 14:03 or 14:03:22 (a clock time on the recording's days), or
RFC 3339. The note goes on a line of its own at the end of the file (its last
part, when it was rotated), written in one write and synced: the records stay
as they were, and a watch that continues the file appends after it.`,
		Example: `  launchwatch annotate launch.lwrec.jsonl --at T+05:00 "deploy 1.4.2"
  launchwatch annotate launch.lwrec.jsonl --at 14:03:22 "CDN purge" --by alice`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if at == "" {
				return fmt.Errorf("--at is required: try --at T+05:00 or --at 14:03")
			}
			text := strings.TrimSpace(strings.Join(args[1:], " "))
			if clean := snapshot.CleanText(text, snapshot.MaxAnnotationText); clean != text {
				return fmt.Errorf("the note holds control characters or is over %d characters", snapshot.MaxAnnotationText)
			}
			rec, err := readRecording(cmd, args[0], false)
			if err != nil {
				return err
			}
			var start, end = rec.Header().Started, rec.Header().Started
			if n := rec.Len(); n > 0 {
				start, end = rec.Time(0), rec.Time(n-1)
			}
			t0 := rec.Header().Launch.StartsAt
			rec.Close()
			when, err := replay.ParseTime(at, t0, start, end)
			if err != nil {
				return fmt.Errorf("--at %w", err)
			}
			if by == "" {
				by = serve.LocalUser()
			}
			a := snapshot.Annotation{At: when, Text: text, By: by}
			if err := recording.Annotate(args[0], a); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "annotated %s at %s: %s\n", args[0], when.UTC().Format("2006-01-02T15:04:05.000Z07:00"), text)
			return nil
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "the moment the note marks: T+05:00, T-30s, 14:03, 14:03:22 or RFC 3339")
	cmd.Flags().StringVar(&by, "by", "", "who lays the note (default user@host)")
	return cmd
}
