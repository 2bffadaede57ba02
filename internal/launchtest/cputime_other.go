//go:build !unix

package launchtest

import "time"

// CPUTime is zero where the processor time is not read.
func CPUTime() time.Duration { return 0 }
