package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/recording"
)

// TestAnnotationsFromTheDemoToTheReportInARealTerminal records the crash
// demo, laying a note with m while it runs; annotates the recording with
// launchwatch annotate; replays it, where the timeline marks the notes and
// m appends another; then the report and both exports carry all three.
func TestAnnotationsFromTheDemoToTheReportInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	rec := filepath.Join(t.TempDir(), "crash.lwrec.jsonl")

	s := startTmux(t, 120, 40, bin+" demo --scenario first-launch --speed 100 --start-in 2m --record "+rec)
	s.waitFor("the launch", 60*time.Second, func(sc string) bool {
		return strings.HasPrefix(countdownRE.FindString(header(sc)), "T+")
	})
	s.tmux("send-keys", "-t", s.name, "m")
	s.waitFor("the note prompt", 10*time.Second, func(sc string) bool { return strings.Contains(sc, "enter to save") })
	s.tmux("send-keys", "-t", s.name, "-l", "live note")
	s.tmux("send-keys", "-t", s.name, "Enter")
	s.waitFor("the note back from the pipeline", 20*time.Second, func(sc string) bool { return strings.Contains(sc, "✎ T+") && strings.Contains(sc, "live note (") })
	s.waitFor("the launch to be under way", 60*time.Second, func(sc string) bool {
		return countdownRE.FindString(header(sc)) >= "T+08:00"
	})
	s.tmux("send-keys", "-t", s.name, "q")
	if status := s.exitStatus(10 * time.Second); status != "0" {
		t.Fatalf("demo exit status %s", status)
	}

	if out, errOut, code := execute(t, "annotate", rec, "--at", "T-01:00", "deploy", "1.4.2", "--by", "alice"); code != 0 || !strings.Contains(out, "annotated "+rec) {
		t.Fatalf("annotate: %d %s %s", code, out, errOut)
	}
	if _, errOut, code := execute(t, "annotate", rec, "--at", "soon", "x"); code == 0 || !strings.Contains(errOut, `"soon": not a time`) {
		t.Errorf("annotate --at soon: %d %s", code, errOut)
	}

	// Replay: the timeline marks the notes; m lays one more at the position.
	p := startTmux(t, 120, 40, bin+" replay "+rec)
	p.waitFor("the replay's header", 20*time.Second, func(sc string) bool { return replayHeaderRE.MatchString(header(sc)) })
	p.tmux("send-keys", "-t", p.name, "Space")
	p.waitFor("the pause", 10*time.Second, func(sc string) bool { return strings.Contains(header(sc), "⏸") })
	p.tmux("send-keys", "-t", p.name, "g")
	p.tmux("send-keys", "-t", p.name, "-l", "T+05:00")
	p.tmux("send-keys", "-t", p.name, "Enter")
	screen := p.waitFor("T+05:00", 20*time.Second, func(sc string) bool { return strings.Contains(header(sc), "T+05:00") })
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if tl := lines[len(lines)-2]; strings.Count(tl, "✎") != 2 {
		t.Errorf("the timeline must mark the two notes: %q", tl)
	}
	p.tmux("send-keys", "-t", p.name, "m")
	p.waitFor("the note prompt", 10*time.Second, func(sc string) bool { return strings.Contains(sc, "note at T+05:00") })
	p.tmux("send-keys", "-t", p.name, "-l", "replay note")
	p.tmux("send-keys", "-t", p.name, "Enter")
	p.waitFor("the note saved", 20*time.Second, func(sc string) bool { return strings.Contains(sc, "noted at T+05:00: replay note") })
	p.tmux("send-keys", "-t", p.name, "q")
	if status := p.exitStatus(10 * time.Second); status != "0" {
		t.Errorf("replay exit status %s", status)
	}

	r, err := recording.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	notes, t0 := r.Annotations(), r.Header().Launch.StartsAt
	r.Close()
	var texts []string
	for _, a := range notes {
		texts = append(texts, a.Text)
	}
	if strings.Join(texts, "|") != "deploy 1.4.2|live note|replay note" {
		t.Fatalf("the recording's annotations: %q", texts)
	}
	if !notes[0].At.Equal(t0.Add(-time.Minute)) || notes[0].By != "alice" {
		t.Errorf("annotate laid %+v, want T-01:00 (T0 %s) by alice", notes[0], t0)
	}
	if d := notes[2].At.Sub(t0.Add(5 * time.Minute)); d < -time.Second || d > time.Second || notes[1].By == "" || notes[2].By == "" {
		t.Errorf("m laid %+v and %+v: want the second at the replay's T+05:00 and both by this user", notes[1], notes[2])
	}

	md, errOut, code := execute(t, "report", rec)
	if code != 0 {
		t.Fatalf("report: %s", errOut)
	}
	for _, want := range []string{"## Annotations", "| 1 | T-01:00 |", "deploy 1.4.2 | alice |", "live note", "| 3 | T+05:00 |", "replay note",
		"| note | annotation | \\[1\\] deploy 1.4.2 (alice) |"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if _, errOut, code := execute(t, "report", rec, "-o", page, "--md", filepath.Join(t.TempDir(), "r.md")); code != 0 {
		t.Fatalf("report -o: %s", errOut)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "annotations: 1 at T-01:00: deploy 1.4.2; 2 at T&#43;") {
		t.Error("the charts' captions do not name the annotations")
	}

	csvOut, errOut, code := execute(t, "export", rec, "--format", "csv")
	if code != 0 {
		t.Fatalf("export csv: %s", errOut)
	}
	head, _, _ := strings.Cut(csvOut, "\n")
	if !strings.HasSuffix(head, ",annotation") || !strings.Contains(csvOut, ",deploy 1.4.2\n") || !strings.Contains(csvOut, ",replay note\n") {
		t.Errorf("the CSV lacks its annotation column or notes: %q", head)
	}
	// JSON Lines: each of the three in .snapshot.annotations of one frame.
	jl, errOut, code := execute(t, "export", rec, "--format", "jsonl")
	if code != 0 {
		t.Fatalf("export jsonl: %s", errOut)
	}
	var carried []string
	for line := range strings.SplitSeq(strings.TrimSuffix(jl, "\n"), "\n") {
		var f struct {
			Snapshot struct {
				Annotations []struct{ Text string } `json:"annotations"`
			} `json:"snapshot"`
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("export jsonl: %v", err)
		}
		for _, a := range f.Snapshot.Annotations {
			carried = append(carried, a.Text)
		}
	}
	if strings.Join(carried, "|") != "deploy 1.4.2|live note|replay note" {
		t.Errorf("the JSON Lines frames carry the notes %q", carried)
	}
	om, errOut, code := execute(t, "export", rec, "--format", "openmetrics")
	if code != 0 {
		t.Fatalf("export openmetrics: %s", errOut)
	}
	for _, want := range []string{"# TYPE launchwatch_annotation info\n", `text="deploy 1.4.2",by="alice"} 1 `, `text="replay note"`} {
		if !strings.Contains(om, want) {
			t.Errorf("the OpenMetrics export lacks %q", want)
		}
	}
}
