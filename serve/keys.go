package serve

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// HostKeyName is the host key's file name in the state directory, where
// the serve command keeps it unless told otherwise.
const HostKeyName = "ssh_host_ed25519_key"

// HostKey loads the server's host key from path, making an Ed25519 key
// (mode 0600) when there is none. A key others can read is refused, as
// sshd refuses it.
func HostKey(path string) (gossh.Signer, error) {
	pemBytes, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		pemBytes, err = makeHostKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("host key %s is open to others (mode %04o): chmod 600 it", path, fi.Mode().Perm())
	}
	signer, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return signer, nil
}

// makeHostKey writes a new Ed25519 private key in OpenSSH's format, mode
// 0600, refusing to write over a file that appeared meanwhile.
func makeHostKey(path string) ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "launchwatch serve")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, err
	}
	return data, f.Close()
}

// maxAuthorizedKeys caps the authorized_keys file read.
const maxAuthorizedKeys = 1 << 20

// Keyring is an authorized_keys file, read again when it changes (its
// inode, size or modification time): at each connection, and every so
// often while sessions are open, so that a key taken out of the file ends
// its sessions (Options.KeysRecheck). A file that becomes unreadable or
// stops parsing keeps the keys of its last good read, and says so in the
// log once: a half-written file or a typo must not lock the war room out
// in the middle of a launch.
type Keyring struct {
	path string

	mu     sync.Mutex
	read   os.FileInfo       // the file as last read well
	keys   []gossh.PublicKey // the keys of that read
	failed string            // the last failure logged, "" once a read is good again
}

// LoadKeyring reads an authorized_keys file; a bad line is an error naming
// the file and the line.
func LoadKeyring(path string) (*Keyring, error) {
	k := &Keyring{path: path}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	if k.keys, err = parseAuthorizedKeys(path); err != nil {
		return nil, err
	}
	if len(k.keys) == 0 {
		return nil, fmt.Errorf("authorized keys %s: no key in it", path)
	}
	k.read = fi
	return k, nil
}

// refresh reads the file again when it changed since its last good read.
// A good read replaces the keys, and a file removed or left without a key
// leaves none (every keyed session ends); a read that fails (a line that
// does not parse, a file it may not open) keeps them and is logged
// when it differs from the failure logged last, so a file broken for an
// hour is said once, not at every look. A failed read is tried again at
// the next look, since the file may be mid-write.
func (k *Keyring) refresh(log *slog.Logger) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fi, err := os.Stat(k.path)
	if err == nil && sameFile(fi, k.read) {
		return
	}
	var keys []gossh.PublicKey
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Taken away: no key gets in, and every keyed session ends. A
		// broken file may be a typo; a file removed is a decision.
		fi, err = nil, nil
	case err != nil:
		err = fmt.Errorf("authorized keys: %w", err)
	case fi.Size() == 0 && time.Since(fi.ModTime()) < emptyGrace:
		// An editor writing in place passes through an empty file: it
		// is read again at the next look, and empty after the grace
		// lets nobody in.
		err = fmt.Errorf("authorized keys %s: empty, being written: read again at the next look", k.path)
	default:
		keys, err = parseAuthorizedKeys(k.path)
	}
	if err != nil {
		if msg := err.Error(); msg != k.failed {
			k.failed = msg
			log.Error("authorized keys unreadable: the keys of its last good read still hold", "keys", len(k.keys), "err", err)
		}
		return
	}
	if k.failed != "" {
		log.Info("authorized keys readable again")
	}
	k.read, k.keys, k.failed = fi, keys, ""
	if len(keys) == 0 {
		log.Warn("authorized keys: no key left (the file is gone or empty): every key is refused and its sessions end", "file", k.path)
		return
	}
	log.Info("authorized keys read again", "keys", len(keys))
}

// emptyGrace is how long an empty authorized_keys is taken for one being
// written before it counts as emptied: every key refused.
const emptyGrace = 2 * time.Second

// sameFile reports whether fi is the file last read, unchanged: the same
// inode (an editor that writes a new file and renames it over the old one
// makes a new inode), size and modification time.
func sameFile(fi, last os.FileInfo) bool {
	return last != nil && os.SameFile(fi, last) && fi.Size() == last.Size() && fi.ModTime().Equal(last.ModTime())
}

// has reports whether key is among the keys last read well.
func (k *Keyring) has(key ssh.PublicKey) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, want := range k.keys {
		if ssh.KeysEqual(key, want) {
			return true
		}
	}
	return false
}

// allowed reports whether key is in the file as it is now (as it was at
// its last good read, when it no longer reads).
func (k *Keyring) allowed(key ssh.PublicKey, log *slog.Logger) bool {
	k.refresh(log)
	return k.has(key)
}

func parseAuthorizedKeys(path string) ([]gossh.PublicKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAuthorizedKeys+1))
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	if len(data) > maxAuthorizedKeys {
		return nil, fmt.Errorf("authorized keys %s: over %d bytes", path, maxAuthorizedKeys)
	}
	var keys []gossh.PublicKey
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, _, _, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: not an authorized key: %w", path, i+1, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}
