//go:build linux

package host

import (
	"context"
	"errors"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	psnet "github.com/shirou/gopsutil/v4/net"
	"golang.org/x/sys/unix"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// testConns is how many loopback connections the socket tests open:
// enough that a count off by a few sockets, or a walk over every socket,
// shows.
const testConns = 2000

// openConns opens n real loopback TCP connections to a fresh listener,
// accepts them all, and returns the listener's port. Both ends of each
// connection are ESTABLISHED sockets on this host. Cleanup closes them.
func openConns(tb testing.TB, n int) (port int, closeAll func()) {
	tb.Helper()
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		tb.Fatalf("getrlimit: %v", err)
	}
	// Two descriptors a connection plus the runtime's and the test's own;
	// Go raises the soft limit to the hard one at start-up.
	need := uint64(2*n + 200)
	if lim.Max < need {
		tb.Skipf("RLIMIT_NOFILE hard limit %d is below the %d descriptors %d connections need", lim.Max, need, n)
	}
	if lim.Cur < need {
		lim.Cur = lim.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			tb.Skipf("RLIMIT_NOFILE soft limit %d is below %d and cannot be raised: %v", lim.Cur, need, err)
		}
	}

	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	accepted := make(chan []net.Conn, 1)
	go func() {
		conns := make([]net.Conn, 0, n)
		for len(conns) < n {
			c, err := ln.Accept()
			if err != nil {
				break
			}
			conns = append(conns, c)
		}
		accepted <- conns
	}()
	clients := make([]net.Conn, 0, n)
	var once sync.Once
	var servers []net.Conn
	closeAll = func() {
		once.Do(func() {
			ln.Close()
			if servers == nil {
				servers = <-accepted
			}
			for _, c := range clients {
				c.Close()
			}
			for _, c := range servers {
				c.Close()
			}
		})
	}
	tb.Cleanup(closeAll)
	for range n {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			closeAll()
			tb.Fatalf("dial connection %d of %d: %v", len(clients)+1, n, err)
		}
		clients = append(clients, c)
	}
	servers = <-accepted
	if len(servers) != n {
		closeAll()
		tb.Fatalf("accepted %d connections of %d", len(servers), n)
	}
	return ln.Addr().(*net.TCPAddr).Port, closeAll
}

func newTestSource(tb testing.TB, cfg config.Host) *Source {
	tb.Helper()
	h, err := New(&cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return h
}

func collectOnce(tb testing.TB, h *Source) source.Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := h.Collect(ctx, time.Time{})
	if err != nil {
		tb.Fatalf("Collect: %v", err)
	}
	return res
}

func valueOf(tb testing.TB, res source.Result, sig string) float64 {
	tb.Helper()
	v, ok := res.Values[sig].Get()
	if !ok {
		tb.Fatalf("%s is missing; values: %v", sig, res.Values)
	}
	return v
}

func TestHostFirstPollHasNoRatesAndNoError(t *testing.T) {
	h := newTestSource(t, config.Host{})
	res := collectOnce(t, h)
	for _, sig := range []string{sigCPU, sigNetTX, sigNetRX} {
		if v, ok := res.Values[sig]; ok {
			t.Errorf("first poll has %s = %v; want it missing (no delta yet)", sig, v)
		}
	}
	for _, sig := range []string{sigMemoryUsed, sigMemoryTotal, sigLoad1, sigTCPEstablished, sigTCPMemory} {
		valueOf(t, res, sig)
	}
}

