package launchtest

import (
	"path/filepath"
	"testing"

	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Record writes snaps under header h to a new recording in the test's
// directory, closes it, and opens it for reading as the commands do; the
// recording is closed when the test ends.
func Record(tb testing.TB, h recording.Header, snaps []snapshot.Snapshot) *recording.Recording {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "launch.lwrec.jsonl")
	w, err := recording.Create(path, h, recording.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range snaps {
		if err := w.Append(s); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	rec, err := recording.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = rec.Close() })
	return rec
}
