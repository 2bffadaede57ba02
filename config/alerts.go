package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// Alerts says where problems go as they open, escalate and resolve:
// commands run with the problem as JSON on standard input, and webhooks
// POSTed the same JSON with a Slack-compatible "text" field.
type Alerts struct {
	Commands []AlertCommand `yaml:"commands,omitempty"`
	Webhooks []AlertWebhook `yaml:"webhooks,omitempty"`
}

// AlertCommand is a program run once per alert, without a shell.
type AlertCommand struct {
	// Run is the program and its arguments.
	Run []string `yaml:"run"`
	// Timeout bounds one run; a run still going then is killed with its
	// process group.
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// MaxConcurrent is how many runs of this command may be going at once.
	MaxConcurrent int `yaml:"max_concurrent,omitempty"`
	// MinSeverity is the lowest severity that fires: warn or crit.
	MinSeverity string `yaml:"min_severity,omitempty"`
	// Pos is where the command is written, for errors found when it is
	// started (a program not on PATH).
	Pos Pos `yaml:"-"`
}

// AlertWebhook is an HTTP endpoint POSTed each alert.
type AlertWebhook struct {
	// URL, or URLFile holding it: a Slack webhook URL is itself a secret.
	URL     WebhookURL `yaml:"url,omitempty"`
	URLFile string     `yaml:"url_file,omitempty"`
	// Headers are sent with every POST; HeaderFiles name files whose
	// content (a trailing newline cut) is a header's value, for tokens.
	Headers     WebhookHeaders    `yaml:"headers,omitempty"`
	HeaderFiles map[string]string `yaml:"header_files,omitempty"`
	// Timeout bounds one attempt.
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// Retries is how many more attempts a failed POST gets (network
	// errors, 5xx, 429), Backoff the wait before the first, doubling.
	Retries int           `yaml:"retries"`
	Backoff time.Duration `yaml:"backoff,omitempty"`
	// Queue is how many alerts may wait for the receiver, kept in a file
	// while it is down and sent in order when it answers; past it the
	// oldest waiting is dropped and counted lost.
	Queue int `yaml:"queue,omitempty"`
	// MinSeverity is the lowest severity that fires: warn or crit.
	MinSeverity string `yaml:"min_severity,omitempty"`
	// Pos is where the webhook is written, for errors found when it is
	// set up (a header file that cannot be read).
	Pos Pos `yaml:"-"`
}

// WebhookURL is a webhook's address. Its path and query often carry the
// token (Slack's do), so it prints as scheme://host/xxxxx.
type WebhookURL string

// MarshalYAML hides everything after the host.
func (u WebhookURL) MarshalYAML() (any, error) { return RedactWebhookURL(string(u)), nil }

// RedactWebhookURL returns the scheme and host of raw with its path and
// query replaced by "xxxxx", and its password hidden.
func RedactWebhookURL(raw string) string {
	p, err := url.Parse(raw)
	if err != nil || p.Host == "" {
		return redacted
	}
	host := p.Host
	if p.User != nil {
		host = p.User.Username() + "@" + host
	}
	if p.Path == "" && p.RawQuery == "" {
		return p.Scheme + "://" + host
	}
	return p.Scheme + "://" + host + "/" + redacted
}

// WebhookHeaders are header names and values; the values print as
// "xxxxx", since an Authorization written inline is a secret too.
type WebhookHeaders map[string]string

// MarshalYAML hides the values.
func (h WebhookHeaders) MarshalYAML() (any, error) {
	out := make(map[string]string, len(h))
	for k := range h {
		out[k] = redacted
	}
	return out, nil
}

// Alert defaults and bounds.
const (
	DefaultCommandTimeout       = 10 * time.Second
	DefaultCommandMaxConcurrent = 2
	DefaultWebhookTimeout       = 5 * time.Second
	DefaultWebhookRetries       = 3
	DefaultWebhookBackoff       = time.Second
	// DefaultWebhookQueue holds the alerts of hours of a bad launch (a
	// problem opening and resolving every minute is 120 an hour) in a few
	// MB: an alert's text is capped (its message at 500 characters), so
	// its record is about 2 KB at most in ASCII.
	DefaultWebhookQueue     = 1000
	DefaultAlertMinSeverity = "warn"

	maxCommandTimeout    = 10 * time.Minute
	maxCommandConcurrent = 16
	maxWebhookTimeout    = time.Minute
	maxWebhookRetries    = 10
	maxWebhookBackoff    = time.Minute
	maxWebhookQueue      = 100_000
)

