//go:build linux

package host

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"
	psnet "github.com/shirou/gopsutil/v4/net"
)

// systemNICs collects what nics visits, by name.
func systemNICs(t *testing.T, s system) map[string][2]uint64 {
	t.Helper()
	got := map[string][2]uint64{}
	if err := s.nics(context.Background(), func(name []byte, recv, sent uint64) {
		got[string(name)] = [2]uint64{recv, sent}
	}); err != nil {
		t.Fatalf("nics: %v", err)
	}
	return got
}

func TestHostSystemGivesGopsutilsFiguresFromTheSameFiles(t *testing.T) {
	tests := []struct {
		name string
		dir  string
	}{
		{"a current kernel's files", "system"},
		{"an old kernel's files (no steal, no MemAvailable) and odd net/dev lines", "system-old-kernel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join("testdata", tt.dir)
			ctx := context.WithValue(context.Background(), common.EnvKey, common.EnvMap{common.HostProcEnvKey: root})
			s := newSystem(root)
			for round := range 2 { // the second read reuses the open files and buffers
				gotCPU, err := s.cpuTimes(context.Background())
				if err != nil {
					t.Fatalf("round %d: cpuTimes: %v", round, err)
				}
				wantCPU, err := cpu.TimesWithContext(ctx, false)
				if err != nil || len(wantCPU) != 1 {
					t.Fatalf("gopsutil cpu.Times: %v, %v", wantCPU, err)
				}
				if gotCPU != wantCPU[0] {
					t.Errorf("round %d: cpu times %+v; gopsutil says %+v", round, gotCPU, wantCPU[0])
				}

				total, avail, err := s.memory(context.Background())
				if err != nil {
					t.Fatalf("round %d: memory: %v", round, err)
				}
				vm, err := mem.VirtualMemoryWithContext(ctx)
				if err != nil {
					t.Fatalf("gopsutil mem: %v", err)
				}
				if total != vm.Total || avail != vm.Available {
					t.Errorf("round %d: memory total %d, available %d; gopsutil says %d, %d", round, total, avail, vm.Total, vm.Available)
				}

				l1, err := s.load1(context.Background())
				if err != nil {
					t.Fatalf("round %d: load1: %v", round, err)
				}
				avg, err := load.AvgWithContext(ctx)
				if err != nil {
					t.Fatalf("gopsutil load: %v", err)
				}
				if l1 != avg.Load1 {
					t.Errorf("round %d: load1 %v; gopsutil says %v", round, l1, avg.Load1)
				}

				got := systemNICs(t, s)
				nics, err := psnet.IOCountersWithContext(ctx, true)
				if err != nil {
					t.Fatalf("gopsutil net: %v", err)
				}
				want := map[string][2]uint64{}
				for _, n := range nics {
					want[n.Name] = [2]uint64{n.BytesRecv, n.BytesSent}
				}
				if len(got) != len(want) {
					t.Errorf("round %d: interfaces %v; gopsutil says %v", round, got, want)
				}
				for name, w := range want {
					if got[name] != w {
						t.Errorf("round %d: interface %q: received, sent %v; gopsutil says %v", round, name, got[name], w)
					}
				}
			}
		})
	}
}

