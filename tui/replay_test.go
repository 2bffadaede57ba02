package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
)

// fakeReplay records the controls called; unit tests only.
type fakeReplay struct {
	calls []string
	next  bool
}

func (r *fakeReplay) TogglePause()             { r.calls = append(r.calls, "pause") }
func (r *fakeReplay) Faster()                  { r.calls = append(r.calls, "faster") }
func (r *fakeReplay) Slower()                  { r.calls = append(r.calls, "slower") }
func (r *fakeReplay) SeekBy(d time.Duration)   { r.calls = append(r.calls, "by "+d.String()) }
func (r *fakeReplay) SeekStart()               { r.calls = append(r.calls, "start") }
func (r *fakeReplay) SeekEnd()                 { r.calls = append(r.calls, "end") }
func (r *fakeReplay) NextEvent() (bool, error) { r.calls = append(r.calls, "next"); return r.next, nil }
func (r *fakeReplay) PrevEvent() (bool, error) { r.calls = append(r.calls, "prev"); return true, nil }
func (r *fakeReplay) SeekTo(s string) error {
	r.calls = append(r.calls, "to "+s)
	if s != "T+05:00" {
		return errors.New(`"` + s + `": not a time`)
	}
	return nil
}

// replayModel is a dashboard in replay mode fed n frames of the scripted
// launch, with a playback status on the last.
func replayModel(t *testing.T, n int) (Model, *fakeReplay, *fakeFeed) {
	t.Helper()
	r := &fakeReplay{}
	feed := newFeed(launchSnapshots(n), demoPlan())
	m := testModel(feed, termenv.Ascii)
	m.opts.Replay = r
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	for i := range n {
		msg := feed.next()
		if i == n-1 {
			msg.frame.Playback = &pipeline.Playback{
				Start: feed.snaps[0].Time, End: feed.snaps[0].Time.Add(10 * time.Minute), Position: msg.frame.Snapshot.Time,
				Speed: 10, Index: n, Len: 600,
				Marks: []events.Event{{Time: t0, Severity: events.Info}, {Time: t0.Add(5 * time.Minute), Severity: events.Crit}},
			}
		}
		m = drive(m, msg)
	}
	return m, r, feed
}

// press sends keys, one at a time.
func press(m Model, keys ...tea.KeyMsg) Model {
	for _, k := range keys {
		m = drive(m, k)
	}
	return m
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func TestAReplaySaysSoAndDrawsItsTimeline(t *testing.T) {
	m, _, _ := replayModel(t, 60)
	v := m.View()
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[0], "REPLAY 10x ▶") || strings.Contains(lines[0], "LIVE") || strings.Contains(lines[0], "next poll") {
		t.Errorf("header: %q", lines[0])
	}
	tl := lines[len(lines)-2]
	// From T-00:30 to T+09:30: T0 at a twentieth, the crit event at a
	// half, the position (T+00:29) just after T0.
	for _, want := range []string{"T-00:30", "T+09:30", "●", "✕", "━"} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline lacks %q: %q", want, tl)
		}
	}
	if !strings.Contains(lines[len(lines)-1], "next event") {
		t.Errorf("footer: %q", lines[len(lines)-1])
	}
}

func TestReplayKeysDriveTheControls(t *testing.T) {
	m, r, _ := replayModel(t, 40)
	press(m, runes(" "), runes(">"), runes("<"), tea.KeyMsg{Type: tea.KeyLeft}, tea.KeyMsg{Type: tea.KeyShiftRight},
		tea.KeyMsg{Type: tea.KeyHome}, tea.KeyMsg{Type: tea.KeyEnd}, runes("N"))
	want := "pause faster slower by -10s by 1m0s start end prev"
	if got := strings.Join(r.calls, " "); got != want {
		t.Errorf("controls called: %q, want %q", got, want)
	}
}

func TestNoLaterEventIsSaidInTheFooter(t *testing.T) {
	m, r, _ := replayModel(t, 40)
	r.next = false
	m = press(m, runes("n"))
	if !strings.Contains(m.View(), "no later event") {
		t.Errorf("footer: %q", lastLine(m.View()))
	}
}

