package alerts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// WebhookOptions describe a webhook as the config writes it.
type WebhookOptions struct {
	// URL, or URLFile holding it.
	URL, URLFile string
	// Headers are sent as they are; HeaderFiles name files whose content,
	// a trailing newline cut, is the header's value.
	Headers     map[string]string
	HeaderFiles map[string]string
	// Timeout bounds one attempt; Retries is how many more a retryable
	// failure gets, after Backoff, doubling up to MaxBackoff.
	Timeout time.Duration
	Retries int
	Backoff time.Duration
	// Format is the body's shape (default FormatJSON). FormatPagerDuty
	// needs RoutingKeyFile, the file holding the integration's routing
	// key, and posts to PagerDutyEventsURL when no URL is given.
	Format         Format
	RoutingKeyFile string
	// Client sends the requests (default: one with the environment's
	// proxy settings that follows no redirect).
	Client *http.Client
}

// MaxBackoff caps the wait between attempts, a server's Retry-After
// included.
const MaxBackoff = time.Minute

// maxSecretFile bounds a URL or header file: a secret is short.
const maxSecretFile = 64 << 10

// maxRoutingKey bounds a routing key, four times PagerDuty's 32
// characters.
const maxRoutingKey = 128

// Webhook POSTs each alert as JSON in its format.
type Webhook struct {
	url        string
	shown      string // scheme://host, for errors and logs: the rest may be the token
	headers    http.Header
	routingKey string // PagerDuty's; in the body alone, never in a log, an error or the queue file
	host       string // a PagerDuty event's source when the launch has no name
	opts       WebhookOptions
}

