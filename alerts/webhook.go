package alerts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	// Client sends the requests (default: one with the environment's
	// proxy settings that follows no redirect).
	Client *http.Client
}

// MaxBackoff caps the wait between attempts, a server's Retry-After
// included.
const MaxBackoff = time.Minute

// maxSecretFile bounds a URL or header file: a secret is short.
const maxSecretFile = 64 << 10

// Webhook POSTs each alert as JSON.
type Webhook struct {
	url     string
	shown   string // scheme://host, for errors and logs: the rest may be the token
	headers http.Header
	opts    WebhookOptions
}

// NewWebhook reads the URL and header files and returns the sink. Errors
// name the file; none shows a secret.
func NewWebhook(o WebhookOptions) (*Webhook, error) {
	if o.Timeout <= 0 {
		return nil, fmt.Errorf("timeout must be positive, got %s", o.Timeout)
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
	w := &Webhook{url: raw, shown: u.Scheme + "://" + u.Host, headers: http.Header{}, opts: o}
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

// Name is the webhook's scheme and host.
func (w *Webhook) Name() string { return "webhook " + w.shown }

// ID names the webhook's URL without showing it, token and all: 16 hex
// digits of its SHA-256. Its queue file is named by it, so a start with the
// same URL finds the alerts the last one left.
func (w *Webhook) ID() string {
	sum := sha256.Sum256([]byte(w.url))
	return hex.EncodeToString(sum[:8])
}

// Send POSTs the alert, retrying network errors, timeouts, 408, 429 and
// 5xx; any other answer outside 2xx is final, and its error Permanent.
func (w *Webhook) Send(ctx context.Context, a Alert) error {
	body, err := json.Marshal(a)
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
	if s := snapshot.CleanText(strings.TrimSpace(string(snippet)), 200); s != "" {
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

// retryAfter reads a Retry-After of seconds; anything else is no advice.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
