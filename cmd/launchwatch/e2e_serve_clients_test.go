package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/sim"
)

// serveProc is a launchwatch serve running as its own process.
type serveProc struct {
	t       *testing.T
	cmd     *exec.Cmd
	port    string
	outPath string
	exited  chan error
	ended   bool
}

// startServe runs bin serve with args on a free loopback port, its state
// (the host key) in dir, and waits for it to say where it listens; it is
// killed at the test's end unless stopped before.
func startServe(t *testing.T, bin, dir string, args ...string) *serveProc {
	t.Helper()
	s := &serveProc{t: t, outPath: filepath.Join(dir, "serve.out"), exited: make(chan error, 1)}
	out, err := os.Create(s.outPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	s.cmd = exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--log-file", filepath.Join(dir, "serve.log")}, args...)...)
	s.cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+dir)
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if !s.ended {
			_ = s.cmd.Process.Kill()
			t.Logf("serve killed: %v", <-s.exited)
		}
	})
	for deadline := time.Now().Add(20 * time.Second); s.port == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := servingOn.FindStringSubmatch(s.output()); m != nil {
			s.port = m[1]
		}
	}
	if s.port == "" {
		t.Fatalf("serve did not say where it listens:\n%s", s.output())
	}
	return s
}

func (s *serveProc) output() string { b, _ := os.ReadFile(s.outPath); return string(b) }

// stop sends sig and waits for serve to exit; it must exit 0.
func (s *serveProc) stop(sig syscall.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		s.ended = true
		if err != nil {
			s.t.Errorf("serve exited with %v after %s:\n%s", err, sig, s.output())
		}
	case <-time.After(15 * time.Second):
		s.t.Fatalf("serve did not stop on %s:\n%s", sig, s.output())
	}
}

// ssh is the command line of an OpenSSH client of serve on port, as user
// with key.
func (s *serveProc) ssh(key, user string) string {
	return "ssh -l " + user + " " + strings.Join(sshArgs(key, s.port), " ")
}

// writeAuthorizedKeys writes an authorized_keys file holding the public
// keys of the private keys given.
func writeAuthorizedKeys(t *testing.T, path string, keys ...string) {
	t.Helper()
	var lines []byte
	for _, k := range keys {
		pub, err := os.ReadFile(k + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, pub...)
	}
	if err := os.WriteFile(path, lines, 0o600); err != nil {
		t.Fatal(err)
	}
}

// crashConfig watches the crash scenario's shop an hour before its sale,
// scraped and probed: its page has no buy button, and nothing sells, so
// two critical problems stand from the first polls and stay.
func crashConfig(t *testing.T, shop string) string {
	t.Helper()
	return serveConfig(t, "serve clients e2e", fmt.Sprintf(`  scrape:
    targets: [%[1]s/metrics]
  probe:
    url: %[1]s/
    selector: "#buy"
    cdn_hosts: [%[2]s/cdn/]
`, shop, strings.TrimPrefix(shop, "http://")))
}

// requireServeTests skips without the programs the SSH end-to-end tests
// drive.
func requireServeTests(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives OpenSSH in tmux")
	}
	testtool.Require(t, "ssh")
	testtool.Require(t, "ssh-keygen")
	testtool.Require(t, "tmux")
}

// stopLine is what serve tells each client when a signal stops it.
func stopLine(sig string) string {
	return "launchwatch serve stopped (" + sig + "): the dashboard is gone; reconnect when it is back"
}

// requireToldAndGivenBack checks that a client's ssh ended with status 1,
// its terminal given back (out of the alternate screen, the cursor on,
// not raw) and the line on it.
func (s *tmuxSession) requireToldAndGivenBack(line string) {
	s.t.Helper()
	if status := s.exitStatus(15 * time.Second); status != "1" {
		s.t.Errorf("ssh exited %s, want 1 (the session's exit status)", status)
	}
	s.requireRestored()
	if cursor := strings.TrimSpace(s.tmux("display-message", "-p", "-t", s.name, "#{cursor_flag}")); cursor != "1" {
		s.t.Errorf("the cursor is left hidden (cursor_flag=%s)", cursor)
	}
	// -J joins the lines the terminal wrapped.
	if sc := s.tmux("capture-pane", "-p", "-J", "-t", s.name); !strings.Contains(sc, line) {
		s.t.Errorf("the client is not told %q:\n%s", line, sc)
	}
}

// criticalRow matches a critical problem's row on the problems panel: the
// crash config's screens are up and judging.
var criticalRow = regexp.MustCompile(`│\s+✕\s+\d+[smh]`)

// ackedBy matches a problem's acknowledgement on the problems panel and
// on the wall.
func ackedBy(who string) *regexp.Regexp {
	return regexp.MustCompile(`(✕|▲).* ack ` + regexp.QuoteMeta(who))
}

