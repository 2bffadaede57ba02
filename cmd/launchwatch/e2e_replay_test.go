package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/sim"
)

var replayHeaderRE = regexp.MustCompile(`REPLAY (\d+)x (▶|⏸|■ end)`)

// header returns the screen's first line.
func header(screen string) string { return strings.SplitN(screen, "\n", 2)[0] }

// TestRecordThenReplayInARealTerminal records the crash demo, then replays
// the recording in tmux: speed, pause, seeking, the next event, quitting.
func TestRecordThenReplayInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	rec := filepath.Join(t.TempDir(), "crash.lwrec.jsonl")

	// Record: the first launch at 100x from T-2m, about 25 s of wall time,
	// which reaches past the avalanche, the error burst and the link limit.
	s := startTmux(t, 120, 40, bin+" demo --scenario first-launch --speed 100 --start-in 2m --record "+rec)
	s.waitFor("the recording in the header", 30*time.Second, func(sc string) bool { return strings.Contains(header(sc), "REC") })
	s.waitFor("the launch to be well under way", 60*time.Second, func(sc string) bool {
		m := countdownRE.FindString(header(sc))
		return strings.HasPrefix(m, "T+") && m >= "T+20:00"
	})
	s.tmux("send-keys", "-t", s.name, "q")
	if status := s.exitStatus(10 * time.Second); status != "0" {
		t.Fatalf("demo exit status %s", status)
	}
	after := s.capture()
	if !strings.Contains(after, "recorded ") || !strings.Contains(after, rec) {
		t.Errorf("quitting must say where the recording is and what it holds:\n%s", after)
	}
	r, err := recording.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	n := r.Len()
	r.Close()
	if n < 10 {
		t.Fatalf("the recording holds %d snapshots", n)
	}

	// Replay it.
	p := startTmux(t, 120, 40, bin+" replay "+rec)
	screen := p.waitFor("the replay header", 20*time.Second, func(sc string) bool { return replayHeaderRE.MatchString(header(sc)) })
	if strings.Contains(header(screen), "LIVE") {
		t.Errorf("a replay must not say LIVE: %q", header(screen))
	}
	// One key a send: Bubble Tea reads runes typed at once as one key.
	for range 3 {
		p.tmux("send-keys", "-t", p.name, ">")
		time.Sleep(200 * time.Millisecond)
	}
	p.waitFor("the speed to reach 10x", 10*time.Second, func(sc string) bool { return strings.Contains(header(sc), "REPLAY 10x") })
	p.tmux("send-keys", "-t", p.name, "Space")
	p.waitFor("the pause", 10*time.Second, func(sc string) bool { return strings.Contains(header(sc), "⏸") })

	// Go to T+10:00.
	p.tmux("send-keys", "-t", p.name, "g")
	p.waitFor("the go-to prompt", 10*time.Second, func(sc string) bool { return strings.Contains(sc, "go to") })
	p.tmux("send-keys", "-t", p.name, "T+10:00", "Enter")
	p.waitFor("T+10:00", 10*time.Second, func(sc string) bool { return strings.Contains(header(sc), "T+10:00") })
	// Back to the start: the screen is rebuilt to before the launch.
	p.tmux("send-keys", "-t", p.name, "Home")
	start := p.waitFor("the start", 10*time.Second, func(sc string) bool {
		return strings.HasPrefix(countdownRE.FindString(header(sc)), "T-") && strings.Contains(header(sc), "before launch")
	})
	// The first event lies after the start: n goes there.
	from := countdownRE.FindString(header(start))
	p.tmux("send-keys", "-t", p.name, "n")
	moved := p.waitFor("the next event", 20*time.Second, func(sc string) bool {
		c := countdownRE.FindString(header(sc))
		return c != "" && c != from
	})
	t.Logf("the first event: %s", countdownRE.FindString(header(moved)))
	p.tmux("send-keys", "-t", p.name, "q")
	if status := p.exitStatus(10 * time.Second); status != "0" {
		t.Errorf("replay exit status %s", status)
	}

	// Export: a frame a snapshot, with the events the screen showed.
	out, errOut, code := execute(t, "export", rec, "--format", "jsonl")
	if code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	lines, kinds := 0, map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var f struct {
			Events []struct{ Kind string } `json:"events"`
		}
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("export line %d: %v", lines+1, err)
		}
		for _, e := range f.Events {
			kinds[e.Kind] = true
		}
		lines++
	}
	if lines != n {
		t.Errorf("export wrote %d frames for %d snapshots", lines, n)
	}
	for _, want := range []string{"phase", "errors", "page-weight"} {
		if !kinds[want] {
			t.Errorf("the crash's export has no %s event (has %v)", want, kinds)
		}
	}
}

func TestRecordHeadlessStopsCleanlyOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and runs it")
	}
	bin := buildBinary(t)
	_, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Hour, Seed: 1})
	cfg := writeConfig(t, base+"/metrics", true)
	out := filepath.Join(t.TempDir(), "box.lwrec.jsonl")
	cmd := exec.Command(bin, "record", "--config", cfg, "-o", out)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // six polls at 500 ms
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("record exited with %v:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("record did not stop on SIGTERM:\n%s", stderr.String())
	}
	r, err := recording.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.Warnings()) > 0 {
		t.Errorf("a clean stop left a torn recording: %v", r.Warnings())
	}
	summary := regexp.MustCompile(`launchwatch record: ([\d,]+) snapshots in \d+s to `).FindStringSubmatch(stderr.String())
	if summary == nil || strings.ReplaceAll(summary[1], ",", "") != strconv.Itoa(r.Len()) || r.Len() < 3 {
		t.Errorf("summary %q, the file holds %d snapshots:\n%s", summary, r.Len(), stderr.String())
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the recording's mode: %v %v", fi.Mode(), err)
	}
	h := r.Header()
	if h.Origin.Kind != recording.OriginLive || h.Interval != recording.Duration(500*time.Millisecond) || h.Config == "" {
		t.Errorf("header: %+v", h)
	}
}
