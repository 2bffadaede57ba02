package config

import (
	"net/url"
	"regexp"
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

// The other secrets a command line or a link carries in plain text, beside
// a URL's password: what `config check` prints and a recording's header
// stores must not hand them to whoever reads either.
var (
	// urlInText finds a URL inside free text; it ends where the quoted
	// value or the word does.
	urlInText = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'`<>]+")
	// authHeader is an Authorization header's credentials, and bearer a
	// bearer token written alone ("Bearer tok_LIVE_123"); a launch named
	// "Token drop" is not one.
	authHeader = regexp.MustCompile(`(?i)(\bauthorization\s*:\s*(?:(?:bearer|basic|token|digest)\s+)?)[^\s'"]+`)
	bearer     = regexp.MustCompile(`(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}`)
	// keyHeader is a header whose value is a key: "X-Api-Key: abc".
	keyHeader = regexp.MustCompile(`(?i)\b((?:x-)?(?:api-?key|auth-?token|access-?token|private-token|routing-key)\s*[:=]\s*)[^\s'"]+`)
	// userFlag is curl's and wget's -u/--user user:password.
	userFlag = regexp.MustCompile(`((?:^|\s)(?:-u|--user|--proxy-user)(?:\s+|=)['"]?[^\s:'"]+:)[^\s'"]+`)
	// secretParam names a URL query parameter whose value is a secret.
	secretParam = regexp.MustCompile(`(?i)(token|key|secret|password|passwd|pass|pwd|sig|signature|auth|credential)`)
)

// webhookHosts are the hosts whose webhook URLs are secrets in their path
// (anyone holding one can post): the path is hidden, as a webhook's url is.
var webhookHosts = []string{"hooks.slack.com", "discord.com", "discordapp.com", "webhook.office.com", "api.telegram.org"}

// redactSecrets hides every secret redactText does and, in free text, the
// credentials of an Authorization value, of a key header, of curl's
// --user, the values of query parameters named like secrets, and the path
// of a known webhook host's URL.
func redactSecrets(s string) string {
	s = redactText(s)
	s = urlInText.ReplaceAllStringFunc(s, redactURLSecrets)
	s = authHeader.ReplaceAllString(s, "${1}"+redacted)
	s = bearer.ReplaceAllString(s, "${1}"+redacted)
	s = keyHeader.ReplaceAllString(s, "${1}"+redacted)
	return userFlag.ReplaceAllString(s, "${1}"+redacted)
}

// redactURLSecrets hides a URL's secret query values and a webhook host's
// path; anything else in it stays as written.
func redactURLSecrets(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range webhookHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			if u.Path == "" || u.Path == "/" {
				return raw
			}
			return raw[:strings.Index(raw, u.Host)+len(u.Host)] + "/" + redacted
		}
	}
	if u.RawQuery == "" {
		return raw
	}
	parts := strings.Split(u.RawQuery, "&")
	changed := false
	for i, p := range parts {
		name, _, ok := strings.Cut(p, "=")
		if ok && secretParam.MatchString(name) {
			parts[i] = name + "=" + redacted
			changed = true
		}
	}
	if !changed {
		return raw
	}
	q := strings.Index(raw, "?")
	rest := ""
	if f := strings.Index(raw[q:], "#"); f >= 0 {
		rest = raw[q+f:]
	}
	return raw[:q+1] + strings.Join(parts, "&") + rest
}
