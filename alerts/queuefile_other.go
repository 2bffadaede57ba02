//go:build !unix || aix

package alerts

import "os"

// lockFile does nothing here: a queue file is not locked against a second
// launchwatch where there is no flock (Windows, AIX).
func lockFile(*os.File) error { return nil }
