package probe

import (
	"mime"
	"path"
	"strings"
	"time"
)

// Resource kinds, as Resource.Kind names them.
const (
	KindImage      = "img"
	KindSrcset     = "srcset"
	KindScript     = "script"
	KindStylesheet = "stylesheet"
	KindPreload    = "preload"
	KindCSSURL     = "css-url"
)

// Result is what one run found.
type Result struct {
	// URL is the page asked for; FinalURL the one answered after
	// redirects.
	URL      string `json:"url"`
	FinalURL string `json:"final_url"`
	// Status is the page's HTTP status; 0 when it never answered.
	Status int `json:"status"`
	// Title is the page's <title>, cleaned.
	Title string `json:"title,omitempty"`
	// Page is the HTML document itself as a resource.
	Page Resource `json:"page"`
	// Button is the purchase button's check.
	Button Button `json:"button"`
	// Resources are the page's resources in page order, the stylesheets'
	// url()s after them.
	Resources []Resource `json:"resources"`
	// LeftOut is how many more resources the page names beyond
	// MaxResources: not sized, not counted.
	LeftOut int `json:"left_out,omitempty"`
	// Started is when the run began; Took how long it ran.
	Started time.Time     `json:"started"`
	Took    time.Duration `json:"took_ns"`
}

// Button is the purchase button's check.
type Button struct {
	// Selector and Text are the marker checked.
	Selector string `json:"selector"`
	Text     string `json:"text,omitempty"`
	// Present is true when an element matched every part of the marker.
	Present bool `json:"present"`
	// Matched is how many elements matched the selector.
	Matched int `json:"matched"`
	// Why says why the button does not count as present; empty when it
	// does. Cleaned for a terminal.
	Why string `json:"why,omitempty"`
}

// Resource is one thing the page pulls, as the probe found it.
type Resource struct {
	// URL is the resource's absolute URL.
	URL string `json:"url"`
	// Kind is KindImage, KindSrcset, KindScript, KindStylesheet,
	// KindPreload or KindCSSURL ("page" for the document itself).
	Kind string `json:"kind"`
	// Status is the HTTP status of the request that sized it; 0 when none
	// answered.
	Status int `json:"status"`
	// Bytes is the size as transferred (the encoded body); valid when
	// Known. AtLeast says the body passed the size cap and Bytes is the
	// cap.
	Bytes   int64 `json:"bytes"`
	Known   bool  `json:"known"`
	AtLeast bool  `json:"at_least,omitempty"`
	// ContentType and Encoding are the Content-Type and Content-Encoding
	// the server sent.
	ContentType string `json:"content_type,omitempty"`
	Encoding    string `json:"encoding,omitempty"`
	// CacheControl is the Cache-Control header; ETag whether one was sent.
	CacheControl string `json:"cache_control,omitempty"`
	ETag         bool   `json:"etag,omitempty"`
	// Host is the host that answered; CDN whether a configured CDN entry
	// serves it.
	Host string `json:"host"`
	CDN  bool   `json:"cdn"`
	// Err is why the resource did not load (no answer, too many
	// redirects), cleaned; empty when it answered.
	Err string `json:"error,omitempty"`
}

// Failed reports a resource that did not load: no answer, or an error
// status.
func (r Resource) Failed() bool { return r.Err != "" || r.Status >= 400 || r.Status == 0 }

// Compressible reports whether the resource is of a type that compresses
// (text, scripts, styles, SVG, JSON, fonts other than WOFF), judged by its
// Content-Type, else by its file extension.
func (r Resource) Compressible() bool {
	ct := r.ContentType
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(strings.ToLower(urlPath(r.URL))))
	}
	media, _, _ := mime.ParseMediaType(ct)
	switch {
	case strings.HasPrefix(media, "text/"):
		return true
	case strings.HasSuffix(media, "+json"), strings.HasSuffix(media, "+xml"):
		return true
	}
	switch media {
	case "application/javascript", "application/x-javascript", "application/ecmascript", "application/json",
		"application/xml", "image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon", "image/bmp",
		"font/ttf", "font/otf", "application/vnd.ms-fontobject", "application/wasm":
		return true
	}
	return false
}

// Uncompressed reports a compressible resource sent without a
// Content-Encoding (and large enough for it to matter).
func (r Resource) Uncompressed() bool {
	return r.Known && r.Bytes >= minCompressible && r.Encoding == "" && r.Compressible()
}

// minCompressible is the size under which compressing a body saves less
// than its headers cost: not counted as bytes to compress.
const minCompressible = 1000

func urlPath(raw string) string {
	p, _, _ := strings.Cut(raw, "?")
	p, _, _ = strings.Cut(p, "#")
	return p
}

// Weight is the page weight as transferred: the HTML plus every resource
// whose size is known.
func (r Result) Weight() int64 {
	w := r.Page.Bytes
	for _, res := range r.Resources {
		if res.Known {
			w += res.Bytes
		}
	}
	return w
}

// ResourceBytes is the known bytes of the resources, without the HTML;
// Sized how many resources they come from.
func (r Result) ResourceBytes() (bytes int64, sized int) {
	for _, res := range r.Resources {
		if res.Known && !res.Failed() {
			bytes += res.Bytes
			sized++
		}
	}
	return bytes, sized
}

// Failed returns the resources that did not load.
func (r Result) Failed() []Resource {
	var out []Resource
	for _, res := range r.Resources {
		if res.Failed() {
			out = append(out, res)
		}
	}
	return out
}

// UncompressedBytes is the bytes of compressible resources, the page
// included, sent without compression.
func (r Result) UncompressedBytes() int64 {
	var n int64
	for _, res := range append([]Resource{r.Page}, r.Resources...) {
		if res.Uncompressed() {
			n += res.Bytes
		}
	}
	return n
}

// CDNBytes is the bytes that CDN hosts serve.
func (r Result) CDNBytes() int64 {
	var n int64
	for _, res := range append([]Resource{r.Page}, r.Resources...) {
		if res.CDN && res.Known {
			n += res.Bytes
		}
	}
	return n
}

// CDNShare is CDNBytes over Weight; false when nothing was weighed.
func (r Result) CDNShare() (float64, bool) {
	w := r.Weight()
	if w <= 0 {
		return 0, false
	}
	return float64(r.CDNBytes()) / float64(w), true
}
