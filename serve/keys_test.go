package serve

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// pubKey returns a new public key in authorized_keys form.
func pubKey(t *testing.T, comment string) (gossh.PublicKey, string) {
	t.Helper()
	k := signer(t).PublicKey()
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
	if _, err := LoadKeyring(path); err == nil || !strings.Contains(err.Error(), path+":3: not an authorized key") {
		t.Errorf("a bad line: %v, want it placed at line 3", err)
	}
	if err := os.WriteFile(path, []byte("# nobody yet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyring(path); err == nil || !strings.Contains(err.Error(), "no key in it") {
		t.Errorf("a file without keys: %v", err)
	}

	if err := os.WriteFile(path, []byte(aliceLine), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKeyring(path)
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
	path := filepath.Join(t.TempDir(), "state", HostKeyName)
	first, err := HostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the new host key: %v %v, want mode 0600", fi, err)
	}
	again, err := HostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if gossh.FingerprintSHA256(first.PublicKey()) != gossh.FingerprintSHA256(again.PublicKey()) {
		t.Error("a second start made a new host key: clients would see the host change")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := HostKey(path); err == nil || !strings.Contains(err.Error(), "open to others (mode 0644): chmod 600 it") {
		t.Errorf("an open host key: %v", err)
	}
}
