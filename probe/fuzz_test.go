package probe

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// FuzzPageAndStylesheet feeds arbitrary bytes to the page parsing, the
// marker check and the stylesheet reading: whatever a page holds, they
// return, and every URL they give is absolute http(s) and free of control
// characters.
func FuzzPageAndStylesheet(f *testing.F) {
	f.Add([]byte(`<img src="a.png" srcset="b.png 2x, c.png 3x"><link rel="stylesheet preload" href="//x/y.css"><button id=buy disabled style="display:none">Buy</button>`),
		"body{background:url(../bg.png)} @import 'p.css';")
	f.Add([]byte("<base href=\"http://[::1\"><img srcset=\",,,(x, y) 1x\">\x00\x1b"), "url(\"\x9b\") url('' url(")
	sel := cascadia.MustCompile("#buy")
	base, _ := url.Parse("http://shop.example/sale/")
	f.Fuzz(func(t *testing.T, page []byte, css string) {
		doc, err := html.Parse(bytes.NewReader(page))
		if err != nil {
			return
		}
		title(doc)
		checkButton(doc, sel, Marker{Selector: "#buy", Text: "buy", RequireEnabled: true})
		refs := pageRefs(doc, baseURL(doc, base))
		refs = append(refs, cssRefs(css, base)...)
		for _, r := range refs {
			s := r.url.String()
			if (r.url.Scheme != "http" && r.url.Scheme != "https") || r.url.Host == "" || strings.ContainsAny(s, "\x00\x1b\r\n") {
				t.Errorf("bad url %q from %q", s, page)
			}
		}
	})
}
