package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/alerts"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The scripted launch's three problems at T+1:29 (page weight, under it
// the bandwidth limit, under that the error burst), with the team's
// Alertmanager read back: two of their alerts firing, one of them
// silenced, a silence over the error burst, and the bandwidth limit
// acknowledged on another screen.
const (
	keyErrors    = "errors/error_rate"
	keyBandwidth = "limit/bandwidth"
)

var (
	teamAlerts = []snapshot.TeamAlert{
		{Name: "HighLatency", Severity: "critical", Summary: "p99 over 2 s on checkout", Since: t0.Add(-5 * time.Minute), Labels: "service=checkout"},
		{Name: "DiskFilling", Severity: "warning", Summary: "disk 91% full on db-1", Since: t0.Add(-19 * time.Minute), Silenced: true,
			Labels: "job=node instance=db-1:9100"},
	}
	errorSilence = snapshot.Silence{ID: "4b1e9c2a", By: "bob@oncall", Comment: "deploying the fix, back by 12:30", Until: t0.Add(30 * time.Minute)}
	bandwidthAck = snapshot.Ack{By: "alice@war-room", At: t0.Add(10 * time.Second)}
)

// onCallSnapshots is the scripted launch with the Alertmanager's answer
// from T+0 and the acknowledgement from its time.
func onCallSnapshots(n int) []snapshot.Snapshot {
	snaps := launchSnapshots(n)
	for i := range snaps {
		s := &snaps[i]
		if s.Time.Before(t0) {
			continue
		}
		s.TeamAlerts = teamAlerts
		s.Silences = map[string]snapshot.Silence{keyErrors: errorSilence}
		s.Sources[snapshot.SourceAlertmanager] = snapshot.Source{OK: true, LastSuccess: s.Time, Duration: 0.003}
		if !s.Time.Before(bandwidthAck.At) {
			s.Acks = map[string]snapshot.Ack{keyBandwidth: bandwidthAck}
		}
	}
	return snaps
}

// onCallModel has taken n frames of onCallSnapshots at a size, with
// runbooks and a dashboard.
func onCallModel(snaps []snapshot.Snapshot, w, h int) Model {
	feed := newFeed(snaps, demoPlan())
	m := testModel(feed, termenv.Ascii)
	m.opts.Runbook = alerts.Options{Runbooks: map[string]string{
		"errors":           "https://runbooks.example.com/launch/errors",
		"limit/bandwidth":  "https://runbooks.example.com/launch/bandwidth-limit-reached-at-the-origin-what-to-turn-off-first",
		"page-weight/page": "https://runbooks.example.com/launch/page-weight",
	}}.Runbook
	m.opts.DashboardURL = "https://grafana.example.com/d/launch/winter-drop?var-env=prod"
	m = drive(m, tea.WindowSizeMsg{Width: w, Height: h})
	for range snaps {
		m = drive(m, feed.next())
	}
	return m
}

func TestTheProblemsPanelWithTheTeamsAlertsASilenceAndAnAck(t *testing.T) {
	m := focusOn(t, onCallModel(onCallSnapshots(120), 120, 40), panelProblems)
	t.Run("panel_120x40", func(t *testing.T) {
		v := m.View()
		wantAll(t, v, "Problems · 3 now · 2 theirs",
			"ack alice@war-room 1m19s",
			"silenced by bob@oncall",
			"◇!!  6m29s theirs HighLatency: p99 over 2 s on checkout",
			"◇! 20m29s theirs DiskFilling: disk 91% full on db-1 silenced")
		golden.RequireEqual(t, []byte(v))
	})
	t.Run("detail_120x40", func(t *testing.T) {
		i := rowIndex(m.shown(), keyErrors)
		if i < 0 {
			t.Fatal("the error burst is not on the panel")
		}
		mm := m
		mm.selectProblem(i)
		v := drive(mm, keyMsg("enter")).View()
		wantAll(t, v, "Problem · error burst · esc back",
			"✕ CRIT!! · error burst",
			"Error burst: 5.1% of requests failing (25.4/s), measured (plan: warn 1%, crit 5%)",
			"lines      warn 1%, crit 5%",
			"since      12:00:48 (for 41s)",
			"caused by  └ bandwidth at 124.7%",
			"             └ page weight 1 MB/view",
			"ack        nobody yet: a acknowledges it",
			"silenced   by bob@oncall until 12:30:00 (28m31s left): deploying the fix, back by 12:30",
			"runbook    https://runbooks.example.com/launch/errors",
			"dashboard  https://grafana.example.com/d/launch/winter-drop?var-env=prod",
			"key        errors/error_rate")
		golden.RequireEqual(t, []byte(v))
	})
}

