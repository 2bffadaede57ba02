package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// notedRecording writes five snapshots a second from T-10s, the one at
// T-08s carrying an acknowledgement; with notes, the ones a watch lays
// (the m key, a reader: inside the next snapshot) ride in snapshots 1 and
// 3, and `launchwatch annotate` adds one before the recording and one
// after it.
func notedRecording(t *testing.T, notes bool) string {
	t.Helper()
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "noted.lwrec.jsonl")
	w, err := recording.Create(path, recording.Header{Launch: recording.Launch{Name: "flash sale", StartsAt: t0},
		Interval: recording.Duration(time.Second), Started: t0.Add(-time.Minute), Origin: recording.Origin{Kind: recording.OriginLive},
		Plan: json.RawMessage(goodPlan)}, recording.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		s := snapshot.Snapshot{Time: t0.Add(time.Duration(i-10) * time.Second), PV: snapshot.Some(float64(10 * i))}
		if i == 2 {
			s.Acks = map[string]snapshot.Ack{"errors": {By: "bob@war-room", At: s.Time}}
		}
		if notes && i == 1 {
			s.Annotations = []snapshot.Annotation{{At: s.Time.Add(-500 * time.Millisecond), Text: "deploy 1.4.2", By: "alice@war-room"}}
		}
		if notes && i == 3 {
			s.Annotations = []snapshot.Annotation{{At: s.Time.Add(-200 * time.Millisecond), Text: "canary", By: "ci"},
				{At: s.Time.Add(-100 * time.Millisecond), Text: "cache purge", By: "prometheus"}}
		}
		if err := w.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if notes {
		for _, a := range []snapshot.Annotation{{At: t0.Add(-time.Hour), Text: "freeze", By: "carol"}, {At: t0.Add(time.Hour), Text: "retro"}} {
			if err := recording.Annotate(path, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	return path
}

// TestTheJSONLExportCarriesEveryNoteInItsFrame exports a recording with
// notes laid live (as m and the readers lay them) and by annotate, and the
// same recording without: each note comes in .snapshot.annotations of the
// frame at or after it (one before the recording in the first, one after
// it in the last), the acknowledgement in .snapshot.acks, and every frame
// without a note is byte for byte the frame of the recording without
// notes.
func TestTheJSONLExportCarriesEveryNoteInItsFrame(t *testing.T) {
	export := func(path string) []string {
		t.Helper()
		out, errOut, code := execute(t, "export", path, "--format", "jsonl")
		if code != 0 {
			t.Fatalf("export: %s", errOut)
		}
		return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	}
	noted, plain := export(notedRecording(t, true)), export(notedRecording(t, false))
	if len(noted) != 5 || len(plain) != 5 {
		t.Fatalf("%d and %d frames, want 5 each", len(noted), len(plain))
	}
	want := map[int][]string{0: {"freeze"}, 1: {"deploy 1.4.2"}, 3: {"canary", "cache purge"}, 4: {"retro"}}
	for i, line := range noted {
		var f struct {
			Snapshot struct {
				Annotations []snapshot.Annotation   `json:"annotations"`
				Acks        map[string]snapshot.Ack `json:"acks"`
			} `json:"snapshot"`
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		var texts []string
		for _, a := range f.Snapshot.Annotations {
			texts = append(texts, a.Text)
		}
		if !slices.Equal(texts, want[i]) {
			t.Errorf("frame %d carries notes %q, want %q", i, texts, want[i])
		}
		if ack, ok := f.Snapshot.Acks["errors"]; (i == 2) != (ok && ack.By == "bob@war-room") {
			t.Errorf("frame %d acks %+v", i, f.Snapshot.Acks)
		}
		if want[i] == nil && line != plain[i] {
			t.Errorf("frame %d, without a note, differs from the recording without notes:\n%s\n%s", i, line, plain[i])
		}
		if want[i] != nil && !strings.Contains(line, `"annotations":[`) {
			t.Errorf("frame %d: no annotations key", i)
		}
	}
	var first struct {
		Snapshot struct {
			Annotations []snapshot.Annotation `json:"annotations"`
		} `json:"snapshot"`
	}
	if err := json.Unmarshal([]byte(noted[0]), &first); err != nil || len(first.Snapshot.Annotations) != 1 ||
		first.Snapshot.Annotations[0].By != "carol" || !first.Snapshot.Annotations[0].At.Equal(time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("the first frame's note %+v, %v: want freeze by carol at its own time", first.Snapshot.Annotations, err)
	}
}
