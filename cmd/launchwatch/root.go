package main

import (
	"runtime"

	"github.com/spf13/cobra"
)

// Set by the Makefile through -ldflags "-X main.version=… -X main.commit=…".
var (
	version = "dev"
	commit  = "none"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "launchwatch",
		Short: "A terminal war-room for flash-sale launch day",
		Long: `launchwatch watches a flash-sale launch live, holds what it sees against the
capacity plan, and records it for the post-mortem.

Start with the built-in demo (no Prometheus needed):

  launchwatch demo`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newVersionCmd(),
		newPlanCmd(),
		newConfigCmd(),
	)
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.Printf("launchwatch %s (commit %s, %s %s/%s)\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
