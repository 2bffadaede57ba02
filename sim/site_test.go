package sim

import (
	"bytes"
	"compress/gzip"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// get fetches path from h with optional request headers as key, value pairs.
func get(t testing.TB, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestBuyButton(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		at       time.Duration // relative to T0
		want     bool
	}{
		{"second-launch hides the button during the countdown", "second-launch", -time.Minute, false},
		{"second-launch shows the button as the sale opens", "second-launch", 30 * time.Second, true},
		{"second-launch shows the button mid-sale", "second-launch", 5 * time.Minute, true},
		{"second-launch removes the button after sell-out", "second-launch", 15 * time.Minute, false},
		{"first-launch hides the button during the countdown", "first-launch", -time.Minute, false},
		{"first-launch is missing the button just after T0", "first-launch", time.Minute, false},
		{"first-launch is still missing the button at T0+14m", "first-launch", 14 * time.Minute, false},
		{"first-launch shows the button once the bug is fixed", "first-launch", 16 * time.Minute, true},
		{"first-launch still shows the button an hour in", "first-launch", 60 * time.Minute, true},
		{"first-launch removes the button after sell-out", "first-launch", 100 * time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := newTestShop(t, tt.scenario, 1)
			advanceSim(clock, s.LaunchAt().Sub(s.Now())+tt.at)
			h := s.Handler()
			page := get(t, h, "/")
			if page.Code != http.StatusOK {
				t.Fatalf("GET /: status %d", page.Code)
			}
			has := strings.Contains(page.Body.String(), `<button id="buy"`)
			gauge := scrape(t, s, h).v(kButton) == 1
			if has != tt.want || gauge != tt.want {
				t.Errorf("button on page %v, gauge %v; want %v", has, gauge, tt.want)
			}
		})
	}
}

func TestPage(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		prefix   string
	}{
		{"second-launch points its assets at the CDN", "second-launch", "/cdn/"},
		{"first-launch serves its assets from the origin", "first-launch", "/assets/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestShop(t, tt.scenario, 1)
			body := get(t, s.Handler(), "/").Body.String()
			if got := len(body); got != int(s.sc.pageBytes) {
				t.Errorf("page is %d bytes, the model counts %.0f", got, s.sc.pageBytes)
			}
			refs := strings.Count(body, `="`+tt.prefix)
			if refs != s.sc.resources {
				t.Errorf("page references %d assets under %s, want %d", refs, tt.prefix, s.sc.resources)
			}
			if !strings.Contains(body, "opens in 12m0s") {
				t.Errorf("page lacks the countdown: %.300s", body)
			}
		})
	}
}

func TestAssets(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		path     string
		gzip     bool
		size     int
		slack    float64 // relative size tolerance
	}{
		{"second-launch gzips its stylesheet to 50 KB", "second-launch", "/cdn/app.css", true, 50e3, 0.01},
		{"second-launch gzips its script to 50 KB", "second-launch", "/cdn/app.js", true, 50e3, 0.01},
		{"second-launch serves images as they are", "second-launch", "/cdn/img-03.png", false, 50e3, 0},
		{"first-launch serves its stylesheet uncompressed", "first-launch", "/assets/app.css", false, 500e3, 0},
		{"first-launch serves 500 KB images", "first-launch", "/assets/img-18.png", false, 500e3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestShop(t, tt.scenario, 1)
			rec := get(t, s.Handler(), tt.path, "Accept-Encoding", "gzip, br")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: status %d", tt.path, rec.Code)
			}
			gzipped := rec.Header().Get("Content-Encoding") == "gzip"
			if gzipped != tt.gzip {
				t.Errorf("Content-Encoding gzip %v, want %v", gzipped, tt.gzip)
			}
			if !within(float64(rec.Body.Len()), float64(tt.size), tt.slack) {
				t.Errorf("%d bytes on the wire, want %d ± %.0f%%", rec.Body.Len(), tt.size, tt.slack*100)
			}
			body := rec.Body.Bytes()
			if gzipped {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("gzip reader: %v", err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatalf("gunzip: %v", err)
				}
			}
			if strings.HasSuffix(tt.path, ".png") {
				if _, err := png.Decode(bytes.NewReader(body)); err != nil {
					t.Errorf("image does not decode: %v", err)
				}
			}
		})
	}
}

func TestAssetsWithoutGzip(t *testing.T) {
	s, _ := newTestShop(t, "second-launch", 1)
	rec := get(t, s.Handler(), "/cdn/app.css")
	if rec.Header().Get("Content-Encoding") != "" || !strings.HasPrefix(rec.Body.String(), ".c0{") {
		t.Errorf("a client without gzip got Content-Encoding %q and body %.20q",
			rec.Header().Get("Content-Encoding"), rec.Body.String())
	}
}

func TestUnknownPaths(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		path     string
	}{
		{"first-launch has no CDN path", "first-launch", "/cdn/app.css"},
		{"second-launch has no origin asset path", "second-launch", "/assets/app.css"},
		{"an asset outside the page is not found", "second-launch", "/cdn/img-99.png"},
		{"a stray path is not found", "second-launch", "/admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestShop(t, tt.scenario, 1)
			if code := get(t, s.Handler(), tt.path).Code; code != http.StatusNotFound {
				t.Errorf("GET %s: status %d, want 404", tt.path, code)
			}
		})
	}
}

func TestRequestsLeaveCountersAlone(t *testing.T) {
	s, clock := newTestShop(t, "second-launch", 1)
	advanceSim(clock, 5*time.Minute)
	h := s.Handler()
	before := scrape(t, s, h)
	for _, path := range []string{"/", "/cdn/app.css", "/cdn/img-01.png", "/login", "/cart", "/buy"} {
		for range 20 {
			if code := get(t, h, path).Code; code >= 500 {
				t.Fatalf("GET %s: status %d", path, code)
			}
		}
	}
	after := scrape(t, s, h)
	for _, key := range shopKeys(before) {
		if before.values[key] != after.values[key] {
			t.Errorf("%s moved from %v to %v on real requests", key, before.values[key], after.values[key])
		}
	}
}

func TestDynamicEndpoints(t *testing.T) {
	tests := []struct {
		name string
		path string
		at   time.Duration
		code int
		want string
	}{
		{"login answers JSON", "/login", 0, http.StatusOK, `"session":"demo"`},
		{"cart reports the stock", "/cart", 0, http.StatusOK, `"stock_remaining":1000`},
		{"buy before T0 is refused", "/buy", -time.Minute, http.StatusConflict, `"ok":false`},
		{"buy during the sale is accepted", "/buy", time.Minute, http.StatusOK, `"ok":true`},
		{"buy after sell-out is refused", "/buy", 20 * time.Minute, http.StatusConflict, `"stock_remaining":0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := newTestShop(t, "second-launch", 1)
			advanceSim(clock, s.LaunchAt().Sub(s.Now())+tt.at)
			rec := get(t, s.Handler(), tt.path)
			if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("GET %s: %d %s; want %d with %s", tt.path, rec.Code, rec.Body, tt.code, tt.want)
			}
		})
	}
}
