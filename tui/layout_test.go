package tui

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/snapshot"
)

func TestSizesShareWhatFixedSizesAndFitsLeave(t *testing.T) {
	fit := func(min, max int) size { return size{fit: true, min: min, max: max} }
	for _, tt := range []struct {
		name  string
		total int
		sizes []size
		need  []int
		want  []int
	}{
		{"equal shares split like split", 200, []size{{weight: 1}, {weight: 1}, {weight: 1}}, nil, split(200, 3)},
		{"a fixed cell takes its width first", 120, []size{{weight: 1, shift: -4}, {fixed: 28}, {weight: 1, shift: 4}}, nil, []int{42, 28, 50}},
		{"minimums come before weights", 22, []size{{weight: 16}, {weight: 1, min: 2}, {fixed: 2}}, nil, []int{17, 3, 2}},
		{"too little room for the minimums: the shares give way", 3, []size{{fixed: 8}, {weight: 1, min: 1}}, nil, []int{8, 0}},
		{"the last share gives way first", 21, []size{{fixed: 13}, {weight: 1, min: 5}, {weight: 1, min: 4}}, nil, []int{13, 5, 3}},
		{"nothing is negative", 0, []size{{weight: 1, shift: -4}}, nil, []int{0}},
		{"a fit takes what it needs, the shares the rest", 30, []size{{fixed: 7}, fit(3, 12), {weight: 1, min: 5}, {weight: 1, min: 4}}, []int{0, 8, 0, 0}, []int{7, 8, 8, 7}},
		{"a fit takes no more than its max", 40, []size{fit(3, 9), {weight: 1}}, []int{15, 0}, []int{9, 31}},
		{"the shares' minimums come before a fit", 22, []size{{fixed: 13}, fit(3, 12), {weight: 1, min: 5}, {weight: 1, min: 4}}, []int{0, 8, 0, 0}, []int{13, 0, 5, 4}},
		{"a fit short of its need takes what is left", 25, []size{{fixed: 13}, fit(3, 12), {weight: 1, min: 5}, {weight: 1, min: 4}}, []int{0, 8, 0, 0}, []int{13, 3, 5, 4}},
		{"a fit without a need takes nothing", 10, []size{fit(0, 0), {weight: 1}}, nil, []int{0, 10}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sizes(tt.total, tt.sizes, tt.need); !slices.Equal(got, tt.want) {
				t.Errorf("sizes(%d) = %v, want %v", tt.total, got, tt.want)
			}
		})
	}
}

// A row sized to fit is as tall as its panels' content: each panel's
// need must be the lines it draws, or a fitted panel is cut or padded.
func TestAPanelsNeedIsTheLinesItDraws(t *testing.T) {
	m, _ := fed(90, 120, 40, termenv.Ascii)
	before, _ := fed(10, 120, 40, termenv.Ascii)
	down, _ := afterLaunch(t, 12*time.Second, func(_ *snapshot.Snapshot, src *snapshot.Source) { src.OK = false })
	hostDown, _ := afterLaunch(t, 12*time.Second, func(s *snapshot.Snapshot, _ *snapshot.Source) {
		h := s.Sources["host"]
		h.OK, h.LastSuccess, h.NewestSample = false, s.Time.Add(-12*time.Second), s.Time.Add(-12*time.Second)
		s.Sources["host"] = h
	})
	noPlan := m
	noPlan.opts.HasPlan = false
	for name, mm := range map[string]Model{"live": m, "before T0": before, "a source down": down, "the host down": hostDown, "no plan": noPlan} {
		f := mm.frame()
		for _, id := range []panelID{panelEndpoints, panelHost, panelPlan} {
			def := panelDefs[id]
			if def.need == nil {
				t.Fatalf("panel %d has no need", id)
			}
			w, h := 60, 40 // room for every line
			innerW, innerH := inner(w, h)
			body := map[panelID]func() string{
				panelEndpoints: func() string { return endpointsTable(&f, innerW, innerH) },
				panelHost:      func() string { return hostPanel(&f, innerW) },
				panelPlan:      func() string { return planPanel(&f, innerW) },
			}[id]()
			if got, want := def.need(&f), strings.Count(body, "\n")+1+2; got != want {
				t.Errorf("%s: panel %d needs %d lines, draws %d:\n%s", name, id, got, want, body)
			}
		}
	}
}

// The endpoints, the host and the plan take the lines their content
// needs; the problems and the events take the rest. At 120x40, the
// smallest screen with the charts, five problems and five events show.
func TestTheProblemsAndTheEventsGetTheLinesTheOthersLeave(t *testing.T) {
	m0, _ := fed(120, 120, 40, termenv.Ascii)
	for _, sz := range []struct{ w, h, problems, events int }{
		{80, 24, 3, 2}, {100, 30, 5, 4}, {120, 40, 5, 5}, {160, 50, 10, 10}, {200, 60, 13, 13}, {300, 80, 20, 20},
	} {
		m := drive(m0, tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
		f := m.frame()
		l := m.layout()
		got := map[panelID]placed{}
		for _, row := range place(&f, l, sz.w, sz.h-2) { // the header and the footer
			for _, p := range row {
				got[p.panel] = p
			}
		}
		if p, e := got[panelProblems].h-2, got[panelEvents].h-2; p < sz.problems || e < sz.events {
			t.Errorf("%dx%d (%s): %d problem and %d event lines, want %d and %d", sz.w, sz.h, l.name, p, e, sz.problems, sz.events)
		}
		// Their row is as tall as the tallest content, no taller.
		most := 0
		for _, id := range []panelID{panelEndpoints, panelHost, panelPlan} {
			if _, ok := got[id]; ok {
				most = max(most, panelDefs[id].need(&f))
			}
		}
		if h := got[panelEndpoints].h; h > most {
			t.Errorf("%dx%d (%s): endpoints | host is %d lines, its content %d", sz.w, sz.h, l.name, h, most)
		}
	}
	// On screen at 120x40: the five problems whole, and five events.
	m := drive(m0, tea.WindowSizeMsg{Width: 120, Height: 40})
	v := m.View()
	for _, p := range m.shown().Problems {
		if !strings.Contains(v, p.Message) {
			t.Errorf("at 120x40 the problem %q is not on screen", p.Message)
		}
	}
	// An event's line starts with its time, beside the problems panel.
	if n := len(regexp.MustCompile(`││ \d\d:\d\d:\d\d `).FindAllString(v, -1)); n < 5 {
		t.Errorf("at 120x40 %d events are on screen, want 5 at least:\n%s", n, v)
	}
}
