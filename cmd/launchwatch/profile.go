package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// profileFlags are every command's --cpuprofile and --memprofile, so a
// user can send the profile of a slow screen with the report.
type profileFlags struct {
	cpu, mem string
	cpuFile  *os.File
}

func (f *profileFlags) register(root *cobra.Command) {
	fl := root.PersistentFlags()
	fl.StringVar(&f.cpu, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof reads it)")
	fl.StringVar(&f.mem, "memprofile", "", "write a heap profile to this file when the command ends")
}

// start begins the CPU profile, if asked for.
func (f *profileFlags) start() error {
	if f.cpu == "" {
		return nil
	}
	file, err := os.Create(f.cpu)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(file); err != nil {
		_ = file.Close()
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	f.cpuFile = file
	return nil
}

// stop ends the CPU profile and writes the heap profile, whatever way
// the command ended.
func (f *profileFlags) stop() error {
	var errs []error
	if f.cpuFile != nil {
		pprof.StopCPUProfile()
		if err := f.cpuFile.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--cpuprofile: %w", err))
		}
		f.cpuFile = nil
	}
	if f.mem != "" {
		runtime.GC() // the heap as it stands, not as it stood at the last GC
		file, err := os.Create(f.mem)
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("--memprofile: %w", err))...)
		}
		if err := pprof.Lookup("heap").WriteTo(file, 0); err != nil {
			errs = append(errs, fmt.Errorf("--memprofile: %w", err))
		}
		if err := file.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--memprofile: %w", err))
		}
	}
	return errors.Join(errs...)
}
