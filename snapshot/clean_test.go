package snapshot

import (
	"strings"
	"testing"
)

func TestCleanTextRemovesEverythingATerminalWouldObey(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a colour escape is stripped", "\x1b[31mred\x1b[0m", "red"},
		{"a title-setting OSC is stripped", "\x1b]0;pwned\x07ok", "ok"},
		{"carriage return cannot overwrite the line", "good\rbad", "good bad"},
		{"backspace, NUL and BEL are dropped", "a\bb\x00c\x07d", "abcd"},
		{"a UTF-8 C1 CSI is dropped with its parameters", "x\u009b31my", "xy"},
		{"a UTF-8 C1 OSC is dropped with its payload", "a\u009d0;title\u0007b", "ab"},
		{"bidi overrides are dropped", "abc\u202Edef\u2066g", "abcdefg"},
		{"newlines and tabs fold into single spaces", "line1\n\n\tline2", "line1 line2"},
		{"a trailing lone ESC is dropped", "ab\x1b", "ab"},
		{"plain text is untouched", `shop_http_requests_total{handler="buy"}`, `shop_http_requests_total{handler="buy"}`},
		{"wide characters survive", "在庫 残り", "在庫 残り"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CleanText(tt.in, 0)
			if got != tt.want {
				t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for _, r := range got {
				if r < 0x20 || (r >= 0x7f && r < 0xa0) {
					t.Errorf("control %U survived in %q", r, got)
				}
			}
		})
	}
}

func TestCleanTextCapsTheWidth(t *testing.T) {
	got := CleanText(strings.Repeat("x", 500), 40)
	if n := len([]rune(got)); n != 40 || !strings.HasSuffix(got, "…") {
		t.Errorf("got %d runes %q, want 40 ending in an ellipsis", n, got)
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"\x1b[2J", "a\rb", "\u202e", "\xff\xfe", "\x1b]8;;http://x\x07link\x1b]8;;\x07"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CleanText(s, 80)
		for _, r := range out {
			if r == 0x1b || (r < 0x20) || (r >= 0x7f && r < 0xa0) || isBidiControl(r) {
				t.Fatalf("CleanText(%q) kept %U: %q", s, r, out)
			}
		}
	})
}

// CleanText's fast path returns what cleaning would.
func TestCleanTextsFastPathAgreesWithCleaning(t *testing.T) {
	for _, s := range []string{
		"", " ", "a", "prometheus", "a b", "a  b", " a", "a ", "query pv: context deadline exceeded",
		"tab\there", "nl\n", "esc\x1b[31m", "\x7f", "ümlaut", "c1\u009b31m", "bidi\u202e", "x\x00y",
		strings.Repeat("long ", 50), strings.Repeat("x", 80), strings.Repeat("x", 81),
	} {
		for _, w := range []int{0, 80} {
			if got, want := CleanText(s, w), clean(s, w); got != want {
				t.Errorf("CleanText(%q, %d) = %q, cleaning gives %q", s, w, got, want)
			}
		}
	}
}
