package grafana

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/grafanatest"
	"github.com/launchwatch/launchwatch/snapshot"
)

func TestReadTakesEachNewAnnotationOnceWithTheToken(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return start.Add(d).UnixMilli() }
	g := &grafanatest.Grafana{Prefix: "/grafana", Token: "glsa_secret"}
	g.Add(grafanatest.Annotation{ID: 1, Time: ms(-2 * time.Hour), Text: "too old", Tags: []string{"deploy"}},
		grafanatest.Annotation{ID: 2, Time: ms(-10 * time.Minute), Text: "deploy 1.4.1", Tags: []string{"deploy", "shop"}, Login: "ci"},
		grafanatest.Annotation{ID: 3, Time: ms(-5 * time.Minute), Text: "not ours", Tags: []string{"deploy"}})
	base := grafanatest.Start(t, g)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("glsa_secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := start
	r, err := New(&config.GrafanaAnnotations{URL: base + "/", TokenFile: tokenFile, Tags: []string{"deploy", "shop"}},
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
	g.Add(grafanatest.Annotation{ID: 4, Time: ms(-20 * time.Second), Text: "cache\x1b[31m purge", Tags: []string{"deploy", "shop"}})
	now = start.Add(5 * time.Second)
	if got := read(); got != nil {
		t.Errorf("a read within %s of the last asked Grafana: %+v", Every, got)
	}
	now = start.Add(15 * time.Second)
	want = []snapshot.Annotation{{At: start.Add(-20 * time.Second), Text: "cache purge", By: "grafana"}}
	if got := read(); !slices.Equal(got, want) {
		t.Errorf("second read %+v, want only the new one, cleaned, by grafana", got)
	}
	queries := g.Queries()
	if len(queries) != 2 || !strings.Contains(queries[0], fmt.Sprintf("from=%d", ms(-time.Hour))) ||
		!strings.Contains(queries[1], fmt.Sprintf("from=%d", ms(-time.Minute))) || !strings.Contains(queries[1], "tags=deploy&tags=shop") {
		t.Errorf("queries %q", queries)
	}
}

func TestAFailedReadSaysWhyWithoutTheToken(t *testing.T) {
	base := grafanatest.Start(t, &grafanatest.Grafana{Prefix: "/grafana", Token: "right"})
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("glsa_wrong_secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := New(&config.GrafanaAnnotations{URL: base, TokenFile: tokenFile}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") || strings.Contains(err.Error(), "glsa_wrong_secret") {
		t.Errorf("error %v: want the status, never the token", err)
	}
	if _, err := New(&config.GrafanaAnnotations{URL: base, TokenFile: filepath.Join(t.TempDir(), "none")}, nil); err == nil {
		t.Error("a missing token file was taken")
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(&config.GrafanaAnnotations{URL: base, TokenFile: empty}, nil); err == nil || !strings.Contains(err.Error(), "holds no token") {
		t.Errorf("an empty token file: %v", err)
	}
}

// pagedGrafana serves n annotations tagged deploy, deploy i at start plus
// (i+1)/2 seconds: the first alone, then two to a millisecond, so a page
// can part two of one moment. One more lies before start. The reader
// reads it with the token.
func pagedGrafana(t *testing.T, start time.Time, n int) (*grafanatest.Grafana, *Reader) {
	t.Helper()
	g := &grafanatest.Grafana{Prefix: "/grafana", Token: "glsa_secret"}
	g.Add(grafanatest.Annotation{ID: 1, Time: start.Add(-time.Second).UnixMilli(), Text: "before the window", Tags: []string{"deploy"}})
	for i := range n {
		g.Add(grafanatest.Annotation{ID: int64(i + 2), Time: start.Add(time.Duration((i+1)/2) * time.Second).UnixMilli(),
			Text: fmt.Sprintf("deploy %d", i), Tags: []string{"deploy"}, Login: "ci"})
	}
	base := grafanatest.Start(t, g)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("glsa_secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := New(&config.GrafanaAnnotations{URL: base, TokenFile: tokenFile, Tags: []string{"deploy"}},
		func() time.Time { return start.Add(time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	return g, r
}

// checkAll fails unless got holds deploy 0 to deploy n-1, each once, in
// time order.
func checkAll(t *testing.T, got []snapshot.Annotation, n int, start time.Time) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d annotations, want all %d of the window", len(got), n)
	}
	seen := map[string]bool{}
	for i, a := range got {
		if seen[a.Text] {
			t.Fatalf("%q taken twice", a.Text)
		}
		seen[a.Text] = true
		if i > 0 && a.At.Before(got[i-1].At) {
			t.Fatalf("%q at %s after %q at %s: not in time order", a.Text, a.At, got[i-1].Text, got[i-1].At)
		}
	}
	for i := range n {
		if !seen[fmt.Sprintf("deploy %d", i)] {
			t.Fatalf("deploy %d is missing", i)
		}
	}
	if got[0].At != start || got[n-1].At != start.Add(time.Duration(n/2)*time.Second) {
		t.Errorf("first at %s and last at %s", got[0].At, got[n-1].At)
	}
}

// TestAWindowOfMoreThanAPageIsReadBackPageByPage: Grafana answers the
// newest 500 of a window, so 1,234 take three requests, each ending at the
// oldest time the last one held. The first page parts the two at +367s:
// the second page brings the one it left and the one it held again, taken
// once.
func TestAWindowOfMoreThanAPageIsReadBackPageByPage(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	g, r := pagedGrafana(t, start, 1234)
	got, err := r.Window(context.Background(), start, start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, got, 1234, start)
	queries := g.Queries()
	if len(queries) != 3 {
		t.Fatalf("%d requests, want 3 pages of at most 500: %q", len(queries), queries)
	}
	// The newest 500 are deploy 1233 down to 734, at +617s to +367s; the
	// second page ends there and holds deploy 734 again and 733 down to
	// 235 (at +118s), where the third ends.
	for i, to := range []time.Duration{time.Hour, 367 * time.Second, 118 * time.Second} {
		want := fmt.Sprintf("to=%d", start.Add(to).UnixMilli())
		if !strings.Contains(queries[i], want) || !strings.Contains(queries[i], "limit=500") {
			t.Errorf("request %d: %q, want %s and limit=500", i+1, queries[i], want)
		}
	}
}

// TestTheFirstLiveReadPagesBackThroughItsHour: the first read of a watch
// covers the hour before it, and takes every one of a busy hour's.
func TestTheFirstLiveReadPagesBackThroughItsHour(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	_, r := pagedGrafana(t, start, 700)
	got, err := r.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, got, 700, start)
}

// TestAReadThatWouldPageForEverIsCutAndSaysWhat: past the most pages a
// read asks for, or at a millisecond holding more than a page, the read
// stops with what it has and says which span it left unread.
func TestAReadThatWouldPageForEverIsCutAndSaysWhat(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	t.Run("more pages than a read asks for", func(t *testing.T) {
		g, r := pagedGrafana(t, start, 1234)
		r.maxPages = 2
		got, err := r.Window(context.Background(), start, start.Add(time.Hour))
		var cut *CutError
		if !errors.As(err, &cut) {
			t.Fatalf("error %v, want a *CutError", err)
		}
		// Two pages: deploy 1233 down to 235, the last at +118s.
		if len(got) != 999 || cut.From != start || !cut.To.Equal(start.Add(118*time.Second)) {
			t.Errorf("%d annotations, cut from %s to %s", len(got), cut.From, cut.To)
		}
		for _, want := range []string{"2 pages of 500", "2026-11-27T12:00:00Z to 2026-11-27T12:01:58Z"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if n := len(g.Queries()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("more than a page at one millisecond", func(t *testing.T) {
		_, r := pagedGrafana(t, start, 4)
		// Two a page, two at +1s: once deploy 3 (+2s) and 1 are read,
		// the page ending at +1s holds deploy 1 and 2, and then the same
		// again.
		r.limit = 2
		got, err := r.Window(context.Background(), start, start.Add(time.Hour))
		var cut *CutError
		if !errors.As(err, &cut) || !strings.Contains(err.Error(), "more than 2 annotations at 2026-11-27T12:00:01Z") {
			t.Fatalf("error %v, want a *CutError naming the moment", err)
		}
		if len(got) != 3 || !cut.To.Equal(start.Add(time.Second)) {
			t.Errorf("%d annotations, cut at %s", len(got), cut.To)
		}
	})
}