func TestAnAcknowledgedProblemOpenedSaysWhoAndWhenAndItsLongRunbookWhole(t *testing.T) {
	m := focusOn(t, onCallModel(onCallSnapshots(120), 120, 40), panelProblems)
	m.selectProblem(rowIndex(m.shown(), keyBandwidth))
	v := drive(m, keyMsg("enter")).View()
	wantAll(t, v, "Problem · bandwidth limit · esc back",
		"ack        alice@war-room at 12:00:10, 1m19s ago",
		"caused by  └ page weight 1 MB/view",
		// A URL too long for the box is wrapped, never cut: every
		// character of it is on screen.
		"runbook    https://runbooks.example.com/launch/bandwidth-limit-reached-at-the-origin-what-to-turn-off-first",
		"dashboard  https://grafana.example.com/d/launch/winter-drop?var-env=prod")
	if strings.Contains(v, "silenced   ") {
		t.Errorf("a problem no silence covers says silenced:\n%s", v)
	}
	narrow := drive(drive(m, keyMsg("enter")), tea.WindowSizeMsg{Width: 80, Height: 24}).View()
	joined := strings.ReplaceAll(narrow, "│", "")
	joined = strings.Join(strings.Fields(joined), "")
	if !strings.Contains(joined, "https://runbooks.example.com/launch/bandwidth-limit-reached-at-the-origin-what-to-turn-off-first") {
		t.Errorf("at 80 columns the runbook is not whole across its lines:\n%s", narrow)
	}
}

func TestUpAndDownInAnOpenedProblemOpenTheNextRowAndEscGoesBack(t *testing.T) {
	m := focusOn(t, onCallModel(onCallSnapshots(120), 120, 40), panelProblems)
	m = drive(m, keyMsg("enter"))
	wantAll(t, m.View(), "Problem · page weight · esc back", "runbook    https://runbooks.example.com/launch/page-weight")
	// Down past launchwatch's three problems opens the team's alerts.
	m = drive(m, keyMsg("down"), keyMsg("down"), keyMsg("down"))
	v := m.View()
	wantAll(t, v, "Their alert · HighLatency · esc back", "◇!! theirs · critical · HighLatency", "p99 over 2 s on checkout",
		"since      11:55:00 (firing 6m29s)", "labels     service=checkout", "from       their Alertmanager (sources.alertmanager)")
	if strings.Contains(v, "runbook") {
		t.Errorf("a team's alert has no runbook of launchwatch's:\n%s", v)
	}
	m = drive(m, keyMsg("down"))
	wantAll(t, m.View(), "Their alert · DiskFilling · esc back", "silenced   a silence or an inhibition in their Alertmanager holds it")
	// a on their alert acknowledges nothing, and says where it is done.
	m = drive(m, keyMsg("a"))
	if !strings.Contains(m.View(), theirsNote) {
		t.Errorf("a on a team's alert says nothing:\n%s", m.View())
	}
	m = drive(m, keyMsg("up"), keyMsg("up"), keyMsg("esc"))
	v = m.View()
	if strings.Contains(v, "esc back") || !strings.Contains(v, "Problems · 3 now · 2 theirs") || strings.Contains(v, theirsNote) {
		t.Errorf("esc did not go back to the dashboard, or the note stayed:\n%s", v)
	}
	if m.problemCursor() != rowIndex(m.shown(), keyErrors) {
		t.Errorf("the panel's cursor is on row %d, not on the last problem opened (the error burst)", m.problemCursor())
	}
}

func TestAOpenedProblemThatClearsSaysSo(t *testing.T) {
	m := focusOn(t, onCallModel(onCallSnapshots(120), 120, 40), panelProblems)
	m = drive(m, keyMsg("enter"))
	// The next frame has the page weight cleared, the rest standing.
	next := m.shown()
	next.Problems = slices.DeleteFunc(slices.Clone(next.Problems), func(p events.Problem) bool { return p.Key() == "page-weight/page" })
	next.Seq++
	m = drive(m, frameMsg{frame: next})
	wantAll(t, m.View(), "Problem · esc back", "problem page-weight/page: cleared, no longer on the problems panel")
	// a there takes nothing: not the worst of those standing either.
	var got []string
	m.opts.Acknowledge = func(key string) error { got = append(got, key); return nil }
	m = drive(m, keyMsg("a"))
	if len(got) != 0 {
		t.Errorf("a on a cleared problem acknowledged %q", got)
	}
}

