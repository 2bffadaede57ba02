package tui

import (
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Options configure the dashboard.
type Options struct {
	// Frames feeds the dashboard; required. The dashboard holds no poll
	// loop, no assessment and no event state: the pipeline derives them.
	Frames Frames
	// Clock is the producer's clock: wall time live, simulated time in the
	// demo, the playback position in a replay. The countdown runs on it.
	Clock func() time.Time
	// Interval is the time between polls (default 1 s), for "next poll in".
	Interval time.Duration
	// Plan is what the figures are held against; HasPlan false shows the
	// measurements alone.
	Plan    capacity.Plan
	HasPlan bool
	// Thresholds colour the figures.
	Thresholds capacity.Thresholds
	// LaunchName heads the screen.
	LaunchName string
	// Recording is the file the launch is recorded to, shown in the
	// header; empty when not recording.
	Recording string
	// Replay controls a recording played back; nil live. With it the
	// header says REPLAY, a timeline shows the position, and the replay's
	// keys work.
	Replay Replay
	// Compare is a second launch a replay draws beside its own (replay
	// --compare); nil for none.
	Compare *Compare
	// Window is the charts' initial time window (default 5 minutes).
	Window time.Duration
	// Renderer builds the styles; tests pin its colour profile.
	Renderer *lipgloss.Renderer
	// KeyMap overrides the default bindings.
	KeyMap *KeyMap
	// Wall is the wall clock, for "next poll in"; tests inject one.
	Wall func() time.Time
	// WallLayout starts the screen on the wall (w toggles it): the five
	// headline figures in block digits, the countdown before T0, the
	// sell-out bar and the worst problem, in the high-contrast theme.
	WallLayout bool
	// Simulated names the sources whose figures are simulated (the demo's
	// shop); the header marks them "sim" and the Host panel and the
	// sources screen say "simulated" rather than "this host". The demo
	// sets it to the sources its simulator feeds, e.g.
	// Simulated: []string{"scrape"}.
	Simulated []string
	// History reads older history on demand, when + widens the charts past
	// what the screen has seen; nil when the sources hold none (no
	// Prometheus) and in a replay.
	History HistoryFunc
	// Alerts reports the alert sinks that are failing (a webhook answering
	// 500, a command timing out), one line each, so an alert that does
	// not go out is seen on screen; nil when there are no alerts.
	Alerts func() []AlertFailure
	// Acknowledge acknowledges a standing problem, by its key, for every
	// screen of the pipeline and the alerts (pipeline.Acknowledge with who
	// this screen's user is); nil acknowledges on this screen only (a
	// replay, which shows the acknowledgements its recording holds).
	Acknowledge func(key string) error
	// Runbook is the runbook of a problem by its kind and subject
	// (alerts.runbooks), "" when none is set; DashboardURL is
	// alerts.dashboard_url. A problem opened (enter) shows both. Nil and
	// "" show none.
	Runbook      func(kind events.Kind, subject string) string
	DashboardURL string
	// Notice is a warning the footer shows until the first control's
	// answer replaces it, such as the lines of a recording a replay read
	// past; empty for none.
	Notice string
	// Bell rings the terminal's bell (writes BEL to the screen's output)
	// when a new critical problem opens; nil is no bell (--no-bell, a
	// replay).
	Bell func()
	// Annotations are the notes a replay's recording holds, for its
	// timeline; live ones arrive in the frames' snapshots.
	Annotations []snapshot.Annotation
	// Annotate keeps a note laid with m on a moment: live, the pipeline's
	// Annotate by this screen's user; in a replay, an append to the
	// recording. It runs in a command (it may write a file). Nil: m does
	// nothing.
	Annotate func(at time.Time, text string) error
}

// windows are the chart windows + and - step through.
var windows = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 3 * time.Hour,
}

