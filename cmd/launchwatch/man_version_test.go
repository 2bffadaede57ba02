package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestManWritesAPageForEveryCommandWithItsFlags generates the man pages
// and holds them to the command tree: a page for every command a user
// can run (completion's included), none more, each naming the command's
// description and every flag it takes.
func TestManWritesAPageForEveryCommandWithItsFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man1")
	out, errOut, code := execute(t, "man", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	var prof profileFlags
	root := newRootCmd(&prof)
	root.InitDefaultCompletionCmd()
	want := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != root {
			return
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		want[name] = true
		page, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("no page for %q: %v", c.CommandPath(), err)
			return
		}
		if !bytes.Contains(page, []byte(c.Short)) {
			t.Errorf("%s lacks its description %q", name, c.Short)
		}
		c.NonInheritedFlags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && !bytes.Contains(page, []byte(`\fB--`+f.Name+`\fP`)) {
				t.Errorf("%s lacks its flag --%s", name, f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if len(want) < 20 || !want["launchwatch-config-check.1"] || !want["launchwatch-completion-bash.1"] {
		t.Fatalf("the walk found %d commands: %v", len(want), want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("a page for no command: %s", e.Name())
		}
	}
	if len(entries) != len(want) {
		t.Errorf("%d pages for %d commands", len(entries), len(want))
	}
}

func TestManTakesADirectoryWithATrailingSlash(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man1")
	_, errOut, code := execute(t, "man", "-o", dir+"/")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "launchwatch.1")); err != nil {
		t.Error(err)
	}
}

func TestManRefusesADirectoryWhoseParentIsMissing(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "no-such")
	_, errOut, code := execute(t, "man", "-o", filepath.Join(parent, "man1"))
	if code != 1 || !strings.Contains(errOut, "directory "+parent+" does not exist") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}

// goModVersions reads the versions go.mod requires of the key modules.
func goModVersions(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 {
			for _, k := range keyModules {
				if fields[0] == k {
					got[k] = fields[1]
				}
			}
		}
	}
	if len(got) != len(keyModules) {
		t.Fatalf("go.mod requires %d of the %d key modules: %v", len(got), len(keyModules), got)
	}
	return got
}

// TestVersionNamesTheKeyModulesAsGoModRequiresThem builds the real binary
// with the Makefile's -ldflags and wants its version, its commit, and
// each key module at the version go.mod requires.
func TestVersionNamesTheKeyModulesAsGoModRequiresThem(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "launchwatch")
	if out, err := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7 -X main.commit=abc1234", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.HasPrefix(s, "launchwatch v9.8.7 (commit abc1234, go") {
		t.Errorf("the stamped version and commit are not first:\n%s", s)
	}
	if !regexp.MustCompile(`(?m)^  github\.com/launchwatch/launchwatch\s+\S+$`).MatchString(s) {
		t.Errorf("the main module is not named:\n%s", s)
	}
	for mod, v := range goModVersions(t) {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(mod) + `\s+` + regexp.QuoteMeta(v) + `$`).MatchString(s) {
			t.Errorf("version lacks %s %s:\n%s", mod, v, s)
		}
	}
	all, err := exec.Command(bin, "version", "--all").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(all), "github.com/cpuguy83/go-md2man/v2") || len(all) <= len(out) {
		t.Errorf("--all does not list every module:\n%s", all)
	}
}

func TestVersionFallsBackToWhatTheToolchainRecorded(t *testing.T) {
	info := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/launchwatch/launchwatch", Version: "v1.2.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name                   string
		stamped, stampedCommit string
		wantV, wantC           string
	}{
		{"go install from a modified checkout: the module's version and the revision, marked dirty", "dev", "none", "v1.2.0", "0123456789ab-dirty"},
		{"make build: the stamp wins", "v1.3.0-4-gabc", "abc", "v1.3.0-4-gabc", "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v, c := versionOf(tt.stamped, tt.stampedCommit, info); v != tt.wantV || c != tt.wantC {
				t.Errorf("versionOf = %s %s, want %s %s", v, c, tt.wantV, tt.wantC)
			}
		})
	}
	var b bytes.Buffer
	if err := writeVersion(&b, info, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"vcs.revision", "0123456789abcdef0123", "vcs.time", "2026-12-01T10:00:00Z", "vcs.modified", "true"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("version lacks %q:\n%s", want, b.String())
		}
	}
}

// TestCompletionsComeFromTheCommands asks the completion script of each
// shell and the completions the scripts ask for at run time: the
// subcommands and a command's flags.
func TestCompletionsComeFromTheCommands(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		out, errOut, code := execute(t, "completion", shell)
		if code != 0 || !strings.Contains(out, "launchwatch") || len(out) < 1000 {
			t.Errorf("completion %s: exit %d, %d bytes: %s", shell, code, len(out), errOut)
		}
	}
	out, _, _ := execute(t, cobra.ShellCompRequestCmd, "")
	for _, sub := range []string{"watch", "demo", "record", "config", "man", "version"} {
		if !regexp.MustCompile(`(?m)^` + sub + `\t`).MatchString(out) {
			t.Errorf("the completions lack %s:\n%s", sub, out)
		}
	}
	out, _, _ = execute(t, cobra.ShellCompRequestCmd, "record", "--")
	for _, flag := range []string{"--config", "--output", "--log-file"} {
		if !regexp.MustCompile(`(?m)^` + flag + `\t`).MatchString(out) {
			t.Errorf("the completions of record lack %s:\n%s", flag, out)
		}
	}
}
