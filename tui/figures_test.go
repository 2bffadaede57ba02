package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// A figure cut by its cell is another number: "10,0" of "10,000", "1" of
// "10m", "1.24 MB" of "1.24 MB/s". This test draws every layout at sizes
// from 40x12 to 400x120 over the demo's frames and holds every figure on
// screen against the same drawing with room for all: each must be a whole
// figure of it, or the same figure written shorter ("10k", "16 MB/s"),
// rounded and not cut.
func TestNoFigureOnScreenIsCutIntoAnotherNumber(t *testing.T) {
	launches := demoFrames(t)
	wStep, hStep := 7, 9
	if testing.Short() {
		wStep, hStep = 29, 27
	}
	type wh struct{ w, h int }
	var grid []wh
	for h := 12; h <= 120; h += hStep {
		for w := 40; w <= 400; w += wStep {
			grid = append(grid, wh{w, h})
		}
	}
	grid = append(grid, wh{80, 24}, wh{100, 30})
	c := figureCheck{t: t, refs: map[refKey]figureSet{}}
	defer func() {
		// Every size shows some figures: a check that saw few has looked
		// at nothing.
		if !t.Failed() && c.seen < 100*len(grid) {
			t.Errorf("%d figures seen at %d sizes: the drawings hold no figures?", c.seen, len(grid))
		}
	}()
	frames := len(launches[0].frames) + len(launches[1].frames)
	for i, sz := range grid {
		// Neighbouring widths show the same frame, so that they share its
		// references; each frame is seen at every height and both
		// colour profiles.
		slot := (i/4 + 5*(sz.h/hStep)) % (2 * frames)
		d := launches[slot%2]
		fi := slot / 2 % len(d.frames)
		profile := termenv.TrueColor
		if slot >= frames {
			profile = termenv.Ascii // "!!" marks: wider lines
		}
		c.screen(d, fi, sz.w, sz.h, profile, i%3 == 0)
		if c.failed >= 30 {
			t.Fatal("too many cut figures; the first 30 are above")
		}
	}
}

// The check's own reading of figures: a figure written shorter is one,
// a figure cut is not.
func TestTheFigureCheckTellsAShorterFormFromACut(t *testing.T) {
	for _, tt := range []struct {
		ref, drawn string
		ok         bool
	}{
		{"10,000", "10k", true}, {"10,000", "10,0", false}, {"10,000", "10", false},
		{"90.6%", "91%", true}, {"90.6%", "90%", false}, {"90.6%", "90.6", false},
		{"15.6 MB/s", "16 MB/s", true}, {"15.6 MB/s", "15.6 MB", false}, {"1.24 MB/s", "1.2", false},
		{"10m", "1", false}, {"1.67", "1.7", true}, {"1.67", "1.6", false},
		{"5,964,", "6k,", true}, {"5,964,", "5,96", false}, {"4h59m", "4h5", false},
	} {
		set := figuresOf([]string{tt.ref})
		figs := figuresIn(tt.drawn)
		if len(figs) != 1 {
			t.Fatalf("%q reads as figures %q", tt.drawn, figs)
		}
		if got := set.has(figs[0]); got != tt.ok {
			t.Errorf("%q drawn for %q: a figure of it %v, want %v", tt.drawn, tt.ref, got, tt.ok)
		}
	}
}

// figureCheck holds screens against their references.
type figureCheck struct {
	t      *testing.T
	refs   map[refKey]figureSet
	failed int
	seen   int // figures checked
}

// refKey names a reference drawing: a panel of a frame at a height.
type refKey struct {
	scenario string
	frame    int
	profile  termenv.Profile
	panel    panelID // numPanels: the header and the status line; numPanels+1: the too-small message
	w, h     int
}

// refW is wide enough for any line of any panel whole.
const refW = 600