// Model is the dashboard.
type Model struct {
	opts   Options
	keys   *KeyMap
	help   *help.Model
	themes []Theme
	theme  int
	// styles is behind a pointer, and keys, help and goTo too, so that the
	// model Bubble Tea copies into an interface on every message stays
	// small (22 KB a message with them inline; the keys alone are 1.9 KB);
	// a theme change replaces styles, nothing changes the keys.
	styles *Styles

	width, height int

	received time.Time // wall time the newest frame arrived
	closed   bool      // the pipeline has stopped
	stopErr  string    // why, when it failed
	paused   bool
	frozen   pipeline.Frame // what the screen shows while paused
	showHelp bool
	showSrcs bool // the sources screen: every error, warning and info
	focus    panelID
	full     bool
	wall     bool // the wall screen (w, --wall) in place of the desk's layouts
	// otherTheme is the theme of the screen not shown, wall or desk.
	otherTheme int
	window     time.Duration

	// frozenAt and frozenNext are the clock and the time to the next poll
	// of the moment the screen was paused, which it shows while paused:
	// nothing on a paused screen moves.
	frozenAt   time.Time
	frozenNext time.Duration

	latest pipeline.Frame // the newest; zero Seq until one arrives

	cursor   int             // the selected problem's row, while the problems panel has the focus
	selected string          // and its kind/subject, which the selection follows
	acked    map[string]bool // acknowledged problems by kind/subject, until they clear
	alarm    alarm           // the bell and the flash of new critical problems

	// The fleet panel's selected server (its row, and its name, which the
	// selection follows) and the server drilled into ("" : none).
	fleetAt       int
	fleetSelected string
	drill         string
	// detail is the row of the problems panel opened (enter; esc back):
	// its key as the selection's (m.selected); "" : none.
	detail string

	logOffset int             // how many of the newest events the log is scrolled past
	logAnchor events.Event    // the newest event when the log was last drawn
	logMin    events.Severity // the log shows events at least this severe

	goTo *textinput.Model // a replay's "go to time" prompt
	// noteIn is the note prompt m opens, markAt the moment it marks;
	// notes the annotations known, in time order (annotate.go).
	noteIn *textinput.Model
	markAt time.Time
	notes  []snapshot.Annotation
	note   string                 // a replay control's answer, shown in the footer
	older  older                  // history fetched on demand for a widened window
	drawn  *[numPanels]drawnPanel // frame-only panels as last drawn (shared by the model's copies)
	// footers is the footer as last drawn (shared by the model's copies).
	footers *footerMemo

	body string // the rendered screen below the header; "" when the whole screen is a message
	view string // the rendered screen; View returns it
}

// AlertFailure is an alert sink whose newest send failed.
type AlertFailure struct {
	// Sink names it ("webhook slack", "command page-oncall").
	Sink string
	// Error is why, and Failed how many alerts it has given up on.
	Error  string
	Failed int
}

// New returns the dashboard model.
func New(opts Options) Model {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Window <= 0 {
		opts.Window = 5 * time.Minute
	}
	if opts.Renderer == nil {
		opts.Renderer = lipgloss.DefaultRenderer()
	}
	if opts.Wall == nil {
		opts.Wall = time.Now
	}
	if opts.Clock == nil {
		opts.Clock = opts.Wall
	}
	if opts.Thresholds == (capacity.Thresholds{}) {
		opts.Thresholds = capacity.DefaultThresholds()
	}
	keys := DefaultKeyMap()
	if opts.KeyMap != nil {
		keys = *opts.KeyMap
	}
	m := Model{
		opts:    opts,
		keys:    &keys,
		help:    ptr(help.New()),
		themes:  Themes(),
		window:  opts.Window,
		drawn:   new([numPanels]drawnPanel),
		footers: new(footerMemo),
		note:    opts.Notice,
	}
	m.initWall()
	m.applyTheme()
	goTo := newGoTo(*m.styles)
	m.goTo = &goTo
	noteIn := newNoteInput(*m.styles)
	m.noteIn = &noteIn
	for _, a := range opts.Annotations {
		m.addNote(a.Clean())
	}
	return m
}

// Init waits for the first frame and starts the header's clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(waitFrame(m.opts.Frames), clockCmd())
}

// maxWidth and maxHeight bound the screen drawn, whatever size a terminal
// reports: an SSH client on serve chooses its own, and a screen of 65535
// cells square would take gigabytes to draw. A larger terminal shows the
// screen in its top left corner.
const (
	maxWidth  = 1000
	maxHeight = 500
)

// Update routes a message by family.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = min(max(msg.Width, 0), maxWidth), min(max(msg.Height, 0), maxHeight)
		m.render()
		return m, nil
	case tea.KeyMsg:
		return m.updateKey(msg)
	case frameMsg:
		return m.updateFrame(msg)
	case olderMsg:
		m.takeOlder(msg)
		m.render()
		return m, nil
	case notedMsg:
		m.takeNoted(msg)
		m.render()
		return m, nil
	case clockMsg:
		if m.alarm.flashing && !m.alarm.flashOn(m.opts.Wall()) {
			m.alarm.flashing = false
			m.render() // the flash is over: the border goes back
		} else {
			m.tick()
		}
		return m, clockCmd() // re-armed only here
	}
	return m, nil
}

// View returns the screen rendered when its inputs last changed.
func (m Model) View() string { return m.view }

