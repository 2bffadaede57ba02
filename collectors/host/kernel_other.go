//go:build !linux

package host

import (
	"context"
	"fmt"
	"runtime"
)

// newKernel returns a reader that fails: the TCP counters come from
// Linux's /proc. CPU, memory, load and NICs still work through gopsutil.
func newKernel(string) (func(context.Context) (kernelCounters, error), error) {
	return func(context.Context) (kernelCounters, error) {
		return kernelCounters{}, fmt.Errorf("read tcp counters: not supported on %s", runtime.GOOS)
	}, nil
}

// netlinkCountEstablished fails: INET_DIAG is Linux's.
func netlinkCountEstablished(context.Context, []uint16) (int, error) {
	return 0, fmt.Errorf("netlink sock_diag: not supported on %s", runtime.GOOS)
}