// NewWebhook reads the URL and header files and returns the sink. Errors
// name the file; none shows a secret.
func NewWebhook(o WebhookOptions) (*Webhook, error) {
	if o.Timeout <= 0 {
		return nil, fmt.Errorf("timeout must be positive, got %s", o.Timeout)
	}
	key, err := formatOptions(&o)
	if err != nil {
		return nil, err
	}
	raw := o.URL
	if o.URLFile != "" {
		b, err := readSecret(o.URLFile)
		if err != nil {
			return nil, fmt.Errorf("url_file: %w", err)
		}
		raw = b
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("the webhook URL is not an http(s) URL with a host")
	}
	w := &Webhook{url: raw, shown: u.Scheme + "://" + u.Host, headers: http.Header{}, routingKey: key, opts: o}
	if o.Format == FormatPagerDuty {
		w.host, _ = os.Hostname()
	}
	for k, v := range o.Headers {
		w.headers.Set(k, v)
	}
	for k, path := range o.HeaderFiles {
		v, err := readSecret(path)
		if err != nil {
			return nil, fmt.Errorf("header_files.%s: %w", k, err)
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("header_files.%s: %s holds more than one line", k, path)
		}
		w.headers.Set(k, v)
	}
	if w.headers.Get("Content-Type") == "" {
		w.headers.Set("Content-Type", "application/json")
	}
	if w.headers.Get("User-Agent") == "" {
		w.headers.Set("User-Agent", "launchwatch")
	}
	if w.opts.Client == nil {
		w.opts.Client = &http.Client{
			Transport:     http.DefaultTransport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return w, nil
}

// formatOptions checks the options of o's format and fills its defaults:
// json when none is given; for pagerduty, the routing key it returns and
// PagerDuty's URL when o names none.
func formatOptions(o *WebhookOptions) (routingKey string, err error) {
	if o.Format == "" {
		o.Format = FormatJSON
	}
	switch o.Format {
	case FormatJSON, FormatSlack:
		if o.RoutingKeyFile != "" {
			return "", fmt.Errorf("routing_key_file is for format %s only", FormatPagerDuty)
		}
		return "", nil
	case FormatPagerDuty:
	default:
		return "", fmt.Errorf("format %q is not one of json, pagerduty, slack", o.Format)
	}
	if o.RoutingKeyFile == "" {
		return "", errors.New("format pagerduty needs routing_key_file, the file holding the integration's routing key")
	}
	k, err := readSecret(o.RoutingKeyFile)
	if err != nil {
		return "", fmt.Errorf("routing_key_file: %w", err)
	}
	if strings.ContainsAny(k, "\r\n\x00") {
		return "", fmt.Errorf("routing_key_file: %s holds more than one line", o.RoutingKeyFile)
	}
	k = strings.TrimSpace(k)
	switch {
	case k == "":
		return "", fmt.Errorf("routing_key_file: %s holds only spaces", o.RoutingKeyFile)
	case len(k) > maxRoutingKey:
		// PagerDuty's keys are 32 characters; redact counts on a short one.
		return "", fmt.Errorf("routing_key_file: %s holds %d bytes: not a routing key (PagerDuty's have 32 characters)", o.RoutingKeyFile, len(k))
	}
	if o.URL == "" && o.URLFile == "" {
		o.URL = PagerDutyEventsURL
	}
	return k, nil
}

// readSecret reads a small file and cuts its trailing newline.
func readSecret(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s is over %d bytes: not a secret", path, maxSecretFile)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}

// Name is the webhook's scheme and host, and its format unless json.
func (w *Webhook) Name() string {
	if w.opts.Format != FormatJSON {
		return "webhook " + w.shown + " (" + string(w.opts.Format) + ")"
	}
	return "webhook " + w.shown
}

// ID names the webhook's URL, and a PagerDuty webhook's routing key,
// without showing them: 16 hex digits of their SHA-256. Its queue file is
// named by it, so a start with the same URL (and key) finds the alerts the
// last one left, and two PagerDuty services behind the one events URL
// each keep their own.
func (w *Webhook) ID() string {
	h := sha256.New()
	h.Write([]byte(w.url))
	if w.routingKey != "" {
		h.Write([]byte{0})
		h.Write([]byte(w.routingKey))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Send POSTs the alert in the webhook's format, retrying network errors,
// timeouts, 408, 429 and 5xx; any other answer outside 2xx is final, and
// its error Permanent (PagerDuty answers 202, and 400 to an event it
// refuses).
func (w *Webhook) Send(ctx context.Context, a Alert) error {
	body, err := encode(w.opts.Format, a, w.routingKey, w.host)
	if err != nil {
		return Permanent(fmt.Errorf("encode alert: %w", err))
	}
	attempts := w.opts.Retries + 1
	wait := w.opts.Backoff
	for i := 1; ; i++ {
		retry, after, err := w.post(ctx, body)
		if err == nil {
			return nil
		}
		err = fmt.Errorf("POST %s: attempt %d of %d: %w", w.shown, i, attempts, err)
		if !retry {
			return Permanent(err)
		}
		if i >= attempts || ctx.Err() != nil {
			return err
		}
		if after <= 0 {
			after = wait
			wait = min(2*wait, MaxBackoff)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(min(after, MaxBackoff)):
		}
	}
}

// post makes one attempt; retry says whether another may succeed, after
// how long when the server said so.
func (w *Webhook) post(ctx context.Context, body []byte) (retry bool, after time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, w.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return false, 0, errors.New("bad request") // the URL was checked: not reached
	}
	req.Header = w.headers.Clone()
	resp, err := w.opts.Client.Do(req)
	if err != nil {
		// url.Error quotes the whole URL, token and all: keep its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return true, 0, fmt.Errorf("no answer within %s", w.opts.Timeout)
		}
		return true, 0, err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, 0, nil
	}
	err = fmt.Errorf("answered %s", resp.Status)
	if s := snapshot.CleanText(w.redact(strings.TrimSpace(string(snippet))), 200); s != "" {
		err = fmt.Errorf("answered %s: %s", resp.Status, s)
	}
	switch c := resp.StatusCode; {
	case c == http.StatusTooManyRequests || c == http.StatusServiceUnavailable:
		return true, retryAfter(resp.Header.Get("Retry-After")), err
	case c == http.StatusRequestTimeout || c >= 500:
		return true, 0, err
	case c >= 300 && c < 400:
		return false, 0, fmt.Errorf("%w (redirects are not followed: give the final URL)", err)
	}
	return false, 0, err
}

// redact hides the routing key in the start of a receiver's answer: one
// that echoes the event must not put the key in an error, the log or the
// screen. What is kept is cut to 256 bytes, so a key that the 512 bytes
// read cut in two, which no longer matches, is not kept either.
func (w *Webhook) redact(s string) string {
	if w.routingKey == "" {
		return s
	}
	s = strings.ReplaceAll(s, w.routingKey, "xxxxx")
	if len(s) > 256 {
		s = s[:256]
	}
	return s
}

// retryAfter reads a Retry-After of seconds; anything else is no advice.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