// fillAlertDefaults fills the alert sinks' defaults and records where each
// is written.
func (c *Config) fillAlertDefaults(d document) {
	for i := range c.Alerts.Commands {
		cmd := &c.Alerts.Commands[i]
		cmd.Pos = d.pos(fmt.Sprintf("alerts.commands[%d]", i))
		if cmd.Timeout == 0 {
			cmd.Timeout = DefaultCommandTimeout
		}
		if cmd.MaxConcurrent == 0 {
			cmd.MaxConcurrent = DefaultCommandMaxConcurrent
		}
		if cmd.MinSeverity == "" {
			cmd.MinSeverity = DefaultAlertMinSeverity
		}
	}
	for i := range c.Alerts.Webhooks {
		w := &c.Alerts.Webhooks[i]
		field := fmt.Sprintf("alerts.webhooks[%d]", i)
		w.Pos = d.pos(field)
		if w.Timeout == 0 {
			w.Timeout = DefaultWebhookTimeout
		}
		if !d.has(field + ".retries") {
			w.Retries = DefaultWebhookRetries
		}
		if w.Backoff == 0 {
			w.Backoff = DefaultWebhookBackoff
		}
		if w.Queue == 0 {
			w.Queue = DefaultWebhookQueue
		}
		if w.MinSeverity == "" {
			w.MinSeverity = DefaultAlertMinSeverity
		}
	}
}

func (c *Config) validateAlerts(p *problems) {
	for i, cmd := range c.Alerts.Commands {
		field := fmt.Sprintf("alerts.commands[%d]", i)
		if len(cmd.Run) == 0 || strings.TrimSpace(cmd.Run[0]) == "" {
			p.add(field+".run", "give the program and its arguments as a list, e.g. [/usr/local/bin/page-oncall, --team, shop] (no shell is used)")
		}
		checkRange(p, field+".timeout", cmd.Timeout, time.Millisecond, maxCommandTimeout)
		if cmd.MaxConcurrent < 1 || cmd.MaxConcurrent > maxCommandConcurrent {
			p.add(field+".max_concurrent", "must be within 1..%d, got %d", maxCommandConcurrent, cmd.MaxConcurrent)
		}
		checkSeverity(p, field+".min_severity", cmd.MinSeverity)
	}
	for i, w := range c.Alerts.Webhooks {
		field := fmt.Sprintf("alerts.webhooks[%d]", i)
		switch {
		case w.URL == "" && w.URLFile == "":
			p.add(field, "set url, or url_file naming a file that holds it")
		case w.URL != "" && w.URLFile != "":
			p.add(field+".url", "set url or url_file, not both")
		case w.URL != "":
			if err := CheckWebhookURL(string(w.URL)); err != nil {
				p.add(field+".url", "%v", err)
			}
		}
		for _, name := range sortedKeys(w.Headers) {
			if msg := headerProblem(name, w.Headers[name]); msg != "" {
				p.add(field+".headers."+name, "%s", msg)
			}
		}
		for _, name := range sortedKeys(w.HeaderFiles) {
			hf := field + ".header_files." + name
			if msg := headerProblem(name, ""); msg != "" {
				p.add(hf, "%s", msg)
			}
			if _, dup := w.Headers[name]; dup {
				p.add(hf, "header %q is also set in headers: set it in one place", name)
			}
			if strings.TrimSpace(w.HeaderFiles[name]) == "" {
				p.add(hf, "name the file that holds the header's value")
			}
		}
		checkRange(p, field+".timeout", w.Timeout, time.Millisecond, maxWebhookTimeout)
		if w.Retries < 0 || w.Retries > maxWebhookRetries {
			p.add(field+".retries", "must be within 0..%d, got %d", maxWebhookRetries, w.Retries)
		}
		checkRange(p, field+".backoff", w.Backoff, time.Millisecond, maxWebhookBackoff)
		if w.Queue < 1 || w.Queue > maxWebhookQueue {
			p.add(field+".queue", "must be within 1..%d alerts, got %d", maxWebhookQueue, w.Queue)
		}
		checkSeverity(p, field+".min_severity", w.MinSeverity)
	}
}

// CheckWebhookURL checks a webhook address. Its errors show the scheme and
// host only: the rest may be the token.
func CheckWebhookURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return fmt.Errorf("%q is not a URL", RedactWebhookURL(raw))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL with a host", RedactWebhookURL(raw))
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %s in %q is not within 1..65535", port, RedactWebhookURL(raw))
		}
	}
	return nil
}

func checkRange(p *problems, field string, d, lo, hi time.Duration) {
	if d < lo || d > hi {
		p.add(field, "must be within %s..%s, got %s", lo, hi, d)
	}
}

func checkSeverity(p *problems, field, s string) {
	if s != "warn" && s != "crit" {
		p.add(field, "%q is not one of warn, crit", s)
	}
}

// headerProblem says what is wrong with a header name or value, or "".
func headerProblem(name, value string) string {
	if name == "" {
		return "a header needs a name"
	}
	if !httpguts.ValidHeaderFieldName(name) {
		return fmt.Sprintf("%q is not a valid header name", name)
	}
	if !httpguts.ValidHeaderFieldValue(value) {
		return "a header value must not contain line breaks or control characters"
	}
	return ""
}
