// Package host is the local machine as a source: CPU, memory, load, NIC
// throughput and TCP figures, read from the kernel's own counters (on
// Linux from /proc into buffers kept across polls, elsewhere through
// gopsutil) and, for a per-port count, a netlink dump in the background.
package host

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Host signal addresses (see snapshot.HostSignals).
const (
	sigCPU            = "host.cpu"
	sigMemoryUsed     = "host.memory_used"
	sigMemoryTotal    = "host.memory_total"
	sigLoad1          = "host.load1"
	sigNetTX          = "host.net_tx"
	sigNetRX          = "host.net_rx"
	sigTCPEstablished = "host.tcp_established"
	sigTCPMemory      = "host.tcp_memory"
)

// dumpTimeout bounds one background netlink dump. It is far above the
// ~100 ms a dump takes at 76k sockets; a dump past it is abandoned and its
// error reported, so a stuck dump never blocks the next one for good.
const dumpTimeout = 10 * time.Second

// Source measures the local machine: CPU, memory, load and NIC throughput
// (on Linux read from /proc as gopsutil reads them, into buffers kept
// across polls; elsewhere through gopsutil), and TCP figures from the
// kernel's own counters.
//
// Connections are never counted by walking sockets (gopsutil's
// net.Connections): at tens of thousands of sockets one call costs seconds
// and a gigabyte of allocations. host.tcp_established is either the
// kernel's Tcp CurrEstab counter from /proc/net/snmp, which counts
// CLOSE_WAIT sockets too, or, when Ports is configured, the established
// sockets whose local port is one of Ports, counted by a netlink INET_DIAG
// dump that runs in the background every PortsInterval.
//
// All figures are per network namespace: inside a container, point
// ProcRoot at the host's /proc. The netlink dump always sees the namespace
// the process runs in, whatever ProcRoot says.
type Source struct {
	procRoot   string
	interfaces []string // empty: all but loopback
	ports      []uint16 // sorted, unique; empty: use the kernel counter
	portsEvery time.Duration
	sys        system

	// wallNow is the host's own clock. Rates here are over wall time, not
	// the snapshot clock passed to Collect: in the demo that clock is
	// simulated and sped up, but the machine's counters run in real time.
	wallNow func() time.Time
	// kernel reads /proc/net/snmp and /proc/net/sockstat.
	kernel func(ctx context.Context) (kernelCounters, error)
	// dump counts established sockets on the given local ports.
	dump func(ctx context.Context, ports []uint16) (int, error)

	mu      sync.Mutex // guards the previous samples; Collect may overlap a late one
	prevCPU cpu.TimesStat
	hasCPU  bool  // prevCPU is set
	prevNet []nic // nil until the first reading
	prevAt  time.Time
	curNet  []nic // the reading being taken: prevNet's spare, swapped with it

	portMu sync.Mutex // guards the port count and the in-flight dump
	port   portState
}

// portState is the last netlink dump's outcome and the one in flight.
type portState struct {
	done     bool // a dump has finished at least once
	count    int
	err      error
	at       time.Time     // wall time the last dump finished
	inFlight chan struct{} // closed when the running dump finishes; nil if none
}

// system reads the machine-wide counters: CPU times, memory, load and
// NIC byte counters (system_linux.go reads /proc itself,
// system_other.go asks gopsutil).
type system interface {
	// cpuTimes is the total CPU time by state, in seconds.
	cpuTimes(ctx context.Context) (cpu.TimesStat, error)
	// memory is the total and the available memory in bytes.
	memory(ctx context.Context) (total, available uint64, err error)
	// load1 is the one-minute load average.
	load1(ctx context.Context) (float64, error)
	// nics calls visit with every interface's name (valid only during
	// the call) and its received and sent bytes.
	nics(ctx context.Context, visit func(name []byte, recv, sent uint64)) error
}

// nic is one interface's byte counters at a poll.
type nic struct {
	name       string
	recv, sent uint64
}

// kernelCounters is what the kernel's counter files say.
type kernelCounters struct {
	// CurrEstab is Tcp CurrEstab: ESTABLISHED plus CLOSE_WAIT sockets.
	CurrEstab float64
	// MemBytes is TCP socket memory (sockstat "TCP: … mem" pages × page size).
	MemBytes float64
	// Errs holds a failure per file, so one bad file keeps the other's figure.
	SnmpErr, SockstatErr error
}

