//go:build unix && !aix

package alerts

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive lock on f, or fails at once with
// ErrQueueInUse: two processes appending to one queue would tear each
// other's records, and each would send the other's alerts. The lock goes
// with the process, a crashed one included.
func lockFile(f *os.File) error {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return ErrQueueInUse
	}
	return err
}
