//go:build !linux

package collectors

import (
	"context"
	"fmt"
	"runtime"
)

// hostNewKernel returns a reader that fails: the TCP counters come from
// Linux's /proc. CPU, memory, load and NICs still work through gopsutil.
func hostNewKernel(string) (func(context.Context) (hostKernelCounters, error), error) {
	return func(context.Context) (hostKernelCounters, error) {
		return hostKernelCounters{}, fmt.Errorf("read tcp counters: not supported on %s", runtime.GOOS)
	}, nil
}

// netlinkCountEstablished fails: INET_DIAG is Linux's.
func netlinkCountEstablished(context.Context, []uint16) (int, error) {
	return 0, fmt.Errorf("netlink sock_diag: not supported on %s", runtime.GOOS)
}
