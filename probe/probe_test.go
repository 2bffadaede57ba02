package probe

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// asset is a body a test server answers with.
type asset struct {
	body        []byte
	contentType string
	gzip        bool // sent gzipped to a client that asks
	noHead      bool // HEAD answers 405: sized by a ranged GET
	chunked     bool // no length and no ranges: sized by reading it
}

// site is a test server's assets by path, and what it was asked.
type site struct {
	assets map[string]asset
	srv    *httptest.Server
	// headers records each request's X-Shop-Key header by path.
	headers map[string]string
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{assets: map[string]asset{}, headers: map[string]string{}}
	var mu = make(chan struct{}, 1)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu <- struct{}{}
		s.headers[r.URL.Path] = r.Header.Get("X-Shop-Key")
		a, ok := s.assets[r.URL.Path]
		<-mu
		if !ok {
			http.NotFound(w, r)
			return
		}
		if a.noHead && r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("Cache-Control", "public, max-age=600")
		body := a.body
		if a.gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			body = gzipped(t, a.body)
			w.Header().Set("Content-Encoding", "gzip")
		}
		if a.chunked {
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				_, _ = w.Write(body[:len(body)/2])
				w.(http.Flusher).Flush()
				_, _ = w.Write(body[len(body)/2:])
			}
			return
		}
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, len(body)))
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) add(path string, a asset) { s.assets[path] = a }
func (s *site) host() string             { return strings.TrimPrefix(s.srv.URL, "http://") }

// sent is what the site sends for path to a client asking for gzip.
func (s *site) sent(t *testing.T, path string) int64 {
	a := s.assets[path]
	if a.gzip {
		return int64(len(gzipped(t, a.body)))
	}
	return int64(len(a.body))
}

