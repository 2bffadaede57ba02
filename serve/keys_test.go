package serve

import (
	"errors"
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
	// Comments of one length: the two files differ in nothing stat sees
	// but their inode.
	alice, aliceLine := pubKey(t, "alice")
	bob, bobLine := pubKey(t, "bobby")

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
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	if !k.allowed(alice, log) || k.allowed(bob, log) {
		t.Fatal("alice must get in and bob not")
	}
	// Alice leaves the war room, Bob joins: no restart. The editor writes
	// a new file and renames it over the old one, with the old one's size
	// and modification time: only the inode tells.
	was, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	next := filepath.Join(dir, "authorized_keys.new")
	if err := os.WriteFile(next, []byte(bobLine), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(next, was.ModTime(), was.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, path); err != nil {
		t.Fatal(err)
	}
	if k.allowed(alice, log) || !k.allowed(bob, log) {
		t.Error("after the file was replaced: bob must get in and alice not")
	}

	// A file broken while serving keeps the keys of its last good read,
	// and says so once however often it is looked at.
	later := time.Now().Add(time.Minute)
	for _, broken := range []func() error{
		func() error { return os.WriteFile(path, []byte("garbage\n"), 0o600) },
		// Not a file it can read (a directory in its place): as a file
		// it may not open.
		func() error { return errors.Join(os.Remove(path), os.Mkdir(path, 0o700)) },
	} {
		logged.Reset()
		if err := broken(); err != nil {
			t.Fatal(err)
		}
		_ = os.Chtimes(path, later, later)
		for range 3 {
			k.refresh(log)
		}
		if !k.allowed(bob, log) || k.allowed(alice, log) {
			t.Error("a broken file did not keep the last good keys: bob must get in and alice not")
		}
		if n := strings.Count(logged.String(), "authorized keys unreadable"); n != 1 {
			t.Errorf("the broken file is logged %d times, want once:\n%s", n, logged.String())
		}
	}
	// Fixed, it is read again, and the log says so.
	logged.Reset()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(aliceLine), 0o600); err != nil {
		t.Fatal(err)
	}
	if !k.allowed(alice, log) || k.allowed(bob, log) || !strings.Contains(logged.String(), "authorized keys readable again") {
		t.Errorf("the fixed file: alice must get in and bob not, and the log say so:\n%s", logged.String())
	}
	// The last key taken out, or the file removed, lets nobody in: that
	// is a decision, not a typo. A file just emptied may be one being
	// written in place: it is read again at the next look.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if !k.allowed(alice, log) {
		t.Error("a file emptied this instant (being written) shut alice out")
	}
	for _, away := range []func() error{
		func() error { return os.WriteFile(path, []byte("# the war room is closed\n"), 0o600) },
		func() error { return os.Remove(path) },
		// Emptied a minute ago: not a file being written any more.
		func() error {
			ago := time.Now().Add(-time.Minute)
			return errors.Join(os.WriteFile(path, nil, 0o600), os.Chtimes(path, ago, ago))
		},
	} {
		if err := os.WriteFile(path, []byte(aliceLine), 0o600); err != nil {
			t.Fatal(err)
		}
		_ = os.Chtimes(path, later.Add(time.Minute), later.Add(time.Minute))
		if !k.allowed(alice, log) {
			t.Fatal("alice is not let in by a file that holds her key")
		}
		if err := away(); err != nil {
			t.Fatal(err)
		}
		if k.allowed(alice, log) {
			t.Error("a key file emptied or removed still lets alice in")
		}
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
