//go:build unix && !aix

package recording

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive lock on a recording a Writer appends to, or
// fails at once with ErrInUse: a second writer (another watch continuing
// the file, `launchwatch annotate` on a recording being made) would cut
// the first one's half-written line as a torn tail and glue its own on.
// The lock goes with the process, a crashed one included.
func lockFile(f *os.File) error {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return ErrInUse
	}
	return err
}
