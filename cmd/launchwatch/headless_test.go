package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestAScreenWithoutATerminalLeavesNoRecording runs the real binary in a
// session of its own, with no controlling terminal and stdin from
// /dev/null, as cron or a CI job would: a recorded demo or watch exits 1
// saying it needs a terminal, and leaves no recording (neither the one
// named nor one in the state directory) and no replay hint.
func TestAScreenWithoutATerminalLeavesNoRecording(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary")
	}
	bin := buildBinary(t)
	cfg := writeConfig(t, deadURL(t), false)
	tests := []struct {
		name string
		args []string
		file string // the recording named, if any
	}{
		{"the demo recording to a file it names", []string{"demo", "--record", "demo.lwrec.jsonl"}, "demo.lwrec.jsonl"},
		{"the demo recording to the state directory", []string{"demo"}, ""},
		{"a watch recording to a file it names", []string{"watch", "--config", cfg, "--record", "watch.lwrec.jsonl"}, "watch.lwrec.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			cmd := exec.Command(bin, tt.args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal: /dev/tty does not open
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit %v, want 1:\n%s%s", err, out.String(), errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.args[0]+" needs a terminal for its screen") {
				t.Errorf("stderr does not say a terminal is needed:\n%s", errOut.String())
			}
			if strings.Contains(out.String()+errOut.String(), "replay it with") {
				t.Errorf("a replay hint for a recording of nothing:\n%s%s", out.String(), errOut.String())
			}
			if tt.file != "" {
				if _, err := os.Stat(filepath.Join(dir, tt.file)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s is left behind (stat: %v)", tt.file, err)
				}
			}
			var left []string
			_ = filepath.WalkDir(state, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					left = append(left, path)
				}
				return nil
			})
			if len(left) > 0 {
				t.Errorf("files left in the state directory: %v", left)
			}
		})
	}
}

// TestARecordingInAMissingDirectoryIsAnError names a recording in a
// directory that is not there, for every command that records: each
// exits 1 naming the directory, and creates nothing.
func TestARecordingInAMissingDirectoryIsAnError(t *testing.T) {
	cfg := writeConfig(t, deadURL(t), false)
	tests := []struct {
		name string
		args func(path string) []string
		flag string
	}{
		{"record -o", func(p string) []string { return []string{"record", "--config", cfg, "-o", p} }, "-o"},
		{"watch --record", func(p string) []string { return []string{"watch", "--config", cfg, "--record", p} }, "--record"},
		{"demo --record", func(p string) []string { return []string{"demo", "--record", p} }, "--record"},
		{"backfill -o", func(p string) []string { return []string{"backfill", "--config", cfg, "--from", "now-1h", "-o", p} }, "-o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			missing := filepath.Join(t.TempDir(), "no", "such", "dir")
			path := filepath.Join(missing, "launch.lwrec.jsonl")
			_, errOut, code := execute(t, tt.args(path)...)
			want := tt.flag + " " + path + ": directory " + missing + " does not exist"
			if code != 1 || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, stderr %s; want 1 and %q", code, errOut, want)
			}
			if _, err := os.Stat(filepath.Dir(filepath.Dir(missing))); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a directory was created (stat: %v)", err)
			}
		})
	}
	// A file where the directory should be is named too.
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := execute(t, "record", "--config", cfg, "-o", filepath.Join(file, "x.lwrec.jsonl"))
	if code != 1 || !strings.Contains(errOut, file+" is not a directory") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}

func TestWatchJSONWithoutOnceIsRefusedBeforeAnything(t *testing.T) {
	cfg := writeConfig(t, deadURL(t), false)
	_, errOut, code := execute(t, "watch", "--config", cfg, "--json")
	if code != 1 || !strings.Contains(errOut, "--json needs --once") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}
