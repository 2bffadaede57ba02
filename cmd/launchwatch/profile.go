package main

import (
	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/internal/profile"
)

// profileFlags are every command's --cpuprofile and --memprofile.
type profileFlags struct {
	cpu, mem string
	running  *profile.Profile
}

func (f *profileFlags) register(root *cobra.Command) {
	fl := root.PersistentFlags()
	fl.StringVar(&f.cpu, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof reads it)")
	fl.StringVar(&f.mem, "memprofile", "", "write a heap profile to this file when the command ends")
}

// start begins the profiles asked for.
func (f *profileFlags) start() (err error) {
	f.running, err = profile.Start(f.cpu, f.mem)
	return err
}

// stop ends them, whatever way the command ended (before its start, too:
// the heap profile is still written).
func (f *profileFlags) stop() error {
	if f.running == nil {
		f.running, _ = profile.Start("", f.mem)
	}
	return f.running.Stop()
}
