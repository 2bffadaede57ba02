package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/cascadia"
)

// Defaults of Options' zero fields.
const (
	// DefaultTimeout bounds one whole run: the page, every resource and
	// the stylesheets' url()s.
	DefaultTimeout = 8 * time.Second
	// DefaultMaxPageBytes caps the bytes read from the page, and from each
	// body the probe reads (a stylesheet, a resource HEAD could not size).
	DefaultMaxPageBytes int64 = 5 << 20
	// DefaultMaxResources caps the resources listed and sized.
	DefaultMaxResources = 200
	// DefaultConcurrency is how many requests are in flight at once: what
	// a browser opens to one host.
	DefaultConcurrency = 6
	// DefaultMaxRedirects caps the redirects followed for one request.
	DefaultMaxRedirects = 10
	// DefaultSelector is the purchase button's marker when none is given.
	DefaultSelector = "#buy"
)

// sheetCacheMax bounds the stylesheet parse cache: the stylesheets one
// page names. The page cache holds the last page alone: a page behind a
// redirect to a new URL at each probe never matches an older one.
const sheetCacheMax = 64

// sheetCacheRefsMax is the most url()s a cached stylesheet holds: one
// with more is scanned at every probe, so the cache stays small whatever
// a stylesheet holds.
const sheetCacheRefsMax = 1000

// userAgent names the probe to the servers it asks.
const userAgent = "launchwatch-probe/1"

// maxText caps untrusted text kept from a page or a server: a title, an
// element's text, an error message.
const maxText = 200

// Options configure a Prober. Zero fields take the defaults above.
type Options struct {
	// URL is the sale page, http or https.
	URL string
	// Headers are sent with every request to the page's own host (a
	// cookie, an authorization), never to other hosts.
	Headers http.Header
	// Timeout bounds one whole run.
	Timeout time.Duration
	// Marker is the purchase button.
	Marker Marker
	// CDNHosts names what the CDN serves: a host ("cdn.example.com",
	// "cdn.example.com:8443"), a wildcard ("*.cdn.example.com"), or a host
	// and a path prefix ("shop.example.com/static/").
	CDNHosts []string
	// MaxPageBytes caps the page and each body read.
	MaxPageBytes int64
	// MaxResources caps the resources listed and sized.
	MaxResources int
	// Concurrency is the number of requests in flight at once.
	Concurrency int
	// MaxRedirects caps the redirects followed for one request.
	MaxRedirects int
	// Transport makes the requests; nil uses a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
}

// Marker says what the purchase button looks like.
type Marker struct {
	// Selector is a CSS selector ("#buy", "button.buy-now").
	Selector string
	// Text, when set, must appear in the element's text (or an input's
	// value), ignoring case and runs of spaces.
	Text string
	// RequireEnabled refuses an element that is disabled (the disabled
	// attribute, aria-disabled="true") or hidden (the hidden attribute, an
	// inline display:none or visibility:hidden on it or an ancestor).
	RequireEnabled bool
}

// Prober probes one sale page. It is safe for concurrent use; each Run is
// independent.
type Prober struct {
	opts     Options
	page     *url.URL
	selector cascadia.Selector
	cdn      []cdnRule
	client   *http.Client
	// pages and sheets keep what was read from the page and from each
	// stylesheet, for the next probe that gets the same bodies.
	pages  *parseCache[pageParse]
	sheets *parseCache[[]ref]
	bufs   sync.Pool // *bytes.Buffer, for bodies read whole
}

// New checks the options and returns a Prober.
func New(opts Options) (*Prober, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxPageBytes <= 0 {
		opts.MaxPageBytes = DefaultMaxPageBytes
	}
	if opts.MaxResources <= 0 {
		opts.MaxResources = DefaultMaxResources
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.Marker.Selector == "" {
		opts.Marker.Selector = DefaultSelector
	}
	u, err := ParseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	sel, err := cascadia.Compile(opts.Marker.Selector)
	if err != nil {
		return nil, fmt.Errorf("selector %q: %w", opts.Marker.Selector, err)
	}
	cdn, err := parseCDNRules(opts.CDNHosts)
	if err != nil {
		return nil, err
	}
	p := &Prober{opts: opts, page: u, selector: sel, cdn: cdn,
		pages: newParseCache[pageParse](1), sheets: newParseCache[[]ref](sheetCacheMax)}
	p.opts.Headers = opts.Headers.Clone()
	tr := opts.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = opts.Concurrency
		tr = t
	}
	p.client = &http.Client{Transport: tr, CheckRedirect: p.checkRedirect}
	return p, nil
}

// ParseURL checks that raw is an absolute http(s) URL with a host.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("url %q: %w", redactRaw(raw), err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("url %q: not an http(s) URL with a host", u.Redacted())
	}
	return u, nil
}

// checkRedirect follows at most MaxRedirects, and drops the configured
// headers when a redirect leaves the page's host.
func (p *Prober) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > p.opts.MaxRedirects {
		return fmt.Errorf("more than %d redirects", p.opts.MaxRedirects)
	}
	if !p.ownHost(req.URL) {
		for name := range p.opts.Headers {
			req.Header.Del(name)
		}
	}
	return nil
}

// ownHost reports whether u is on the page's host (and port).
func (p *Prober) ownHost(u *url.URL) bool {
	return strings.EqualFold(u.Host, p.page.Host)
}

// newRequest builds a request the way a browser would send it: asking for
// gzip, with the configured headers on the page's host.
func (p *Prober) newRequest(ctx context.Context, method string, u *url.URL) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if p.ownHost(u) {
		for name, vals := range p.opts.Headers {
			req.Header[name] = slices.Clone(vals)
		}
	}
	// Set by hand, so the transport hands the body over as it came and
	// the size read is the size sent.
	req.Header.Set("Accept-Encoding", "gzip")
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", userAgent)
	}
	return req, nil
}

// cdnRule is one CDNHosts entry.
type cdnRule struct {
	host     string // lower case; "*.x" matches subdomains of x
	path     string // prefix; "" matches every path
	withPort bool
}

func parseCDNRules(entries []string) ([]cdnRule, error) {
	var out []cdnRule
	for i, e := range entries {
		e = strings.ToLower(strings.TrimSpace(e))
		host, path, hasPath := strings.Cut(e, "/")
		if host == "" || strings.Contains(e, "://") || strings.ContainsAny(e, " \t") {
			return nil, fmt.Errorf("cdn_hosts[%d]: %q is not a host name, a *.wildcard or a host/path prefix", i, entries[i])
		}
		r := cdnRule{host: host, withPort: strings.Contains(strings.TrimPrefix(host, "["), ":")}
		if hasPath {
			r.path = "/" + path
		}
		out = append(out, r)
	}
	return out, nil
}

// isCDN reports whether a configured CDN entry serves u.
func (p *Prober) isCDN(u *url.URL) bool {
	for _, r := range p.cdn {
		host := strings.ToLower(u.Hostname())
		if r.withPort {
			host = strings.ToLower(u.Host)
		}
		match := host == r.host
		if base, ok := strings.CutPrefix(r.host, "*."); ok {
			match = strings.HasSuffix(host, "."+base)
		}
		if match && strings.HasPrefix(u.EscapedPath(), r.path) {
			return true
		}
	}
	return false
}

// redactRaw hides the user information of a URL that did not parse: what
// stands between "://" and the last "@" of its authority.
func redactRaw(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	return raw[:i+3] + "xxxxx@" + rest[at+1:]
}
