package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/snapshot"
)

// afterLaunch is the 40th scripted snapshot moved on by d, with the host
// source fresh at its time; edit sets the scrape source's state.
func afterLaunch(t *testing.T, d time.Duration, edit func(s *snapshot.Snapshot, scrape *snapshot.Source)) (Model, string) {
	t.Helper()
	m, feed := fed(40, 120, 40, termenv.Ascii)
	s := feed.snaps[39].Clone()
	s.Time = s.Time.Add(d)
	h := s.Sources["host"]
	h.LastSuccess, h.NewestSample = s.Time, s.Time
	s.Sources["host"] = h
	src := s.Sources["scrape"]
	edit(&s, &src)
	s.Sources["scrape"] = src
	m = drive(m, feed.msg(s))
	return m, m.View()
}

func wantAll(t *testing.T, v string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(v, w) {
			t.Errorf("view lacks %q", w)
		}
	}
}

func TestADownSourceMarksEveryFigureItFeedsStaleWithItsAge(t *testing.T) {
	m, v := afterLaunch(t, 12*time.Second, func(s *snapshot.Snapshot, src *snapshot.Source) {
		src.OK, src.RateWindow = false, 4
		src.Error = "2 errors"
		src.Errors = map[string]string{
			"source": "query pv: Get \"http://vm:8428/api/v1/query\": context deadline exceeded",
			"buy":    "no series",
		}
		src.Warnings = []string{"partial response: store eu-2 unavailable"}
	})
	wantAll(t, v,
		"✕ scrape 12s rate 4s", "● host 0.0s",
		"✕!! scrape: source: query pv", "(+2 more, s: sources)", // the status line: the whole-source failure first
		"stale 12s",                      // the tiles and the endpoints table
		"req 603/s 12s",                  // the error tile's requests
		"stale 12s: bw, conn, mem, page", // the plan rows resting on PV
	)
	// A line too wide loses whole words, " …" in their place: a digit
	// before an ellipsis is a figure cut.
	if regexp.MustCompile(`[0-9]…`).MatchString(v) || strings.Contains(v, "stale 0.0s") {
		t.Error("an age was cut or a down source read fresh")
	}
	golden.RequireEqual(t, []byte(v))

	m = drive(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")})
	wantAll(t, m.View(), "down, data 12s old · rate window 4s", "context deadline exceeded", "buy: no series",
		"warning partial response: store eu-2 unavailable")
}

func TestAPartialAnswerMarksOnlyItsFailedAndPartialSignals(t *testing.T) {
	_, v := afterLaunch(t, time.Second, func(s *snapshot.Snapshot, src *snapshot.Source) {
		src.OK, src.LastSuccess, src.NewestSample = false, s.Time, s.Time.Add(-time.Second)
		src.Error = "target down"
		src.Errors = map[string]string{"http://10.0.0.2:9400/metrics": "connection refused"}
		src.Carried = map[string]time.Time{"stock": s.Time.Add(-5 * time.Second)}
		src.Partial = []string{"requests", "endpoints.buy"}
		src.Infos = []string{"scrape interval not detected; assuming 15s"}
	})
	wantAll(t, v, "◐ scrape 1.0s", "stale 5.0s", "part 1.0s", "req 603/s part", "▲! scrape: http://10.0.0.2:9400/metrics: connection refused")
	if n := strings.Count(v, "stale 5.0s"); n != 1 {
		t.Errorf("%d figures 'stale 5.0s', want the stock tile alone", n)
	}
	if strings.Contains(v, "stale 1.0s") {
		t.Error("the signals measured whole must stay fresh")
	}
	golden.RequireEqual(t, []byte(v))
}

func TestASourceThatNeverAnsweredSaysNever(t *testing.T) {
	m, feed := fed(40, 120, 40, termenv.Ascii)
	s := feed.snaps[39].Clone()
	s.Host = snapshot.Host{}
	s.Sources["host"] = snapshot.Source{OK: false, Signals: snapshot.HostSignals, Error: "host: permission denied",
		Errors: map[string]string{"source": "read /proc/net/tcp: permission denied"}}
	m = drive(m, feed.msg(s))
	v := m.View()
	wantAll(t, v, "✕ host never", "never", "mem ", "never: mem")
	if strings.Contains(v, "stale 0.0s") || strings.Contains(v, "(0.0s)") {
		t.Error("a source that never answered must say never, not 0.0s")
	}
	golden.RequireEqual(t, []byte(v))
}

func TestWithoutColourWarnAndCritDifferInText(t *testing.T) {
	_, v := afterLaunch(t, time.Second, func(s *snapshot.Snapshot, src *snapshot.Source) {
		src.LastSuccess, src.NewestSample = s.Time, s.Time
		s.Endpoints["buy"] = snapshot.Endpoint{QPS: snapshot.Some(85)}   // 85%: warn
		s.Endpoints["cart"] = snapshot.Endpoint{QPS: snapshot.Some(198)} // 99%: crit
	})
	wantAll(t, v, "85%", "99%")
	var buy, cart string
	for _, l := range strings.Split(v, "\n") {
		if strings.HasPrefix(l, "│ buy ") {
			buy = strings.SplitN(l, "││", 2)[0]
		}
		if strings.HasPrefix(l, "│ ◆cart ") {
			cart = strings.SplitN(l, "││", 2)[0]
		}
	}
	if !strings.Contains(buy, " ! ") || strings.Contains(buy, "!!") {
		t.Errorf("the warn row must carry one !: %q", buy)
	}
	if !strings.Contains(cart, " !! ") {
		t.Errorf("the crit row must carry !!: %q", cart)
	}
	golden.RequireEqual(t, []byte(v))
}

func TestHelpExplainsEverySymbol(t *testing.T) {
	m, _ := fed(40, 120, 40, termenv.Ascii)
	m = drive(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")})
	wantAll(t, m.View(), "● source answering", "◐ answering in part", "✕ down", "◆ the bottleneck", "▲ warning event",
		"stale 12s", "never", "warn (!)", "crit (!!)", "s sources", "⠉ ⠉ plan (dashed)", "x the plan", "over by N%")
}

func TestTheHostPanelSaysWhenItIsSimulated(t *testing.T) {
	m, feed := fed(2, 120, 40, termenv.Ascii)
	m.opts.Simulated = []string{"host", "scrape"}
	m = drive(m, feed.next())
	wantAll(t, m.View(), "Host · simulated", "● host sim")
}

func TestTheDataAgeIsTheNewestSamplesNotThePolls(t *testing.T) {
	_, v := afterLaunch(t, time.Second, func(s *snapshot.Snapshot, src *snapshot.Source) {
		// VictoriaMetrics answered now, with data 30 s behind.
		src.LastSuccess, src.NewestSample, src.RateWindow = s.Time, s.Time.Add(-30*time.Second), 60
	})
	wantAll(t, v, "● scrape 30s rate 60s", "stale 30s")
	if strings.Contains(v, "scrape 0.0s") {
		t.Error("the header read the poll's time, not the data's")
	}
}
