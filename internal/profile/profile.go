// Package profile writes the CPU and heap profiles every command can be
// asked for (--cpuprofile, --memprofile), so a user can send the profile
// of a slow screen with the report.
package profile

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// Profile is a run being profiled: the CPU from Start, the heap at Stop.
type Profile struct {
	cpu  *os.File
	heap string
}

// Start begins the CPU profile into cpu (none when empty) and remembers
// where the heap profile goes at Stop (none when empty). Errors name the
// flag.
func Start(cpu, heap string) (*Profile, error) {
	p := &Profile{heap: heap}
	if cpu == "" {
		return p, nil
	}
	file, err := os.Create(cpu)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(file); err != nil {
		_ = file.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	p.cpu = file
	return p, nil
}

// Stop ends the CPU profile and writes the heap profile, whatever way the
// command ended.
func (p *Profile) Stop() error {
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		if err := p.cpu.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--cpuprofile: %w", err))
		}
		p.cpu = nil
	}
	if p.heap != "" {
		runtime.GC() // the heap as it stands, not as it stood at the last GC
		file, err := os.Create(p.heap)
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