func TestGoToTakesATimeAndSaysWhyOneIsWrong(t *testing.T) {
	m, r, _ := replayModel(t, 40)
	m = press(m, runes("g"))
	if !strings.Contains(lastLine(m.View()), "go to") {
		t.Fatalf("g must open the prompt: %q", lastLine(m.View()))
	}
	// Typing into the prompt is typing, not keys: q does not quit.
	m = press(m, runes("q"), tea.KeyMsg{Type: tea.KeyBackspace}, runes("T"), runes("+"), runes("05:00"), tea.KeyMsg{Type: tea.KeyEnter})
	if got := r.calls[len(r.calls)-1]; got != "to T+05:00" {
		t.Errorf("go to called with %q", got)
	}
	m = press(m, runes("g"), runes("soon"), tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(lastLine(m.View()), `"soon": not a time`) {
		t.Errorf("the error is not shown: %q", lastLine(m.View()))
	}
	m = press(m, runes("g"), runes("x"), tea.KeyMsg{Type: tea.KeyEsc})
	if strings.Contains(lastLine(m.View()), "go to") || r.calls[len(r.calls)-1] != "to soon" {
		t.Error("esc must close the prompt without going anywhere")
	}
	if _, cmd := m.Update(runes("q")); cmd == nil || cmd() != tea.Quit() {
		t.Error("q quits once the prompt is closed")
	}
}

func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}

func TestAReplayThatFailsSaysWhyInPlaceOfPlaying(t *testing.T) {
	m, _, _ := replayModel(t, 40)
	m = drive(m, frameMsg{err: errors.New("rec.jsonl:7: bad record: value \"lots\" is not a number")})
	h := strings.SplitN(m.View(), "\n", 2)[0]
	if !strings.Contains(h, "REPLAY stopped") || !strings.Contains(h, "STOPPED by an error") || strings.Contains(h, "▶") {
		t.Errorf("header: %q", h)
	}
	if f := lastLine(m.View()); !strings.Contains(f, `rec.jsonl:7: bad record: value "lots" is not a number`) {
		t.Errorf("the error is not on screen: %q", f)
	}
}

// BenchmarkRenderReplay is BenchmarkRender for a recording played back:
// taking one frame with its playback status, so the REPLAY header, the
// timeline and the replay's footer are drawn with the panels, at 200x60 in
// true colour; and the same beside a second launch of a day at 1 s
// (replay --compare), drawn on the three charts.
func BenchmarkRenderReplay(b *testing.B) {
	const w, h, n = 200, 60, 300
	day := otherLaunch(time.Hour, -12*time.Hour, 12*time.Hour)
	for _, other := range []*Compare{nil, day} {
		name := fmt.Sprintf("%dx%d", w, h)
		if other != nil {
			name += "_compare"
		}
		b.Run(name, func(b *testing.B) { benchmarkRenderReplay(b, w, h, n, other) })
	}
}

func benchmarkRenderReplay(b *testing.B, w, h, n int, other *Compare) {
	feed := newFeed(launchSnapshots(n), demoPlan())
	m := testModel(feed, termenv.TrueColor)
	m.opts.Replay = &fakeReplay{}
	m.opts.Compare = other
	m = drive(m, tea.WindowSizeMsg{Width: w, Height: h})
	for range n {
		m = drive(m, feed.next())
	}
	start := feed.snaps[0].Time
	marks := []events.Event{{Time: t0, Severity: events.Info}, {Time: t0.Add(5 * time.Minute), Severity: events.Crit}}
	s := feed.snaps[n-1]
	i := n
	b.ReportAllocs()
	for b.Loop() {
		s.Time = s.Time.Add(time.Second)
		i++
		msg := feed.msg(s)
		msg.frame.Playback = &pipeline.Playback{
			Start: start, End: start.Add(time.Hour), Position: s.Time, Speed: 10, Index: i, Len: 3600, Marks: marks,
		}
		next, _ := m.Update(msg)
		m = next.(Model)
	}
}
