package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/recording"
)

// buildBinary builds launchwatch once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "launchwatch")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// tmuxSession is a real terminal running the real binary.
type tmuxSession struct {
	t      *testing.T
	socket string
	name   string
	dir    string // the test's directory: XDG_STATE_HOME, the status files
	exit   string // file the command's exit status is written to
	stty   string // file the terminal's modes after the command are written to
}

func startTmux(t *testing.T, w, h int, command string) *tmuxSession {
	t.Helper()
	testtool.Require(t, "tmux")
	dir := t.TempDir()
	// A socket path in the test's own directory: no two tests share a server.
	s := &tmuxSession{t: t, socket: filepath.Join(dir, "tmux.sock"), name: "lw", dir: dir,
		exit: filepath.Join(dir, "exit"), stty: filepath.Join(dir, "stty")}
	// The pane outlives the command, so the screen after exit can be read.
	// CI is unset for the command: termenv takes any CI variable to mean
	// "not a terminal" and drops colour, and this pane is a user's terminal.
	// Recordings go to the test's own directory, not the user's state directory.
	// After it, the terminal's modes are saved: a program that left it raw
	// leaves -echo and -icanon there.
	script := fmt.Sprintf("env -u CI XDG_STATE_HOME=%s %s; st=$?; stty -a > %s; echo $st > %s; sleep 60", dir, command, s.stty, s.exit)
	s.tmux("new-session", "-d", "-s", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture() string { return s.tmux("capture-pane", "-p", "-t", s.name) }

// waitFor captures the screen until ok accepts it or the deadline passes.
func (s *tmuxSession) waitFor(what string, timeout time.Duration, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.capture()
		if ok(screen) {
			return screen
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.t.Fatalf("waited %s for %s; the screen:\n%s", timeout, what, screen)
	return ""
}

// exitStatus waits for the command to end and returns its status.
func (s *tmuxSession) exitStatus(timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(s.exit); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("the command did not exit within %s; the screen:\n%s", timeout, s.capture())
	return ""
}

var (
	countdownRE = regexp.MustCompile(`T[-+]\d{2}:\d{2}(:\d{2})?`)
	tileValueRE = map[string]*regexp.Regexp{
		"PV/s":        regexp.MustCompile(`^\d[\d,.]*$`),
		"Connections": regexp.MustCompile(`^\d[\d,]*$`),
		"Bandwidth":   regexp.MustCompile(`^\d[\d.]* [kMG]?B/s`),
		"Error rate":  regexp.MustCompile(`^\d[\d.]*%$`),
		"Stock":       regexp.MustCompile(`^\d[\d,]* / 1,000$`),
	}
	tileOrder = []string{"PV/s", "Connections", "Bandwidth", "Error rate", "Stock"}
	// The latency tile stands beside the five once a source answers a
	// latency (the sim preset's histograms); its figure is a time.
	latencyTile    = "Latency p95"
	latencyValueRE = regexp.MustCompile(`^\d[\d.]*(µs|ms|s)$`)
	tileTitleRE    = regexp.MustCompile(`╭─ (.+?) ─`)
)

// tileValues reads the tiles' figures from the line under their titles:
// the five in their order, then the latency tile when it is shown.
func tileValues(screen string) (map[string]string, bool) {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "PV/s") || !strings.Contains(l, "Stock") || i+1 >= len(lines) {
			continue
		}
		var titles []string
		for _, m := range tileTitleRE.FindAllStringSubmatch(l, -1) {
			titles = append(titles, m[1])
		}
		var cells []string
		for _, c := range strings.Split(lines[i+1], "│") {
			if c = strings.TrimSpace(c); c != "" {
				cells = append(cells, c)
			}
		}
		want := append([]string(nil), tileOrder...)
		// A narrow tile cuts its title short: "Latency …".
		if len(titles) == len(tileOrder)+1 && strings.HasPrefix(titles[len(tileOrder)], "Latency") {
			want = append(want, latencyTile)
		}
		if len(cells) != len(want) || len(titles) != len(want) {
			return nil, false
		}
		out := map[string]string{}
		for j, name := range want {
			if name != latencyTile && titles[j] != name {
				return nil, false
			}
			out[name] = cells[j]
		}
		return out, true
	}
	return nil, false
}

func tilesShowNumbers(screen string) bool {
	vals, ok := tileValues(screen)
	if !ok {
		return false
	}
	for name, re := range tileValueRE {
		if !re.MatchString(vals[name]) {
			return false
		}
	}
	if v, ok := vals[latencyTile]; ok && !latencyValueRE.MatchString(v) {
		return false
	}
	return true
}

func TestTheDemoInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	// Every way out restores the terminal and closes the recording whole:
	// the keys, and the signals a terminal, a supervisor or a user's kill
	// send (SIGINT by kill exits like ctrl-c).
	for _, way := range []string{"q", "ctrl-c", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"} {
		t.Run("exit by "+way, func(t *testing.T) {
			s := startTmux(t, 120, 40, bin+" demo --speed 20 --start-in 1m")
			screen := s.waitFor("the five tiles to show numbers", 30*time.Second, tilesShowNumbers)
			vals, _ := tileValues(screen)
			t.Logf("tiles: %v", vals)

			first := countdownRE.FindString(screen)
			if first == "" {
				t.Fatalf("no countdown in the header:\n%s", screen)
			}
			s.waitFor("the countdown to move", 10*time.Second, func(sc string) bool {
				c := countdownRE.FindString(sc)
				return c != "" && c != first
			})

			switch way {
			case "q":
				s.tmux("send-keys", "-t", s.name, "q")
			case "ctrl-c":
				s.tmux("send-keys", "-t", s.name, "C-c")
			default:
				pid := strings.TrimSpace(s.tmux("display-message", "-p", "-t", s.name, "#{pane_pid}"))
				// The pane runs sh, whose child is launchwatch.
				sig := "-" + strings.TrimPrefix(way, "SIG")
				if out, err := exec.Command("pkill", sig, "-P", pid, "-f", "launchwatch").CombinedOutput(); err != nil {
					t.Fatalf("pkill %s: %v %s", sig, err, out)
				}
			}
			if status := s.exitStatus(10 * time.Second); status != "0" {
				t.Errorf("exit status %s, want 0", status)
			}
			s.requireRestored()
			s.requireRecordingWhole()
		})
	}
}

