package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
)

// hookServer is a real HTTP server answering with the statuses it is
// given in turn (the last one repeating), or never answering.
type hookServer struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	hang     bool
	bodies   []map[string]any
	raw      [][]byte // the bodies as they came
	headers  []http.Header
}

func newHookServer(t *testing.T, statuses ...int) *hookServer {
	h := &hookServer{statuses: statuses}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		h.mu.Lock()
		h.bodies = append(h.bodies, m)
		h.raw = append(h.raw, body)
		h.headers = append(h.headers, r.Header.Clone())
		status := h.statuses[min(len(h.bodies), len(h.statuses))-1]
		hang := h.hang
		h.mu.Unlock()
		if hang {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status)+" from the test\x1b[2J")
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) requests() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.bodies)
}

// secretFile writes a secret the way an operator would, newline and all.
func secretFile(t *testing.T, name, value string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var anAlert = newAlert(Opened, "Winter drop", problem(events.KindEndpoint, "cart", events.Crit, 0, "cart at 186% of its ceiling"), t0)

func TestAWebhookPostsSlackCompatibleJSONWithHeadersFromFiles(t *testing.T) {
	srv := newHookServer(t, http.StatusOK)
	w, err := NewWebhook(WebhookOptions{
		URLFile:     secretFile(t, "url", srv.URL+"/services/T0/B0/token"),
		Headers:     map[string]string{"X-Team": "shop"},
		HeaderFiles: map[string]string{"Authorization": secretFile(t, "auth", "Bearer s3cret")},
		Timeout:     time.Second, Retries: 2, Backoff: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(context.Background(), anAlert); err != nil {
		t.Fatal(err)
	}
	if srv.requests() != 1 {
		t.Fatalf("%d requests, want 1", srv.requests())
	}
	body, h := srv.bodies[0], srv.headers[0]
	if body["text"] != anAlert.Text || body["state"] != "opened" || body["severity"] != "crit" || body["subject"] != "cart" {
		t.Errorf("body %v: want the alert with its text", body)
	}
	if h.Get("Authorization") != "Bearer s3cret" || h.Get("X-Team") != "shop" || h.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", h)
	}
	if strings.Contains(w.Name(), "token") {
		t.Errorf("the sink's name %q shows the URL's path", w.Name())
	}
}

func TestAWebhookRetriesWithBackoffThenFailsVisibly(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		hang      bool
		retries   int
		wantErr   string // "" for success
		wantCalls int
	}{
		{"a 500 then a 200 is delivered on the retry", []int{500, 200}, false, 3, "", 2},
		{"a 500 every time fails after every retry", []int{500}, false, 2, "attempt 3 of 3: answered 500 Internal Server Error: Internal Server Error from the test", 3},
		{"a 429 is retried", []int{429, 429, 204}, false, 3, "", 3},
		{"a 400 is final", []int{400}, false, 3, "attempt 1 of 4: answered 400 Bad Request", 1},
		{"a redirect is not followed", []int{302}, false, 3, "redirects are not followed", 1},
		{"a server that never answers times out each attempt", []int{200}, true, 1, "attempt 2 of 2: no answer within 200ms", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newHookServer(t, tt.statuses...)
			srv.hang = tt.hang
			var logBuf bytes.Buffer
			var logMu sync.Mutex
			log := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logBuf}, nil))
			w, err := NewWebhook(WebhookOptions{URL: srv.URL + "/hook/secret-token", Timeout: 200 * time.Millisecond, Retries: tt.retries, Backoff: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			d := mustNew(t, Options{Routes: []Route{{Sink: w}}, Log: log, Grace: 10 * time.Second})
			d.Observe(t0, []events.Problem{problem(events.KindErrors, "", events.Crit, 0, "error burst")})
			d.Close() // waits for the send and its retries
			st := d.Status()[0]
			if srv.requests() != tt.wantCalls {
				t.Errorf("%d requests, want %d", srv.requests(), tt.wantCalls)
			}
			logMu.Lock()
			logged := logBuf.String()
			logMu.Unlock()
			if tt.wantErr == "" {
				if st.Sent != 1 || st.Failing() {
					t.Errorf("status %+v, want delivered", st)
				}
				return
			}
			if st.Failed != 1 || !st.Failing() || !strings.Contains(st.LastError, tt.wantErr) {
				t.Errorf("status %+v, want failing with %q", st, tt.wantErr)
			}
			if !strings.Contains(logged, "alert failed") || !strings.Contains(logged, "sink=\"webhook http://127.0.0.1") {
				t.Errorf("the failure is not in the log:\n%s", logged)
			}
			for _, s := range []string{st.LastError, logged} {
				if strings.Contains(s, "secret-token") || strings.Contains(s, "\x1b") {
					t.Errorf("the URL's token or the server's escape reached the status or log: %q", s)
				}
			}
		})
	}
}

func TestAWebhookThatCannotConnectHidesItsURLsPath(t *testing.T) {
	srv := newHookServer(t, 200)
	url := srv.URL + "/hook/secret-token"
	srv.Close() // nothing listens there now
	w, err := NewWebhook(WebhookOptions{URL: url, Timeout: time.Second, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = w.Send(context.Background(), anAlert)
	if err == nil || strings.Contains(err.Error(), "secret-token") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v, want the refusal without the URL's path", err)
	}
}

func TestAWebhookWhoseSecretFileIsMissingSaysWhichField(t *testing.T) {
	_, err := NewWebhook(WebhookOptions{URL: "http://127.0.0.1:1/x", HeaderFiles: map[string]string{"Authorization": "/nonexistent/token"}, Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "header_files.Authorization: open /nonexistent/token") {
		t.Errorf("err = %v", err)
	}
	_, err = NewWebhook(WebhookOptions{URLFile: secretFile(t, "empty", ""), Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "url_file:") || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("err = %v", err)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
