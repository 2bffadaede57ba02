package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// untimed is a result without its clock readings, which differ run by run.
func untimed(r Result) Result {
	r.Started, r.Took = time.Time{}, 0
	return r
}

func TestAProbeOfUnchangedBodiesFindsWhatAFreshProberFinds(t *testing.T) {
	origin, cdn := shopAndCDN(t)
	opts := Options{URL: origin.srv.URL + "/sale", CDNHosts: []string{cdn.host()},
		Marker: Marker{Selector: "#buy", Text: "Buy now", RequireEnabled: true}}
	p := mustNew(t, opts)
	first, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := mustNew(t, opts).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Resources) == 0 || !slicesHaveKind(first.Resources, KindCSSURL) {
		t.Fatalf("the page's resources %+v; want the stylesheet's url()s among them", first.Resources)
	}
	if !reflect.DeepEqual(untimed(again), untimed(first)) {
		t.Errorf("second probe:\n%+v\nfirst:\n%+v", untimed(again), untimed(first))
	}
	if !reflect.DeepEqual(untimed(fresh), untimed(again)) {
		t.Errorf("a fresh prober:\n%+v\nthe second probe:\n%+v", untimed(fresh), untimed(again))
	}
}

func slicesHaveKind(rs []Resource, kind string) bool {
	for _, r := range rs {
		if r.Kind == kind {
			return true
		}
	}
	return false
}

// changingSite serves a page and its stylesheet whose bodies the test
// changes between probes.
type changingSite struct {
	mu         sync.Mutex
	page, css  string
	gzipSheets bool
}

func (s *changingSite) set(page, css string, gzipSheets bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.page, s.css, s.gzipSheets = page, css, gzipSheets
}