// requireRestored checks the terminal is back as it was: the alternate
// screen left, echo and line editing on.
func (s *tmuxSession) requireRestored() {
	s.t.Helper()
	if after := s.capture(); strings.Contains(after, "Against the plan") {
		s.t.Errorf("the dashboard is still on the screen after exit:\n%s", after)
	}
	if alt := strings.TrimSpace(s.tmux("display-message", "-p", "-t", s.name, "#{alternate_on}")); alt != "0" {
		s.t.Errorf("the alternate screen is still on (alternate_on=%s)", alt)
	}
	modes, err := os.ReadFile(s.stty)
	if err != nil {
		s.t.Fatalf("the terminal's modes after exit: %v", err)
	}
	for _, mode := range strings.Fields(string(modes)) {
		if mode == "-echo" || mode == "-icanon" {
			s.t.Errorf("the terminal is left raw (%s):\n%s", mode, modes)
		}
	}
}

// requireRecordingWhole checks the one recording in the session's state
// directory opens without a torn tail and holds snapshots.
func (s *tmuxSession) requireRecordingWhole() {
	s.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(s.dir, "launchwatch", "*.lwrec.jsonl"))
	if len(paths) != 1 {
		s.t.Fatalf("recordings in the state directory: %v, want one", paths)
	}
	r, err := recording.Open(paths[0])
	if err != nil {
		s.t.Fatalf("the recording after exit: %v", err)
	}
	defer r.Close()
	if r.Len() == 0 || len(r.Warnings()) > 0 {
		s.t.Errorf("the recording holds %d snapshots, warnings %v; want some and none", r.Len(), r.Warnings())
	}
}

// colourSGR matches a foreground colour in any profile: 16 colours
// (ESC[3xm, ESC[9xm), 256 (38;5;n) or true colour (38;2;r;g;b).
var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;5;\d+|38;2;\d+;\d+;\d+)[;m]`)

func TestTheDemoHonoursNoColor(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	for _, tt := range []struct {
		name, env string
		coloured  bool
	}{
		{"in colour by default", "", true},
		{"without colour under NO_COLOR", "NO_COLOR=1 ", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startTmux(t, 120, 40, tt.env+bin+" demo --speed 20")
			s.waitFor("the tiles to show numbers", 30*time.Second, tilesShowNumbers)
			// -e keeps the escape sequences the program wrote.
			screen := s.tmux("capture-pane", "-e", "-p", "-t", s.name)
			if got := colourSGR.MatchString(screen); got != tt.coloured {
				t.Errorf("colour sequences on screen: %v, want %v (first: %q)", got, tt.coloured, colourSGR.FindString(screen))
			}
			s.tmux("send-keys", "-t", s.name, "q")
			if status := s.exitStatus(10 * time.Second); status != "0" {
				t.Errorf("exit status %s", status)
			}
		})
	}
}
