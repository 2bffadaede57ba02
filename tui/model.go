package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Options configure the dashboard.
type Options struct {
	// Feed produces the snapshots; required.
	Feed Feed
	// Interval is the time between polls (default 1 s).
	Interval time.Duration
	// PollTimeout bounds one poll; the config's poll deadline (default: the
	// interval, so a poll never runs into the next).
	PollTimeout time.Duration
	// Plan is what the figures are held against; HasPlan false shows the
	// measurements alone.
	Plan    capacity.Plan
	HasPlan bool
	// Thresholds colour the figures and raise events.
	Thresholds capacity.Thresholds
	// LaunchName heads the screen.
	LaunchName string
	// Window is the charts' initial time window (default 5 minutes).
	Window time.Duration
	// Renderer builds the styles; tests pin its colour profile.
	Renderer *lipgloss.Renderer
	// KeyMap overrides the default bindings.
	KeyMap *KeyMap
	// Wall is the wall clock, for "next poll in"; tests inject one.
	Wall func() time.Time
}

// windows are the chart windows + and - step through.
var windows = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 3 * time.Hour,
}

// maxHistory bounds the history whatever the interval: an hour of 100 ms
// polls. At 1 s it holds the longest window, 3 hours.
const maxHistory = 36_000

// eventLogCap bounds the events kept for the event line and panel.
const eventLogCap = 500

// Model is the dashboard.
type Model struct {
	opts   Options
	keys   KeyMap
	help   help.Model
	themes []Theme
	theme  int
	styles Styles

	width, height int

	gen      int  // poll loop generation
	polling  bool // a poll is in flight
	lastTick time.Time
	paused   bool
	frozen   frozenData // what the screen shows while paused
	showHelp bool
	focus    panelID
	full     bool
	window   time.Duration

	hist    *history
	last    snapshot.Snapshot // zero Time until a snapshot arrives
	assess  capacity.Assessment
	evState events.State
	events  []events.Event

	body string // the rendered screen below the header; "" when the whole screen is a message
	view string // the rendered screen; View returns it
}

// frozenData is the data on screen when it was paused: keys, themes and
// resizes re-render it, new snapshots do not.
type frozenData struct {
	last   snapshot.Snapshot
	assess capacity.Assessment
	events []events.Event
}

// New returns the dashboard model.
func New(opts Options) Model {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.PollTimeout <= 0 || opts.PollTimeout > opts.Interval {
		opts.PollTimeout = opts.Interval
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
	if opts.Thresholds == (capacity.Thresholds{}) {
		opts.Thresholds = capacity.DefaultThresholds()
	}
	keys := DefaultKeyMap()
	if opts.KeyMap != nil {
		keys = *opts.KeyMap
	}
	m := Model{
		opts:   opts,
		keys:   keys,
		help:   help.New(),
		themes: Themes(),
		window: opts.Window,
		hist:   newHistory(min(int(windows[len(windows)-1]/opts.Interval)+1, maxHistory)),
	}
	m.applyTheme()
	return m
}

// Init starts the poll loop and the header's clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(func() tea.Msg { return tickMsg{gen: m.gen} }, clockCmd())
}

// Update routes a message by family.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 0), max(msg.Height, 0)
		m.render()
		return m, nil
	case tea.KeyMsg:
		return m.updateKey(msg)
	case tickMsg:
		return m.updateTick(msg)
	case snapshotMsg:
		return m.updateSnapshot(msg)
	case clockMsg:
		m.renderHeader()
		return m, clockCmd() // re-armed only here
	}
	return m, nil
}

// View returns the screen rendered when its inputs last changed.
func (m Model) View() string { return m.view }

// updateTick polls unless a poll is in flight, and re-arms the loop: the
// only place the tick is re-armed, so there is exactly one loop.
func (m Model) updateTick(msg tickMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil // a tick of a stopped loop
	}
	m.lastTick = m.opts.Wall()
	next := tickCmd(m.gen, m.opts.Interval)
	if m.polling {
		return m, next // skip: the last poll has not come back
	}
	m.polling = true
	return m, tea.Batch(pollCmd(m.opts.Feed, m.gen, m.opts.PollTimeout), next)
}

// updateSnapshot takes a poll's result: history, assessment, events, and a
// re-render unless the screen is paused.
func (m Model) updateSnapshot(msg snapshotMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	m.polling = false
	s := msg.snap
	recent := m.hist.since(s.Time.Add(-time.Minute))
	m.hist.add(s)
	m.last = s
	m.assess = m.opts.Plan.Assess(s, recent)
	var evs []events.Event
	evs, m.evState = events.Detect(m.evState, s, m.assess, m.opts.Thresholds)
	m.events = append(m.events, evs...)
	if over := len(m.events) - eventLogCap; over > 0 {
		m.events = append([]events.Event(nil), m.events[over:]...)
	}
	if !m.paused {
		m.render()
	}
	return m, nil
}

func (m Model) updateKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch {
	case keyMatches(msg, k.Quit):
		return m, tea.Quit
	case keyMatches(msg, k.Help):
		m.showHelp = !m.showHelp
	case keyMatches(msg, k.Pause):
		m.paused = !m.paused
		m.frozen = frozenData{last: m.last, assess: m.assess, events: m.events}
	case keyMatches(msg, k.NextPanel):
		m.focus = m.focus.next(1)
	case keyMatches(msg, k.PrevPanel):
		m.focus = m.focus.next(-1)
	case keyMatches(msg, k.Fullscreen):
		m.full = !m.full
	case keyMatches(msg, k.Back):
		m.full, m.showHelp = false, false
	case keyMatches(msg, k.WiderWin):
		m.window = stepWindow(m.window, 1)
	case keyMatches(msg, k.NarrowWin):
		m.window = stepWindow(m.window, -1)
	case keyMatches(msg, k.Theme):
		m.theme = (m.theme + 1) % len(m.themes)
		m.applyTheme()
	default:
		return m, nil
	}
	m.render()
	return m, nil
}

func (m *Model) applyTheme() {
	m.styles = DefaultStyles(m.opts.Renderer, m.themes[m.theme])
	m.help.Styles = helpStyles(m.styles)
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
