package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// smallRecording writes a recording of n snapshots, one a second from
// T-10s, held against plan (raw JSON as a header carries it), and returns
// its path.
func smallRecording(t *testing.T, n int, plan, thresholds string) string {
	t.Helper()
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "launch.lwrec.jsonl")
	h := recording.Header{
		Launch:   recording.Launch{Name: "flash sale", StartsAt: t0},
		Interval: recording.Duration(time.Second),
		Started:  t0.Add(-time.Minute),
		Origin:   recording.Origin{Kind: recording.OriginLive},
	}
	if plan != "" {
		h.Plan = json.RawMessage(plan)
	}
	if thresholds != "" {
		h.Thresholds = json.RawMessage(thresholds)
	}
	w, err := recording.Create(path, h, recording.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		s := snapshot.Snapshot{Time: t0.Add(time.Duration(i-10) * time.Second), PV: snapshot.Some(float64(10 * i)),
			Requests: snapshot.Some(float64(30 * i)), Connections: snapshot.Some(float64(i)), ErrorRate: snapshot.Some(0)}
		if err := w.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

const goodPlan = `{"peak_pv":200,"resources_per_page":30,"resource_size":100000,"download_speed":100000,"conn_memory":10000}`

// tear cuts the given lines (1-based; the header is line 1) in half.
func tear(t *testing.T, path string, lines ...int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.SplitAfter(string(b), "\n")
	for _, n := range lines {
		ls[n-1] = ls[n-1][:len(ls[n-1])/2] + "\n"
	}
	if err := os.WriteFile(path, []byte(strings.Join(ls, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTornLinesAreReadPastWithOneWarningAndRefusedWithStrict(t *testing.T) {
	path := smallRecording(t, 30, goodPlan, "")
	tear(t, path, 5, 17)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"export csv", []string{"export", path, "--format", "csv"}},
		{"export openmetrics", []string{"export", path, "--format", "openmetrics"}},
		{"export jsonl", []string{"export", path, "--format", "jsonl"}},
		{"report", []string{"report", path}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := execute(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if n := strings.Count(errOut, "warning:"); n != 1 {
				t.Errorf("%d warnings on stderr, want one:\n%s", n, errOut)
			}
			mustHave(t, errOut, path+": 2 lines hold no record", "line 5 (not a JSON record", "line 17 (", "--strict")
			if out == "" {
				t.Error("nothing written")
			}
			if tc.args[0] == "export" && tc.args[3] == "csv" {
				rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				if err != nil || len(rows) != 1+28 {
					t.Errorf("%d rows (%v), want a header and the 28 records left", len(rows), err)
				}
			}

			_, errOut, code = execute(t, append(tc.args, "--strict")...)
			if code != 1 {
				t.Errorf("--strict: exit %d, want 1", code)
			}
			mustHave(t, errOut, path+":5: not a JSON record")
		})
	}
	// replay --strict refuses before the screen starts.
	_, errOut, code := execute(t, "replay", path, "--strict")
	if code != 1 {
		t.Errorf("replay --strict: exit %d, want 1", code)
	}
	mustHave(t, errOut, path+":5: not a JSON record")
}

func TestAHeaderWithABadPlanIsRefusedWithPlacedMessages(t *testing.T) {
	path := smallRecording(t, 5,
		`{"peak_pv":200,"resources_per_page":30,"resource_size":100000,"download_speed":0,"cdn_share":1.5,"endpoints":[{"name":"buy","max_qps":0}]}`,
		`{"warn":0.9,"crit":0.8}`)
	for _, args := range [][]string{
		{"report", path},
		{"export", path, "--format", "jsonl"},
		{"replay", path},
	} {
		t.Run(args[0], func(t *testing.T) {
			_, errOut, code := execute(t, args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1: %s", code, errOut)
			}
			mustHave(t, errOut,
				path+":1: header field plan.download_speed: must be > 0 (the connections formula divides by it), got 0",
				path+":1: header field plan.cdn_share: must be within 0..1, got 1.5",
				path+":1: header field plan.endpoints[0].max_qps: must be > 0",
				path+":1: header field thresholds.warn: 0.9 must be below crit (0.8)")
		})
	}
}

func mustHave(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%q does not contain %q", got, w)
		}
	}
}

// TestAReplayReadPastTornLinesSaysSoOnScreenAndInTheLog replays a
// recording with two torn lines in a real terminal.
func TestAReplayReadPastTornLinesSaysSoOnScreenAndInTheLog(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	path := smallRecording(t, 30, goodPlan, "")
	tear(t, path, 5, 17)
	logFile := filepath.Join(t.TempDir(), "replay.log")
	s := startTmux(t, 160, 40, bin+" replay --log-file "+logFile+" "+path)
	s.waitFor("the footer's notice", 20*time.Second, func(sc string) bool {
		return strings.Contains(sc, "read past 2 lines that hold no record, the first line 5 of launch.lwrec.jsonl")
	})
	s.tmux("send-keys", "-t", s.name, "q")
	if status := s.exitStatus(10 * time.Second); status != "0" {
		t.Errorf("replay exit status %s", status)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	mustHave(t, string(b), "recording line read past", "line=5", "line=17")
}
