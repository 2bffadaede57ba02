package main

import (
	"os"

	"github.com/launchwatch/launchwatch/recording"
	"github.com/spf13/cobra"
)

// defaultConfig is the config launchwatch looks for when run bare.
const defaultConfig = "launchwatch.yaml"

// build names this launchwatch in the recordings it writes.
func build() recording.Build {
	v, c := buildVersion()
	return recording.Build{Version: v, Commit: c}
}

// newRootCmd builds the command tree; prof takes the profiling flags,
// and the caller stops the profiles when the command has run.
func newRootCmd(prof *profileFlags) *cobra.Command {
	root := &cobra.Command{
		Use:   "launchwatch",
		Short: "A terminal war-room for flash-sale launch day",
		Long: `launchwatch watches a flash-sale launch live, holds what it sees against the
capacity plan, and records it for the post-mortem.

Start with the built-in demo (no Prometheus needed):

  launchwatch demo`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return prof.start()
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(defaultConfig); err == nil {
				cmd.Printf("Found %s. Watch it with:\n\n  launchwatch watch --config %s\n", defaultConfig, defaultConfig)
				return nil
			}
			cmd.Print(`No launchwatch.yaml here. To see launchwatch at work, start the demo
(a simulated flash sale, nothing else needed):

  launchwatch demo

To watch your own shop, write a config (see examples/launchwatch.yaml):

  launchwatch watch --config launchwatch.yaml

Run launchwatch --help for every command.
`)
			return nil
		},
	}
	prof.register(root)
	root.AddCommand(
		newVersionCmd(),
		newPlanCmd(),
		newProbeCmd(),
		newInitCmd(),
		newConfigCmd(),
		newWatchCmd(),
		newDemoCmd(),
		newRecordCmd(),
		newReplayCmd(),
		newExportCmd(),
		newAnnotateCmd(),
		newReportCmd(),
		newBackfillCmd(),
		newSimCmd(),
		newServeCmd(),
		newManCmd(),
	)
	return root
}