func TestHostSecondPollHasSaneFigures(t *testing.T) {
	h := newTestSource(t, config.Host{})
	collectOnce(t, h)
	time.Sleep(250 * time.Millisecond) // a few clock ticks on every CPU
	res := collectOnce(t, h)

	if cpu := valueOf(t, res, sigCPU); cpu < 0 || cpu > 1 {
		t.Errorf("cpu = %v; want 0..1", cpu)
	}
	used, total := valueOf(t, res, sigMemoryUsed), valueOf(t, res, sigMemoryTotal)
	if total <= 0 || used < 0 || used > total {
		t.Errorf("memory used %v of total %v; want 0 <= used <= total, total > 0", used, total)
	}
	for _, sig := range []string{sigNetTX, sigNetRX, sigLoad1, sigTCPEstablished} {
		if v := valueOf(t, res, sig); v < 0 {
			t.Errorf("%s = %v; want >= 0", sig, v)
		}
	}
	page := float64(os.Getpagesize())
	if mem := valueOf(t, res, sigTCPMemory); mem < 0 || math.Mod(mem, page) != 0 {
		t.Errorf("tcp_memory = %v; want a non-negative multiple of the page size %v", mem, page)
	}
	if got := h.Signals(); len(got) != len(snapshot.HostSignals) {
		t.Errorf("Signals() = %v; want %v", got, snapshot.HostSignals)
	}
}

func TestHostKernelCounterSeesBothEndsOfEveryConnection(t *testing.T) {
	h := newTestSource(t, config.Host{})
	base := valueOf(t, collectOnce(t, h), sigTCPEstablished)
	openConns(t, testConns)
	got := valueOf(t, collectOnce(t, h), sigTCPEstablished)
	// Other processes (go test runs packages in parallel, and the CLI and
	// e2e tests open and close loopback connections) may move the count
	// either way meanwhile: allow 500 each side of the expected 4,000 rise.
	// The per-port test below checks the exact count.
	lo, hi := base+2*testConns-500, base+2*testConns+500
	t.Logf("CurrEstab: baseline %v, with %d loopback connections open %v", base, testConns, got)
	if got < lo || got > hi {
		t.Errorf("tcp_established = %v; want %v..%v (baseline %v + both ends of %d connections)", got, lo, hi, base, testConns)
	}
}

