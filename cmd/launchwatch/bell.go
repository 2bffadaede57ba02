package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"
)

// bellFlags are the live screens' (watch, demo, serve) alarm flags.
type bellFlags struct {
	noBell bool
}

func (f *bellFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.noBell, "no-bell", false, "do not ring the terminal bell when a critical problem opens")
}

// bell returns the screen's bell: BEL written to the terminal the screen
// draws on, or nil with --no-bell.
func (f bellFlags) bell(w io.Writer) func() {
	if f.noBell {
		return nil
	}
	if w == nil {
		w = os.Stdout
	}
	return func() { _, _ = io.WriteString(w, "\a") }
}
