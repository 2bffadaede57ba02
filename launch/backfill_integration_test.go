package launch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// TestABackfillLaysANoteBesideTheDataOfItsMoment backfills six minutes at
// a 15 s step from a real Prometheus read a minute in the past
// (latency_offset: 60s), holding a shop's PV (100, then 200 from minute 5)
// and deploy_info (1.4.2 rising at minute 5), with annotations read from
// that metric. Each snapshot stands at its step and holds the data of a
// minute before, so the note of 1.4.2's rise, stamped at minute 5, rides
// in the snapshot of minute 6, the first whose data (minute 5) is at or
// after it and the first whose PV is 200, not in the snapshot of minute 5
// (whose data is of minute 4). NotesBySnapshot lays it on the same
// snapshot when the recording is read back.
func TestABackfillLaysANoteBesideTheDataOfItsMoment(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	srv, base := promtest.StartDeployPrometheus(t, 100, 200)

	cfgPath := filepath.Join(t.TempDir(), "launchwatch.yaml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, `launch: {name: lagged}
interval: 15s
sources:
  prometheus: {url: %s, latency_offset: 60s}
signals:
  pv: {query: sum(shop_pv)}
annotations:
  prometheus: {query: deploy_info, text_label: version}
`, srv.URL), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "lagged.lwrec.jsonl")
	b, err := PlanBackfill(cfg, slog.New(slog.DiscardHandler), BackfillOptions{From: base.Add(2 * time.Minute), To: base.Add(8 * time.Minute),
		Step: 15 * time.Second, Parallel: 1, Out: out, Started: time.Now(), Build: recording.Build{Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if read := b.ReadNotes(ctx); read.Prometheus != 1 || len(read.Warnings) > 0 {
		t.Fatalf("read %+v, want 1 note from Prometheus and no warning", read)
	}
	// A note of the window's last moments, after the data the last
	// snapshot holds (minute 7): written after it, not left out.
	late := snapshot.Annotation{At: base.Add(7*time.Minute + 50*time.Second), Text: "rollback", By: "grafana"}
	b.notes = append(b.notes, late)
	if _, err := b.Run(ctx, func(prom.Chunk, int) {}); err != nil {
		t.Fatal(err)
	}

	rec, err := recording.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	rise := snapshot.Annotation{At: base.Add(5 * time.Minute), Text: "1.4.2", By: "prometheus"}
	want := rec.Search(base.Add(6 * time.Minute))
	if !rec.Time(want).Equal(base.Add(6 * time.Minute)) {
		t.Fatalf("no snapshot at minute 6: the nearest after is at %s", rec.Time(want))
	}
	// The data behind it: the snapshot before holds the old PV.
	for i, pv := range map[int]float64{want - 1: 100, want: 200} {
		s, err := rec.Read(i)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.PV.Or(-1); got != pv {
			t.Fatalf("the snapshot at %s holds PV %v, want %v", s.Time.Sub(base), got, pv)
		}
	}
	// The backfill writes a note's line just before the record of the
	// snapshot that carries it.
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	laid, pending := map[int][]snapshot.Annotation{}, []snapshot.Annotation(nil)
	for _, line := range bytes.Split(file, []byte("\n")) {
		var l struct {
			Annotation *snapshot.Annotation `json:"annotation"`
			Time       time.Time            `json:"time"`
		}
		if err := json.Unmarshal(line, &l); err != nil {
			continue // the last line's end
		}
		if l.Annotation != nil {
			pending = append(pending, *l.Annotation)
		} else if !l.Time.IsZero() && pending != nil {
			laid[rec.Search(l.Time)], pending = pending, nil
		}
	}
	if len(pending) != 1 || pending[0] != late {
		t.Errorf("after the last record: %+v, want the late note %+v", pending, late)
	}
	if all := rec.Annotations(); len(all) != 2 || all[1] != late {
		t.Errorf("the recording's annotations: %+v, want the rise and the late note", all)
	}
	bySnapshot := rec.NotesBySnapshot()
	if last := rec.Len() - 1; len(bySnapshot[last]) == 1 && bySnapshot[last][0] == late {
		delete(bySnapshot, last) // the late note, on the last snapshot
	} else {
		t.Errorf("NotesBySnapshot lays %+v on the last snapshot, want the late note", bySnapshot[last])
	}
	for name, got := range map[string]map[int][]snapshot.Annotation{"the backfill": laid, "NotesBySnapshot": bySnapshot} {
		if len(got) != 1 || len(got[want]) != 1 || got[want][0] != rise {
			at := map[string][]snapshot.Annotation{}
			for i, notes := range got {
				at[rec.Time(i).Sub(base).String()] = notes
			}
			t.Errorf("%s lays %+v (by the snapshot's minute), want %+v at %s alone", name, at, rise, 6*time.Minute)
		}
	}
}
