package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