func gzipped(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func filled(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

func readTestdata(t *testing.T, name string, repl ...string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(repl...).Replace(string(b)))
}

// shopAndCDN serves testdata/page.html at /sale with its stylesheet and
// images on the origin and a script, images and a logo on a CDN.
func shopAndCDN(t *testing.T) (origin, cdn *site) {
	origin, cdn = newSite(t), newSite(t)
	repl := []string{"{{CDN}}", cdn.srv.URL, "{{CDNHOST}}", cdn.host()}
	page := append(readTestdata(t, "page.html", repl...), "<!-- "+strings.Repeat("padding ", 100)+"-->\n"...)
	origin.add("/sale", asset{body: page, contentType: "text/html; charset=utf-8"})
	css := readTestdata(t, "site.css", repl...)
	css = append(css, "\n/* "+strings.Repeat("padding ", 400)+"*/\n"...)
	origin.add("/css/site.css", asset{body: css, contentType: "text/css"})
	origin.add("/css/print.css", asset{body: []byte("@media print { body { color: #000 } }\n"), contentType: "text/css"})
	origin.add("/fonts/brand.woff2", asset{body: filled(30_000, 1), contentType: "font/woff2", noHead: true})
	origin.add("/img/hero.png", asset{body: filled(200_000, 2), contentType: "image/png"})
	origin.add("/img/product-3x.png", asset{body: filled(90_000, 3), contentType: "image/png"})
	origin.add("/img/wide.png", asset{body: filled(70_000, 4), contentType: "image/png"})
	origin.add("/img/narrow.png", asset{body: filled(35_000, 5), contentType: "image/png", chunked: true})
	origin.add("/img/bg.png", asset{body: filled(12_000, 6), contentType: "image/png"})
	cdn.add("/js/app.js", asset{body: bytes.Repeat([]byte("var launch = 'watch';\n"), 2000), contentType: "text/javascript", gzip: true})
	cdn.add("/img/product.png", asset{body: filled(40_000, 7), contentType: "image/png"})
	cdn.add("/img/product-2x.png", asset{body: filled(80_000, 8), contentType: "image/png"})
	cdn.add("/img/logo.svg", asset{body: []byte("<svg xmlns='http://www.w3.org/2000/svg'>" + strings.Repeat("<g/>", 1500) + "</svg>"), contentType: "image/svg+xml"})
	return origin, cdn
}

func mustNew(t *testing.T, o Options) *Prober {
	t.Helper()
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEveryKindOfReferenceIsFoundResolvedAndSized(t *testing.T) {
	origin, cdn := shopAndCDN(t)
	p := mustNew(t, Options{URL: origin.srv.URL + "/sale", CDNHosts: []string{cdn.host()}, Marker: Marker{Selector: "#buy", Text: "buy NOW"}})
	res, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	o, c := origin.srv.URL, cdn.srv.URL
	want := []string{
		"stylesheet " + o + "/css/site.css",
		"preload " + o + "/fonts/brand.woff2",
		"script " + c + "/js/app.js",
		"img " + o + "/img/hero.png",
		"img " + c + "/img/product.png", // protocol-relative
		"srcset " + c + "/img/product-2x.png",
		"srcset " + o + "/img/product-3x.png",
		"srcset " + o + "/img/wide.png",
		"srcset " + o + "/img/narrow.png",
		"img " + o + "/img/missing.png", // fragment dropped; data: skipped; hero.png once
		"css-url " + o + "/css/print.css",
		"css-url " + o + "/img/bg.png", // ../ from /css/
		"css-url " + c + "/img/logo.svg",
	}
	var got []string
	for _, r := range res.Resources {
		got = append(got, r.Kind+" "+r.URL)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("resources:\n got %q\nwant %q", got, want)
	}
	if res.Title != "Winter drop sale" || !res.Button.Present {
		t.Errorf("title %q, button %+v", res.Title, res.Button)
	}

	// Every size is what the servers sent: HEAD's length, a ranged GET's
	// Content-Range for the font, the whole chunked body for narrow.png.
	var weight, cdnBytes int64 = origin.sent(t, "/sale"), 0
	for _, r := range res.Resources {
		u, _ := url.Parse(r.URL)
		s := origin
		if r.CDN {
			s = cdn
		}
		if r.Kind == KindImage && strings.HasSuffix(u.Path, "missing.png") {
			if !r.Failed() || r.Status != http.StatusNotFound || r.Known {
				t.Errorf("missing.png: %+v, want failed with 404 and no size", r)
			}
			continue
		}
		if r.Failed() || !r.Known || r.Bytes != s.sent(t, u.Path) {
			t.Errorf("%s: %d bytes (known %v, status %d, err %q), want %d", r.URL, r.Bytes, r.Known, r.Status, r.Err, s.sent(t, u.Path))
		}
		weight += r.Bytes
		if r.CDN {
			cdnBytes += r.Bytes
		}
	}
	if res.Weight() != weight {
		t.Errorf("weight = %d, want %d", res.Weight(), weight)
	}
	if share, ok := res.CDNShare(); !ok || share != float64(cdnBytes)/float64(weight) {
		t.Errorf("cdn share = %v, want %v", share, float64(cdnBytes)/float64(weight))
	}
	if f := res.Failed(); len(f) != 1 {
		t.Errorf("failed = %+v, want only missing.png", f)
	}
	// Sent as they are though they compress: the page, site.css and the
	// logo; print.css is too small to count; app.js came gzipped.
	wantRaw := origin.sent(t, "/sale") + origin.sent(t, "/css/site.css") + cdn.sent(t, "/img/logo.svg")
	if got := res.UncompressedBytes(); got != wantRaw {
		t.Errorf("uncompressed = %d, want %d", got, wantRaw)
	}
	for _, r := range res.Resources {
		if strings.HasSuffix(r.URL, "app.js") && (r.Encoding != "gzip" || !r.ETag || r.CacheControl != "public, max-age=600") {
			t.Errorf("app.js: %+v, want gzip, an ETag and its Cache-Control", r)
		}
	}
}

func TestConfiguredHeadersGoOnlyToThePagesHost(t *testing.T) {
	origin, cdn := shopAndCDN(t)
	p := mustNew(t, Options{URL: origin.srv.URL + "/sale", Headers: http.Header{"X-Shop-Key": {"s3cret"}}})
	if _, err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if origin.headers["/sale"] != "s3cret" || origin.headers["/img/hero.png"] != "s3cret" {
		t.Errorf("origin did not get the header: %v", origin.headers)
	}
	for path, h := range cdn.headers {
		if h != "" {
			t.Errorf("the CDN got the shop's header on %s", path)
		}
	}
}

func TestTheMarker(t *testing.T) {
	for _, tc := range []struct {
		name    string
		html    string
		marker  Marker
		present bool
		why     string
	}{
		{"present", `<button id="buy">Buy now</button>`, Marker{Selector: "#buy", Text: "Buy", RequireEnabled: true}, true, ""},
		{"missing", `<button id="notify">Notify me</button>`, Marker{Selector: "#buy"}, false, "no element matches #buy"},
		{"wrong text", `<button id="buy">Sold out</button>`, Marker{Selector: "#buy", Text: "Buy"}, false, `the element matching #buy reads "Sold out", not "Buy"`},
		{"disabled but enabled not required", `<button id="buy" disabled>Buy</button>`, Marker{Selector: "#buy"}, true, ""},
		{"disabled", `<button id="buy" disabled>Buy</button>`, Marker{Selector: "#buy", RequireEnabled: true}, false, "the element matching #buy is disabled"},
		{"aria-disabled", `<a id="buy" aria-disabled="true">Buy</a>`, Marker{Selector: "#buy", RequireEnabled: true}, false, "the element matching #buy is disabled (aria-disabled)"},
		{"hidden by an ancestor's inline style", `<div style="color: red; DISPLAY : none !important"><button id="buy">Buy</button></div>`, Marker{Selector: "#buy", RequireEnabled: true}, false,
			"the element matching #buy is hidden by an inline style on an enclosing <div> (display:none)"},
		{"hidden attribute", `<button id="buy" hidden>Buy</button>`, Marker{Selector: "#buy", RequireEnabled: true}, false, "the element matching #buy is hidden: it has the hidden attribute"},
		{"second match counts", `<button class="b" disabled>Buy</button><button class="b">Buy</button>`, Marker{Selector: "button.b", RequireEnabled: true}, true, ""},
		{"input value", `<input type="submit" id="buy" value="Buy it">`, Marker{Selector: "#buy", Text: "buy it"}, true, ""},
		{"broken HTML still parses", `<div><p><button id="buy" class=x>Buy <b>now</div></table><p>`, Marker{Selector: "div > p > button#buy", Text: "buy now"}, true, ""},
		{"hostile text is cleaned", "<button id=\"buy\">\x1b[31mSold\u202e out</button>", Marker{Selector: "#buy", Text: "Buy"}, false, `the element matching #buy reads "Sold out", not "Buy"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t)
			s.add("/", asset{body: []byte("<!doctype html><title>t</title>" + tc.html), contentType: "text/html"})
			res, err := mustNew(t, Options{URL: s.srv.URL + "/", Marker: tc.marker}).Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if res.Button.Present != tc.present || res.Button.Why != tc.why {
				t.Errorf("button = %+v, want present %v, why %q", res.Button, tc.present, tc.why)
			}
		})
	}
}

func TestRedirectsAreFollowedUpToTheCap(t *testing.T) {
	s := newSite(t)
	s.add("/sale", asset{body: []byte(`<title>t</title><img src="/old.png"><button id="buy">Buy</button>`), contentType: "text/html"})
	s.add("/new.png", asset{body: filled(5000, 1), contentType: "image/png"})
	mux := http.NewServeMux()
	mux.Handle("/", s.srv.Config.Handler)
	mux.Handle("/go", http.RedirectHandler("/sale", http.StatusMovedPermanently))
	mux.Handle("/old.png", http.RedirectHandler("/new.png", http.StatusFound))
	mux.HandleFunc("/loop/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
	})
	s.srv.Config.Handler = mux

	res, err := mustNew(t, Options{URL: s.srv.URL + "/go"}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.FinalURL != s.srv.URL+"/sale" || !res.Button.Present {
		t.Errorf("final url %q, button %+v", res.FinalURL, res.Button)
	}
	if len(res.Resources) != 1 || res.Resources[0].Bytes != 5000 || res.Resources[0].Failed() {
		t.Errorf("the redirected image: %+v, want 5000 bytes from /new.png", res.Resources)
	}

	_, err = mustNew(t, Options{URL: s.srv.URL + "/loop/", MaxRedirects: 3}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "more than 3 redirects") {
		t.Errorf("redirect loop: err = %v, want more than 3 redirects", err)
	}
}

func TestAPageOverTheSizeCapIsRefusedNotParsed(t *testing.T) {
	s := newSite(t)
	page := "<title>big</title>" + strings.Repeat("<p>filler</p>", 2000) + `<button id="buy">Buy</button>`
	s.add("/", asset{body: []byte(page), contentType: "text/html"})
	res, err := mustNew(t, Options{URL: s.srv.URL + "/", MaxPageBytes: 10_000}).Run(context.Background())
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "larger than 10000 bytes") {
		t.Fatalf("err = %v, want ErrTooLarge naming the cap", err)
	}
	if res.Button.Present || !res.Page.AtLeast || res.Page.Bytes != 10_000 {
		t.Errorf("result = %+v: the page is at least the cap, and its button unknown", res.Page)
	}
	// A gzipped page is capped by what is sent, and again once decoded.
	s.add("/", asset{body: []byte(page), contentType: "text/html", gzip: true})
	if _, err := mustNew(t, Options{URL: s.srv.URL + "/", MaxPageBytes: 2000}).Run(context.Background()); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a small gzip of a large page: err = %v, want ErrTooLarge", err)
	}
}

func TestAServerSlowerThanTheTimeoutEndsTheRunAtItsDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	res, err := mustNew(t, Options{URL: srv.URL + "/", Timeout: 200 * time.Millisecond}).Run(context.Background())
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if res.Status != 0 || res.Page.Err != "no answer before the probe's deadline" {
		t.Errorf("page = %+v", res.Page)
	}
}

func TestSlowResourcesFailAtTheDeadlineWithoutFailingThePage(t *testing.T) {
	s := newSite(t)
	s.add("/", asset{body: []byte(`<title>t</title><img src="/slow.png"><button id="buy">Buy</button>`), contentType: "text/html"})
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/", s.srv.Config.Handler)
	mux.HandleFunc("/slow.png", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	s.srv.Config.Handler = mux
	t.Cleanup(func() { close(release) })
	res, err := mustNew(t, Options{URL: s.srv.URL + "/", Timeout: 300 * time.Millisecond}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Failed(); !res.Button.Present || len(f) != 1 || f[0].Err != "no answer before the probe's deadline" {
		t.Errorf("button %+v, failed %+v", res.Button, f)
	}
}

func TestTheResourceCapLeavesTheRestOut(t *testing.T) {
	s := newSite(t)
	var b strings.Builder
	b.WriteString("<title>t</title>")
	for i := range 12 {
		fmt.Fprintf(&b, `<img src="/i%d.png">`, i)
		s.add(fmt.Sprintf("/i%d.png", i), asset{body: filled(100, byte(i)), contentType: "image/png"})
	}
	s.add("/", asset{body: []byte(b.String()), contentType: "text/html"})
	res, err := mustNew(t, Options{URL: s.srv.URL + "/", MaxResources: 5, Concurrency: 2}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Resources) != 5 || res.LeftOut != 7 || !strings.HasSuffix(res.Resources[4].URL, "/i4.png") {
		t.Errorf("%d resources, %d left out, want 5 in page order and 7", len(res.Resources), res.LeftOut)
	}
}

func TestBadOptionsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{URL: "ftp://shop.example/"}, "not an http(s) URL"},
		{Options{URL: "shop.example/sale"}, "not an http(s) URL"},
		{Options{URL: "http://shop.example/", Marker: Marker{Selector: "#buy["}}, `selector "#buy["`},
		{Options{URL: "http://shop.example/", CDNHosts: []string{"https://cdn.example"}}, "cdn_hosts[0]"},
	} {
		if _, err := New(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want %q", tc.o, err, tc.want)
		}
	}
}

func TestCDNEntries(t *testing.T) {
	p := mustNew(t, Options{URL: "http://shop.example/", CDNHosts: []string{"cdn.example", "*.edge.example", "shop.example/static/", "img.example:8443"}})
	for raw, want := range map[string]bool{
		"https://cdn.example/a.png":        true,
		"https://CDN.example:443/a.png":    true,
		"https://x.cdn.example/a.png":      false,
		"https://a.b.edge.example/a.png":   true,
		"https://edge.example/a.png":       false,
		"http://shop.example/static/a.png": true,
		"http://shop.example/sale":         false,
		"https://img.example:8443/a.png":   true,
		"https://img.example/a.png":        false,
	} {
		u, _ := url.Parse(raw)
		if got := p.isCDN(u); got != want {
			t.Errorf("isCDN(%s) = %v, want %v", raw, got, want)
		}
	}
}
