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
// stores must not hand them to whoever reads either. Each rule asks for
// the shape of a secret, not a word that may begin one: a Grafana link's
// var-signal=pv and "Authorization: see the runbook" stay as written.
var (
	// urlInText finds a URL inside free text; it ends where the quoted
	// value or the word does.
	urlInText = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'`<>]+")
	// secretName is a parameter's, a variable's or a header's name that
	// holds a secret: its last part (after _ . or -) is one of these
	// words, or it ends in password (PGPASSWORD).
	secretName = regexp.MustCompile(`(?i)(?:(?:^|[_.\-])(?:token|secret|pass|pwd|key|apikey|sig|signature|auth|credentials?|cookie|session)|password|passwd)$`)
	// param is a name=value pair in a URL's query or fragment.
	param = regexp.MustCompile(`([?&;#])([A-Za-z0-9_.\-]+)=([^&;#\s"'` + "`" + `]*)`)
	// assignment is an environment variable set on a command line
	// (PGPASSWORD=x psql, GITHUB_TOKEN=x gh) or a long flag with its
	// value (--password=x).
	assignment = regexp.MustCompile(`(^|[\s'"])(--?[A-Za-z][A-Za-z0-9_\-]*|[A-Za-z_][A-Za-z0-9_]*)=([^\s'"]+)`)
	// header is a "Name: value" header whose name holds a secret, or
	// Authorization, whose value is one unless it is words.
	header = regexp.MustCompile(`(?i)\b([A-Za-z][A-Za-z0-9\-]*)(\s*:\s*)((?:(?:bearer|basic|token|digest)\s+)?)([^\s'"]+)`)
	// bearer is a bearer token written alone ("Bearer tok_LIVE_123"): a
	// word of 12 or more characters with a digit in it.
	bearer = regexp.MustCompile(`(?i)(\bbearer\s+)([A-Za-z0-9._~+/=\-]{12,})`)
	// userFlag is curl's and wget's user:password, as -u user:pw,
	// -uuser:pw, --user user:pw or --user=user:pw; in double quotes, in
	// single quotes, or bare.
	userFlag = regexp.MustCompile(`((?:^|\s)(?:-u\s*|--user[\s=]+|--proxy-user[\s=]+))(?:"([^\s:"]+):([^"]*)"|'([^\s:']+):([^']*)'|([^\s:'"]+):([^\s'"]+))`)
)

// webhookPaths are the hosts whose webhook URLs are secrets in their path
// (anyone holding one can post), with the path that makes one a webhook:
// the path is hidden, as a webhook's url is.
var webhookPaths = map[string]string{
	"hooks.slack.com":    "/",
	"discord.com":        "/api/webhooks/",
	"discordapp.com":     "/api/webhooks/",
	"webhook.office.com": "/",
	"api.telegram.org":   "/bot",
}

// redactSecrets hides every secret redactText does and, in free text, the
// values of query parameters, variables, flags and headers named like
// secrets, an Authorization's credentials, a bearer token, curl's
// user:password and the path of a known webhook URL.
func redactSecrets(s string) string {
	s = redactText(s)
	s = urlInText.ReplaceAllStringFunc(s, redactWebhook)
	s = param.ReplaceAllStringFunc(s, func(m string) string {
		g := param.FindStringSubmatch(m)
		if !secretName.MatchString(g[2]) || g[3] == "" {
			return m
		}
		return g[1] + g[2] + "=" + redacted
	})
	s = assignment.ReplaceAllStringFunc(s, func(m string) string {
		g := assignment.FindStringSubmatch(m)
		if !secretName.MatchString(strings.TrimLeft(g[2], "-")) {
			return m
		}
		return g[1] + g[2] + "=" + redacted
	})
	s = header.ReplaceAllStringFunc(s, func(m string) string {
		g := header.FindStringSubmatch(m)
		name, value := g[1], g[4]
		auth := strings.EqualFold(name, "authorization") || strings.EqualFold(name, "proxy-authorization")
		switch {
		case auth && (g[3] != "" || looksLikeToken(value)):
		case !auth && secretName.MatchString(name) && looksLikeToken(value):
		default:
			return m
		}
		return name + g[2] + g[3] + redacted
	})
	s = bearer.ReplaceAllStringFunc(s, func(m string) string {
		g := bearer.FindStringSubmatch(m)
		if !looksLikeToken(g[2]) {
			return m
		}
		return g[1] + redacted
	})
	return userFlag.ReplaceAllStringFunc(s, func(m string) string {
		g := userFlag.FindStringSubmatch(m)
		quote, user, pw := `"`, g[2], g[3]
		switch {
		case g[4] != "":
			quote, user, pw = "'", g[4], g[5]
		case g[6] != "":
			quote, user, pw = "", g[6], g[7]
		}
		if strings.Trim(pw, "0123456789") == "" {
			return m // docker's -u 1000:1000 is a uid and a gid
		}
		return g[1] + quote + user + ":" + redacted + quote
	})
}

// looksLikeToken says a word is a credential rather than prose: a digit
// in it, or 16 characters or more.
func looksLikeToken(w string) bool {
	return len(w) >= 16 || strings.ContainsAny(w, "0123456789")
}

// redactWebhook hides the path of a known webhook host's URL; any other
// URL stays as written.
func redactWebhook(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	host := strings.ToLower(u.Hostname())
	for h, prefix := range webhookPaths {
		if (host == h || strings.HasSuffix(host, "."+h)) && strings.HasPrefix(u.Path, prefix) && len(u.Path) > len(prefix) {
			return raw[:strings.Index(raw, u.Host)+len(u.Host)] + "/" + redacted
		}
	}
	return raw
}
