// Package grafanatest is a fake of Grafana's annotation API for tests.
// Grafana is not installed where launchwatch's tests run, so this httptest
// server, answering GET /api/annotations as Grafana's HTTP API documents
// it, stands in for it.
package grafanatest

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// Annotation is one annotation the fake holds.
type Annotation struct {
	ID    int64    `json:"id"`
	Time  int64    `json:"time"` // ms since the epoch
	Text  string   `json:"text"`
	Tags  []string `json:"tags"`
	Login string   `json:"login,omitempty"`
}

// Grafana answers GET PREFIX/api/annotations from its list: those with
// from <= time <= to (both inclusive, in ms) carrying every tag asked,
// ordered newest first (Grafana orders by epoch * 1000 + epoch_end
// descending), at most limit of them (100 when limit is not given), to a
// request with the bearer token it was given (401 otherwise). It keeps the
// queries asked.
type Grafana struct {
	// Prefix is the path Grafana is served under ("" at the root).
	Prefix string
	Token  string

	mu      sync.Mutex
	list    []Annotation
	queries []string
}

// Start serves g on a loopback port until the test ends and returns its
// base URL (Prefix included).
func Start(t testing.TB, g *Grafana) string {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL + g.Prefix
}

// Add adds annotations to the list.
func (g *Grafana) Add(as ...Annotation) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.list = append(g.list, as...)
}

// Queries returns the raw queries asked so far.
func (g *Grafana) Queries() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.queries)
}

func (g *Grafana) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+g.Token {
		http.Error(w, `{"message":"invalid API key"}`, http.StatusUnauthorized)
		return
	}
	if r.URL.Path != g.Prefix+"/api/annotations" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	g.queries = append(g.queries, r.URL.RawQuery)
	from, errFrom := strconv.ParseInt(q.Get("from"), 10, 64)
	to, errTo := strconv.ParseInt(q.Get("to"), 10, 64)
	if errFrom != nil || errTo != nil {
		http.Error(w, `{"message":"bad from or to"}`, http.StatusBadRequest)
		return
	}
	limit := 100
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			http.Error(w, `{"message":"bad limit"}`, http.StatusBadRequest)
			return
		}
		limit = n
	}
	match := []Annotation{}
	for _, a := range g.list {
		if a.Time >= from && a.Time <= to && containsAll(a.Tags, q["tags"]) {
			match = append(match, a)
		}
	}
	slices.SortStableFunc(match, func(a, b Annotation) int { return cmp.Compare(b.Time, a.Time) })
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(match[:min(limit, len(match))])
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
