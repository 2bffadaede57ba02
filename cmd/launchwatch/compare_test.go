package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReportComparesTwoLaunches runs the README's example on the two demo
// launches: report first --compare second writes the Markdown and the
// page, both naming the two launches in two columns, the same bytes twice.
func TestReportComparesTwoLaunches(t *testing.T) {
	if testing.Short() {
		t.Skip("records two demo launches against the simulator over HTTP")
	}
	first, second := recordDemo(t, "first-launch", 20*time.Minute), recordDemo(t, "second-launch", 20*time.Minute)
	dir := t.TempDir()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, n := range []string{"1", "2"} {
		out, errOut, code := execute(t, "report", first, "--compare", second, "-o", filepath.Join(dir, n+".html"), "--md", filepath.Join(dir, n+".md"))
		if code != 0 || out != "" {
			t.Fatalf("report --compare exit %d, stdout %q: %s", code, out, errOut)
		}
	}
	if read("1.html") != read("2.html") || read("1.md") != read("2.md") {
		t.Error("two comparisons of the same recordings differ")
	}
	md := read("1.md")
	for _, want := range []string{
		"# Two launches: demo first-launch 1x and demo second-launch 1x",
		"| failure mode | A: demo first-launch 1x | B: demo second-launch 1x |",
		"| Purchase path dead | shown from T+", "| not shown |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the comparison's Markdown lacks %q:\n%s", want, md)
		}
	}
	if html := read("1.html"); strings.Count(html, "<svg") < 6 || !strings.Contains(html, `<span class="sw-b"></span>B: demo second-launch 1x`) {
		t.Error("the comparison's page lacks its overlaid charts or B's name in their legends")
	}
	_, errOut, code := execute(t, "report", first, "--compare", second, "-o", second)
	if code != 1 || !strings.Contains(errOut, "the recording itself") {
		t.Errorf("-o onto the compared recording: exit %d, stderr %q; want it refused", code, errOut)
	}
}
