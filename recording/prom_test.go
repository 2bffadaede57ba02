package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/internal/testtool"
	"github.com/launchwatch/launchwatch/snapshot"
)

// sample is one sample of a series: its time in Unix milliseconds and its
// value.
type sample struct {
	ms int64
	v  float64
}

// exportOf records snaps under a header of the named launch started at
// started, and returns the recording's OpenMetrics export.
func exportOf(t *testing.T, name string, started time.Time, snaps []snapshot.Snapshot) []byte {
	t.Helper()
	h := testHeader()
	h.Launch.Name, h.Started = name, started
	path := filepath.Join(t.TempDir(), "launch.lwrec.jsonl")
	w, err := Create(path, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		if err := w.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return exportOfFile(t, path, WriteOpenMetrics)
}

// parseOpenMetrics reads an export with prometheus/common's OpenMetrics
// 1.0 decoder, which holds it to the specification's grammar: every sample
// by its series (the name, then its labels sorted), in order.
func parseOpenMetrics(t *testing.T, b []byte) map[string][]sample {
	t.Helper()
	out := map[string][]sample{}
	// expfmt's decoder reads the text format, which has no info type: the
	// annotation family is read as the gauge of its samples' name, which is
	// what Prometheus stores (promtool reads the file as written).
	b = bytes.ReplaceAll(b, []byte("# TYPE launchwatch_annotation info\n"), []byte("# TYPE launchwatch_annotation_info gauge\n"))
	b = bytes.ReplaceAll(b, []byte("# HELP launchwatch_annotation "), []byte("# HELP launchwatch_annotation_info "))
	d := expfmt.NewDecoder(bytes.NewReader(b), expfmt.FmtOpenMetrics_1_0_0)
	for {
		var mf dto.MetricFamily
		err := d.Decode(&mf)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("parse the export: %v", err)
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{"__name__": mf.GetName()}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			if m.TimestampMs == nil {
				t.Fatal("a sample without a timestamp")
			}
			key := selector(l)
			out[key] = append(out[key], sample{m.GetTimestampMs(), m.GetGauge().GetValue()})
		}
	}
}