// New returns the host source. Missing defaults (ProcRoot, PortsInterval)
// are filled in as config.Load would.
func New(cfg *config.Host) (*Source, error) {
	if cfg == nil {
		return nil, errors.New("host: no configuration")
	}
	h := &Source{
		procRoot:   cfg.ProcRoot,
		interfaces: slices.Clone(cfg.Interfaces),
		portsEvery: cfg.PortsInterval,
		wallNow:    time.Now,
		dump:       netlinkCountEstablished,
	}
	if h.procRoot == "" {
		h.procRoot = config.DefaultProcRoot
	}
	if h.portsEvery <= 0 {
		h.portsEvery = config.DefaultPortsInterval
	}
	for i, p := range cfg.Ports {
		if p < 1 || p > 65535 {
			return nil, fmt.Errorf("host: ports[%d]: port %d is not within 1..65535", i, p)
		}
		h.ports = append(h.ports, uint16(p))
	}
	slices.Sort(h.ports)
	h.ports = slices.Compact(h.ports)
	// The same /proc as the kernel counters, so a container pointed at the
	// host's /proc sees the host's CPU, memory and NICs too.
	h.sys = newSystem(h.procRoot)
	kernel, err := newKernel(h.procRoot)
	if err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	h.kernel = kernel
	return h, nil
}

// Name implements source.Source.
func (h *Source) Name() string { return config.SourceHost }

// Signals implements source.Source.
func (h *Source) Signals() []string { return slices.Clone(snapshot.HostSignals) }

// Collect implements source.Source. The snapshot clock is ignored: the machine's
// counters run in real time, so rates use the host's own wall clock. The
// first call has no CPU or NIC rates (they are deltas between calls); that
// is not an error. A failing reading leaves
// the others in the result and is named in the joined error.
func (h *Source) Collect(ctx context.Context, _ time.Time) (source.Result, error) {
	res := source.Result{Values: make(map[string]snapshot.Value, len(snapshot.HostSignals))}
	readings := []struct {
		name string
		read func(context.Context, *source.Result) error
	}{
		{"cpu times", h.collectCPU},
		{"memory", h.collectMemory},
		{"load average", h.collectLoad},
		{"network counters", h.collectNet},
		{"tcp counters", h.collectTCP},
	}
	var errs []error
	for _, r := range readings {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("read %s: %w", r.name, err))
			continue
		}
		if err := r.read(ctx, &res); err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// collectCPU sets host.cpu from the busy share of CPU time since the last
// call. The share comes from tick deltas, so no clock is involved.
func (h *Source) collectCPU(ctx context.Context, res *source.Result) error {
	cur, err := h.sys.cpuTimes(ctx)
	if err != nil {
		return fmt.Errorf("read cpu times: %w", err)
	}
	h.mu.Lock()
	prev, ok := h.prevCPU, h.hasCPU
	h.prevCPU, h.hasCPU = cur, true
	h.mu.Unlock()
	if !ok {
		return nil
	}
	total := cpuTotal(cur) - cpuTotal(prev)
	idle := (cur.Idle + cur.Iowait) - (prev.Idle + prev.Iowait)
	if total <= 0 {
		return nil // no tick elapsed: nothing to say yet
	}
	res.Values[sigCPU] = snapshot.Some(min(max((total-idle)/total, 0), 1))
	return nil
}

// cpuTotal sums CPU time; guest time is already inside user and nice.
func cpuTotal(t cpu.TimesStat) float64 {
	return t.User + t.System + t.Idle + t.Nice + t.Iowait + t.Irq + t.Softirq + t.Steal
}

func (h *Source) collectMemory(ctx context.Context, res *source.Result) error {
	total, available, err := h.sys.memory(ctx)
	if err != nil {
		return fmt.Errorf("read memory: %w", err)
	}
	// Used is what cannot be reclaimed: page cache is not pressure.
	used := total - min(available, total)
	res.Values[sigMemoryUsed] = snapshot.Some(float64(used))
	res.Values[sigMemoryTotal] = snapshot.Some(float64(total))
	return nil
}

func (h *Source) collectLoad(ctx context.Context, res *source.Result) error {
	l1, err := h.sys.load1(ctx)
	if err != nil {
		return fmt.Errorf("read load average: %w", err)
	}
	res.Values[sigLoad1] = snapshot.Some(l1)
	return nil
}