// screen checks the desk and the wall of a frame at w x h, paused or not:
// the header, the pause's banner, the status line and every panel of
// every layout that fits.
func (c *figureCheck) screen(d demoLaunch, fi, w, h int, profile termenv.Profile, paused bool) {
	m := demoModel(d, fi, w, h, profile)
	if paused {
		m = drive(m, keyMsg("p"))
	}
	key := refKey{scenario: d.scenario, frame: fi, profile: profile, panel: numPanels}
	colour := "colour"
	if profile == termenv.Ascii {
		colour = "no colour"
	}
	where := fmt.Sprintf("%s at T%s, %dx%d, %s", d.scenario, countdown(d.frames[fi].Snapshot.Time.Sub(d.plan.LaunchAt))[1:], w, h, colour)
	for _, wall := range []bool{false, true} {
		mm := m
		if wall {
			mm = drive(m, keyMsg("w"))
		}
		f := mm.frame()
		lines := strings.Split(mm.View(), "\n")
		ref := c.ref(key, func() []string {
			return []string{mm.header(&f, maxWidth), statusLine(*mm.styles, mm.problemsOfInputs(f.snap), maxWidth)}
		})
		_, fits := pickLayout(wall, w, h)
		if fits {
			c.check(where+", header", lines[0], ref)
			lines = lines[1:]
		}
		bodyH := h - 2
		if banner := mm.pauseBanner(w); banner != "" && len(lines) > 1 && lines[0] == banner {
			c.check(where+", banner", banner, ref) // its time is the header's clock
			lines = lines[1:]
			bodyH--
		} else if paused {
			c.t.Errorf("%s: paused, no banner under the header", where)
		}
		if !fits {
			c.check(where+", too small", strings.Join(lines, "\n"), c.ref(refKey{panel: numPanels + 1, w: w, h: h},
				func() []string { return []string{tooSmallText(w, h)} }))
			continue
		}
		if f.data {
			if status := statusLine(*mm.styles, mm.problemsOfInputs(f.snap), w); status != "" && lines[0] == status {
				c.check(where+", status line", status, ref)
				bodyH--
			}
		}
		for _, l := range allLayouts {
			if l.wall != wall || w < l.minW || h < l.minH {
				continue
			}
			for _, row := range place(&f, l, w, bodyH) {
				for _, p := range row {
					got := mm.panel(&f, p.panel, p.w, p.h)
					k := key
					k.panel, k.h = p.panel, p.h
					pref := c.ref(k, func() []string { return mm.refDrawing(&f, p.panel, p.h) })
					c.check(fmt.Sprintf("%s, %s layout, %s panel (%dx%d)", where, l.name, panelNames[p.panel], p.w, p.h), got, pref)
				}
			}
		}
	}
}

// refDrawing is what a panel shows with room for all: as tall as it is on
// screen (a chart's labels and a list's "… n more" follow its height),
// and wide. A wall figure's cell shows its figure in text or in digits by
// the room it has, its unit apart when only the number fits: its
// reference holds the tiles (the same figures), the countdown's header
// and the panel drawn taller.
func (m *Model) refDrawing(f *frame, id panelID, h int) []string {
	out := []string{m.panel(f, id, refW, h)}
	if id == panelWallFigures {
		out = append(out, m.panel(f, id, refW, 120), m.panel(f, panelTiles, refW, 60), m.header(f, maxWidth))
	}
	if rows := f.fleetRows(); id == panelFleet && len(rows) > 0 {
		// How many servers stand in view ("and 492 more") follows the
		// columns of servers the width holds: one, two or three, each
		// column's rows whole.
		row := fleetRowWidth(fleetNameWidth(rows)) + 4
		out = append(out, m.panel(f, id, row, h), m.panel(f, id, 2*row+fleetGap, h))
	}
	return out
}

func (c *figureCheck) ref(k refKey, draw func() []string) figureSet {
	if r, ok := c.refs[k]; ok {
		return r
	}
	r := figuresOf(draw())
	c.refs[k] = r
	return r
}

// figuresOf is the set of the figures in drawings.
func figuresOf(drawings []string) figureSet {
	r := figureSet{whole: map[string]bool{}}
	for _, s := range drawings {
		for _, fig := range figuresIn(s) {
			if !r.whole[fig] {
				r.whole[fig] = true
				if p, ok := parseFigure(fig); ok {
					r.parsed = append(r.parsed, p)
				}
			}
		}
	}
	return r
}

// check fails for every figure of drawn that is neither a whole figure of
// the reference nor one written shorter.
func (c *figureCheck) check(where, drawn string, ref figureSet) {
	c.t.Helper()
	for _, line := range strings.Split(drawn, "\n") {
		for _, fig := range figuresIn(line) {
			c.seen++
			if ref.has(fig) {
				continue
			}
			c.failed++
			c.t.Errorf("%s: %q is no figure of the frame, cut from one?\n  line: %q", where, fig, ansi.Strip(line))
			if c.failed >= 30 {
				return
			}
		}
	}
}

// figureSet is the figures of a reference: whole, and parsed to tell a
// shorter form of one.
type figureSet struct {
	whole  map[string]bool
	parsed []figure
}