func TestHostPortCountIsExactlyTheAcceptedSocketsAndDropsOnClose(t *testing.T) {
	port, closeAll := openConns(t, testConns)
	h := newTestSource(t, config.Host{Ports: []int{port}, PortsInterval: 10 * time.Millisecond})

	start := time.Now()
	got := valueOf(t, collectOnce(t, h), sigTCPEstablished)
	t.Logf("port %d: %v established sockets, first poll (with the dump) took %s", port, got, time.Since(start))
	if got != testConns {
		t.Fatalf("tcp_established on port %d = %v; want exactly %d (the accepted sockets)", port, got, testConns)
	}

	closeAll()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got = valueOf(t, collectOnce(t, h), sigTCPEstablished)
		if got == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tcp_established on port %d = %v five seconds after closing; want 0", port, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHostPortDumpRunsInTheBackground(t *testing.T) {
	h := newTestSource(t, config.Host{Ports: []int{443}, PortsInterval: 10 * time.Second})
	wall := time.Now()
	h.wallNow = func() time.Time { return wall }
	release := make(chan struct{})
	started := make(chan int, 10) // each dump's number, as it starts
	var mu sync.Mutex
	calls := 0
	h.dump = func(ctx context.Context, _ []uint16) (int, error) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		started <- n
		select {
		case <-release:
			return n * 100, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	waitStart := func(want int) {
		t.Helper()
		select {
		case n := <-started:
			if n != want {
				t.Fatalf("dump %d started; want dump %d", n, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("dump %d never started", want)
		}
	}

	// Before the first dump ends, Collect waits only until its deadline and
	// still returns the other readings.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	res, err := h.Collect(ctx, time.Time{})
	cancel()
	if err == nil || !strings.Contains(err.Error(), "count established sockets on ports 443: first netlink dump still running") {
		t.Fatalf("Collect before the first dump ends: err = %v; want the dump named", err)
	}
	if _, ok := res.Values[sigTCPEstablished]; ok {
		t.Errorf("tcp_established present before any dump finished")
	}
	valueOf(t, res, sigMemoryTotal)

	waitStart(1)
	release <- struct{}{}
	if got := valueOf(t, collectOnce(t, h), sigTCPEstablished); got != 100 {
		t.Fatalf("tcp_established = %v; want the first dump's 100", got)
	}
	if got := valueOf(t, collectOnce(t, h), sigTCPEstablished); got != 100 || len(started) != 0 {
		t.Fatalf("fresh count: tcp_established = %v, %d more dumps; want 100 reused, no new dump", got, len(started))
	}

	// Once the count is stale, Collect starts a dump but does not wait.
	wall = wall.Add(11 * time.Second)
	for range 3 {
		start := time.Now()
		got := valueOf(t, collectOnce(t, h), sigTCPEstablished)
		if took := time.Since(start); took > time.Second {
			t.Errorf("Collect waited %s for a dump in flight", took)
		}
		if got != 100 {
			t.Errorf("tcp_established = %v while a dump runs; want the last count 100", got)
		}
	}
	waitStart(2)
	close(release)
	if n := len(started); n != 0 {
		t.Errorf("%d more dumps started while one was in flight; want none", n)
	}
}

func TestHostCancelledContextNamesEveryReading(t *testing.T) {
	h := newTestSource(t, config.Host{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := h.Collect(ctx, time.Time{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	for _, name := range []string{"cpu times", "memory", "load average", "network counters", "tcp counters"} {
		if !strings.Contains(err.Error(), "read "+name+": context canceled") {
			t.Errorf("error %q does not name %q", err, name)
		}
	}
	if len(res.Values) != 0 {
		t.Errorf("values %v after a cancelled context; want none", res.Values)
	}
}

func TestHostNewRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  *config.Host
		want string
	}{
		{"a nil config is refused", nil, "host: no configuration"},
		{"a port out of range is named", &config.Host{Ports: []int{80, 70000}}, "ports[1]: port 70000"},
		{"a missing proc root is named", &config.Host{ProcRoot: filepath.Join(t.TempDir(), "nope")}, "host: proc root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: err = %v; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestHostKernelCountersFromProcFiles(t *testing.T) {
	page := float64(os.Getpagesize())
	tests := []struct {
		name    string
		dir     string
		estab   float64
		mem     float64
		snmpErr string
		sockErr string
	}{
		{name: "good files give CurrEstab and mem in bytes", dir: "good", estab: 42, mem: 7 * page},
		{name: "snmp without Tcp lines is named", dir: "snmp-no-tcp", mem: 7 * page, snmpErr: `no "Tcp:" lines`},
		{name: "snmp with mismatched Tcp lines is named", dir: "snmp-mismatch", mem: 7 * page, snmpErr: "15 names but 14 values"},
		{name: "snmp with a non-numeric CurrEstab is named", dir: "snmp-bad-value", mem: 7 * page, snmpErr: `CurrEstab "4x2" on the Tcp line is not a count`},
		{name: "snmp without CurrEstab is named", dir: "snmp-no-currestab", mem: 7 * page, snmpErr: "no CurrEstab"},
		{name: "snmp cut after the Tcp names is named", dir: "snmp-truncated", mem: 7 * page, snmpErr: "names line has no values line"},
		{name: "sockstat without TCP mem is named", dir: "sockstat-no-mem", estab: 42, sockErr: "no mem field"},
		{name: "sockstat without a TCP line is named", dir: "sockstat-no-tcp", estab: 42, sockErr: `no "TCP:" line`},
		{name: "sockstat with a dangling key is named", dir: "sockstat-odd-pairs", estab: 42, sockErr: "a key without a value"},
		{name: "a missing sockstat is named and keeps CurrEstab", dir: "sockstat-missing", estab: 42, sockErr: "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join("testdata", tt.dir)
			read, err := newKernel(root)
			if err != nil {
				t.Fatalf("newKernel: %v", err)
			}
			kc, err := read(context.Background())
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			checkErr(t, kc.SnmpErr, filepath.Join(root, "net", "snmp"), tt.snmpErr)
			checkErr(t, kc.SockstatErr, filepath.Join(root, "net", "sockstat"), tt.sockErr)
			if tt.snmpErr == "" && kc.CurrEstab != tt.estab {
				t.Errorf("CurrEstab = %v; want %v", kc.CurrEstab, tt.estab)
			}
			if tt.sockErr == "" && kc.MemBytes != tt.mem {
				t.Errorf("MemBytes = %v; want %v", kc.MemBytes, tt.mem)
			}
		})
	}
}

// checkErr checks that err names the file and says what is wrong.
func checkErr(t *testing.T, err error, file, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Errorf("no error; want one containing %q", want)
	case want != "" && (!strings.HasPrefix(err.Error(), "read "+file+": ") || !strings.Contains(err.Error(), want)):
		t.Errorf("error %q; want it to start with %q and contain %q", err, "read "+file+": ", want)
	}
}

func TestHostFakeProcRootKeepsTCPFiguresWhenOthersFail(t *testing.T) {
	h := newTestSource(t, config.Host{ProcRoot: filepath.Join("testdata", "good")})
	res, err := h.Collect(context.Background(), time.Time{})
	if err == nil || !strings.Contains(err.Error(), "read memory:") || !strings.Contains(err.Error(), "read network counters:") {
		t.Fatalf("err = %v; want the readings missing from the fake /proc named", err)
	}
	if got := valueOf(t, res, sigTCPEstablished); got != 42 {
		t.Errorf("tcp_established = %v; want 42 from the fake snmp", got)
	}
	valueOf(t, res, sigTCPMemory)
}

func TestHostLoopbackIsLeftOutOfThroughput(t *testing.T) {
	all := newTestSource(t, config.Host{})
	chosen := newTestSource(t, config.Host{Interfaces: []string{"lo"}})
	for name, want := range map[string]bool{"lo": false, "lo0": false, "eth0": true, "lowpan0": true, "ens3": true} {
		if got := all.wantNIC(name); got != want {
			t.Errorf("all but loopback: wantNIC(%q) = %v; want %v", name, got, want)
		}
	}
	if !chosen.wantNIC("lo") || chosen.wantNIC("eth0") {
		t.Errorf("interfaces [lo]: want only lo counted")
	}
	res := collectOnce(t, newTestSource(t, config.Host{Interfaces: []string{"nosuch0"}}))
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], `"nosuch0" not found`) {
		t.Errorf("warnings = %q; want the missing interface named", res.Warnings)
	}
}

func BenchmarkHostCollect(b *testing.B) {
	h := newTestSource(b, config.Host{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Collect(ctx, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHostKernelCounters(b *testing.B) {
	read, err := newKernel("/proc")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if kc, err := read(ctx); err != nil || kc.SnmpErr != nil || kc.SockstatErr != nil {
			b.Fatal(err, kc.SnmpErr, kc.SockstatErr)
		}
	}
}

func BenchmarkNetlinkPortCount(b *testing.B) {
	port, _ := openConns(b, testConns)
	ports := []uint16{uint16(port)}
	ctx := context.Background()
	for b.Loop() {
		n, err := netlinkCountEstablished(ctx, ports)
		if err != nil || n != testConns {
			b.Fatalf("count = %d, %v; want %d", n, err, testConns)
		}
	}
}

// BenchmarkGopsutilConnections shows why net.Connections is never called in
// the poll path: it walks every process's descriptors.
func BenchmarkGopsutilConnections(b *testing.B) {
	openConns(b, testConns)
	ctx := context.Background()
	for b.Loop() {
		conns, err := psnet.ConnectionsWithContext(ctx, "tcp")
		if err != nil || len(conns) < 2*testConns {
			b.Fatalf("%d connections, %v; want at least %d", len(conns), err, 2*testConns)
		}
	}
}
