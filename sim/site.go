package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns the shop's routes: /metrics, the sale page at /, its static
// assets under /assets/ (first launch) or /cdn/ (second launch), and the
// /login, /cart and /buy endpoints. Requests to them never touch the model's
// counters: the series stay a function of simulated time and seed alone.
func (s *Shop) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", s.servePage)
	mux.HandleFunc("GET "+s.sc.assetPrefix+"{name}", s.serveAsset)
	for _, h := range dynamicHandlers {
		mux.HandleFunc("/"+h, s.serveDynamic(h))
	}
	return mux
}

// pageTemplate is the sale page. The buy button is rendered only when the
// model says it is visible: the probe in launchwatch reads the page itself.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Flash sale: {{.Product}}</title>
<link rel="stylesheet" href="{{.Prefix}}app.css">
<script src="{{.Prefix}}app.js" defer></script>
</head>
<body>
<h1>{{.Product}}</h1>
<p id="countdown">{{.Status}}</p>
{{range .Images}}<img src="{{$.Prefix}}{{.}}" alt="" width="8" height="8">
{{end}}{{if .Button}}<button id="buy" type="button">Buy now</button>
{{end}}</body>
</html>
`))

// pageData fills pageTemplate.
type pageData struct {
	Product string
	Prefix  string
	Status  string
	Images  []string
	Button  bool
}

func (s *Shop) servePage(w http.ResponseWriter, _ *http.Request) {
	now := s.Now()
	st := s.snapshot(now)
	left := stockTotal - st.orders
	status := fmt.Sprintf("The sale is live: %d left.", left)
	switch {
	case now.Before(s.launchAt):
		status = "The sale opens in " + s.launchAt.Sub(now).Truncate(time.Second).String() + "."
	case left == 0:
		status = "Sold out. Thank you!"
	}
	var b bytes.Buffer
	err := pageTemplate.Execute(&b, pageData{
		Product: "Launchwatch Limited Edition",
		Prefix:  s.sc.assetPrefix,
		Status:  status,
		Images:  s.sc.assetNames()[2:],
		Button:  st.button,
	})
	if err != nil {
		http.Error(w, "render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	// Pad to the model's page weight so the bytes on the wire agree with the
	// bytes the metrics count.
	if pad := int(s.sc.pageBytes) - b.Len() - len("<!--\n-->\n"); pad > 0 {
		b.WriteString("<!--" + strings.Repeat("=", pad) + "\n-->\n")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}

func (s *Shop) serveAsset(w http.ResponseWriter, r *http.Request) {
	a := s.assets.lookup(r.PathValue("name"))
	if a == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	body := a.body
	if a.gzipped != nil {
		w.Header().Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			body = a.gzipped
		}
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	_, _ = w.Write(body)
}

// acceptsGzip reports whether the client listed gzip in Accept-Encoding.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(coding, "gzip") {
			return true
		}
	}
	return false
}

// serveDynamic answers a dynamic endpoint with a small JSON body that reflects
// the model (stock, phase) without counting the request.
func (s *Shop) serveDynamic(handler string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		now := s.Now()
		st := s.snapshot(now)
		left := stockTotal - st.orders
		body := map[string]any{"ok": true, "handler": handler}
		switch handler {
		case hLogin:
			body["session"] = "demo"
		case hCart:
			body["items"] = 1
			body["stock_remaining"] = left
		case hBuy:
			body["stock_remaining"] = left
			if now.Before(s.launchAt) || left == 0 {
				body["ok"] = false
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusConflict)
				_ = json.NewEncoder(w).Encode(body)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}
}
