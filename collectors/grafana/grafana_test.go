package grafana

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fakeGrafana answers /api/annotations from its list, as Grafana does:
// those between from and to carrying every tag asked, with the bearer
// token it was given; it keeps the queries asked.
type fakeGrafana struct {
	mu      sync.Mutex
	token   string
	list    []annotation
	queries []string
}

func (g *fakeGrafana) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+g.token {
		http.Error(w, `{"message":"invalid API key"}`, http.StatusUnauthorized)
		return
	}
	if r.URL.Path != "/grafana/api/annotations" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	g.queries = append(g.queries, r.URL.RawQuery)
	var from, to int64
	fmt.Sscan(q.Get("from"), &from)
	fmt.Sscan(q.Get("to"), &to)
	out := []string{}
	for _, a := range g.list {
		if a.Time < from || a.Time > to {
			continue
		}
		if !containsAll(a.Tags, q["tags"]) {
			continue
		}
		text, _ := json.Marshal(a.Text)
		out = append(out, fmt.Sprintf(`{"id":%d,"time":%d,"timeEnd":%[2]d,"text":%s,"tags":["deploy"],"login":%q}`, a.ID, a.Time, text, a.Login))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, "["+strings.Join(out, ",")+"]")
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func TestReadTakesEachNewAnnotationOnceWithTheToken(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return start.Add(d).UnixMilli() }
	g := &fakeGrafana{token: "glsa_secret", list: []annotation{
		{ID: 1, Time: ms(-2 * time.Hour), Text: "too old", Tags: []string{"deploy"}},
		{ID: 2, Time: ms(-10 * time.Minute), Text: "deploy 1.4.1", Tags: []string{"deploy", "shop"}, Login: "ci"},
		{ID: 3, Time: ms(-5 * time.Minute), Text: "not ours", Tags: []string{"deploy"}},
	}}
	srv := httptest.NewServer(g)
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("glsa_secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := start
	r, err := New(&config.GrafanaAnnotations{URL: srv.URL + "/grafana/", TokenFile: tokenFile, Tags: []string{"deploy", "shop"}},
		func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	read := func() []snapshot.Annotation {
		t.Helper()
		got, err := r.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []snapshot.Annotation{{At: start.Add(-10 * time.Minute), Text: "deploy 1.4.1", By: "ci"}}
	if got := read(); !slices.Equal(got, want) {
		t.Fatalf("first read %+v, want %+v (the last hour, both tags)", got, want)
	}
	// A new one, made "a moment ago" with a time before the last read.
	g.mu.Lock()
	g.list = append(g.list, annotation{ID: 4, Time: ms(-20 * time.Second), Text: "cache\x1b[31m purge", Tags: []string{"deploy", "shop"}})
	g.mu.Unlock()
	now = start.Add(5 * time.Second)
	if got := read(); got != nil {
		t.Errorf("a read within %s of the last asked Grafana: %+v", Every, got)
	}
	now = start.Add(15 * time.Second)
	want = []snapshot.Annotation{{At: start.Add(-20 * time.Second), Text: "cache purge", By: "grafana"}}
	if got := read(); !slices.Equal(got, want) {
		t.Errorf("second read %+v, want only the new one, cleaned, by grafana", got)
	}
	g.mu.Lock()
	queries := slices.Clone(g.queries)
	g.mu.Unlock()
	if len(queries) != 2 || !strings.Contains(queries[0], fmt.Sprintf("from=%d", ms(-time.Hour))) ||
		!strings.Contains(queries[1], fmt.Sprintf("from=%d", ms(-time.Minute))) || !strings.Contains(queries[1], "tags=deploy&tags=shop") {
		t.Errorf("queries %q", queries)
	}
}

func TestAFailedReadSaysWhyWithoutTheToken(t *testing.T) {
	g := &fakeGrafana{token: "right"}
	srv := httptest.NewServer(g)
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("glsa_wrong_secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := New(&config.GrafanaAnnotations{URL: srv.URL + "/grafana", TokenFile: tokenFile}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") || strings.Contains(err.Error(), "glsa_wrong_secret") {
		t.Errorf("error %v: want the status, never the token", err)
	}
	if _, err := New(&config.GrafanaAnnotations{URL: srv.URL, TokenFile: filepath.Join(t.TempDir(), "none")}, nil); err == nil {
		t.Error("a missing token file was taken")
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(&config.GrafanaAnnotations{URL: srv.URL, TokenFile: empty}, nil); err == nil || !strings.Contains(err.Error(), "holds no token") {
		t.Errorf("an empty token file: %v", err)
	}
}
