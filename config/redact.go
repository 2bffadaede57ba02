package config

import (
	"net/url"
	"strings"
)

// redacted stands in for a password, as url.URL.Redacted writes it.
const redacted = "xxxxx"

// RedactURL returns raw with the password of its userinfo replaced by
// "xxxxx" ("http://user:xxxxx@host"), for printing a source's URL. A URL
// that does not parse is redacted as text, so a bad URL in an error message
// keeps its password hidden too.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return redactText(raw)
}

// redactText hides the password of every "scheme://user:password@" in free
// text: the YAML library's messages and ours quote values, and a value may
// be a URL with a password in it.
func redactText(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		start := i + len("://")
		b.WriteString(s[:start])
		s = s[start:]
		// The authority ends where a path, query or fragment begins, or
		// where the quoted value does.
		end := strings.IndexAny(s, "/?#\"'` \t\n")
		if end < 0 {
			end = len(s)
		}
		auth := s[:end]
		at := strings.LastIndex(auth, "@")
		colon := strings.Index(auth, ":")
		if at < 0 || colon < 0 || colon > at {
			continue
		}
		b.WriteString(auth[:colon+1])
		b.WriteString(redacted)
		s = s[at:]
	}
}
