//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLoadRefusesWhatIsNotASmallRegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	// A valid start, then 2 MiB of comment: the size alone refuses it.
	body := "interval: 1s\nsources:\n  host: {}\n" + strings.Repeat("#"+strings.Repeat("x", 1023)+"\n", 2048)
	if err := os.WriteFile(big, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want []string
	}{
		{"a character device such as /dev/zero is refused without reading it", "/dev/zero", []string{"/dev/zero: is a character device, not a regular file"}},
		{"a FIFO is refused without waiting for a writer", fifo, []string{fifo + ": is a named pipe (FIFO), not a regular file"}},
		{"a directory is refused", dir, []string{dir + ": is a directory, not a regular file"}},
		{"a 2 MiB file is refused naming its size", big, []string{big + ": the file is " + itoa(len(body)) + " bytes (2.0 MiB); a config may be at most 1 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.path); err != nil {
				t.Skip(err)
			}
			done := make(chan error, 1)
			go func() { _, err := Load(tt.path); done <- err }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("loaded without error")
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Load blocked")
			}
		})
	}
}

func TestAConfigOfExactlyTheCapLoads(t *testing.T) {
	head := "interval: 1s\nsources:\n  host: {}\n#"
	body := head + strings.Repeat("x", MaxFileBytes-len(head))
	path := filepath.Join(t.TempDir(), "full.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("a file of exactly %d bytes: %v", MaxFileBytes, err)
	}
}
