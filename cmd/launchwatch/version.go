package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// Set by the Makefile through -ldflags "-X main.version=… -X main.commit=…".
var (
	version = "dev"
	commit  = "none"
)

// keyModules are the dependencies `version` names: those whose version
// changes what launchwatch shows, reads or serves.
var keyModules = []string{
	"github.com/charmbracelet/bubbletea",
	"github.com/charmbracelet/lipgloss",
	"github.com/charmbracelet/bubbles",
	"github.com/charmbracelet/wish",
	"github.com/prometheus/client_golang",
	"github.com/prometheus/common",
	"github.com/prometheus/prometheus",
	"github.com/shirou/gopsutil/v4",
	"github.com/spf13/cobra",
	"go.yaml.in/yaml/v3",
	"golang.org/x/crypto",
}

// buildVersion is the version and commit of this binary: what the
// Makefile stamped, else what the Go toolchain recorded (a `go install
// …@v1.2.0` knows its module version; a build in a checkout its VCS
// revision).
func buildVersion() (v, c string) {
	info, _ := debug.ReadBuildInfo()
	return versionOf(version, commit, info)
}

// versionOf is buildVersion for a stamped version and commit and the
// build information (nil when there is none).
func versionOf(stamped, stampedCommit string, info *debug.BuildInfo) (v, c string) {
	v, c = stamped, stampedCommit
	if info == nil {
		return v, c
	}
	if mv := info.Main.Version; v == "dev" && mv != "" && mv != "(devel)" {
		v = mv
	}
	if rev := setting(info, "vcs.revision"); c == "none" && rev != "" {
		c = rev[:min(len(rev), 12)]
		// A build from a modified checkout is not that commit; a
		// recording naming it must say so, as git describe --dirty does.
		if setting(info, "vcs.modified") == "true" {
			c += "-dirty"
		}
	}
	return v, c
}

// setting is a build setting's value, empty when not recorded.
func setting(info *debug.BuildInfo, key string) string {
	for _, s := range info.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

func newVersionCmd() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit, the Go version and the key modules' versions",
		Long: `Print the version and commit, the Go version and platform, then what the
Go toolchain recorded in the binary: the main module and its version, the
VCS revision, its time and whether the tree was modified (when the build
recorded them), and the versions of the key dependencies (--all: every
module).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, _ := debug.ReadBuildInfo()
			return writeVersion(cmd.OutOrStdout(), info, all)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "list every module in the build, not only the key ones")
	return cmd
}

// writeVersion prints what `version` prints; info may be nil (a binary
// built without module support).
func writeVersion(w io.Writer, info *debug.BuildInfo, all bool) error {
	v, c := versionOf(version, commit, info)
	fmt.Fprintf(w, "launchwatch %s (commit %s, %s %s/%s)\n", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if info == nil {
		_, err := fmt.Fprintln(w, "no build information: the binary was built without module support")
		return err
	}
	fmt.Fprintf(w, "  %-40s %s\n", info.Main.Path, info.Main.Version)
	for _, key := range []string{"vcs.revision", "vcs.time", "vcs.modified"} {
		if s := setting(info, key); s != "" {
			fmt.Fprintf(w, "  %-40s %s\n", key, s)
		}
	}
	for _, d := range info.Deps {
		if !all && !slices.Contains(keyModules, d.Path) {
			continue
		}
		ver := d.Version
		if d.Replace != nil {
			ver += " => " + strings.TrimSpace(d.Replace.Path+" "+d.Replace.Version)
		}
		fmt.Fprintf(w, "  %-40s %s\n", d.Path, ver)
	}
	return nil
}
