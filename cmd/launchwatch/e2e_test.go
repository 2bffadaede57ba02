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
	exit   string // file the command's exit status is written to
}

func startTmux(t *testing.T, w, h int, command string) *tmuxSession {
	t.Helper()
	testtool.Require(t, "tmux")
	dir := t.TempDir()
	// A socket path in the test's own directory: no two tests share a server.
	s := &tmuxSession{t: t, socket: filepath.Join(dir, "tmux.sock"), name: "lw", exit: filepath.Join(dir, "exit")}
	// The pane outlives the command, so the screen after exit can be read.
	// CI is unset for the command: termenv takes any CI variable to mean
	// "not a terminal" and drops colour, and this pane is a user's terminal.
	// Recordings go to the test's own directory, not the user's state directory.
	script := fmt.Sprintf("env -u CI XDG_STATE_HOME=%s %s; echo $? > %s; sleep 60", dir, command, s.exit)
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
)

// tileValues reads the five tiles' figures from the line under their titles.
func tileValues(screen string) (map[string]string, bool) {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "PV/s") || !strings.Contains(l, "Stock") || i+1 >= len(lines) {
			continue
		}
		var cells []string
		for _, c := range strings.Split(lines[i+1], "│") {
			if c = strings.TrimSpace(c); c != "" {
				cells = append(cells, c)
			}
		}
		if len(cells) != len(tileOrder) {
			return nil, false
		}
		out := map[string]string{}
		for j, name := range tileOrder {
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
	return true
}

func TestTheDemoInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	for _, way := range []string{"q", "ctrl-c", "SIGTERM"} {
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
			case "SIGTERM":
				pid := strings.TrimSpace(s.tmux("display-message", "-p", "-t", s.name, "#{pane_pid}"))
				// The pane runs sh, whose child is launchwatch.
				if out, err := exec.Command("pkill", "-TERM", "-P", pid, "-f", "launchwatch").CombinedOutput(); err != nil {
					t.Fatalf("pkill: %v %s", err, out)
				}
			}
			if status := s.exitStatus(10 * time.Second); status != "0" {
				t.Errorf("exit status %s, want 0", status)
			}
			// The alternate screen is gone: the terminal is back as it was.
			if after := s.capture(); strings.Contains(after, "Against the plan") {
				t.Errorf("the dashboard is still on the screen after exit:\n%s", after)
			}
		})
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
