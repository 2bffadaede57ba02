// Package testtool holds what tests share: finding the outside programs
// they run (tmux, promtool, jq, prometheus; a developer without one skips
// those tests, CI fails) and a Clock a test moves by hand.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Require returns the path of a program, skipping the test when it is
// missing on a developer's machine and failing it when
// LAUNCHWATCH_REQUIRE_INTEGRATION is set, as in CI, where a skip would
// hide a broken install.
func Require(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if IntegrationRequired() {
			t.Fatalf("%s is required (LAUNCHWATCH_REQUIRE_INTEGRATION is set): %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}

// IntegrationRequired reports whether LAUNCHWATCH_REQUIRE_INTEGRATION is
// set (to anything but "" or "0"): CI sets it, and then a test that would
// skip for a missing program or server fails instead. Every helper reads
// it here, so all agree on what "set" means.
func IntegrationRequired() bool {
	v := os.Getenv("LAUNCHWATCH_REQUIRE_INTEGRATION")
	return v != "" && v != "0"
}
