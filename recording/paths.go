package recording

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultDir returns where recordings go by default:
// $XDG_STATE_HOME/launchwatch, or ~/.local/state/launchwatch. A relative
// XDG_STATE_HOME is ignored, as the XDG spec asks.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "launchwatch"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("recordings directory: %w", err)
	}
	if home == "" {
		return "", errors.New("recordings directory: no home directory")
	}
	return filepath.Join(home, ".local", "state", "launchwatch"), nil
}

// maxSlug caps the launch-name part of a file name.
const maxSlug = 40

// FileName returns a recording's default file name: the launch name's Slug,
// then the start in UTC, as in "shop-20261127T101500Z.lwrec.jsonl".
func FileName(launch string, start time.Time) string {
	return Slug(launch) + "-" + start.UTC().Format("20060102T150405Z") + ".lwrec.jsonl"
}

// Slug is a launch name as a filesystem-safe name: lower-case letters and
// digits, other runs as one dash, at most 40 bytes; "launch" when nothing
// is left of it.
func Slug(launch string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(launch) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= maxSlug {
			break
		}
	}
	slug := strings.Trim(b.String(), "-")
	if len(slug) > maxSlug {
		slug = strings.TrimRight(slug[:maxSlug], "-")
	}
	if slug == "" {
		slug = "launch"
	}
	return slug
}

// splitName splits a base name on its first "." (so ".lwrec.jsonl" stays
// whole) and drops a ".partN" that a rotation put after the stem.
func splitName(base string) (stem, ext string) {
	stem, ext, _ = strings.Cut(base, ".")
	if ext != "" {
		ext = "." + ext
	}
	if rest, ok := strings.CutPrefix(ext, ".part"); ok {
		digits, after, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(digits); err == nil && n >= 2 {
			ext = ""
			if after != "" {
				ext = "." + after
			}
		}
	}
	return stem, ext
}

// partName returns the path of part n of the recording whose first part is
// base: base itself for n <= 1, else "<stem>.partN<ext>".
func partName(base string, n int) string {
	if n <= 1 {
		return base
	}
	stem, ext := splitName(filepath.Base(base))
	return filepath.Join(filepath.Dir(base), stem+".part"+strconv.Itoa(n)+ext)
}

// baseName returns the path of part 1 given the path of part n.
func baseName(path string, n int) string {
	if n <= 1 {
		return path
	}
	stem, ext := splitName(filepath.Base(path))
	return filepath.Join(filepath.Dir(path), stem+ext)
}
