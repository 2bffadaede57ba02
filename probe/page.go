package probe

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/launchwatch/launchwatch/snapshot"
)

// ref is a resource a document names, before it is sized.
type ref struct {
	url  *url.URL
	kind string
}

// title returns the document's first <title>, cleaned.
func title(doc *html.Node) string {
	var found string
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == atom.Title {
			found = snapshot.CleanText(textOf(n), maxText)
			return false
		}
		return true
	})
	return found
}

// baseURL returns the document's <base href> resolved against page, or
// page.
func baseURL(doc *html.Node, page *url.URL) *url.URL {
	base := page
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == atom.Base {
			if href, ok := attr(n, "href"); ok {
				if u, err := page.Parse(strings.TrimSpace(href)); err == nil {
					base = u
				}
			}
			return false
		}
		return true
	})
	return base
}

// pageRefs lists the resources a page pulls, in page order: img src and
// srcset, picture source srcset, script src, link stylesheet, preload and
// modulepreload. Anything that is not http(s) (data:, blob:) is skipped.
func pageRefs(doc *html.Node, base *url.URL) []ref {
	var out []ref
	add := func(raw, kind string) {
		if u, ok := resolve(base, raw); ok {
			out = append(out, ref{url: u, kind: kind})
		}
	}
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch n.DataAtom {
		case atom.Img:
			if src, ok := attr(n, "src"); ok {
				add(src, KindImage)
			}
			for _, c := range srcsetURLs(n) {
				add(c, KindSrcset)
			}
		case atom.Source:
			for _, c := range srcsetURLs(n) {
				add(c, KindSrcset)
			}
		case atom.Script:
			if src, ok := attr(n, "src"); ok {
				add(src, KindScript)
			}
		case atom.Link:
			href, ok := attr(n, "href")
			if !ok {
				break
			}
			rel, _ := attr(n, "rel")
			for _, tok := range strings.Fields(strings.ToLower(rel)) {
				switch tok {
				case "stylesheet":
					add(href, KindStylesheet)
				case "preload", "modulepreload":
					add(href, KindPreload)
				default:
					continue
				}
				break
			}
		}
		return true
	})
	return out
}

// srcsetURLs returns the candidate URLs of an element's srcset: every one,
// since the probe picks no screen size. It follows the HTML standard's
// parsing: a URL runs to whitespace, and a URL that ends in a comma has no
// descriptor; otherwise its descriptor runs to the next comma outside
// parentheses.
func srcsetURLs(n *html.Node) []string {
	s, ok := attr(n, "srcset")
	if !ok {
		return nil
	}
	var out []string
	const space = " \t\n\r\f"
	for {
		s = strings.TrimLeft(s, space+",")
		if s == "" {
			return out
		}
		end := strings.IndexAny(s, space)
		if end < 0 {
			end = len(s)
		}
		u := s[:end]
		s = s[end:]
		if trimmed := strings.TrimRight(u, ","); trimmed != u {
			out = append(out, trimmed)
			continue
		}
		out = append(out, u)
		depth := 0
		i := 0
		for ; i < len(s); i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth = max(depth-1, 0)
			}
			if s[i] == ',' && depth == 0 {
				break
			}
		}
		s = s[min(i+1, len(s)):]
	}
}

// resolve turns a reference into an absolute http(s) URL without a
// fragment.
func resolve(base *url.URL, raw string) (*url.URL, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, false
	}
	u, err := base.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	u.Fragment, u.RawFragment = "", ""
	return u, true
}

// checkButton looks for the marker in the document.
func checkButton(doc *html.Node, sel matcher, m Marker) Button {
	b := Button{Selector: snapshot.CleanText(m.Selector, maxText), Text: snapshot.CleanText(m.Text, maxText)}
	matches := sel.MatchAll(doc)
	b.Matched = len(matches)
	if len(matches) == 0 {
		b.Why = fmt.Sprintf("no element matches %s", b.Selector)
		return b
	}
	for _, n := range matches {
		why := buttonFault(n, m)
		if why == "" {
			b.Present, b.Why = true, ""
			return b
		}
		if b.Why == "" {
			b.Why = snapshot.CleanText(fmt.Sprintf("the element matching %s %s", m.Selector, why), maxText)
		}
	}
	return b
}

// matcher is the part of a compiled selector checkButton uses.
type matcher interface {
	MatchAll(n *html.Node) []*html.Node
}

// buttonFault says what keeps a matched element from being the button,
// or "" when nothing does.
func buttonFault(n *html.Node, m Marker) string {
	if m.Text != "" {
		text := textOf(n)
		if v, ok := attr(n, "value"); ok && n.DataAtom == atom.Input {
			text = v
		}
		if !strings.Contains(strings.ToLower(collapse(text)), strings.ToLower(collapse(m.Text))) {
			return fmt.Sprintf("reads %q, not %q", snapshot.CleanText(collapse(text), 60), m.Text)
		}
	}
	if !m.RequireEnabled {
		return ""
	}
	if _, ok := attr(n, "disabled"); ok {
		return "is disabled"
	}
	if v, _ := attr(n, "aria-disabled"); strings.EqualFold(strings.TrimSpace(v), "true") {
		return "is disabled (aria-disabled)"
	}
	for a := n; a != nil && a.Type == html.ElementNode; a = a.Parent {
		who := "it"
		if a != n {
			who = "an enclosing <" + a.Data + ">"
		}
		if _, ok := attr(a, "hidden"); ok {
			return "is hidden: " + who + " has the hidden attribute"
		}
		if style, ok := attr(a, "style"); ok {
			if rule := hidingRule(style); rule != "" {
				return "is hidden by an inline style on " + who + " (" + rule + ")"
			}
		}
	}
	return ""
}

// hidingRule returns the declaration of an inline style that hides an
// element (display:none, visibility:hidden), or "".
func hidingRule(style string) string {
	for _, decl := range strings.Split(style, ";") {
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), "!important")))
		switch {
		case prop == "display" && val == "none":
			return "display:none"
		case prop == "visibility" && (val == "hidden" || val == "collapse"):
			return "visibility:" + val
		}
	}
	return ""
}

// walk visits n and its descendants in document order while visit returns
// true.
func walk(n *html.Node, visit func(*html.Node) bool) bool {
	if !visit(n) {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !walk(c, visit) {
			return false
		}
	}
	return true
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// textOf returns the text inside n.
func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
		return true
	})
	return b.String()
}

// collapse folds runs of whitespace into one space and trims.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