// has reports whether fig is a figure of the set, or one of them rounded
// to fewer digits ("91%" of "90.6%", "10k" of "10,000", "16 MB/s" of
// "15.6 MB/s"): the same words around it, a value within half its last
// digit, and shorter.
func (s figureSet) has(fig string) bool {
	if s.whole[fig] {
		return true
	}
	// A name's first letters ("web-3:…" of "web-3:8080"): the cut ends
	// after a separator, never inside a run of digits, so no number in it
	// is cut into another.
	if head, cut := strings.CutSuffix(fig, "…"); cut && head != "" && !unicode.IsDigit(rune(head[len(head)-1])) {
		for whole := range s.whole {
			if rest, ok := strings.CutPrefix(whole, head); ok && rest != "" {
				return true
			}
		}
	}
	p, ok := parseFigure(fig)
	if !ok {
		return false
	}
	for _, r := range s.parsed {
		if r.pre == p.pre && r.post == p.post && len(fig) < len(r.text) && math.Abs(r.v-p.v) <= p.ulp/2*(1+1e-9) {
			return true
		}
	}
	return false
}

// figure is a figure's number read: its value, the size of its last
// digit, and the text either side.
type figure struct {
	text      string
	pre, post string
	v, ulp    float64
}

// parseFigure reads the first number of a figure ("(1,250)", "15.6 MB/s",
// "10k", "-5m"), with a k, M or G after it as a multiplier.
func parseFigure(s string) (figure, bool) {
	i := strings.IndexFunc(s, unicode.IsDigit)
	if i < 0 {
		return figure{}, false
	}
	// Digits, thousands separators (a comma before three digits: "5,964,"
	// ends in punctuation) and a decimal part.
	digitAt := func(k int) bool { return k < len(s) && s[k] >= '0' && s[k] <= '9' }
	j := i
	for j < len(s) && (digitAt(j) || s[j] == ',' && digitAt(j+1) && digitAt(j+2) && digitAt(j+3) || s[j] == '.' && digitAt(j+1)) {
		j++
	}
	num := strings.ReplaceAll(s[i:j], ",", "")
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return figure{}, false
	}
	ulp := 1.0
	if _, frac, ok := strings.Cut(num, "."); ok {
		ulp = math.Pow10(-len(frac))
	}
	if j < len(s) && strings.IndexByte("kMGT", s[j]) >= 0 && (j+1 == len(s) || !unicode.IsLetter(rune(s[j+1]))) {
		mult := math.Pow(1000, float64(strings.IndexByte("kMGT", s[j])+1))
		v, ulp = v*mult, ulp*mult
		j++
	}
	return figure{text: s, pre: s[:i], post: s[j:], v: v, ulp: ulp}, true
}

// figuresIn are the words of a drawing that hold a digit, a number and
// the unit after it as one ("15.6 MB/s"): borders, bars, sparklines and
// braille are blanks between them. One pass without copying the drawing:
// references are wide and tall, and they are most of the test's time.
func figuresIn(s string) []string {
	var out []string
	var word []byte
	digit, lastWasNumber := false, false
	end := func() {
		switch {
		case len(word) == 0:
		case digit:
			out = append(out, string(word))
			lastWasNumber = true
		case lastWasNumber && unitWord(string(word)):
			out[len(out)-1] += " " + string(word)
			lastWasNumber = false
		default:
			lastWasNumber = false
		}
		word, digit = word[:0], false
	}
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			if j, ok := skipEscape(s, i); ok {
				i = j
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) || r >= 0x2500 && r <= 0x259f || r >= 0x2800 && r <= 0x28ff {
			end()
		} else {
			word = append(word, s[i:i+size]...)
			digit = digit || r >= '0' && r <= '9'
		}
		i += size
	}
	end()
	return out
}

// unitWord reports whether a word is a unit of bytes or bits ("MB/s",
// "Gbit/s", "KB,"): the test's own reading, apart from the screen's.
func unitWord(w string) bool {
	w = strings.TrimRight(w, ",;:)!")
	for _, p := range []string{"", "k", "K", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi"} {
		for _, u := range []string{"B", "bit", "B/s", "bit/s"} {
			if w == p+u {
				return true
			}
		}
	}
	return false
}

// panelNames name the panels in failures.
var panelNames = [numPanels]string{
	panelTiles: "tiles", panelPVChart: "PV chart", panelConnChart: "connections chart", panelBWChart: "bandwidth chart",
	panelEndpoints: "endpoints", panelHost: "host", panelPlan: "plan", panelProblems: "problems", panelEvents: "events",
	panelWallFigures: "wall figures", panelWallSellOut: "wall sell-out", panelWallProblem: "wall problem",
	panelFleet: "fleet",
}