func TestAcknowledgingInAnOpenedProblemTakesThatProblem(t *testing.T) {
	m := focusOn(t, onCallModel(onCallSnapshots(120), 120, 40), panelProblems)
	var got []string
	m.opts.Acknowledge = func(key string) error { got = append(got, key); return nil }
	m.selectProblem(rowIndex(m.shown(), keyErrors))
	m = drive(m, keyMsg("enter"), keyMsg("tab"), keyMsg("a"))
	if len(got) != 1 || got[0] != keyErrors {
		t.Errorf("acknowledged %q, want the opened error burst alone", got)
	}
}

func TestTheTeamsAlertsFromAnAlertmanagerThatStoppedAnsweringSayHowOld(t *testing.T) {
	snaps := onCallSnapshots(120)
	for i := 108; i < len(snaps); i++ { // silent for the last 12 s
		src := snaps[i].Sources[snapshot.SourceAlertmanager]
		src.OK, src.LastSuccess, src.Error = false, snaps[107].Time, "GET /api/v2/alerts: connection refused"
		snaps[i].Sources[snapshot.SourceAlertmanager] = src
	}
	m := focusOn(t, onCallModel(snaps, 120, 40), panelProblems)
	// The source's own problem says it is down, among launchwatch's.
	wantAll(t, m.View(), "Problems · 4 now · 2 theirs 12s old", "source alertmanager down: GET /api/v2/alerts: connection refused")
	m.selectProblem(len(m.shown().Problems))
	wantAll(t, drive(m, keyMsg("enter")).View(), "from       their Alertmanager (sources.alertmanager), as of 12s ago: it does not answer")
}

func TestOnlyTheTeamsAlertsFiringAreListedWithoutALaunchwatchCount(t *testing.T) {
	snaps := launchSnapshots(20) // before T0, at the plan's page weight: nothing wrong of launchwatch's
	for i := range snaps {
		snaps[i].TeamAlerts = teamAlerts
		snaps[i].Bandwidth = snapshot.Some(snaps[i].PV.Or(0) * 1e5)
	}
	m := onCallModel(snaps, 120, 40)
	v := m.View()
	wantAll(t, v, "Problems · 2 theirs", "theirs HighLatency: p99 over 2 s on checkout")
	if strings.Contains(v, "nothing wrong now") || strings.Contains(v, " now · ") {
		t.Errorf("the team's alerts counted as launchwatch's, or nothing said wrong:\n%s", v)
	}
}

// A silenced problem is taken, as an acknowledged one is: the bell does
// not ring for it, nor the panel flash.
func TestANewCriticalProblemUnderASilenceRingsNoBell(t *testing.T) {
	for _, silenced := range []bool{false, true} {
		t.Run(fmt.Sprintf("silenced=%v", silenced), func(t *testing.T) {
			snaps := quietThenBurst(60)
			if silenced {
				for i := range snaps {
					snaps[i].Silences = map[string]snapshot.Silence{keyErrors: errorSilence}
				}
			}
			feed := newFeed(snaps, demoPlan())
			feed.noWait = true
			rings := 0
			m := testModel(feed, termenv.Ascii)
			m.opts.Bell = func() { rings++ }
			m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
			before := 0
			for i := range 60 {
				if i == 49 {
					before = rings
				}
				next, cmd := m.Update(feed.next())
				m = next.(Model)
				runCmds(cmd)
			}
			if !strings.Contains(m.View(), "error burst") {
				t.Fatalf("no error burst on screen:\n%s", m.View())
			}
			switch got := rings - before; {
			case silenced && got != 0:
				t.Errorf("a silenced error burst rang %d times", got)
			case !silenced && got != 1:
				t.Errorf("the error burst rang %d times, want once", got)
			}
		})
	}
}

