package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// newKernel returns the reader of the kernel's TCP counters under
// procRoot. Each read costs tens of microseconds whatever the socket count.
func newKernel(procRoot string) (func(context.Context) (kernelCounters, error), error) {
	if fi, err := os.Stat(procRoot); err != nil {
		return nil, fmt.Errorf("proc root: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("proc root %s is not a directory", procRoot)
	}
	snmp := newProcFile(filepath.Join(procRoot, "net", "snmp"))
	sockstat := newProcFile(filepath.Join(procRoot, "net", "sockstat"))
	page := float64(os.Getpagesize())
	return func(ctx context.Context) (kernelCounters, error) {
		var kc kernelCounters
		if err := ctx.Err(); err != nil {
			return kc, fmt.Errorf("read %s: %w", snmp.path, err)
		}
		kc.SnmpErr = snmp.read(func(b []byte) error {
			var err error
			if kc.CurrEstab, err = parseCurrEstab(b); err != nil {
				return fmt.Errorf("read %s: %w", snmp.path, err)
			}
			return nil
		})
		if err := ctx.Err(); err != nil {
			kc.SockstatErr = fmt.Errorf("read %s: %w", sockstat.path, err)
			return kc, nil
		}
		// sockstat6 is not read: its TCP6 line has no mem field, and the
		// TCP mem figure here is the protocol-wide tcp_memory_allocated,
		// which covers IPv6 sockets as well.
		kc.SockstatErr = sockstat.read(func(b []byte) error {
			pages, err := parseSockstatMem(b)
			if err != nil {
				return fmt.Errorf("read %s: %w", sockstat.path, err)
			}
			kc.MemBytes = float64(pages) * page
			return nil
		})
		return kc, nil
	}, nil
}

// parseSockstatMem returns the "TCP: inuse N … mem N" figure, in pages.
// procfs has NetSockstat, but its errors repeat the path and their own
// prefixes past one terminal line, and it builds a map per line; this
// reads the one field we need.
func parseSockstatMem(b []byte) (uint64, error) {
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte("TCP:"))
		if !ok {
			continue
		}
		kv := bytes.Fields(rest)
		if len(kv)%2 != 0 {
			return 0, fmt.Errorf("the TCP line has a key without a value: %q", bytes.TrimSpace(line))
		}
		for i := 0; i < len(kv); i += 2 {
			if string(kv[i]) != "mem" {
				continue
			}
			n, err := strconv.ParseUint(string(kv[i+1]), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("TCP mem %q is not a page count", kv[i+1])
			}
			return n, nil
		}
		return 0, errors.New(`the "TCP:" line has no mem field`)
	}
	return 0, errors.New(`no "TCP:" line`)
}

// parseCurrEstab finds Tcp CurrEstab in /proc/net/snmp: a "Tcp:" line of
// names followed by a "Tcp:" line of values. procfs parses this file only
// per process, into every field.
func parseCurrEstab(b []byte) (float64, error) {
	var names []byte
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte("Tcp:"))
		if !ok {
			continue
		}
		if names == nil {
			names = rest
			continue
		}
		keys, vals := bytes.Fields(names), bytes.Fields(rest)
		if len(keys) != len(vals) {
			return 0, fmt.Errorf("the Tcp lines have %d names but %d values", len(keys), len(vals))
		}
		for i, k := range keys {
			if string(k) != "CurrEstab" {
				continue
			}
			n, err := strconv.ParseUint(string(vals[i]), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("CurrEstab %q on the Tcp line is not a count", vals[i])
			}
			return float64(n), nil
		}
		return 0, errors.New("the Tcp lines have no CurrEstab")
	}
	if names != nil {
		return 0, errors.New("the Tcp names line has no values line")
	}
	return 0, errors.New(`no "Tcp:" lines`)
}
