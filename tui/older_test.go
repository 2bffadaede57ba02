package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/snapshot"
)

// + past what the screen has seen fetches the missing history once, and
// the charts draw it dotted as history before the live part.
func TestWideningTheWindowFetchesOlderHistory(t *testing.T) {
	m, _ := fed(40, 120, 40, termenv.Ascii)
	first := m.shown().History.At(0).Time
	var asked [][2]time.Time
	m.opts.History = func(_ context.Context, from, to time.Time) ([]snapshot.Snapshot, error) {
		asked = append(asked, [2]time.Time{from, to})
		var out []snapshot.Snapshot
		for at := from; at.Before(to); at = at.Add(time.Second) {
			s := launchSnapshots(1)[0]
			s.Time = at
			out = append(out, s)
		}
		return out, nil
	}
	// 5m holds more than the 40 s seen: widen to 15m.
	next, cmd := m.Update(keyMsg("+"))
	m = next.(Model)
	if cmd == nil {
		t.Fatal("+ past the history held fetched nothing")
	}
	if !strings.Contains(m.View(), "fetching older history") {
		t.Error("the footer does not say older history is on its way")
	}
	m = drive(m, cmd())
	if len(asked) != 1 || !asked[0][1].Before(first) {
		t.Fatalf("asked %v, want one fetch ending before the first snapshot held (%v)", asked, first)
	}
	if got := m.snapTime().Sub(asked[0][0]); got != m.window {
		t.Errorf("fetched from %v before the newest snapshot, want the window %v", got, m.window)
	}
	if v := m.View(); !strings.Contains(v, "⠁⠁ history") {
		t.Errorf("the fetched part is not drawn as history:\n%s", v)
	}
	// The same window again fetches nothing more.
	if _, cmd := m.Update(keyMsg("-")); cmd != nil {
		t.Error("- fetched")
	}
	m = drive(m, keyMsg("-"))
	if _, cmd := m.Update(keyMsg("+")); cmd != nil {
		t.Error("+ back to a window already fetched fetched again")
	}
}

func TestAFailedFetchSaysWhyInTheFooter(t *testing.T) {
	m, _ := fed(40, 120, 40, termenv.Ascii)
	m.opts.History = func(context.Context, time.Time, time.Time) ([]snapshot.Snapshot, error) {
		return nil, errors.New("prometheus: 503 Service Unavailable\x1b[31m")
	}
	next, cmd := m.Update(keyMsg("+"))
	m = drive(next.(Model), cmd())
	v := m.View()
	if !strings.Contains(v, "older history: prometheus: 503 Service Unavailable") || strings.Contains(v, "\x1b[31m") {
		t.Errorf("the footer does not say why, cleaned:\n%s", v)
	}
}

// snapTime is the newest snapshot's time.
func (m Model) snapTime() time.Time { return m.shown().Snapshot.Time }

// The chart window's view reads fetched and live history as one, and
// slices across the seam.
func TestTheHistoryViewJoinsFetchedAndLiveHistory(t *testing.T) {
	m, _ := fed(10, 120, 40, termenv.Ascii)
	live := m.shown().History
	var older []snapshot.Snapshot
	for i := range 5 {
		s := launchSnapshots(1)[0]
		s.Time = live.At(0).Time.Add(time.Duration(i-5) * time.Second)
		older = append(older, s)
	}
	h := histView{older: older, live: live}
	if h.Len() != 5+live.Len() {
		t.Fatalf("len %d, want %d", h.Len(), 5+live.Len())
	}
	for i := 1; i < h.Len(); i++ {
		if !h.At(i).Time.After(h.At(i - 1).Time) {
			t.Fatalf("snapshot %d (%v) is not after %d (%v)", i, h.At(i).Time, i-1, h.At(i-1).Time)
		}
	}
	for _, c := range [][2]int{{0, 3}, {3, 8}, {6, 9}, {0, h.Len()}} {
		s := h.Slice(c[0], c[1])
		if s.Len() != c[1]-c[0] || !s.At(0).Time.Equal(h.At(c[0]).Time) || !s.At(s.Len()-1).Time.Equal(h.At(c[1]-1).Time) {
			t.Errorf("Slice(%d, %d): %d snapshots from %v", c[0], c[1], s.Len(), s.At(0).Time)
		}
	}
	if i := h.search(live.At(0).Time); i != 5 {
		t.Errorf("the live part starts at %d, want 5", i)
	}
}

// Panels kept from an earlier draw are what a fresh draw gives, whatever
// keys and sizes came between.
func TestKeptPanelsMatchAFreshDraw(t *testing.T) {
	m, feed := fed(60, 200, 60, termenv.TrueColor)
	steps := []tea.Msg{keyMsg("tab"), keyMsg("tab"), keyMsg("+"), keyMsg("t"), feed.next(), keyMsg("shift+tab"),
		tea.WindowSizeMsg{Width: 120, Height: 40}, keyMsg("-"), keyMsg("p"), feed.next(), keyMsg("p"), keyMsg("w"), keyMsg("w")}
	for i, msg := range steps {
		m = drive(m, msg)
		fresh := m
		fresh.drawn = new([numPanels]drawnPanel)
		fresh.render()
		if m.View() != fresh.View() {
			t.Fatalf("after step %d (%T %v) the kept panels differ from a fresh draw", i, msg, msg)
		}
	}
}
