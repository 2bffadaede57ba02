package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/grafanatest"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// TestABackfillCarriesTheAnnotationsOfItsWindow backfills six minutes at
// a 15 s step from a real Prometheus holding a shop's PV and a
// deploy_info metric (1.4.1 from minute 0, 1.4.2 from minute 5), with
// annotations read from that metric and from Grafana (the grafanatest
// fake: Grafana is not installed here):
//   - the recording carries the note of 1.4.2's rise at its step and
//     Grafana's annotations of the window carrying the tag, and neither
//     1.4.1 (standing at the first step, so learnt, as a watch's first
//     read learns it) nor Grafana's from before the window or untagged;
//   - each note is written just before the record of the first snapshot
//     at or after it, as a live recording writes one;
//   - a Grafana that refuses the token is a warning naming its answer,
//     and the recording still carries Prometheus' note.
func TestABackfillCarriesTheAnnotationsOfItsWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts Prometheus")
	}
	prom, base := promtest.StartDeployPrometheus(t, 100, 100)

	ms := func(d time.Duration) int64 { return base.Add(d).UnixMilli() }
	g := &grafanatest.Grafana{Token: "glsa_secret"}
	g.Add(grafanatest.Annotation{ID: 1, Time: ms(time.Minute), Text: "before the window", Tags: []string{"deploy"}},
		grafanatest.Annotation{ID: 2, Time: ms(3*time.Minute + 10*time.Second), Text: "canary to 10%", Tags: []string{"deploy"}, Login: "ci"},
		grafanatest.Annotation{ID: 3, Time: ms(4 * time.Minute), Text: "untagged", Tags: []string{"other"}},
		grafanatest.Annotation{ID: 4, Time: ms(7*time.Minute + 59*time.Second), Text: "cache purge", Tags: []string{"deploy"}})
	grafanaURL := grafanatest.Start(t, g)

	backfill := func(t *testing.T, token string) (string, string) {
		t.Helper()
		tokenFile := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(t.TempDir(), "launchwatch.yaml")
		if err := os.WriteFile(cfg, fmt.Appendf(nil, `launch: {name: annotated}
interval: 15s
sources:
  prometheus: {url: %s}
signals:
  pv: {query: sum(shop_pv)}
annotations:
  prometheus: {query: deploy_info, text_label: version}
  grafana: {url: %s, token_file: %s, tags: [deploy]}
`, prom.URL, grafanaURL, tokenFile), 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "backfill.lwrec.jsonl")
		_, errOut, code := execute(t, "backfill", "--config", cfg, "--from", base.Add(2*time.Minute).Format(time.RFC3339),
			"--to", base.Add(8*time.Minute).Format(time.RFC3339), "-o", out)
		if code != 0 {
			t.Fatalf("backfill: exit %d: %s", code, errOut)
		}
		return out, errOut
	}
	rise := snapshot.Annotation{At: base.Add(5 * time.Minute), Text: "1.4.2", By: "prometheus"}

	t.Run("both readers", func(t *testing.T) {
		out, errOut := backfill(t, "glsa_secret")
		if !strings.Contains(errOut, "annotations of the window: 1 from Prometheus, 2 from Grafana") || strings.Contains(errOut, "warning") {
			t.Errorf("backfill does not say what it read:\n%s", errOut)
		}
		want := []snapshot.Annotation{
			{At: base.Add(3*time.Minute + 10*time.Second), Text: "canary to 10%", By: "ci"},
			rise,
			{At: base.Add(7*time.Minute + 59*time.Second), Text: "cache purge", By: "grafana"},
		}
		if got := recordedNotes(t, out); !slices.Equal(got, want) {
			t.Errorf("the recording's annotations %+v, want %+v", got, want)
		}
		// Each note line comes just before the record of the first
		// snapshot at or after it.
		wantNext := map[string]time.Time{"canary to 10%": base.Add(3*time.Minute + 15*time.Second),
			"1.4.2": base.Add(5 * time.Minute), "cache purge": base.Add(8 * time.Minute)}
		for text, next := range followingRecords(t, out) {
			if !next.Equal(wantNext[text]) {
				t.Errorf("%q is written before the record at %s, want %s", text, next, wantNext[text])
			}
			delete(wantNext, text)
		}
		if len(wantNext) > 0 {
			t.Errorf("no annotation line for %v", wantNext)
		}
	})
	t.Run("a Grafana refusing the token", func(t *testing.T) {
		out, errOut := backfill(t, "glsa_wrong")
		if !strings.Contains(errOut, "warning: grafana annotations: server answered 401 Unauthorized") || strings.Contains(errOut, "glsa_wrong") {
			t.Errorf("the refusal is not a warning saying why (and never the token):\n%s", errOut)
		}
		if got := recordedNotes(t, out); !slices.Equal(got, []snapshot.Annotation{rise}) {
			t.Errorf("the recording's annotations %+v, want Prometheus' alone", got)
		}
	})
}

// recordedNotes returns a recording's annotations.
func recordedNotes(t *testing.T, path string) []snapshot.Annotation {
	t.Helper()
	rec, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	return rec.Annotations()
}

// followingRecords maps each annotation line's text to the time of the
// record on the line after it.
func followingRecords(t *testing.T, path string) map[string]time.Time {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]time.Time{}
	var pending []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			Annotation *snapshot.Annotation `json:"annotation"`
			Time       time.Time            `json:"time"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		switch {
		case l.Annotation != nil:
			pending = append(pending, l.Annotation.Text)
		case !l.Time.IsZero():
			for _, text := range pending {
				out[text] = l.Time
			}
			pending = nil
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