// collectNet sets host.net_tx and host.net_rx in bytes per wall-clock
// second since the last call, summed over the chosen interfaces.
func (h *Source) collectNet(ctx context.Context, res *source.Result) error {
	// The lock covers the reading too: it fills curNet, which the last
	// reading left as the spare, and reuses prevNet's name strings.
	h.mu.Lock()
	defer h.mu.Unlock()
	cur := h.curNet[:0]
	err := h.sys.nics(ctx, func(name []byte, recv, sent uint64) {
		if !h.wantNIC(string(name)) {
			return
		}
		n := nic{recv: recv, sent: sent}
		if p := findNIC(h.prevNet, name); p != nil {
			n.name = p.name
		} else {
			n.name = string(name)
		}
		cur = append(cur, n)
	})
	if err != nil {
		h.curNet = cur
		return fmt.Errorf("read network counters: %w", err)
	}
	at := h.wallNow()
	for _, name := range h.interfaces {
		if findNIC(cur, []byte(name)) == nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("network interface %q not found", name))
		}
	}
	prev, prevAt := h.prevNet, h.prevAt
	h.prevNet, h.prevAt = cur, at
	h.curNet = prev // the spare for the next reading
	secs := at.Sub(prevAt).Seconds()
	if prev == nil || secs <= 0 {
		return nil
	}
	var tx, rx float64
	for _, c := range cur {
		p := findNIC(prev, []byte(c.name))
		// A NIC that appeared, or whose counters went back (driver reset),
		// has no delta this time; it must not make the sum negative.
		if p == nil || c.sent < p.sent || c.recv < p.recv {
			continue
		}
		tx += float64(c.sent - p.sent)
		rx += float64(c.recv - p.recv)
	}
	res.Values[sigNetTX] = snapshot.Some(tx / secs)
	res.Values[sigNetRX] = snapshot.Some(rx / secs)
	return nil
}

// findNIC returns the interface named name in nics, or nil. A host
// has a handful of interfaces: a scan beats a map built at every poll.
func findNIC(nics []nic, name []byte) *nic {
	for i := range nics {
		if nics[i].name == string(name) {
			return &nics[i]
		}
	}
	return nil
}

// wantNIC reports whether a NIC counts towards throughput: one of the
// configured interfaces, or any but loopback ("lo", "lo0") when none is.
func (h *Source) wantNIC(name string) bool {
	if len(h.interfaces) > 0 {
		return slices.Contains(h.interfaces, name)
	}
	digits, ok := strings.CutPrefix(name, "lo")
	if !ok {
		return true
	}
	_, err := strconv.Atoi(digits)
	return digits != "" && err != nil
}

// collectTCP sets host.tcp_memory and host.tcp_established.
func (h *Source) collectTCP(ctx context.Context, res *source.Result) error {
	kc, err := h.kernel(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if kc.SockstatErr != nil {
		errs = append(errs, kc.SockstatErr)
	} else {
		res.Values[sigTCPMemory] = snapshot.Some(kc.MemBytes)
	}
	if len(h.ports) == 0 {
		if kc.SnmpErr != nil {
			errs = append(errs, kc.SnmpErr)
		} else {
			res.Values[sigTCPEstablished] = snapshot.Some(kc.CurrEstab)
		}
		return errors.Join(errs...)
	}
	n, warn, err := h.portCount(ctx)
	if err != nil {
		errs = append(errs, fmt.Errorf("count established sockets on ports %s: %w", portList(h.ports), err))
	} else {
		res.Values[sigTCPEstablished] = snapshot.Some(float64(n))
	}
	if warn != "" {
		res.Warnings = append(res.Warnings, warn)
	}
	return errors.Join(errs...)
}

// portCount returns the last per-port count and starts a background dump
// when none is running and the last is older than PortsInterval. Only
// before the very first dump has finished does it wait, and then no longer
// than ctx allows.
func (h *Source) portCount(ctx context.Context) (count int, warning string, err error) {
	now := h.wallNow()
	h.portMu.Lock()
	st := h.port
	if st.inFlight == nil && (!st.done || now.Sub(st.at) >= h.portsEvery) {
		st.inFlight = make(chan struct{})
		h.port.inFlight = st.inFlight
		go h.runDump(st.inFlight)
	}
	h.portMu.Unlock()

	if !st.done {
		select {
		case <-st.inFlight:
		case <-ctx.Done():
			return 0, "", fmt.Errorf("first netlink dump still running: %w", ctx.Err())
		}
		h.portMu.Lock()
		st = h.port
		h.portMu.Unlock()
	}
	if age := now.Sub(st.at); st.done && age > 2*h.portsEvery {
		warning = fmt.Sprintf("per-port connection count is %s old", age.Round(time.Second))
	}
	return st.count, warning, st.err
}

// runDump runs one netlink dump with its own deadline (Collect's context
// ends when Collect returns) and publishes the outcome.
func (h *Source) runDump(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), dumpTimeout)
	defer cancel()
	n, err := h.dump(ctx, h.ports)
	h.portMu.Lock()
	h.port = portState{done: true, count: n, err: err, at: h.wallNow()}
	h.portMu.Unlock()
	close(done)
}

func portList(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ", ")
}
