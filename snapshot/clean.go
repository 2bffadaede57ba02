package snapshot

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// CleanText makes untrusted text (metric labels, HELP strings, server
// error messages, probe pages, recordings on replay) safe to put on a
// terminal and into one line of a layout.
//
// ansi.Strip removes escape sequences but keeps carriage return, backspace,
// NUL, BEL, UTF-8-encoded C1 controls (U+009B is a CSI on some terminals)
// and bidi overrides (U+202E turns text around): all of those are dropped
// here too. Newlines and tabs become spaces, runs of spaces fold into one,
// and the result is cut to maxWidth cells with an ellipsis (0 = no cap).
func CleanText(s string, maxWidth int) string {
	if plain(s) && (maxWidth <= 0 || len(s) <= maxWidth) {
		return s // nearly every label and message: nothing to clean
	}
	return clean(s, maxWidth)
}

// clean is CleanText without its fast path.
func clean(s string, maxWidth int) string {
	// UTF-8-encoded C1 introducers act like their ESC forms on some
	// terminals: spell them so, and ansi.Strip removes the whole sequence
	// rather than leaving its parameters behind.
	s = c1Introducers.Replace(s)
	s = ansi.Strip(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t' || r == '\r' || r == '\v' || r == '\f':
			r = ' '
		case r == unicode.ReplacementChar:
			// Kept: it is how invalid UTF-8 shows, and it is harmless.
		case unicode.IsControl(r) || isBidiControl(r) || r == 0x1b:
			continue
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if maxWidth > 0 && ansi.StringWidth(out) > maxWidth {
		out = ansi.Truncate(out, maxWidth, "…")
	}
	return out
}

// plain reports whether CleanText would return s as it is: printable
// ASCII, single spaces, none at either end. Checking is much cheaper than
// cleaning (a replay cleans every label of every record).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

var c1Introducers = strings.NewReplacer(
	"\u009b", "\x1b[", // CSI
	"\u009d", "\x1b]", // OSC
	"\u0090", "\x1bP", // DCS
	"\u009c", "\x1b\\", // ST
	"\u009e", "\x1b^", // PM
	"\u009f", "\x1b_", // APC
)

// isBidiControl reports the explicit bidirectional formatting characters,
// which can make a terminal show text in another order than it is stored.
func isBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x200E || r == 0x200F || r == 0x061C: // LRM, RLM, ALM
		return true
	}
	return false
}

// MaxLaunchLabel bounds the launch's name as alerts carry it.
const MaxLaunchLabel = 100

// LaunchLabel is the launch's name as every alert carries it (the launch
// label an Alertmanager is posted, the launch field of a webhook's JSON):
// cleaned and cut to MaxLaunchLabel. The Alertmanager source tells
// launchwatch's own alerts by it, so both sides call this.
func LaunchLabel(name string) string { return CleanText(name, MaxLaunchLabel) }
