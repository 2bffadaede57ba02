//go:build !linux

package host

import (
	"context"
	"errors"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"
)

// gopsutilSystem reads the machine's counters through gopsutil, where there
// is no /proc to read them from.
type gopsutilSystem struct{ env common.EnvMap }

func newSystem(procRoot string) system {
	return gopsutilSystem{env: common.EnvMap{common.HostProcEnvKey: procRoot}}
}

func (g gopsutilSystem) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, common.EnvKey, g.env)
}

func (g gopsutilSystem) cpuTimes(ctx context.Context) (cpu.TimesStat, error) {
	times, err := cpu.TimesWithContext(g.ctx(ctx), false)
	if err != nil {
		return cpu.TimesStat{}, err
	}
	if len(times) == 0 {
		return cpu.TimesStat{}, errors.New("no total line")
	}
	return times[0], nil
}

func (g gopsutilSystem) memory(ctx context.Context) (total, available uint64, err error) {
	vm, err := mem.VirtualMemoryWithContext(g.ctx(ctx))
	if err != nil {
		return 0, 0, err
	}
	return vm.Total, vm.Available, nil
}

func (g gopsutilSystem) load1(ctx context.Context) (float64, error) {
	avg, err := load.AvgWithContext(g.ctx(ctx))
	if err != nil {
		return 0, err
	}
	return avg.Load1, nil
}

func (g gopsutilSystem) nics(ctx context.Context, visit func(name []byte, recv, sent uint64)) error {
	nics, err := net.IOCountersWithContext(g.ctx(ctx), true)
	if err != nil {
		return err
	}
	for _, n := range nics {
		visit([]byte(n.Name), n.BytesRecv, n.BytesSent)
	}
	return nil
}
