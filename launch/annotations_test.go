package launch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/grafanatest"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
)

// A watch with annotations.prometheus reads the query once a frame and
// lays each new series through the pipeline: a frame carries it to the
// screens and the recording keeps it.
func TestAWatchRecordsTheNotesItsPrometheusMarks(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	var reads atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" || r.FormValue("query") != "deploy_info" {
			http.Error(w, "no such query here", http.StatusBadRequest)
			return
		}
		series := `{"metric":{"__name__":"deploy_info","version":"1.4.1"},"value":[%d,"1"]}`
		if reads.Add(1) > 2 { // the third read on sees the new version
			series += `,{"metric":{"__name__":"deploy_info","version":"1.4.2"},"value":[%[1]d,"1"]}`
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[`+series+`]}}`, time.Now().Unix())
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "launch.lwrec.jsonl")
	cfg := parse(t, "  prometheus: {url: '"+srv.URL+"'}\nlaunch: {name: shop}\n"+
		"annotations: {prometheus: {query: deploy_info, text_label: version}}\n")
	cfg.Interval = 100 * time.Millisecond
	rec := watchFrames(t, cfg, path, "no frame carried the note", func(f pipeline.Frame) bool {
		if len(f.Snapshot.Annotations) == 0 {
			return false
		}
		if a := f.Snapshot.Annotations[0]; a.Text != "1.4.2" || a.By != "prometheus" || len(f.Snapshot.Annotations) != 1 {
			t.Errorf("the frame carries %+v", f.Snapshot.Annotations)
		}
		return true
	})
	if notes := rec.Annotations(); len(notes) != 1 || notes[0].Text != "1.4.2" || notes[0].By != "prometheus" {
		t.Errorf("the recording holds %+v, want the one note", notes)
	}
}

// A watch with annotations.grafana lays the annotations Grafana holds
// from the last hour, by their author, with the token from its file.
func TestAWatchRecordsGrafanasAnnotations(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	made := time.Now().Add(-3 * time.Minute).UnixMilli()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/annotations" || r.Header.Get("Authorization") != "Bearer glsa_token" || r.FormValue("tags") != "shop" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `[{"id":7,"time":%d,"text":"deploy 1.4.2","tags":["shop"],"login":"ci-bot"}]`, made)
	}))
	defer srv.Close()
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte("glsa_token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "launch.lwrec.jsonl")
	cfg := parse(t, "launch: {name: shop}\nannotations: {grafana: {url: '"+srv.URL+"', token_file: '"+token+"', tags: [shop]}}\n")
	cfg.Interval = 100 * time.Millisecond
	rec := watchFrames(t, cfg, path, "no frame carried the note", func(f pipeline.Frame) bool { return len(f.Snapshot.Annotations) > 0 })
	want := time.UnixMilli(made).UTC()
	if notes := rec.Annotations(); len(notes) != 1 || notes[0].Text != "deploy 1.4.2" || notes[0].By != "ci-bot" || !notes[0].At.Equal(want) {
		t.Errorf("the recording holds %+v, want the deploy at %s by ci-bot", notes, want)
	}
}

// A first read of more notes than the pipeline holds for one snapshot (a
// busy hour in Grafana: 250 of them) is laid over the frames that follow,
// every note once and in time order; also when Grafana answers slower
// than a frame (250 ms at a 100 ms interval), so that a frame's kick comes
// while a read is under way and the notes are laid again before the next
// snapshot has taken those the pipeline held: a note it refuses then waits
// for the next frame, never dropped.
func TestAWatchLaysAReadOfManyNotesOverTheNextFrames(t *testing.T) {
	for _, tt := range []struct {
		name  string
		delay time.Duration
	}{
		{"a Grafana answering at once", 0},
		{"a Grafana answering slower than a frame", 250 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) { laysManyNotes(t, tt.delay) })
	}
}

// laysManyNotes runs a watch whose Grafana, answering after delay, holds
// 250 notes, and checks that its frames and recording carry every note
// once, in time order.
func laysManyNotes(t *testing.T, delay time.Duration) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	g := &grafanatest.Grafana{Token: "glsa_token"}
	start := time.Now().Add(-50 * time.Minute)
	const n = 250
	for i := range n {
		g.Add(grafanatest.Annotation{ID: int64(i + 1), Time: start.Add(time.Duration(i) * time.Second).UnixMilli(),
			Text: fmt.Sprintf("deploy %d", i), Tags: []string{"shop"}, Login: "ci"})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		g.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte("glsa_token"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "launch.lwrec.jsonl")
	cfg := parse(t, "launch: {name: shop}\nannotations: {grafana: {url: '"+srv.URL+"', token_file: '"+token+"', tags: [shop]}}\n")
	cfg.Interval = 100 * time.Millisecond
	var carried []string
	rec := watchFrames(t, cfg, path, fmt.Sprintf("frames carried fewer than %d notes", n), func(f pipeline.Frame) bool {
		for _, a := range f.Snapshot.Annotations {
			carried = append(carried, a.Text)
		}
		return len(carried) >= n
	})
	for i, text := range carried {
		if want := fmt.Sprintf("deploy %d", i); text != want {
			t.Fatalf("note %d is %q, want %q (each once, in time order)", i, text, want)
		}
	}
	if got := len(rec.Annotations()); got != n {
		t.Errorf("the recording holds %d notes, want %d", got, n)
	}
}

// watchFrames starts a watch of cfg recording to path, runs its pipeline
// and hands each frame to take until take says it has seen enough (or 30 s
// pass: the test fails, saying what it waited for); then it closes the
// watch and opens its recording.
func watchFrames(t *testing.T, cfg *config.Config, path, waiting string, take func(pipeline.Frame) bool) *recording.Recording {
	t.Helper()
	w, err := Start(Options{Config: cfg, Record: path, Origin: recording.OriginLive})
	if err != nil {
		t.Fatal(err)
	}
	sub := w.Pipeline.Subscribe()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- w.Pipeline.Run(ctx) }()
	for {
		f, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("%s: %v", waiting, err)
		}
		if take(f) {
			break
		}
	}
	cancel()
	if err := <-ran; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("the pipeline's run: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rec.Close() })
	return rec
}