func TestAnOpenedProblemAtEverySizeNeitherPanicsNorOverflows(t *testing.T) {
	m := focusOn(t, onCallModel(onCallSnapshots(120), 120, 40), panelProblems)
	for _, row := range []int{0, 2, 3} {
		mm := m
		mm.selectProblem(row)
		mm = drive(mm, keyMsg("enter"))
		for _, w := range []int{0, 1, 5, 20, 59, 60, 61, 80, 119, 200} {
			for _, h := range []int{0, 1, 3, 10, 16, 17, 24, 40, 60} {
				v := drive(mm, tea.WindowSizeMsg{Width: w, Height: h}).View()
				lines := strings.Split(v, "\n")
				if w > 0 && h > 0 && len(lines) != h {
					t.Errorf("row %d at %dx%d: %d lines", row, w, h, len(lines))
				}
				for _, l := range lines {
					if cellWidth(l) > w {
						t.Fatalf("row %d at %dx%d: a line of %d cells: %q", row, w, h, cellWidth(l), l)
					}
				}
			}
		}
	}
}

// The team's alerts come from their servers: text that would drive the
// terminal never reaches it, from a snapshot cleaned or not.
func TestTheTeamsWordsCannotDriveTheTerminal(t *testing.T) {
	snaps := onCallSnapshots(120)
	evil := []snapshot.TeamAlert{{Name: "Evil\x1b]0;pwned\x07", Severity: "critical", Summary: "x\u009b2J\u202e", Labels: "a=\x1b[31m"}}
	for i := range snaps {
		snaps[i].TeamAlerts = evil
		snaps[i].Silences = map[string]snapshot.Silence{keyErrors: {By: "bob\x1b[2J", Comment: "\x07", Until: t0.Add(time.Hour)}}
	}
	m := focusOn(t, onCallModel(snaps, 120, 40), panelProblems)
	views := []string{m.View()}
	m.selectProblem(3)
	views = append(views, drive(m, keyMsg("enter")).View())
	m.selectProblem(rowIndex(m.shown(), keyErrors))
	views = append(views, drive(m, keyMsg("enter")).View())
	for _, v := range views {
		if strings.ContainsAny(v, "\x1b\x07\u009b\u202e") {
			t.Fatalf("a control character reached the screen:\n%q", v)
		}
	}
}

// BenchmarkRenderOnCall is BenchmarkRender's frame at 200x60 with the
// team's 50 alerts on the problems panel (the most a snapshot holds), and
// with a problem opened.
func BenchmarkRenderOnCall(b *testing.B) {
	var fifty []snapshot.TeamAlert
	for i := range snapshot.MaxTeamAlerts {
		fifty = append(fifty, snapshot.TeamAlert{Name: fmt.Sprintf("Alert%02d", i), Severity: "warning",
			Summary: "something of theirs is wrong", Since: t0.Add(-time.Duration(i) * time.Minute), Labels: "job=node"})
	}
	for _, opened := range []bool{false, true} {
		b.Run(fmt.Sprintf("200x60_opened=%v", opened), func(b *testing.B) {
			snaps := onCallSnapshots(300)
			for i := range snaps {
				if snaps[i].TeamAlerts != nil {
					snaps[i].TeamAlerts = fifty
				}
			}
			m := focusOn(b, onCallModel(snaps, 200, 60), panelProblems)
			if opened {
				m.selectProblem(rowIndex(m.shown(), keyErrors))
				m = drive(m, keyMsg("enter"))
			}
			feed := newFeed(snaps, demoPlan())
			for range snaps {
				feed.next()
			}
			s := snaps[len(snaps)-1]
			b.ReportAllocs()
			for b.Loop() {
				s.Time = s.Time.Add(time.Second)
				next, _ := m.Update(feed.msg(s))
				m = next.(Model)
			}
		})
	}
}

// a without a selection takes the worst problem as if nobody had taken
// any: pressed twice (or by two people within a frame) it asks for the
// same problem again, which the pipeline keeps as it was, rather than
// taking the next one nobody looked at.
func TestAcknowledgingTwiceTakesTheWorstOnce(t *testing.T) {
	snaps := launchSnapshots(120)
	m := onCallModel(snaps, 120, 40)
	worst, ok := events.Worst(m.shown().Problems)
	if !ok {
		t.Fatal("no problem stands")
	}
	for i := range snaps {
		if !snaps[i].Time.Before(worst.Since) {
			snaps[i].Acks = map[string]snapshot.Ack{worst.Key(): {By: "alice@war-room", At: snaps[i].Time}}
		}
	}
	m = onCallModel(snaps, 120, 40)
	var got []string
	m.opts.Acknowledge = func(key string) error { got = append(got, key); return nil }
	m = drive(m, keyMsg("a"), keyMsg("a"))
	if len(got) != 2 || got[0] != worst.Key() || got[1] != worst.Key() {
		t.Errorf("a twice asked for %q: want the worst, %s, both times", got, worst.Key())
	}
}
