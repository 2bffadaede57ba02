package probe

import (
	"net/url"
	"strings"
	"testing"
)

// A password in the sale page's URL is never printed: not in what the
// probe reports, not in an error.
func TestAPasswordInTheURLIsNeverShown(t *testing.T) {
	u, err := url.Parse("http://user:s3cret@127.0.0.1:1/sale")
	if err != nil {
		t.Fatal(err)
	}
	if got := cleanURL(u); strings.Contains(got, "s3cret") {
		t.Errorf("cleanURL = %q", got)
	}
	for _, raw := range []string{"http://user:s3cret@exa mple.com/", "ftp://user:s3cret@example.com/", "http://user:s3cret@[::1/x"} {
		if _, err := ParseURL(raw); err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseURL(%q): %v", raw, err)
		}
	}
}
