package serve

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// exitStatus waits for a session to end and returns its exit status, or
// fails the test when it ends without one.
func exitStatus(t *testing.T, s *gossh.Session) int {
	t.Helper()
	ended := make(chan error, 1)
	go func() { ended <- s.Wait() }()
	select {
	case err := <-ended:
		var exit *gossh.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &exit):
			return exit.ExitStatus()
		}
		t.Fatalf("the session ended without an exit status: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the session did not end")
	}
	return -1
}

// requireGivenBack checks that out, a session's output, ends with the
// terminal given back (the alternate screen left, the cursor shown) and
// then line.
func requireGivenBack(t *testing.T, out, line string) {
	t.Helper()
	last := strings.LastIndex(out, altScreenOn)
	if last < 0 {
		t.Fatalf("the session never had a screen: %q", out)
	}
	after := out[last:]
	off, shown, said := strings.Index(after, altScreenOff), strings.Index(after, cursorShown), strings.Index(after, line)
	if off < 0 || shown < 0 {
		t.Errorf("the terminal is not given back (alternate screen off at %d, cursor shown at %d): %q", off, shown, tail(after))
	}
	if said < 0 || said < off || said < shown {
		t.Errorf("the client is not told %q after its terminal is back: %q", line, tail(after))
	}
}

// tail is the end of a session's output, for a failure message.
func tail(s string) string {
	if len(s) > 400 {
		return "…" + s[len(s)-400:]
	}
	return s
}

func TestStoppingTheServerGivesEveryClientItsTerminalBackAndSaysWhy(t *testing.T) {
	alice, bob := signer(t), signer(t)
	srv := startServer(t, Options{}, alice.PublicKey(), bob.PublicKey())
	var sessions []*gossh.Session
	var outs []*syncBuffer
	for _, key := range []gossh.Signer{alice, bob} {
		c, err := dial(t, srv.addr, key)
		if err != nil {
			t.Fatal(err)
		}
		s, out := screenSession(t, c)
		waitForScreen(t, out)
		sessions, outs = append(sessions, s), append(outs, out)
	}

	srv.stop(&Stopped{Why: "SIGTERM"})
	const line = "launchwatch serve stopped (SIGTERM): the dashboard is gone; reconnect when it is back"
	for i, s := range sessions {
		if status := exitStatus(t, s); status != 1 {
			t.Errorf("session %d ended with status %d, want 1", i, status)
		}
		requireGivenBack(t, outs[i].String(), line)
	}
	select {
	case err := <-srv.done:
		srv.done <- err // for the test's end, which checks it
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return once its clients were told")
	}
	if _, err := dial(t, srv.addr, alice); err == nil {
		t.Error("a stopped server still takes connections")
	}
}

func TestAKeyTakenOutOfAuthorizedKeysEndsItsSessions(t *testing.T) {
	alice, bob := signer(t), signer(t)
	srv := startServer(t, Options{KeysRecheck: 20 * time.Millisecond}, alice.PublicKey(), bob.PublicKey())
	aliceConn, err := dial(t, srv.addr, alice)
	if err != nil {
		t.Fatal(err)
	}
	aliceScreen, aliceOut := screenSession(t, aliceConn)
	bobConn, err := dial(t, srv.addr, bob)
	if err != nil {
		t.Fatal(err)
	}
	bobScreen, bobOut := screenSession(t, bobConn)
	waitForScreen(t, aliceOut)
	waitForScreen(t, bobOut)
	bobEnded := make(chan error, 1)
	go func() { bobEnded <- bobScreen.Wait() }()

	// Alice leaves the war room: the file is written again without her.
	if err := os.WriteFile(srv.keys, gossh.MarshalAuthorizedKey(bob.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	if status := exitStatus(t, aliceScreen); status != 1 {
		t.Errorf("alice's session ended with status %d, want 1", status)
	}
	gone := "launchwatch serve: your key " + gossh.FingerprintSHA256(alice.PublicKey()) +
		" is no longer in the server's authorized_keys; this session ends"
	requireGivenBack(t, aliceOut.String(), gone)

	// Her connection, authenticated before, opens no new screen; a new
	// connection with her key is refused.
	again, againOut := screenSession(t, aliceConn)
	if status := exitStatus(t, again); status != 1 || !strings.Contains(againOut.String(), gone) {
		t.Errorf("a new session on alice's connection: status %d, output %q; want refused with %q", status, againOut.String(), gone)
	}
	if _, err := dial(t, srv.addr, alice); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("a new connection with alice's key: %v, want refused", err)
	}

	// A file broken while serving keeps the keys it held: Bob stays, and
	// gets in again.
	if err := os.WriteFile(srv.keys, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := dial(t, srv.addr, bob); err != nil {
		t.Errorf("bob after the file broke: %v, want let in on the last good keys", err)
	} else {
		c.Close()
	}
	// Checked after a connection read the broken file, and after many
	// looks by the server: a session ended wrongly would have ended by now.
	time.Sleep(20 * 20 * time.Millisecond)
	select {
	case err := <-bobEnded:
		t.Errorf("bob's session ended with alice's key or the broken file: %v\n%q", err, tail(bobOut.String()))
	default:
	}
}