func TestHostSystemNamesTheFileAndFieldOfABadFigure(t *testing.T) {
	tests := []struct {
		name, file, content string
		read                func(system) error
		want                string
	}{
		{
			name: "a cpu line with too few counters", file: "stat", content: "cpu 1 2 3\n",
			read: func(s system) error { _, err := s.cpuTimes(context.Background()); return err },
			want: "the cpu line has 3 counters, not at least 7",
		},
		{
			name: "a cpu counter that is not a number", file: "stat", content: "cpu 1 2 3 x4 5 6 7\n",
			read: func(s system) error { _, err := s.cpuTimes(context.Background()); return err },
			want: `cpu field 4 "x4" is not a tick count`,
		},
		{
			name: "a first line that is not the cpu total", file: "stat", content: "intr 1 2 3\n",
			read: func(s system) error { _, err := s.cpuTimes(context.Background()); return err },
			want: "the first line is not the cpu total",
		},
		{
			name: "a MemTotal that is not a size", file: "meminfo", content: "MemTotal: lots kB\nMemAvailable: 1 kB\n",
			read: func(s system) error { _, _, err := s.memory(context.Background()); return err },
			want: `MemTotal "lots kB" is not a size in kB`,
		},
		{
			name: "meminfo without MemTotal", file: "meminfo", content: "MemAvailable: 1 kB\n",
			read: func(s system) error { _, _, err := s.memory(context.Background()); return err },
			want: "no MemTotal",
		},
		{
			name: "a byte counter that is not a number", file: "net/dev",
			content: "h1\nh2\n eth0: 1 2 3 4 5 6 7 8 -9 10 11 12 13 14 15 16\n",
			read:    func(s system) error { return s.nics(context.Background(), func([]byte, uint64, uint64) {}) },
			want:    `interface eth0: counter 9 "-9" is not a number`,
		},
		{
			name: "a load average line that stops short", file: "loadavg", content: "0.5 0.4\n",
			read: func(s system) error { _, err := s.load1(context.Background()); return err },
			want: "no 15-minute load average",
		},
		{
			name: "an empty load average file", file: "loadavg", content: "\n",
			read: func(s system) error { _, err := s.load1(context.Background()); return err },
			want: "no 1-minute load average",
		},
		{
			name: "a load average that is not a number", file: "loadavg", content: "0.5 x 0.3 1/100 42\n",
			read: func(s system) error { _, err := s.load1(context.Background()); return err },
			want: `the 5-minute load average "x" is not a number`,
		},
		{
			name: "a missing file", file: "meminfo",
			read: func(s system) error { _, _, err := s.memory(context.Background()); return err },
			want: "no such file or directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, tt.file)
			if tt.content != "" {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.read(newSystem(root))
			if err == nil || !strings.HasPrefix(err.Error(), "read "+path+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want it to start with %q and contain %q", err, "read "+path+": ", tt.want)
			}
		})
	}
}

func TestHostProcFileReadsAFileThatGrowsIsReplacedAndComesBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counters")
	big := strings.Repeat("0123456789abcdef", procInitialBuf/16*3) // three buffers' worth
	f := newProcFile(path)
	read := func() (string, error) {
		var got string
		err := f.read(func(b []byte) error { got = string(b); return nil })
		return got, err
	}
	for i, content := range []string{"small\n", big, "small again\n"} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := read(); err != nil || got != content {
			t.Fatalf("read %d: %d bytes, %v; want the file's %d bytes", i, len(got), err, len(content))
		}
	}
	// A file replaced by another (written aside, renamed over it) is read
	// at the next poll, not the one read before.
	aside := path + ".new"
	if err := os.WriteFile(aside, []byte("replaced\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(aside, path); err != nil {
		t.Fatal(err)
	}
	if got, err := read(); err != nil || got != "replaced\n" {
		t.Fatalf("read of the file replaced: %q, %v", got, err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := read(); err == nil || !strings.HasPrefix(err.Error(), "read "+path+": ") || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("read of a removed file: err = %v; want one naming %s, no such file", err, path)
	}
	if err := os.WriteFile(path, []byte("back\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := read(); err != nil || got != "back\n" {
		t.Fatalf("read of the file back: %q, %v", got, err)
	}
}

func BenchmarkHostSystem(b *testing.B) {
	s := newSystem("/proc")
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.cpuTimes(ctx); err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.memory(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := s.load1(ctx); err != nil {
			b.Fatal(err)
		}
		if err := s.nics(ctx, func([]byte, uint64, uint64) {}); err != nil {
			b.Fatal(err)
		}
	}
}
