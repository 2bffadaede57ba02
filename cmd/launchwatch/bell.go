package main

import (
	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/serve"
)

// bellFlags are the live screens' (watch, demo, serve) alarm flags.
type bellFlags struct {
	noBell bool
}

func (f *bellFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.noBell, "no-bell", false, "do not ring the terminal bell when a critical problem opens")
}

// bell returns the local screen's bell, or nil with --no-bell. An SSH
// session rings its own.
func (f bellFlags) bell() func() {
	if f.noBell {
		return nil
	}
	return serve.Bell
}