func (s *changingSite) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		page, css, gz := s.page, s.css, s.gzipSheets
		s.mu.Unlock()
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(page))
		case "/site.css":
			w.Header().Set("Content-Type", "text/css")
			body := []byte(css)
			if gz {
				w.Header().Set("Content-Encoding", "gzip")
				body = gzipped(t, body)
			}
			_, _ = w.Write(body)
		default:
			w.Header().Set("Content-Length", "10")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAChangedPageOrStylesheetIsReadAgain(t *testing.T) {
	const head = `<html><head><title>%s</title><link rel="stylesheet" href="/site.css"></head><body>`
	withButton := strings.Replace(head, "%s", "Sale", 1) + `<button id="buy">Buy</button></body></html>`
	noButton := strings.Replace(head, "%s", "Sold out", 1) + `<p>sold out</p></body></html>`
	site := &changingSite{}
	srv := site.serve(t)
	p := mustNew(t, Options{URL: srv.URL + "/"})

	steps := []struct {
		name       string
		page, css  string
		gzipSheets bool
		title      string
		button     bool
		cssURLs    []string
	}{
		{"the first probe", withButton, `a { background: url(/one.png) }`, false, "Sale", true, []string{"/one.png"}},
		{"the same bodies again", withButton, `a { background: url(/one.png) }`, false, "Sale", true, []string{"/one.png"}},
		{"a stylesheet that names another image", withButton, `a { background: url(/two.png) } @import "/three.css";`, false, "Sale", true, []string{"/two.png", "/three.css"}},
		{"the same stylesheet gzipped", withButton, `a { background: url(/two.png) } @import "/three.css";`, true, "Sale", true, []string{"/two.png", "/three.css"}},
		{"a page without its button", noButton, `a { background: url(/two.png) } @import "/three.css";`, true, "Sold out", false, []string{"/two.png", "/three.css"}},
		{"the button back", withButton, `a { background: url(/one.png) }`, false, "Sale", true, []string{"/one.png"}},
	}
	for _, st := range steps {
		site.set(st.page, st.css, st.gzipSheets)
		res, err := p.Run(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.Title != st.title || res.Button.Present != st.button {
			t.Errorf("%s: title %q, button present %v; want %q, %v", st.name, res.Title, res.Button.Present, st.title, st.button)
		}
		var got []string
		for _, r := range res.Resources {
			if r.Kind == KindCSSURL {
				got = append(got, strings.TrimPrefix(r.URL, srv.URL))
			}
		}
		if !reflect.DeepEqual(got, st.cssURLs) {
			t.Errorf("%s: the stylesheet's url()s %q; want %q", st.name, got, st.cssURLs)
		}
	}
}

func TestTheParseCacheStaysWithinItsSize(t *testing.T) {
	c := newParseCache[int](2)
	a, b := sumBody("", []byte("a")), sumBody("", []byte("b"))
	c.put("u1", a, 1)
	c.put("u2", a, 2)
	c.put("u2", b, 3) // replaces u2's entry: still two
	if v, ok := c.get("u1", a); !ok || v != 1 {
		t.Fatalf("u1 = %v, %v; want 1 kept", v, ok)
	}
	if _, ok := c.get("u2", a); ok {
		t.Fatalf("u2 with its old body still cached")
	}
	c.put("u3", a, 4) // a third URL: the cache starts over
	if len(c.m) != 1 {
		t.Fatalf("%d entries; want only the newest after the cache filled", len(c.m))
	}
	if v, ok := c.get("u3", a); !ok || v != 4 {
		t.Fatalf("u3 = %v, %v; want 4", v, ok)
	}
	if _, ok := c.get("u3", sumBody("gzip", []byte("a"))); ok {
		t.Fatalf("the same bytes under another encoding matched")
	}
}

// A second probe of unchanged bodies takes what the first read from them,
// not a new parse: the cached readings are marked, and the marks come back.
func TestAProbeOfUnchangedBodiesTakesTheCachedParse(t *testing.T) {
	site := &changingSite{}
	srv := site.serve(t)
	site.set(`<html><head><title>Sale</title><link rel="stylesheet" href="/site.css"></head><body><button id="buy">Buy</button></body></html>`,
		`a { background: url(/one.png) }`, false)
	p := mustNew(t, Options{URL: srv.URL + "/"})
	if _, err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(p.pages.m) != 1 || len(p.sheets.m) != 1 {
		t.Fatalf("%d pages and %d stylesheets cached; want 1 and 1", len(p.pages.m), len(p.sheets.m))
	}
	for k, e := range p.pages.m {
		e.v.title = "from the cache"
		p.pages.m[k] = e
	}
	for k, e := range p.sheets.m {
		marked := append([]ref(nil), e.v...)
		u := *marked[0].url
		u.Path = "/cached.png"
		marked[0].url = &u
		p.sheets.m[k] = parsed[[]ref]{sum: e.sum, v: marked}
	}
	res, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Title != "from the cache" {
		t.Errorf("title %q: the page was parsed again", res.Title)
	}
	var css []string
	for _, r := range res.Resources {
		if r.Kind == KindCSSURL {
			css = append(css, strings.TrimPrefix(r.URL, srv.URL))
		}
	}
	if !reflect.DeepEqual(css, []string{"/cached.png"}) {
		t.Errorf("the stylesheet's url()s %q: it was scanned again", css)
	}
}

// The caches hold no more than they can use: the last page alone (a page
// redirected to a new URL at every probe never matches an older one), and
// no stylesheet with more url()s than sheetCacheRefsMax.
func TestTheProbeCachesHoldTheLastPageAndNoHugeStylesheet(t *testing.T) {
	var n int
	var mu sync.Mutex
	huge := strings.Repeat("a{background:url(/x.png)}", sheetCacheRefsMax+1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sale":
			mu.Lock()
			n++
			to := "/queue?t=" + strings.Repeat("1", n)
			mu.Unlock()
			http.Redirect(w, r, to, http.StatusFound)
		case "/queue":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><head><link rel="stylesheet" href="/huge.css"></head><body><button id="buy">Buy</button></body></html>`))
		case "/huge.css":
			w.Header().Set("Content-Type", "text/css")
			_, _ = w.Write([]byte(huge))
		default:
			w.Header().Set("Content-Length", "10")
		}
	}))
	t.Cleanup(srv.Close)
	p := mustNew(t, Options{URL: srv.URL + "/sale", MaxResources: 5})
	for range 3 {
		if _, err := p.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.pages.m) != 1 {
		t.Errorf("%d pages cached after 3 probes redirected to 3 URLs; want the last alone", len(p.pages.m))
	}
	if len(p.sheets.m) != 0 {
		t.Errorf("a stylesheet of %d url()s is cached", sheetCacheRefsMax+1)
	}
}