// updateFrame takes the pipeline's newest frame and re-arms the wait: the
// only place it is re-armed, so there is exactly one wait out. A paused
// screen keeps the frame it froze on.
func (m Model) updateFrame(msg frameMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		// The pipeline has stopped: nothing more will come. Say why when
		// it failed (a recording that cannot be read on).
		m.closed = true
		if !errors.Is(msg.err, pipeline.ErrClosed) {
			m.stopErr = snapshot.CleanText(msg.err.Error(), 500)
			m.note = m.stopErr // a replay's footer line
		}
		m.render()
		return m, nil
	}
	m.latest = msg.frame
	m.received = m.opts.Wall()
	m.takeNotes(msg.frame.Snapshot)
	if !m.paused {
		m.keepLogInPlace()
	}
	ring := m.takeProblems(msg.frame)
	if !m.paused {
		m.render()
	}
	return m, tea.Batch(waitFrame(m.opts.Frames), ring)
}

func (m Model) updateKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if msg.Type == tea.KeyCtrlC {
		return m, tea.Quit
	}
	if m.noteIn.Focused() {
		return m.updateNoteKey(msg)
	}
	if m.opts.Replay != nil {
		if next, cmd, handled := m.updateReplayKey(msg); handled {
			return next, cmd
		}
	}
	if keyMatches(msg, k.Mark) && m.opts.Annotate != nil {
		return m.openNote()
	}
	if m.wall && deskOnly(k, msg) {
		return m, nil // the wall has no panels to focus, enlarge or scroll
	}
	switch {
	case keyMatches(msg, k.Quit):
		return m, tea.Quit
	case keyMatches(msg, k.Help):
		m.showHelp = !m.showHelp
	case keyMatches(msg, k.Sources):
		m.showSrcs = !m.showSrcs
	case keyMatches(msg, k.Pause):
		m.pause(!m.paused)
	case keyMatches(msg, k.NextPanel):
		m.focus = nextIn(m.focusOrder(), m.focus, 1)
	case keyMatches(msg, k.PrevPanel):
		m.focus = nextIn(m.focusOrder(), m.focus, -1)
	case keyMatches(msg, k.Drill) && m.focus == panelFleet && m.drill == "":
		m.drillIn()
	case keyMatches(msg, k.Drill) && m.focus == panelProblems && m.detail == "" && m.problemCursor() >= 0:
		m.detail = rowKey(m.shown(), m.problemCursor())
		m.selected = m.detail
	case keyMatches(msg, k.Fullscreen):
		m.full = !m.full
	case keyMatches(msg, k.Back):
		m.full, m.showHelp, m.showSrcs, m.drill, m.detail = false, false, false, "", ""
	case keyMatches(msg, k.WiderWin):
		m.window = stepWindow(m.window, 1)
		cmd := m.fetchOlder()
		m.render()
		return m, cmd
	case keyMatches(msg, k.NarrowWin):
		m.window = stepWindow(m.window, -1)
	case keyMatches(msg, k.Wall):
		m.wallOn(!m.wall)
	case keyMatches(msg, k.Theme):
		m.theme = (m.theme + 1) % len(m.themes)
		m.applyTheme()
	case keyMatches(msg, k.Ack):
		m.acknowledge()
	case keyMatches(msg, k.Filter):
		m.logMin = (m.logMin + 1) % (events.Crit + 1)
		m.logOffset = 0
	case keyMatches(msg, k.Up), keyMatches(msg, k.Down), keyMatches(msg, k.PageUp), keyMatches(msg, k.PageDown):
		if !m.scroll(msg) {
			return m, nil
		}
	default:
		return m, nil
	}
	m.render()
	return m, nil
}

// deskOnly reports whether a key acts on the desk's panels alone (focus,
// full screen, the chart window, scrolling, the log's filter), so the wall
// ignores it rather than change a screen it does not show.
func deskOnly(k *KeyMap, msg tea.KeyMsg) bool {
	for _, b := range []key.Binding{k.NextPanel, k.PrevPanel, k.Fullscreen, k.WiderWin, k.NarrowWin, k.Up, k.Down, k.PageUp, k.PageDown, k.Filter} {
		if keyMatches(msg, b) {
			return true
		}
	}
	return false
}

func (m *Model) applyTheme() {
	st := DefaultStyles(m.opts.Renderer, m.themes[m.theme])
	m.styles = &st
	m.help.Styles = helpStyles(*m.styles)
}

// stepWindow moves to the next longer (dir 1) or shorter (dir -1) window.
func stepWindow(cur time.Duration, dir int) time.Duration {
	i := 0
	for i < len(windows)-1 && windows[i] < cur {
		i++
	}
	i = min(max(i+dir, 0), len(windows)-1)
	return windows[i]
}

func ptr[T any](v T) *T { return &v }
