package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes: it must never panic, and it
// either loads a config or returns errors that each name the file.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "---\n", "launch: [", "plan:\n  peak_pv: 1e400\n", "sources: !!binary aGk=\n", "a: &a [*a]\n"} {
		f.Add([]byte(s))
	}
	const name = "fuzz.yaml"
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(name, data)
		if err == nil {
			if cfg == nil || cfg.File != name {
				t.Fatalf("no error and config %+v", cfg)
			}
			return
		}
		for _, e := range flatten(err) {
			if !strings.HasPrefix(e.Error(), name) {
				t.Fatalf("an error does not name the file: %q", e)
			}
			var ce *Error
			if !errors.As(e, &ce) {
				t.Fatalf("an error is not a placed config Error: %T %q", e, e)
			}
		}
	})
}

// flatten lists the errors joined in err.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
