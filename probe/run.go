package probe

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"

	"github.com/launchwatch/launchwatch/snapshot"
)

// ErrTooLarge is the error of a body past MaxPageBytes: the page is not
// parsed, since a page cut short would seem to lack its button.
var ErrTooLarge = errors.New("body larger than the size cap")

// decodedFactor bounds a gzipped body once decoded, as a multiple of the
// cap, so a small compressed body cannot unpack into gigabytes.
const decodedFactor = 8

// Run probes the page once, within Options.Timeout. The error is the
// page's: no answer in time, an error status, a body past the cap. A
// resource that fails is in the Result, not an error. The Result holds
// what was learnt either way.
//
// No connection is kept from one Run to the next: each probe comes as a
// first visitor does, and holds nothing open on the shop's servers between
// probes (nor a connection dialed and never used, which would keep a
// server's graceful shutdown waiting).
func (p *Prober) Run(ctx context.Context) (Result, error) {
	start := time.Now()
	defer p.client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	res := Result{URL: cleanURL(p.page), Started: start, Page: Resource{Kind: "page"}}
	res.Button = Button{Selector: snapshot.CleanText(p.opts.Marker.Selector, maxText), Text: snapshot.CleanText(p.opts.Marker.Text, maxText)}
	err := p.run(ctx, &res)
	res.Took = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("probe %s: %w", res.URL, err)
	}
	return res, nil
}

func (p *Prober) run(ctx context.Context, res *Result) error {
	buf := p.getBuf()
	defer p.putBuf(buf)
	raw, final, err := p.fetchPage(ctx, &res.Page, buf)
	res.Status = res.Page.Status
	res.FinalURL = res.URL
	if final != nil {
		res.FinalURL = cleanURL(final)
	}
	if err != nil {
		return err
	}
	page, err := p.readPage(raw, res.Page.Encoding, final)
	if err != nil {
		return err
	}
	res.Title, res.Button = page.title, page.button

	seen := map[string]bool{final.String(): true}
	refs, left := p.keep(page.refs, seen, 0)
	sized, css := p.sizeAll(ctx, refs)
	var cssRefsAll []ref
	for _, c := range css {
		cssRefsAll = append(cssRefsAll, c...)
	}
	more, left2 := p.keep(cssRefsAll, seen, len(sized))
	res.Resources = sized
	res.LeftOut = left + left2
	if len(more) > 0 {
		extra, _ := p.sizeAll(ctx, more)
		res.Resources = append(res.Resources, extra...)
	}
	return nil
}

// pageParse is what the probe reads from the page's HTML.
type pageParse struct {
	title  string
	button Button
	refs   []ref
}

// readPage decodes and parses the page's body, or, when the body is the
// one the last probe got from final, takes what was read from it then.
func (p *Prober) readPage(raw []byte, encoding string, final *url.URL) (pageParse, error) {
	key, sum := final.String(), sumBody(encoding, raw)
	if pp, ok := p.pages.get(key, sum); ok {
		return pp, nil
	}
	body, err := p.decode(raw, encoding)
	if err != nil {
		return pageParse{}, fmt.Errorf("decode the page: %w", err)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return pageParse{}, fmt.Errorf("parse the page: %w", err)
	}
	pp := pageParse{
		title:  title(doc),
		button: checkButton(doc, p.selector, p.opts.Marker),
		refs:   pageRefs(doc, baseURL(doc, final)),
	}
	p.pages.put(key, sum, pp)
	return pp, nil
}

// keep drops repeats and what passes MaxResources (have already kept),
// returning the rest and how many were left out.
func (p *Prober) keep(refs []ref, seen map[string]bool, have int) ([]ref, int) {
	var out []ref
	left := 0
	for _, r := range refs {
		key := r.url.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		if have+len(out) >= p.opts.MaxResources {
			left++
			continue
		}
		out = append(out, r)
	}
	return out, left
}

// sizeAll sizes refs with at most Concurrency requests in flight, in
// order, and returns the url()s of the stylesheets among them by index.
func (p *Prober) sizeAll(ctx context.Context, refs []ref) ([]Resource, [][]ref) {
	out := make([]Resource, len(refs))
	css := make([][]ref, len(refs))
	sem := make(chan struct{}, p.opts.Concurrency)
	var wg sync.WaitGroup
	for i, r := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = Resource{URL: cleanURL(r.url), Kind: r.kind, Host: r.url.Host, CDN: p.isCDN(r.url), Err: errText(ctx.Err())}
				return
			}
			defer func() { <-sem }()
			out[i], css[i] = p.size(ctx, r)
		}()
	}
	wg.Wait()
	return out, css
}

