package serve

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
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

// Keyring is an authorized_keys file, read again when it changes. A file
// that stops parsing lets nobody in until it is fixed.
type Keyring struct {
	path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	keys    []gossh.PublicKey
	err     error
}

// LoadKeyring reads an authorized_keys file; a bad line is an error naming
// the file and the line.
func LoadKeyring(path string) (*Keyring, error) {
	k := &Keyring{path: path}
	if err := k.reload(); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *Keyring) reload() error {
	fi, err := os.Stat(k.path)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	if fi.ModTime().Equal(k.modTime) && fi.Size() == k.size && k.keys != nil {
		return k.err
	}
	k.modTime, k.size = fi.ModTime(), fi.Size()
	k.keys, k.err = parseAuthorizedKeys(k.path)
	return k.err
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
	if len(keys) == 0 {
		return nil, fmt.Errorf("authorized keys %s: no key in it", path)
	}
	return keys, nil
}

// allowed reports whether key is in the file as it is now.
func (k *Keyring) allowed(key ssh.PublicKey, log *slog.Logger) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.reload(); err != nil {
		log.Error("authorized keys unreadable: nobody gets in until it is fixed", "err", err)
		return false
	}
	for _, want := range k.keys {
		if ssh.KeysEqual(key, want) {
			return true
		}
	}
	return false
}
