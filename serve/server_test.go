package serve

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// still is a producer whose every snapshot is empty, on the wall clock.
type still struct{}

func (still) Poll(context.Context) snapshot.Snapshot { return snapshot.Snapshot{Time: time.Now()} }
func (still) Now() time.Time                         { return time.Now() }

// signer makes a throwaway Ed25519 key.
func signer(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testServer is a Server on loopback over a still pipeline.
type testServer struct {
	addr string
	keys string // its authorized_keys file
	// stop cancels Serve's context with cause; the test's end does it
	// with none, and Serve must return nil either way.
	stop func(cause error)
	done chan error
}

// startServer serves a still pipeline on loopback to the keys allowed in
// (opts.Keys is made from them), with opts otherwise, and returns it; the
// server stops with the test at the latest.
func startServer(t *testing.T, opts Options, allowed ...gossh.PublicKey) *testServer {
	t.Helper()
	ts := &testServer{keys: filepath.Join(t.TempDir(), "authorized_keys"), done: make(chan error, 1)}
	var lines []byte
	for _, k := range allowed {
		lines = append(lines, gossh.MarshalAuthorizedKey(k)...)
	}
	if err := os.WriteFile(ts.keys, lines, 0o600); err != nil {
		t.Fatal(err)
	}
	ring, err := LoadKeyring(ts.keys)
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(pipeline.Options{Producer: still{}, Interval: time.Second, Thresholds: capacity.DefaultThresholds()})
	opts.HostKey, opts.Keys = signer(t), ring
	srv, err := New(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	ctx, cancel := context.WithCancelCause(context.Background())
	ts.stop = cancel
	go func() { ts.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel(nil)
		select {
		case err := <-ts.done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
	})
	return ts
}

// dial connects to addr with key.
func dial(t *testing.T, addr string, key gossh.Signer) (*gossh.Client, error) {
	t.Helper()
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "wall", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// screenSession opens a session with a terminal and a shell, as ssh does,
// and returns what it writes.
func screenSession(t *testing.T, c *gossh.Client) (*gossh.Session, *syncBuffer) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	out := &syncBuffer{}
	s.Stdout, s.Stderr = out, out
	if err := s.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	return s, out
}

// waitForScreen waits for a session's screen to be up: switched to the
// alternate screen.
func waitForScreen(t *testing.T, out *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), altScreenOn) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), altScreenOn) {
		t.Fatalf("the session got no screen: %q", out.String())
	}
}

// The terminal modes a screen sets and must unset (xterm's private modes).
const (
	altScreenOn  = "\x1b[?1049h"
	altScreenOff = "\x1b[?1049l"
	cursorShown  = "\x1b[?25h"
)

// syncBuffer is a buffer written by a session's goroutines and read by
// the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestTheServerLetsInItsKeysOneScreenEachAndNoCommands(t *testing.T) {
	alice, mallory := signer(t), signer(t)
	addr := startServer(t, Options{MaxSessions: 1}, alice.PublicKey()).addr

	if _, err := dial(t, addr, mallory); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("a key not in authorized_keys: %v, want refused", err)
	}

	c, err := dial(t, addr, alice)
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput("cat /etc/passwd")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || !strings.Contains(string(out), "shows the dashboard only") {
		t.Errorf("a command: %v %q, want refused", err, out)
	}

	_, first := screenSession(t, c)
	waitForScreen(t, first)
	second, out2 := screenSession(t, c)
	_ = second.Wait()
	if !strings.Contains(out2.String(), "all 1 screens are taken") {
		t.Errorf("a session past the cap: %q, want told the screens are taken", out2.String())
	}
}
