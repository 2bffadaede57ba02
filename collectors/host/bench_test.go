//go:build linux

package host

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
)

// benchConns is the launch-day load the host source's benchmarks hold
// open: 50,000 established loopback connections (100,000 sockets).
const benchConns = 50_000

// perHolder is how many connections one holder process keeps, both ends:
// within a descriptor limit of 20,000 and the ephemeral port range.
const perHolder = 5_000

// holdEnv, set in a child of the test binary, makes it a holder: it opens
// that many loopback connections, prints its listener's port and holds
// them until its standard input closes.
const holdEnv = "LAUNCHWATCH_TEST_HOLD_CONNS"

func TestMain(m *testing.M) {
	if n, err := strconv.Atoi(os.Getenv(holdEnv)); err == nil {
		os.Exit(holdConns(n))
	}
	os.Exit(m.Run())
}

// holdConns is a holder's whole life.
func holdConns(n int) int {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	conns := make([]net.Conn, 0, 2*n)
	done := make(chan error, 1)
	go func() {
		for range n {
			c, err := ln.Accept()
			if err != nil {
				done <- err
				return
			}
			conns = append(conns, c)
		}
		done <- nil
	}()
	var clients []net.Conn
	for range n {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		clients = append(clients, c)
	}
	if err := <-done; err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	_, _ = io.Copy(io.Discard, os.Stdin) // hold until the benchmark lets go
	runtime.KeepAlive(clients)
	runtime.KeepAlive(conns)
	return 0
}

// openBenchConns starts holder processes (each within its own descriptor
// limit) until benchConns connections are established, and returns their
// listeners' ports.
func openBenchConns(b *testing.B) []int {
	b.Helper()
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var ports []int
	for n := 0; n < benchConns; n += perHolder {
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), holdEnv+"="+strconv.Itoa(perHolder))
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
		line, err := bufio.NewReader(stdout).ReadString('\n')
		port, perr := strconv.Atoi(strings.TrimSpace(line))
		if err != nil || perr != nil {
			b.Fatalf("holder %d: %q, %v", len(ports)+1, line, err)
		}
		ports = append(ports, port)
	}
	return ports
}

// BenchmarkHostCollect50k is one poll of the host source while 50,000
// connections are established on the ports it counts: the poll reads the
// kernel's counters; the per-port count comes from the background netlink
// dump (BenchmarkNetlinkPortCount50k), at its own cadence.
func BenchmarkHostCollect50k(b *testing.B) {
	ports := openBenchConns(b)
	h := newTestSource(b, config.Host{Ports: ports, PortsInterval: time.Hour})
	ctx := context.Background()
	// The first poll starts the dump in the background; time the polls
	// once it has counted them, as on launch day.
	deadline := time.Now().Add(time.Minute)
	for {
		res, err := h.Collect(ctx, time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		if n, ok := res.Values[sigTCPEstablished].Get(); ok && n == benchConns {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("the dump never counted %d connections: %v", benchConns, res.Values[sigTCPEstablished])
		}
		time.Sleep(10 * time.Millisecond)
	}
	for b.Loop() {
		if _, err := h.Collect(ctx, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNetlinkPortCount50k is the netlink INET_DIAG dump that counts
// the 50,000 connections on their listening ports.
func BenchmarkNetlinkPortCount50k(b *testing.B) {
	ports := openBenchConns(b)
	want := make([]uint16, len(ports))
	for i, p := range ports {
		want[i] = uint16(p)
	}
	slices.Sort(want) // as New keeps them: the count searches them
	ctx := context.Background()
	for b.Loop() {
		n, err := netlinkCountEstablished(ctx, want)
		if err != nil || n != benchConns {
			b.Fatalf("count = %d, %v; want %d", n, err, benchConns)
		}
	}
}