// fetchPage reads the page into r and returns its body as it came (in
// r.Encoding, in buf) and its final URL.
func (p *Prober) fetchPage(ctx context.Context, r *Resource, buf *bytes.Buffer) ([]byte, *url.URL, error) {
	r.URL, r.Host, r.CDN = cleanURL(p.page), p.page.Host, p.isCDN(p.page)
	resp, err := p.do(ctx, http.MethodGet, p.page, "")
	if err != nil {
		r.Err = errText(err)
		return nil, nil, err
	}
	defer resp.Body.Close()
	p.describe(r, resp)
	final := resp.Request.URL
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, final, fmt.Errorf("the page answered %s", statusText(resp))
	}
	raw, over, err := p.readCapped(buf, resp.Body)
	r.Bytes, r.Known, r.AtLeast = int64(len(raw)), true, over
	if err != nil {
		r.Err = errText(err)
		return nil, final, fmt.Errorf("read the page: %w", err)
	}
	if over {
		return nil, final, fmt.Errorf("the page is larger than %d bytes, not parsed: %w", p.opts.MaxPageBytes, ErrTooLarge)
	}
	return raw, final, nil
}

// size finds a resource's size and headers; for a stylesheet it reads
// the body and returns the url()s it names.
func (p *Prober) size(ctx context.Context, rf ref) (Resource, []ref) {
	r := Resource{URL: cleanURL(rf.url), Kind: rf.kind, Host: rf.url.Host, CDN: p.isCDN(rf.url)}
	if rf.kind == KindStylesheet {
		return r, p.readStylesheet(ctx, rf.url, &r)
	}
	resp, err := p.do(ctx, http.MethodHead, rf.url, "")
	if err == nil {
		resp.Body.Close()
		p.describe(&r, resp)
		if n, ok := contentLength(resp); ok && resp.StatusCode/100 == 2 {
			r.Bytes, r.Known = n, true
			return r, nil
		}
	}
	// HEAD said nothing (refused, no length, no answer): ask for one byte,
	// which names the whole size in Content-Range, or read the body.
	resp, err = p.do(ctx, http.MethodGet, rf.url, "bytes=0-0")
	if err != nil {
		r.Err = errText(err)
		return r, nil
	}
	defer resp.Body.Close()
	r.Err = ""
	p.describe(&r, resp)
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		if n, ok := rangeTotal(resp.Header.Get("Content-Range")); ok {
			r.Bytes, r.Known = n, true
			return r, nil
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		// Not even one byte: an empty body.
		r.Status, r.Bytes, r.Known = http.StatusOK, 0, true
		return r, nil
	case resp.StatusCode/100 != 2:
		return r, nil
	}
	n, over, err := p.countCapped(resp.Body)
	if err != nil {
		r.Err = errText(err)
		return r, nil
	}
	r.Bytes, r.Known, r.AtLeast = n, true, over
	return r, nil
}

// readStylesheet reads a stylesheet whole (up to the cap) into r and
// returns the url()s it names: found again when its body differs from the
// last probe's, taken from then when it does not.
func (p *Prober) readStylesheet(ctx context.Context, u *url.URL, r *Resource) []ref {
	resp, err := p.do(ctx, http.MethodGet, u, "")
	if err != nil {
		r.Err = errText(err)
		return nil
	}
	defer resp.Body.Close()
	p.describe(r, resp)
	if resp.StatusCode/100 != 2 {
		return nil
	}
	buf := p.getBuf()
	defer p.putBuf(buf)
	raw, over, err := p.readCapped(buf, resp.Body)
	r.Bytes, r.Known, r.AtLeast = int64(len(raw)), true, over
	if err != nil {
		r.Err, r.Known = errText(err), false
		return nil
	}
	if over {
		return nil // cut short: its url()s would be a guess
	}
	key, sum := resp.Request.URL.String(), sumBody(r.Encoding, raw)
	if refs, ok := p.sheets.get(key, sum); ok {
		return refs
	}
	css, err := p.decode(raw, r.Encoding)
	if err != nil {
		return nil // sized, but its url()s cannot be read
	}
	refs := cssRefs(string(css), resp.Request.URL)
	if len(refs) <= sheetCacheRefsMax {
		p.sheets.put(key, sum, refs)
	}
	return refs
}

