package probe

import (
	"cmp"
	"net/url"
	"regexp"
	"slices"
)

var (
	cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	cssURL     = regexp.MustCompile(`(?i)url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)`)
	cssImport  = regexp.MustCompile(`(?i)@import\s+(?:"([^"]*)"|'([^']*)')`)
)

// cssRefs lists the url()s and @import strings of a stylesheet, resolved
// against its own URL, in order. The probe goes one level deep: what an
// imported stylesheet names in turn is not read.
func cssRefs(css string, base *url.URL) []ref {
	css = cssComment.ReplaceAllString(css, "")
	type hit struct {
		at  int
		raw string
	}
	var hits []hit
	for _, re := range []*regexp.Regexp{cssURL, cssImport} {
		for _, m := range re.FindAllStringSubmatchIndex(css, -1) {
			for g := 1; g < len(m)/2; g++ {
				if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
					hits = append(hits, hit{at: m[0], raw: css[m[2*g]:m[2*g+1]]})
					break
				}
			}
		}
	}
	// Two patterns found them: put them back in the stylesheet's order.
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(a.at, b.at) })
	var out []ref
	for _, h := range hits {
		if u, ok := resolve(base, h.raw); ok {
			out = append(out, ref{url: u, kind: KindCSSURL})
		}
	}
	return out
}
