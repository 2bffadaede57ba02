package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

// init never overwrites a file unless told to: the error names the file
// and the flag, and the file is left as it was.
func TestInitRefusesToOverwriteWithoutForce(t *testing.T) {
	_, base := simtest.Serve(t, sim.Options{Scenario: "second-launch", Speed: 1, StartIn: time.Hour, Seed: 1})
	file := filepath.Join(t.TempDir(), "shop.yaml")
	if err := os.WriteFile(file, []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := execute(t, "init", "--scrape", base+"/metrics", "-o", file)
	if code != 1 || !strings.Contains(errOut, file+" exists; pass --force to overwrite it") {
		t.Fatalf("exit %d, stderr %q; want 1 naming the file and --force", code, errOut)
	}
	if got := readFile(t, file); got != "# mine\n" {
		t.Fatalf("the file was changed without --force:\n%s", got)
	}
	out, errOut, code := execute(t, "init", "--scrape", base+"/metrics", "-o", file, "--force")
	if code != 0 {
		t.Fatalf("--force: exit %d: %s", code, errOut)
	}
	if !strings.Contains(readFile(t, file), "scrape: rate(shop_page_views_total)") {
		t.Errorf("--force did not write the config:\n%s", readFile(t, file))
	}
	// A directory that is not there is an error, never created.
	missing := filepath.Join(t.TempDir(), "missing", "shop.yaml")
	if _, errOut, code := execute(t, "init", "--scrape", base+"/metrics", "-o", missing); code != 1 || !strings.Contains(errOut, "init: -o "+missing+": directory "+filepath.Dir(missing)+" does not exist") {
		t.Errorf("-o into a missing directory: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Errorf("init created %s", filepath.Dir(missing))
	}
	for _, want := range []string{"launchwatch config check --online " + file, "launchwatch watch -c " + file} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks the next command %q:\n%s", want, out)
		}
	}
}

func TestInitRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no source", []string{"init", "-o", filepath.Join(dir, "a.yaml")}, "give --prometheus URL or --scrape URL"},
		{"both sources", []string{"init", "--prometheus", "http://127.0.0.1:1", "--scrape", "http://127.0.0.1:1/metrics", "-o", filepath.Join(dir, "b.yaml")}, "give --prometheus URL or --scrape URL"},
		{"a server that does not answer", []string{"init", "--prometheus", deadURL(t), "-o", filepath.Join(dir, "c.yaml")}, "/api/v1/label/__name__/values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := execute(t, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", code, errOut, tt.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused init left %d file(s) behind", len(entries))
	}
}
