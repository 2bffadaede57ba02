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

// startServer serves a still pipeline on loopback to the one key allowed
// in, with at most one session, and returns its address; the server stops
// with the test and must return nil.
func startServer(t *testing.T, allowed gossh.PublicKey) string {
	t.Helper()
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(allowed), 0o600); err != nil {
		t.Fatal(err)
	}
	ring, err := LoadKeyring(keys)
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(pipeline.Options{Producer: still{}, Interval: time.Second, Thresholds: capacity.DefaultThresholds()})
	srv, err := New(p, Options{HostKey: signer(t), Keys: ring, MaxSessions: 1})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
	})
	return ln.Addr().String()
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
	addr := startServer(t, alice.PublicKey())

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
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(first.String(), "\x1b[?1049h") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // the screen switches to the alternate screen
	}
	if !strings.Contains(first.String(), "\x1b[?1049h") {
		t.Fatalf("the first session got no screen: %q", first.String())
	}
	second, out2 := screenSession(t, c)
	_ = second.Wait()
	if !strings.Contains(out2.String(), "all 1 screens are taken") {
		t.Errorf("a session past the cap: %q, want told the screens are taken", out2.String())
	}
}
