// Package grafana reads annotations from Grafana's HTTP API (GET
// /api/annotations) as they are made, for the notes a watch lays on its
// launch (config annotations.grafana).
package grafana

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Defaults of a Reader.
const (
	// Every is how often Grafana is asked at most: annotations are made by
	// people and deploy jobs, and a war room of screens must not poll a
	// shared Grafana every second.
	Every = 10 * time.Second
	// Back is how far before the first read annotations are taken: a
	// deploy a little before the watch started belongs to the launch.
	Back = time.Hour
	// maxBody caps an answer.
	maxBody = 4 << 20
	// limit is how many annotations one read asks for.
	limit = 500
)

// Reader reads a Grafana's annotations, each once.
type Reader struct {
	base   *url.URL
	token  string
	tags   []string
	client *http.Client
	now    func() time.Time
	every  time.Duration

	last time.Time      // the last read's end; zero before the first
	seen map[int64]bool // annotations taken, by id
}

// New builds a reader from the config block; the token is read from its
// file now. now is the wall clock (nil: time.Now).
func New(cfg *config.GrafanaAnnotations, now func() time.Time) (*Reader, error) {
	u, err := url.Parse(strings.TrimSuffix(cfg.URL, "/"))
	if err != nil {
		return nil, fmt.Errorf("annotations.grafana.url: %w", err)
	}
	r := &Reader{base: u, tags: cfg.Tags, client: &http.Client{}, now: now, every: Every, seen: map[int64]bool{}}
	if r.now == nil {
		r.now = time.Now
	}
	if cfg.TokenFile != "" {
		b, err := os.ReadFile(cfg.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("annotations.grafana.token_file: %w", err)
		}
		r.token = strings.TrimSpace(string(b))
		if r.token == "" {
			return nil, fmt.Errorf("annotations.grafana.token_file: %s holds no token", cfg.TokenFile)
		}
	}
	return r, nil
}

// annotation is one of Grafana's, as /api/annotations answers it.
type annotation struct {
	ID    int64    `json:"id"`
	Time  int64    `json:"time"` // ms since the epoch
	Text  string   `json:"text"`
	Tags  []string `json:"tags"`
	Login string   `json:"login"`
	Email string   `json:"email"`
}

// Read asks for the annotations made since the last read (the first read
// from Back before now), at most once per Every (an earlier call returns
// nothing), and returns those not taken yet, in time order, by their
// author's login (or "grafana"), text cleaned. A failed read returns its
// error, never the token, and is asked again next time.
func (r *Reader) Read(ctx context.Context) ([]snapshot.Annotation, error) {
	now := r.now()
	if !r.last.IsZero() && now.Sub(r.last) < r.every {
		return nil, nil
	}
	from := now.Add(-Back)
	if !r.last.IsZero() {
		// Overlap the last read by a minute: Grafana stores an annotation
		// made a moment ago with its own time, which may lie before it.
		from = r.last.Add(-time.Minute)
	}
	q := url.Values{"from": {strconv.FormatInt(from.UnixMilli(), 10)}, "to": {strconv.FormatInt(now.UnixMilli(), 10)},
		"limit": {strconv.Itoa(limit)}, "type": {"annotation"}}
	for _, tag := range r.tags {
		q.Add("tags", tag)
	}
	if len(r.tags) > 1 {
		q.Set("matchAny", "false")
	}
	u := *r.base
	u.Path += "/api/annotations"
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("grafana annotations: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is said once, below
		}
		return nil, fmt.Errorf("grafana annotations from %s: %w", config.RedactURL(r.base.String()), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("grafana annotations: read: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("grafana annotations: server answered %s: %s", resp.Status,
			snapshot.CleanText(strings.TrimSpace(string(body)), 200))
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("grafana annotations: answer over %d bytes", maxBody)
	}
	var got []annotation
	if err := json.Unmarshal(body, &got); err != nil {
		return nil, fmt.Errorf("grafana annotations: not a JSON list: %w", err)
	}
	r.last = now
	var out []snapshot.Annotation
	for _, a := range got {
		if r.seen[a.ID] || a.Time <= 0 {
			continue
		}
		r.seen[a.ID] = true
		by := a.Login
		if by == "" {
			by = "grafana"
		}
		n := snapshot.Annotation{At: time.UnixMilli(a.Time).UTC(), Text: a.Text, By: by}.Clean()
		if strings.TrimSpace(n.Text) == "" {
			continue
		}
		out = append(out, n)
	}
	slices.SortStableFunc(out, func(a, b snapshot.Annotation) int { return a.At.Compare(b.At) })
	return out, nil
}
