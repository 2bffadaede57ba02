package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// --cpuprofile and --memprofile write gzipped pprof profiles when the
// command ends, whether it succeeded or failed.
func TestProfilesAreWrittenHoweverTheCommandEnds(t *testing.T) {
	for _, tt := range []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"a command that succeeds", []string{"version"}, 0},
		{"a command that fails", []string{"plan", "--pv", "100"}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
			var out, errb bytes.Buffer
			args := append(tt.args, "--cpuprofile", cpu, "--memprofile", mem)
			if code := run(context.Background(), args, &out, &errb); code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", code, tt.wantCode, errb.String())
			}
			for _, p := range []string{cpu, mem} {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
					t.Errorf("%s is not a gzipped profile (%d bytes)", filepath.Base(p), len(b))
				}
			}
		})
	}
}

func TestAProfileThatCannotBeWrittenIsAnError(t *testing.T) {
	var out, errb bytes.Buffer
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "cpu.pprof")
	if code := run(context.Background(), []string{"version", "--cpuprofile", missing}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !bytes.Contains(errb.Bytes(), []byte("--cpuprofile")) {
		t.Errorf("the error does not name the flag: %s", errb.String())
	}
}
