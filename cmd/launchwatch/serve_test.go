package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func TestListeningBeyondLoopbackNeedsAuthorizedKeys(t *testing.T) {
	tests := []struct {
		name, listen, keys string
		wantErr            string
	}{
		{"IPv4 loopback without keys", "127.0.0.1:2222", "", ""},
		{"IPv6 loopback without keys", "[::1]:2222", "", ""},
		{"localhost without keys", "localhost:2222", "", ""},
		{"every interface without keys is refused", "0.0.0.0:2222", "", "reaches beyond this machine: give --authorized-keys FILE"},
		{"an empty host is every interface, refused", ":2222", "", "reaches beyond this machine"},
		{"a LAN address without keys is refused", "192.0.2.7:2222", "", "reaches beyond this machine"},
		{"every interface with keys", "0.0.0.0:2222", "authorized_keys", ""},
		{"no port is an error", "127.0.0.1", "", "want HOST:PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkListen(tt.listen, tt.keys)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestServeRefusesBadFlagsBeforeListening(t *testing.T) {
	cfg := writeConfig(t, deadURL(t), false)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no config", nil, "serve needs --config FILE"},
		{"beyond loopback without keys", []string{"--config", cfg, "--listen", "0.0.0.0:0"}, "--authorized-keys"},
		{"an idle timeout too short to ask for keepalives", []string{"--config", cfg, "--idle-timeout", "1s"}, "--idle-timeout 1s: must be at least 3s"},
		{"no session allowed", []string{"--config", cfg, "--max-sessions", "0"}, "--max-sessions 0: must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := execute(t, append([]string{"serve"}, tt.args...)...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want 1 and %q", code, errOut, tt.want)
			}
		})
	}
}

// pubKey returns a new public key in authorized_keys form.
func pubKey(t *testing.T, comment string) (gossh.PublicKey, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k))) + " " + comment + "\n"
}

func TestAuthorizedKeysArePlacedWhenBadAndReadAgainWhenChanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "authorized_keys")
	alice, aliceLine := pubKey(t, "alice")
	bob, bobLine := pubKey(t, "bob")

	if err := os.WriteFile(path, []byte("# war room\n"+aliceLine+"ssh-ed25519 not-base64 mallory\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadKeyring(path); err == nil || !strings.Contains(err.Error(), path+":3: not an authorized key") {
		t.Errorf("a bad line: %v, want it placed at line 3", err)
	}
	if err := os.WriteFile(path, []byte("# nobody yet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadKeyring(path); err == nil || !strings.Contains(err.Error(), "no key in it") {
		t.Errorf("a file without keys: %v", err)
	}

	if err := os.WriteFile(path, []byte(aliceLine), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := loadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if !k.allowed(alice, log) || k.allowed(bob, log) {
		t.Fatal("alice must get in and bob not")
	}
	// Alice leaves the war room, Bob joins: no restart.
	if err := os.WriteFile(path, []byte(bobLine), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if k.allowed(alice, log) || !k.allowed(bob, log) {
		t.Error("after the file changed: bob must get in and alice not")
	}
	// A file broken while serving lets nobody in.
	if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, later.Add(time.Minute), later.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if k.allowed(bob, log) {
		t.Error("a broken file still let a key in")
	}
}

func TestTheHostKeyIsMadeOnceKeptPrivateAndRefusedWhenOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", hostKeyName)
	first, _, err := hostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the new host key: %v %v, want mode 0600", fi, err)
	}
	again, _, err := hostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if gossh.FingerprintSHA256(first.PublicKey()) != gossh.FingerprintSHA256(again.PublicKey()) {
		t.Error("a second start made a new host key: clients would see the host change")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := hostKey(path); err == nil || !strings.Contains(err.Error(), "open to others (mode 0644): chmod 600 it") {
		t.Errorf("an open host key: %v", err)
	}
}

// sshPair connects a real SSH client to a real SSH server over loopback
// and returns the server's side of the connection and the client's
// incoming global requests (the keepalives), unread.
func sshPair(t *testing.T) (gossh.Conn, <-chan *gossh.Request) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		conn gossh.Conn
		err  error
	}
	served := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- result{err: err}
			return
		}
		cfg := &gossh.ServerConfig{NoClientAuth: true}
		cfg.AddHostKey(signer)
		sc, chans, reqs, err := gossh.NewServerConn(c, cfg)
		if err == nil {
			go gossh.DiscardRequests(reqs)
			go func() {
				for ch := range chans {
					_ = ch.Reject(gossh.Prohibited, "no channels")
				}
			}()
		}
		served <- result{sc, err}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cc, chans, reqs, err := gossh.NewClientConn(c, ln.Addr().String(), &gossh.ClientConfig{User: "wall", HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for ch := range chans {
			_ = ch.Reject(gossh.Prohibited, "no channels")
		}
	}()
	t.Cleanup(func() { cc.Close() })
	r := <-served
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { r.conn.Close() })
	return r.conn, reqs
}

func TestAClientThatStopsAnsweringIsClosedAndOneThatAnswersStays(t *testing.T) {
	const idle = 300 * time.Millisecond
	s := &screens{idle: idle, log: slog.New(slog.DiscardHandler)}
	tests := []struct {
		name    string
		answers bool
	}{
		{"a wall screen nobody touches, its client alive, stays", true},
		{"a client that vanished is closed after the idle timeout", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, clientReqs := sshPair(t)
			if tt.answers {
				go gossh.DiscardRequests(clientReqs) // answers each keepalive
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			go func() { s.keepAlive(ctx, server, "wall", "test"); close(done) }()
			closed := make(chan struct{})
			go func() { _ = server.Wait(); close(closed) }()
			if tt.answers {
				select {
				case <-closed:
					t.Fatal("a client answering its keepalives was closed")
				case <-time.After(6 * idle):
				}
				cancel()
				<-done
				return
			}
			select {
			case <-closed:
			case <-time.After(10 * time.Second):
				t.Fatal("a client that never answers was not closed")
			}
			<-done
		})
	}
}
