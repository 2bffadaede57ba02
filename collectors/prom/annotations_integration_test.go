package prom

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

// TestNotesFromAMetricInARealPrometheus imports a deploy_info metric into
// a real Prometheus (version 1.4.1 from the start, 1.4.2 from minute 5)
// and reads it as annotations at several moments: the first read learns
// what stands, the new version marks its moment once, and text_label
// chooses the note's text.
func TestNotesFromAMetricInARealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	srv, base := deployPrometheus(t)

	for _, tc := range []struct {
		label, want string
	}{
		{"version", "1.4.2"},
		{"", `deploy_info{service="shop", version="1.4.2"}`},
	} {
		t.Run("text_label "+tc.label, func(t *testing.T) {
			src, err := New(&config.Prometheus{URL: srv.URL, Timeout: 5 * time.Second}, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := src.NoteReader("deploy_info", tc.label)
			var got []snapshot.Annotation
			for _, d := range []time.Duration{2 * time.Minute, 4 * time.Minute, 6 * time.Minute, 7 * time.Minute} {
				at := base.Add(d)
				src.wall = func() time.Time { return at }
				notes, err := r.Read(context.Background())
				if err != nil {
					t.Fatalf("read at minute %v: %v", d.Minutes(), err)
				}
				got = append(got, notes...)
			}
			want := []snapshot.Annotation{{At: base.Add(6 * time.Minute).UTC(), Text: tc.want, By: "prometheus"}}
			if !slices.Equal(got, want) {
				t.Errorf("notes %+v, want %+v", got, want)
			}
		})
	}

	// A query that fails says why and keeps what stood.
	src, err := New(&config.Prometheus{URL: srv.URL, Timeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.NoteReader("deploy_info[1m]", "").Read(context.Background()); err == nil || !strings.Contains(err.Error(), "annotations query") {
		t.Errorf("a range vector: %v, want an error", err)
	}
}

// deployPrometheus starts a real Prometheus holding promtest.DeployInfo
// from two hours ago on: version 1.4.1 from base, 1.4.2 from minute 5.
func deployPrometheus(t *testing.T) (*promtest.Server, time.Time) {
	t.Helper()
	base := time.Now().Add(-2 * time.Hour).Truncate(time.Minute)
	return promtest.StartPrometheusWith(t, promtest.DeployInfo(base)+"# EOF\n"), base
}

// TestNotesOverAHistoryInARealPrometheus reads the same deploy_info as a
// backfill reads it, over a real Prometheus' range queries of four steps
// a chunk: 1.4.2 rising at minute 5 (a chunk's first step, so what stood
// at the chunk before must be remembered across it) is the only note, at
// its step; a window starting after it learns what stands and marks
// nothing; a query that is not an instant vector fails naming its chunk.
func TestNotesOverAHistoryInARealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	srv, base := deployPrometheus(t)
	src, err := New(&config.Prometheus{URL: srv.URL, Timeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := NewHistory(src, HistoryStep(15*time.Second), HistoryMaxPointsPerQuery(4))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := hist.Notes(ctx, "deploy_info", "version", base.Add(2*time.Minute), base.Add(8*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []snapshot.Annotation{{At: base.Add(5 * time.Minute).UTC(), Text: "1.4.2", By: "prometheus"}}
	if !slices.Equal(got, want) {
		t.Errorf("notes %+v, want %+v", got, want)
	}
	if got, err := hist.Notes(ctx, "deploy_info", "", base.Add(6*time.Minute), base.Add(9*time.Minute)); err != nil || len(got) != 0 {
		t.Errorf("a window after every deploy: %+v, %v; want no note", got, err)
	}
	if _, err := hist.Notes(ctx, "deploy_info[1m]", "", base, base.Add(2*time.Minute)); err == nil || !strings.Contains(err.Error(), "chunk 1 of 3") {
		t.Errorf("a range vector: %v, want an error naming chunk 1 of 3", err)
	}
}
