package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"
)

// procInitialBuf is a proc file buffer's first size; it doubles when a
// file does not fit (/proc/stat on a machine with many CPUs and IRQs).
const procInitialBuf = 4 << 10

// procFile is one /proc file read again at every poll into a buffer
// kept across polls, so a poll allocates nothing to read it. It is opened
// by name at every read, as gopsutil does: a file replaced or removed is
// seen at the next poll, and no descriptor outlives the read.
type procFile struct {
	path string

	mu  sync.Mutex // guards buf: an overlapping Collect waits its turn
	buf []byte
}

func newProcFile(path string) *procFile { return &procFile{path: path} }

// procReadError is a /proc file that could not be opened or read (not
// one whose content did not parse).
type procReadError struct {
	path string
	err  error
}

func (e *procReadError) Error() string { return "read " + e.path + ": " + e.err.Error() }
func (e *procReadError) Unwrap() error { return e.err }

// read calls parse with the file's whole content, under the file's lock:
// the bytes are valid only until parse returns. An error reading is a
// *procReadError naming the file ("read /proc/stat: permission
// denied"); parse's error is returned as it is.
func (p *procFile) read(parse func([]byte) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, err := p.load()
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return &procReadError{path: p.path, err: err}
	}
	return parse(b)
}

// load reads the whole file into the kept buffer.
func (p *procFile) load() ([]byte, error) {
	f, err := os.Open(p.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if p.buf == nil {
		p.buf = make([]byte, procInitialBuf)
	}
	n := 0
	for {
		if n == len(p.buf) {
			p.buf = append(p.buf, make([]byte, len(p.buf))...)
		}
		m, err := f.Read(p.buf[n:])
		n += m
		if errors.Is(err, io.EOF) {
			return p.buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// procSystem reads CPU, memory, load and NIC counters from /proc files
// into buffers it keeps. Every figure is the one gopsutil gives (the same files,
// the same fields, the same arithmetic); it only skips gopsutil's
// per-call allocations of lines and strings.
type procSystem struct {
	stat, meminfo, loadavg, netDev *procFile
	// env points gopsutil, where it answers instead (an old kernel's
	// memory, an unreadable load average), at the same /proc.
	env common.EnvMap
}

func newSystem(procRoot string) system {
	return &procSystem{
		stat:    newProcFile(filepath.Join(procRoot, "stat")),
		meminfo: newProcFile(filepath.Join(procRoot, "meminfo")),
		loadavg: newProcFile(filepath.Join(procRoot, "loadavg")),
		netDev:  newProcFile(filepath.Join(procRoot, "net", "dev")),
		env:     common.EnvMap{common.HostProcEnvKey: procRoot},
	}
}

// cpuTimes reads the total "cpu" line of /proc/stat, in seconds as
// gopsutil's cpu.Times(false) gives them.
func (s *procSystem) cpuTimes(context.Context) (cpu.TimesStat, error) {
	var t cpu.TimesStat
	err := s.stat.read(func(b []byte) error {
		line, _, _ := bytes.Cut(b, []byte("\n"))
		name, rest := nextField(line)
		// The name and the seven counters present since Linux 2.6 are
		// required; steal, guest and guest_nice are optional.
		if !bytes.HasPrefix(name, []byte("cpu")) {
			return fmt.Errorf("read %s: the first line is not the cpu total", s.stat.path)
		}
		counters := []*float64{&t.User, &t.Nice, &t.System, &t.Idle, &t.Iowait, &t.Irq, &t.Softirq, &t.Steal, &t.Guest, &t.GuestNice}
		i := 0
		for ; i < len(counters); i++ {
			var f []byte
			if f, rest = nextField(rest); f == nil {
				break
			}
			n, ok := parseUint(f)
			if !ok {
				return fmt.Errorf("read %s: cpu field %d %q is not a tick count", s.stat.path, i+1, f)
			}
			*counters[i] = float64(n) / cpu.ClocksPerSec
		}
		if i < 7 {
			return fmt.Errorf("read %s: the cpu line has %d counters, not at least 7", s.stat.path, i)
		}
		t.CPU = "cpu-total"
		return nil
	})
	return t, err
}

// memory reads MemTotal and MemAvailable from /proc/meminfo, in bytes. A
// kernel older than 3.14 has no MemAvailable: gopsutil estimates it then.
func (s *procSystem) memory(ctx context.Context) (total, available uint64, err error) {
	haveTotal, haveAvail := false, false
	err = s.meminfo.read(func(b []byte) error {
		for line := range bytes.Lines(b) {
			key, value, ok := bytes.Cut(line, []byte(":"))
			if !ok {
				continue
			}
			var dst *uint64
			switch string(bytes.TrimSpace(key)) {
			case "MemTotal":
				dst, haveTotal = &total, true
			case "MemAvailable":
				dst, haveAvail = &available, true
			default:
				continue
			}
			f, _ := nextField(value)
			n, ok := parseUint(f)
			if !ok {
				return fmt.Errorf("read %s: %s %q is not a size in kB", s.meminfo.path, bytes.TrimSpace(key), bytes.TrimSpace(value))
			}
			*dst = n * 1024
			if haveTotal && haveAvail {
				return nil
			}
		}
		if !haveTotal {
			return fmt.Errorf("read %s: no MemTotal", s.meminfo.path)
		}
		return nil
	})
	if err != nil || haveAvail {
		return total, available, err
	}
	vm, err := mem.VirtualMemoryWithContext(context.WithValue(ctx, common.EnvKey, s.env))
	if err != nil {
		return 0, 0, err
	}
	return vm.Total, vm.Available, nil
}

// load1 reads the one-minute load average from /proc/loadavg. When the
// file cannot be read, gopsutil's load.Avg answers, as before (it tries
// the file again, then the sysinfo system call); a file that reads but
// does not parse is an error naming the field (gopsutil would index past
// a short line and panic).
func (s *procSystem) load1(ctx context.Context) (float64, error) {
	var l1 float64
	err := s.loadavg.read(func(b []byte) error {
		rest := b
		for i, name := range []string{"1-minute", "5-minute", "15-minute"} { // gopsutil parses all three
			var f []byte
			if f, rest = nextField(rest); f == nil {
				return fmt.Errorf("read %s: no %s load average", s.loadavg.path, name)
			}
			v, err := strconv.ParseFloat(string(f), 64)
			if err != nil {
				return fmt.Errorf("read %s: the %s load average %q is not a number", s.loadavg.path, name, f)
			}
			if i == 0 {
				l1 = v
			}
		}
		return nil
	})
	var unreadable *procReadError
	if !errors.As(err, &unreadable) {
		return l1, err
	}
	avg, err := load.AvgWithContext(context.WithValue(ctx, common.EnvKey, s.env))
	if err != nil {
		return 0, err
	}
	return avg.Load1, nil
}

// nics reads /proc/net/dev and calls visit with each interface's name and
// its received and sent bytes. The name is valid only during the call.
// Lines gopsutil skips (no colon, no name, fewer than 13 counters) are
// skipped; a counter gopsutil would fail on is an error naming it.
func (s *procSystem) nics(_ context.Context, visit func(name []byte, recv, sent uint64)) error {
	return s.netDev.read(func(b []byte) error {
		n := 0
		for line := range bytes.Lines(b) {
			n++
			if n <= 2 { // the two header lines
				continue
			}
			sep := bytes.LastIndexByte(line, ':')
			if sep < 0 {
				continue
			}
			name := bytes.TrimSpace(line[:sep])
			if len(name) == 0 {
				continue
			}
			// receive: bytes packets errs drop fifo frame compressed
			// multicast; transmit: bytes packets errs drop fifo colls
			// carrier compressed.
			var fields [13][]byte
			rest := line[sep+1:]
			i := 0
			for ; i < len(fields); i++ {
				if fields[i], rest = nextField(rest); fields[i] == nil {
					break
				}
			}
			if i < len(fields) {
				continue
			}
			var counters [13]uint64
			for i, f := range fields {
				v, ok := parseUint(f)
				if !ok && (i <= 4 || i >= 8) {
					return fmt.Errorf("read %s: interface %s: counter %d %q is not a number", s.netDev.path, name, i+1, f)
				}
				counters[i] = v
			}
			visit(name, counters[0], counters[8])
		}
		if n < 2 {
			return fmt.Errorf("read %s: expected at least 2 header lines, got %d", s.netDev.path, n)
		}
		return nil
	})
}

// nextField splits off the first space-separated field of b; field is
// nil when there is none.
func nextField(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return nil, nil
	}
	j := i
	for j < len(b) && !isSpace(b[j]) {
		j++
	}
	return b[i:j], b[j:]
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseUint is strconv.ParseUint(string(b), 10, 64) without the
// string: decimal digits only, false on anything else or on overflow.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