// do sends one request; rng, when set, is a Range header.
func (p *Prober) do(ctx context.Context, method string, u *url.URL, rng string) (*http.Response, error) {
	req, err := p.newRequest(ctx, method, u)
	if err != nil {
		return nil, err
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	return p.client.Do(req)
}

// describe copies what a response says about a resource into r.
func (p *Prober) describe(r *Resource, resp *http.Response) {
	r.Status = resp.StatusCode
	r.ContentType = snapshot.CleanText(resp.Header.Get("Content-Type"), maxText)
	r.Encoding = strings.ToLower(snapshot.CleanText(resp.Header.Get("Content-Encoding"), maxText))
	if r.Encoding == "identity" {
		r.Encoding = ""
	}
	r.CacheControl = snapshot.CleanText(resp.Header.Get("Cache-Control"), maxText)
	r.ETag = resp.Header.Get("ETag") != ""
	if resp.Request != nil && resp.Request.URL != nil {
		r.Host = snapshot.CleanText(resp.Request.URL.Host, maxText)
		r.CDN = p.isCDN(resp.Request.URL)
	}
}

// readCapped reads at most MaxPageBytes into buf (emptied first); over is
// true when the body went on past them. The bytes are buf's: valid until
// buf is used again.
func (p *Prober) readCapped(buf *bytes.Buffer, body io.Reader) (data []byte, over bool, err error) {
	buf.Reset()
	_, err = buf.ReadFrom(io.LimitReader(body, p.opts.MaxPageBytes+1))
	data = buf.Bytes()
	if int64(len(data)) > p.opts.MaxPageBytes {
		return data[:p.opts.MaxPageBytes], true, nil
	}
	return data, false, err
}

// getBuf returns a body buffer from the probe's pool: the page and the
// stylesheets are read whole at every probe, and a kept buffer spares
// growing a new one each time. putBuf gives it back once nothing refers
// to its bytes.
func (p *Prober) getBuf() *bytes.Buffer {
	if b, ok := p.bufs.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

func (p *Prober) putBuf(b *bytes.Buffer) { p.bufs.Put(b) }

// countCapped counts a body's bytes up to MaxPageBytes without keeping
// them.
func (p *Prober) countCapped(body io.Reader) (n int64, over bool, err error) {
	n, err = io.Copy(io.Discard, io.LimitReader(body, p.opts.MaxPageBytes+1))
	if n > p.opts.MaxPageBytes {
		return p.opts.MaxPageBytes, true, nil
	}
	return n, false, err
}

// decode undoes the Content-Encoding the probe asked for.
func (p *Prober) decode(raw []byte, encoding string) ([]byte, error) {
	switch encoding {
	case "":
		return raw, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		limit := p.opts.MaxPageBytes * decodedFactor
		out, err := io.ReadAll(io.LimitReader(zr, limit+1))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		if int64(len(out)) > limit {
			return nil, fmt.Errorf("gzip: decodes to more than %d bytes: %w", limit, ErrTooLarge)
		}
		return out, nil
	}
	return nil, fmt.Errorf("content-encoding %q was not asked for and cannot be decoded", encoding)
}

// contentLength returns a response's Content-Length header, which a HEAD
// answer carries without a body.
func contentLength(resp *http.Response) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get("Content-Length")), 10, 64)
	return n, err == nil && n >= 0
}

// rangeTotal reads the complete length of "bytes 0-0/12345".
func rangeTotal(h string) (int64, bool) {
	_, total, ok := strings.Cut(h, "/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(total), 10, 64)
	return n, err == nil && n >= 0
}

// statusText is "502 Bad Gateway".
func statusText(resp *http.Response) string {
	return snapshot.CleanText(resp.Status, maxText)
}

// errText is an error as one cleaned line; a deadline says so plainly.
func errText(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer before the probe's deadline"
	}
	return snapshot.CleanText(err.Error(), maxText)
}

// cleanURL is a URL as text safe for a terminal.
// cleanURL is a URL fit for a terminal, a log and a recording: a password
// in it shown as xxxxx, control sequences gone.
func cleanURL(u *url.URL) string { return snapshot.CleanText(u.Redacted(), 0) }
