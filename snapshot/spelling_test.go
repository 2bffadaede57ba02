package snapshot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// otherConcepts are the string literals, by file, that spell a signal's
// name but name something else: they are not counted. A literal that
// spells a signal's name anywhere else is a signal named outside the
// table, and counts.
var otherConcepts = map[string]struct {
	names []string
	why   string
}{
	"capacity/assess.go":      {[]string{"bandwidth", "connections"}, "the checks' names (Assessment.Checks)"},
	"capacity/plan.go":        {[]string{"connections"}, "a limit's name (the first limit)"},
	"capacity/subjects.go":    {[]string{"error_rate"}, "a subject the thresholds judge (Thresholds.Judgements)"},
	"events/events.go":        {[]string{"pv", "stock"}, "the avalanche's and the sell-out's event subjects"},
	"report/charts.go":        {[]string{"pv", "requests", "bandwidth", "connections"}, "the report's chart ids"},
	"report/view.go":          {[]string{"pv", "requests", "bandwidth", "connections"}, "the report's chart ids"},
	"report/compare.go":       {[]string{"pv", "requests", "bandwidth", "connections"}, "the report's chart ids"},
	"cmd/launchwatch/plan.go": {[]string{"pv"}, "the plan command's --pv flag"},
}

// A signal's name is spelled as a string literal in at most three
// non-test Go files: the table, the presets' queries and one more. Every
// other place names a signal by the table's constants or reads the table.
// `go test ./snapshot -run Spelled -v` lists the files.
func TestASignalsNameIsSpelledInAtMostThreeFiles(t *testing.T) {
	names := map[string]bool{}
	for sig := range All() {
		if !sig.Pattern() {
			names[sig.Name] = true
		}
	}
	spelled, other := literalsIn(t, "..", names)
	files := slices.Sorted(maps.Keys(spelled))
	for _, file := range files {
		t.Logf("%s spells %s", file, strings.Join(spelled[file], " "))
	}
	for _, file := range slices.Sorted(maps.Keys(other)) {
		t.Logf("not counted: %s spells %s: %s", file, strings.Join(other[file], " "), otherConcepts[file].why)
	}
	t.Logf("%d files spell a signal's name", len(files))
	if len(files) > 3 {
		t.Errorf("%d files spell a signal's name as a literal, want at most 3 (the table, the presets, one more): %s;"+
			" name the signal by its constant (snapshot.SignalPV) or read the table (snapshot.All)", len(files), strings.Join(files, ", "))
	}
}

// literalsIn finds the string literals equal to one of names in the
// non-test Go files under root, by file (slash-separated, relative to
// root): those that a file's otherConcepts entry does not cover, and those
// it does. Struct tags and import paths are not literals of the program.
func literalsIn(t *testing.T, root string, names map[string]bool) (spelled, other map[string][]string) {
	t.Helper()
	spelled, other = map[string][]string{}, map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		found := map[string]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec:
				return false
			case *ast.Field:
				n.Tag = nil // the tag is the struct's, not a literal of the program
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && names[s] {
					found[s] = true
				}
			}
			return true
		})
		for _, name := range slices.Sorted(maps.Keys(found)) {
			if slices.Contains(otherConcepts[rel].names, name) {
				other[rel] = append(other[rel], name)
			} else {
				spelled[rel] = append(spelled[rel], name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return spelled, other
}
