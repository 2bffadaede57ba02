package config

import (
	"testing"

	"github.com/launchwatch/launchwatch/snapshot"
)

// A preset's queries are keyed by the signal table's names: a key the
// table does not know would be refused in a config file, and is refused
// here before a config meets it.
func TestEveryPresetSignalIsInTheSignalTable(t *testing.T) {
	for name, p := range presets {
		for sig := range p.signals {
			if sig == snapshot.SignalErrorCodes {
				continue // a breakdown, not a row
			}
			if row, ok := snapshot.Lookup(sig); !ok || row.Pattern() {
				t.Errorf("preset %s: %q is not a signal of the table", name, sig)
			}
		}
	}
}
