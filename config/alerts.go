package config

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"golang.org/x/net/http/httpguts"

	"github.com/launchwatch/launchwatch/events"
)

// Alerts says where problems go as they open, escalate and resolve:
// commands run with the problem as JSON on standard input, and webhooks
// POSTed the same JSON with a Slack-compatible "text" field.
type Alerts struct {
	Commands []AlertCommand `yaml:"commands,omitempty"`
	Webhooks []AlertWebhook `yaml:"webhooks,omitempty"`
	// Alertmanagers are posted every standing problem (the v2 API); the
	// Alertmanagers of one cluster are listed each, and each gets every
	// alert.
	Alertmanagers []AlertAlertmanager `yaml:"alertmanager,omitempty"`
	// Labels are added to every alert an Alertmanager is sent (team,
	// env), and carried by the other sinks.
	Labels map[string]string `yaml:"labels,omitempty"`
	// Runbooks map a problem's kind ("errors") or kind/subject
	// ("endpoint/cart") to the page that says what to do; kind/subject
	// wins. DashboardURL is the dashboard every alert links to.
	Runbooks     map[string]string `yaml:"runbooks,omitempty"`
	DashboardURL string            `yaml:"dashboard_url,omitempty"`
}

// AlertAlertmanager is an Alertmanager posted the standing problems.
type AlertAlertmanager struct {
	// URL is the Alertmanager's base URL (http://am:9093, or with a path
	// prefix when it runs under one); /api/v2/alerts is added.
	URL string `yaml:"url"`
	// Timeout bounds one request.
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// Resend is how often each standing problem is posted again; each
	// post says it ends (endsAt) four Resends later, so a watcher that
	// stops leaves nothing open past that.
	Resend time.Duration `yaml:"resend,omitempty"`
	// MinSeverity is the lowest severity posted: warn or crit.
	MinSeverity string `yaml:"min_severity,omitempty"`
	// HTTPClientConfig is Prometheus' own client block: basic_auth,
	// authorization, tls_config, proxy_url, …
	HTTPClientConfig promconfig.HTTPClientConfig `yaml:"http_client_config,omitempty"`
	// Pos is where it is written.
	Pos Pos `yaml:"-"`
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
	// Format pagerduty without either posts to PagerDuty's events URL.
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
	// Format is the body's shape: json (launchwatch's own, the default),
	// pagerduty (Events API v2) or slack (blocks).
	Format string `yaml:"format,omitempty"`
	// RoutingKeyFile names the file holding PagerDuty's integration
	// (routing) key: format pagerduty only, and required by it.
	RoutingKeyFile string `yaml:"routing_key_file,omitempty"`
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
	DefaultWebhookFormat    = WebhookJSON

	DefaultAlertmanagerTimeout = 5 * time.Second
	DefaultAlertmanagerResend  = 15 * time.Second
	maxAlertmanagerResend      = 10 * time.Minute

	maxCommandTimeout    = 10 * time.Minute
	maxCommandConcurrent = 16
	maxWebhookTimeout    = time.Minute
	maxWebhookRetries    = 10
	maxWebhookBackoff    = time.Minute
	maxWebhookQueue      = 100_000
)

// Webhook formats.
const (
	WebhookJSON      = "json"
	WebhookPagerDuty = "pagerduty"
	WebhookSlack     = "slack"
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
		if w.Format == "" {
			w.Format = DefaultWebhookFormat
		}
	}
	for i := range c.Alerts.Alertmanagers {
		am := &c.Alerts.Alertmanagers[i]
		am.Pos = d.pos(fmt.Sprintf("alerts.alertmanager[%d]", i))
		if am.Timeout == 0 {
			am.Timeout = DefaultAlertmanagerTimeout
		}
		if am.Resend == 0 {
			am.Resend = DefaultAlertmanagerResend
		}
		if am.MinSeverity == "" {
			am.MinSeverity = DefaultAlertMinSeverity
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
		case w.URL == "" && w.URLFile == "" && w.Format != WebhookPagerDuty: // pagerduty's defaults to PagerDuty's events URL
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
		switch w.Format {
		case WebhookJSON, WebhookSlack:
			if w.RoutingKeyFile != "" {
				p.add(field+".routing_key_file", "is for format pagerduty only")
			}
		case WebhookPagerDuty:
			if strings.TrimSpace(w.RoutingKeyFile) == "" {
				p.add(field+".routing_key_file", "format pagerduty needs the file holding the integration's routing key")
			}
		default:
			p.add(field+".format", "%q is not one of json, pagerduty, slack", w.Format)
		}
	}
	for i, am := range c.Alerts.Alertmanagers {
		field := fmt.Sprintf("alerts.alertmanager[%d]", i)
		if err := CheckWebhookURL(am.URL); err != nil || am.URL == "" {
			p.add(field+".url", "give the Alertmanager's base URL, e.g. http://alertmanager:9093")
		}
		checkRange(p, field+".timeout", am.Timeout, time.Millisecond, maxWebhookTimeout)
		checkRange(p, field+".resend", am.Resend, 100*time.Millisecond, maxAlertmanagerResend)
		checkSeverity(p, field+".min_severity", am.MinSeverity)
		if err := am.HTTPClientConfig.Validate(); err != nil {
			p.add(field+".http_client_config", "%v", err)
		}
	}
	for _, name := range sortedKeys(c.Alerts.Labels) {
		field := "alerts.labels." + name
		switch {
		case !model.LegacyValidation.IsValidLabelName(name):
			p.add(field, "%q is not a label name (letters, digits and _, not starting with a digit)", name)
		case slices.Contains(OwnAlertLabels, name):
			p.add(field, "%q is set by launchwatch on every alert: choose another name", name)
		}
	}
	for _, key := range sortedKeys(c.Alerts.Runbooks) {
		field := "alerts.runbooks." + key
		kind, _, _ := strings.Cut(key, "/")
		if !slices.Contains(events.ProblemKinds, events.Kind(kind)) {
			p.add(field, "%q is not a problem kind; kinds are %s, each alone or as kind/subject", kind, kindList())
		}
		checkLink(p, field, c.Alerts.Runbooks[key])
	}
	if u := c.Alerts.DashboardURL; u != "" {
		checkLink(p, "alerts.dashboard_url", u)
	}
}

// checkLink checks a link people follow (a runbook, a dashboard): an
// http(s) URL with a host. It is no secret, so the error shows it.
func checkLink(p *problems, field, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add(field, "%q is not an http(s) URL with a host", raw)
	}
}

// OwnAlertLabels are the labels launchwatch sets on every alert it posts
// to an Alertmanager: alerts.labels cannot set them.
var OwnAlertLabels = []string{"alertname", "severity", "launch", "kind", "subject"}

func kindList() string {
	names := make([]string, len(events.ProblemKinds))
	for i, k := range events.ProblemKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
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
