//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestConfigCheckRefusesDevicesFIFOsAndHugeFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "launchwatch.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"/dev/zero is refused at once", "/dev/zero", "/dev/zero: is a character device, not a regular file"},
		{"a FIFO is refused without waiting for a writer", fifo, "is a named pipe (FIFO), not a regular file"},
		{"a 2 MiB file is refused naming its size", big, "the file is 2097152 bytes (2.0 MiB); a config may be at most 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				errOut string
				code   int
			}
			done := make(chan result, 1)
			go func() {
				_, errOut, code := execute(t, "config", "check", tt.path)
				done <- result{errOut, code}
			}()
			select {
			case r := <-done:
				if r.code != 1 || !strings.Contains(r.errOut, tt.want) {
					t.Errorf("exit %d, stderr %q; want %q", r.code, r.errOut, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("config check blocked")
			}
		})
	}
}
