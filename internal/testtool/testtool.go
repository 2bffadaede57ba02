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
		if os.Getenv("LAUNCHWATCH_REQUIRE_INTEGRATION") != "" {
			t.Fatalf("%s is required (LAUNCHWATCH_REQUIRE_INTEGRATION is set): %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}