// selector is a PromQL selector matching exactly the labels l.
func selector(l map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, k+"="+strconv.Quote(l[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestTwoLaunchesRoundTripThroughPromtoolAndPrometheus imports the
// exports of three recordings into one real Prometheus through promtool:
// two launches and a second recording of the first at the very same
// times. Every sample comes back equal, under its own launch and
// recording labels: none collides with another.
func TestTwoLaunchesRoundTripThroughPromtoolAndPrometheus(t *testing.T) {
	promtool := testtool.Require(t, "promtool")
	again := exportSnaps()
	for i := range again {
		again[i].PV = snapshot.Some(again[i].PV.Or(0) + 1000)
	}
	exports := [][]byte{
		exportOf(t, "first launch", t0.Add(-15*time.Minute), exportSnaps()),
		exportOf(t, "first launch", t0.Add(-14*time.Minute), again), // a second recording of it
		exportOf(t, "second launch", t0.Add(-10*time.Minute), annotated(append(exportSnaps()[:3], fleetSnaps()[1:]...))),
	}
	dir := t.TempDir()
	blocks := filepath.Join(dir, "data")
	want := map[string][]sample{}
	for i, b := range exports {
		file := filepath.Join(dir, fmt.Sprintf("export%d.om.txt", i))
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", file, blocks).CombinedOutput(); err != nil {
			t.Fatalf("promtool on export %d: %v\n%s", i, err, out)
		}
		for k, v := range parseOpenMetrics(t, b) {
			if _, dup := want[k]; dup {
				t.Fatalf("series %s is in two exports", k)
			}
			want[k] = v
		}
	}
	prom := promtest.StartPrometheusOn(t, blocks)
	n := 0
	for _, samples := range want {
		n += len(samples)
	}
	t.Logf("%d series, %d samples, from %d recordings", len(want), n, len(exports))

	// Every series, queried by its labels over the whole span, holds every
	// sample exported, and nothing else.
	at := t0.Add(time.Hour)
	for key, samples := range want {
		got := queryMatrix(t, prom.URL, key+"[2h]", at)
		if len(got) != 1 {
			t.Errorf("%s: %d series, want 1", key, len(got))
			continue
		}
		if !slices.Equal(got[0].samples, samples) {
			t.Errorf("%s: Prometheus holds\n%v\nwant\n%v", key, got[0].samples, samples)
		}
	}
	// The three recordings stand apart by launch and recording.
	got := queryMatrix(t, prom.URL, `launchwatch_pv[2h]`, at)
	var runs []string
	for _, s := range got {
		runs = append(runs, s.labels["launch"]+" "+s.labels["recording"])
	}
	slices.Sort(runs)
	wantRuns := []string{
		"first launch first-launch-20261127T100000Z-", "first launch first-launch-20261127T100100Z-",
		"second launch second-launch-20261127T100500Z-"}
	if len(runs) != len(wantRuns) {
		t.Fatalf("launchwatch_pv has series %q, want one a recording", runs)
	}
	for i := range runs {
		if !strings.HasPrefix(runs[i], wantRuns[i]) {
			t.Errorf("series %d: launch and recording %q, want %q…", i, runs[i], wantRuns[i])
		}
	}
}

// annotated lays two annotations on snaps, one with text to escape: the
// export's info family round-trips like every other.
func annotated(snaps []snapshot.Snapshot) []snapshot.Snapshot {
	snaps[1].Annotations = []snapshot.Annotation{{At: snaps[1].Time.Add(-300 * time.Millisecond), Text: `deploy "1.4.2"`, By: "alice"}}
	snaps[2].Annotations = []snapshot.Annotation{{At: snaps[2].Time, Text: "cache warm"}}
	return snaps
}

type series struct {
	labels  map[string]string
	samples []sample
}

// queryMatrix runs an instant query of a range selector: the raw samples.
func queryMatrix(t *testing.T, base, query string, at time.Time) []series {
	t.Helper()
	u := base + "/api/v1/query?" + url.Values{"query": {query}, "time": {strconv.FormatInt(at.Unix(), 10)}}.Encode()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Values [][2]json.RawMessage
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Status != "success" || body.Data.ResultType != "matrix" {
		t.Fatalf("query %s: %s %s (%s)", query, body.Status, body.Error, body.Data.ResultType)
	}
	var out []series
	for _, r := range body.Data.Result {
		s := series{labels: r.Metric}
		for _, p := range r.Values {
			// The time is seconds with up to three decimals: read exactly.
			sec, ok := new(big.Rat).SetString(string(p[0]))
			if !ok {
				t.Fatalf("time %s", p[0])
			}
			ms := new(big.Rat).Mul(sec, big.NewRat(1000, 1))
			var str string
			if err := json.Unmarshal(p[1], &str); err != nil {
				t.Fatal(err)
			}
			v, err := strconv.ParseFloat(str, 64)
			if err != nil || !ms.IsInt() {
				t.Fatalf("sample %s %s: %v", p[0], p[1], err)
			}
			s.samples = append(s.samples, sample{ms.Num().Int64(), v})
		}
		out = append(out, s)
	}
	return out
}

// TestExportNamesPassPromtoolsLint holds the export's families to
// `promtool check metrics`, Prometheus' naming lint (units, no "_total" on
// a gauge, HELP on every family). The lint reads the text format, which has
// no timestamps and one sample a series: each series' first sample stands
// for it, written by prometheus/common's text encoder.
func TestExportNamesPassPromtoolsLint(t *testing.T) {
	promtool := testtool.Require(t, "promtool")
	for name, snaps := range map[string][]snapshot.Snapshot{"signals": exportSnaps(), "fleet": fleetSnaps()} {
		t.Run(name, func(t *testing.T) {
			b := exportOf(t, "shop", t0, snaps)
			var text bytes.Buffer
			d := expfmt.NewDecoder(bytes.NewReader(b), expfmt.FmtOpenMetrics_1_0_0)
			families := 0
			for {
				var mf dto.MetricFamily
				err := d.Decode(&mf)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				var first []*dto.Metric
				for _, m := range mf.GetMetric() {
					key := fmt.Sprint(m.GetLabel())
					if !seen[key] {
						seen[key] = true
						m.TimestampMs = nil
						first = append(first, m)
					}
				}
				mf.Metric = first
				if _, err := expfmt.MetricFamilyToText(&text, &mf); err != nil {
					t.Fatal(err)
				}
				families++
			}
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = &text
			out, err := cmd.CombinedOutput()
			if err != nil || len(bytes.TrimSpace(out)) > 0 {
				t.Errorf("promtool check metrics on %d families: %v\n%s\n%s", families, err, out, text.String())
			}
			if families < 3 {
				t.Errorf("%d families linted", families)
			}
		})
	}
}
