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
	"math"
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
	// limit is how many annotations one request asks for: Grafana's
	// default is 100, and it answers at most the newest limit of a window.
	limit = 500
	// maxPages is how many requests one read makes at most, paging back
	// through a window holding more than limit: 10,000 annotations.
	maxPages = 20
	// Timeout bounds one read: a Grafana that takes the connection and
	// never answers must not hold the notes (the Prometheus query's too,
	// read in the same loop).
	Timeout = 5 * time.Second
)

// Reader reads a Grafana's annotations, each once.
type Reader struct {
	base     *url.URL
	token    string
	tags     []string
	client   *http.Client
	now      func() time.Time
	every    time.Duration
	limit    int // annotations a request asks for
	maxPages int // requests a read makes at most

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
	r := &Reader{base: u, tags: cfg.Tags, client: &http.Client{Timeout: Timeout}, now: now, every: Every, seen: map[int64]bool{},
		limit: limit, maxPages: maxPages}
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

// CutError says a read stopped paging back before the window's start, so
// the annotations from From to To (the oldest time received) were not
// read: Grafana answered more pages than a read asks for, or more than a
// page of annotations at one millisecond. What came before the cut is
// returned beside it.
type CutError struct {
	From, To time.Time
	Why      string
}

func (e *CutError) Error() string {
	return fmt.Sprintf("grafana annotations: %s, so those from %s to %s are not read", e.Why,
		e.From.UTC().Format(time.RFC3339), e.To.UTC().Format(time.RFC3339Nano))
}

// Read asks for the annotations made since the last read (the first read
// from Back before now), at most once per Every (an earlier call returns
// nothing), and returns those not taken yet, in time order, by their
// author's login (or "grafana"), text cleaned. A failed read returns its
// error, never the token, with what it read before failing, and is asked
// again next time; a read cut short (*CutError) is not.
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
	got, err := r.fetch(ctx, from, now)
	var cut *CutError
	if err == nil || errors.As(err, &cut) {
		r.last = now
	}
	var fresh []annotation
	for _, a := range got {
		if !r.seen[a.ID] {
			r.seen[a.ID] = true
			fresh = append(fresh, a)
		}
	}
	return notes(fresh), err
}

// Window returns every annotation from from to to, both included, as Read
// words them, whether read before or not: a backfill's, for a launch
// nobody watched. A window holding more than a page is read a page at a
// time, newest first; one cut short returns what it read and a *CutError.
func (r *Reader) Window(ctx context.Context, from, to time.Time) ([]snapshot.Annotation, error) {
	got, err := r.fetch(ctx, from, to)
	return notes(got), err
}

// notes turns Grafana's annotations into notes in time order, by their
// author's login (or "grafana"), text cleaned; one without a time or text
// is left out.
func notes(got []annotation) []snapshot.Annotation {
	var out []snapshot.Annotation
	for _, a := range got {
		if a.Time <= 0 {
			continue
		}
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
	return out
}

// fetch reads the annotations from from to to, each once. Grafana answers
// the newest limit of them (ordered by time, newest first), so a window
// holding more is read back a page at a time: the next page ends at the
// oldest time the last one held (Grafana's to is inclusive, so the
// annotations at that millisecond come again and are taken once, by id),
// until a page holds fewer than limit or reaches from. At most maxPages
// pages are asked for, so a server that never stops answering full pages
// cannot hold a read for ever; a cut read returns what it read and a
// *CutError naming the span it left.
func (r *Reader) fetch(ctx context.Context, from, to time.Time) ([]annotation, error) {
	taken := map[int64]bool{}
	var all []annotation
	end := to
	for page := 1; ; page++ {
		got, err := r.page(ctx, from, end)
		if err != nil {
			if page > 1 {
				err = fmt.Errorf("page %d (to %s): %w", page, end.UTC().Format(time.RFC3339Nano), err)
			}
			return all, err
		}
		fresh := 0
		oldest := int64(math.MaxInt64)
		for _, a := range got {
			oldest = min(oldest, a.Time)
			if !taken[a.ID] {
				taken[a.ID] = true
				all = append(all, a)
				fresh++
			}
		}
		if len(got) < r.limit || oldest <= from.UnixMilli() {
			return all, nil
		}
		at := time.UnixMilli(oldest)
		switch {
		case fresh == 0:
			return all, &CutError{From: from, To: at, Why: fmt.Sprintf("more than %d annotations at %s, a page's worth", r.limit, at.UTC().Format(time.RFC3339Nano))}
		case page >= r.maxPages:
			return all, &CutError{From: from, To: at, Why: fmt.Sprintf("%d pages of %d annotations read, the most one read asks for", page, r.limit)}
		}
		end = at
	}
}

// page asks Grafana once for the newest limit annotations from from to to.
func (r *Reader) page(ctx context.Context, from, to time.Time) ([]annotation, error) {
	q := url.Values{"from": {strconv.FormatInt(from.UnixMilli(), 10)}, "to": {strconv.FormatInt(to.UnixMilli(), 10)},
		"limit": {strconv.Itoa(r.limit)}, "type": {"annotation"}}
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
	return got, nil
}