func TestAnAcknowledgementOnOneSSHScreenIsOnEveryScreenAndTheWall(t *testing.T) {
	requireServeTests(t)
	bin := buildBinary(t)
	_, shop := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 1, StartIn: time.Hour, Seed: 1})
	dir := t.TempDir()
	key := sshKey(t, dir, "war-room")
	authorized := filepath.Join(dir, "authorized_keys")
	writeAuthorizedKeys(t, authorized, key)
	srv := startServe(t, bin, dir, "--config", crashConfig(t, shop), "--authorized-keys", authorized)

	lead := startTmux(t, 120, 40, srv.ssh(key, "lead"))
	desk := startTmux(t, 120, 40, srv.ssh(key, "desk"))
	wall := startTmux(t, 120, 40, srv.ssh(key, "wall"))
	for _, s := range []*tmuxSession{lead, desk, wall} {
		s.waitFor("a critical problem on the problems panel", 60*time.Second, criticalRow.MatchString)
	}
	wall.tmux("send-keys", "-t", wall.name, "w")
	wall.waitFor("the wall with its worst problem", 15*time.Second, func(sc string) bool {
		return blockRun(sc) >= 5 && strings.Contains(sc, "✕ CRIT  ")
	})
	for _, s := range []*tmuxSession{lead, desk, wall} {
		if sc := s.capture(); ackedBy("").MatchString(sc) {
			t.Fatalf("a problem is acknowledged before anyone did:\n%s", sc)
		}
	}

	// The lead acknowledges the worst problem on their screen: every
	// screen, the wall too, shows who took it.
	lead.tmux("send-keys", "-t", lead.name, "a")
	acked := ackedBy("lead@127.0.0.1")
	lead.waitFor("the acknowledgement on the screen that gave it", 15*time.Second, acked.MatchString)
	desk.waitFor("the acknowledgement on the other screen", 15*time.Second, acked.MatchString)
	onWall := wall.waitFor("the acknowledgement on the wall", 15*time.Second, func(sc string) bool {
		return acked.MatchString(sc) && blockRun(sc) >= 5
	})
	t.Logf("the wall after the acknowledgement:\n%s", onWall)

	// A hang-up stops serve: every client gets its terminal back and is
	// told why.
	srv.stop(syscall.SIGHUP)
	for _, s := range []*tmuxSession{lead, desk, wall} {
		s.requireToldAndGivenBack(stopLine("SIGHUP"))
	}
}

func TestServeStoppedByASignalGivesEveryClientItsTerminalBack(t *testing.T) {
	requireServeTests(t)
	bin := buildBinary(t)
	_, shop := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 1, StartIn: time.Hour, Seed: 1})
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT} {
		name := map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT"}[sig]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			key := sshKey(t, dir, "war-room")
			authorized := filepath.Join(dir, "authorized_keys")
			writeAuthorizedKeys(t, authorized, key)
			srv := startServe(t, bin, dir, "--config", crashConfig(t, shop), "--authorized-keys", authorized)
			desk := startTmux(t, 100, 30, srv.ssh(key, "desk"))
			wall := startTmux(t, 80, 24, srv.ssh(key, "wall"))
			desk.waitFor("a critical problem", 60*time.Second, criticalRow.MatchString)
			wall.waitFor("a critical problem", 60*time.Second, criticalRow.MatchString)
			wall.tmux("send-keys", "-t", wall.name, "w")
			wall.waitFor("the wall", 15*time.Second, func(sc string) bool { return blockRun(sc) >= 5 })
			for _, s := range []*tmuxSession{desk, wall} {
				if alt := strings.TrimSpace(s.tmux("display-message", "-p", "-t", s.name, "#{alternate_on}")); alt != "1" {
					t.Fatalf("the screen is not on the alternate screen before the stop (alternate_on=%s)", alt)
				}
			}

			srv.stop(sig)
			for _, s := range []*tmuxSession{desk, wall} {
				s.requireToldAndGivenBack(stopLine(name))
			}
			if log, _ := os.ReadFile(filepath.Join(dir, "serve.log")); !strings.Contains(string(log), "session ended by the server") {
				t.Errorf("the log does not say the server ended the sessions:\n%s", log)
			}
		})
	}
}

func TestAKeyTakenOutOfAuthorizedKeysEndsItsSSHSession(t *testing.T) {
	requireServeTests(t)
	bin := buildBinary(t)
	_, shop := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 1, StartIn: time.Hour, Seed: 1})
	dir := t.TempDir()
	engineer, contractor := sshKey(t, dir, "engineer"), sshKey(t, dir, "contractor")
	authorized := filepath.Join(dir, "authorized_keys")
	writeAuthorizedKeys(t, authorized, engineer, contractor)
	// The file is looked at every 200 ms here, not every 15 s.
	srv := startServe(t, bin, dir, "--config", crashConfig(t, shop), "--authorized-keys", authorized,
		"--authorized-keys-recheck", "200ms")
	stays := startTmux(t, 100, 30, srv.ssh(engineer, "engineer"))
	leaves := startTmux(t, 100, 30, srv.ssh(contractor, "contractor"))
	stays.waitFor("the engineer's screen", 60*time.Second, criticalRow.MatchString)
	leaves.waitFor("the contractor's screen", 60*time.Second, criticalRow.MatchString)

	writeAuthorizedKeys(t, authorized, engineer)
	fingerprint, err := exec.Command("ssh-keygen", "-l", "-E", "sha256", "-f", contractor+".pub").Output()
	if err != nil {
		t.Fatal(err)
	}
	fp := strings.Fields(string(fingerprint))[1] // "256 SHA256:… comment (ED25519)"
	leaves.requireToldAndGivenBack("launchwatch serve: your key " + fp + " is no longer in the server's authorized_keys; this session ends")

	// The engineer still watches, and the contractor's key no longer gets in.
	clock := regexp.MustCompile(`\d{2}:\d{2}:\d{2}`)
	first := clock.FindString(header(stays.capture()))
	stays.waitFor("the engineer's clock to move", 10*time.Second, func(sc string) bool {
		c := clock.FindString(header(sc))
		return c != "" && c != first && criticalRow.MatchString(sc)
	})
	out, err := exec.Command("ssh", sshArgs(contractor, srv.port)...).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 255 || !strings.Contains(string(out), "Permission denied (publickey)") {
		t.Errorf("the removed key: err %v, output %q; want ssh's refusal (exit 255)", err, out)
	}
	srv.stop(syscall.SIGTERM)
	stays.requireToldAndGivenBack(stopLine("SIGTERM"))
}
