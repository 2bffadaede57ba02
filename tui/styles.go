package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Theme is a palette of semantic colours. Panes never name a colour; they
// ask for ok, warn, crit, stale or faint, so a theme change (or NO_COLOR)
// reaches every pane at once.
type Theme struct {
	Name      string
	Text      lipgloss.AdaptiveColor
	Faint     lipgloss.AdaptiveColor
	Accent    lipgloss.AdaptiveColor
	Plan      lipgloss.AdaptiveColor
	OK        lipgloss.AdaptiveColor
	Warn      lipgloss.AdaptiveColor
	Crit      lipgloss.AdaptiveColor
	Stale     lipgloss.AdaptiveColor
	Border    lipgloss.AdaptiveColor
	Focus     lipgloss.AdaptiveColor
	HeaderBg  lipgloss.AdaptiveColor
	HeaderFg  lipgloss.AdaptiveColor
	BigNumber bool // war-room: bold figures
}

// Themes returns the built-in themes in the order `t` cycles through them:
// the default, a high-contrast one for a wall screen across a room, and a
// calm one for a light terminal.
func Themes() []Theme {
	return []Theme{
		{
			Name:     "default",
			Text:     lipgloss.AdaptiveColor{Light: "#1c1c1c", Dark: "#e4e4e4"},
			Faint:    lipgloss.AdaptiveColor{Light: "#767676", Dark: "#8a8a8a"},
			Accent:   lipgloss.AdaptiveColor{Light: "#005fd7", Dark: "#5fafff"},
			Plan:     lipgloss.AdaptiveColor{Light: "#875f00", Dark: "#d7af5f"},
			OK:       lipgloss.AdaptiveColor{Light: "#008700", Dark: "#5fd75f"},
			Warn:     lipgloss.AdaptiveColor{Light: "#af8700", Dark: "#ffd75f"},
			Crit:     lipgloss.AdaptiveColor{Light: "#d70000", Dark: "#ff5f5f"},
			Stale:    lipgloss.AdaptiveColor{Light: "#8a8a8a", Dark: "#6c6c6c"},
			Border:   lipgloss.AdaptiveColor{Light: "#bcbcbc", Dark: "#4e4e4e"},
			Focus:    lipgloss.AdaptiveColor{Light: "#005fd7", Dark: "#5fafff"},
			HeaderBg: lipgloss.AdaptiveColor{Light: "#e4e4e4", Dark: "#262626"},
			HeaderFg: lipgloss.AdaptiveColor{Light: "#1c1c1c", Dark: "#e4e4e4"},
		},
		{
			Name:      "high-contrast",
			Text:      lipgloss.AdaptiveColor{Light: "#000000", Dark: "#ffffff"},
			Faint:     lipgloss.AdaptiveColor{Light: "#3a3a3a", Dark: "#c6c6c6"},
			Accent:    lipgloss.AdaptiveColor{Light: "#0000ff", Dark: "#00ffff"},
			Plan:      lipgloss.AdaptiveColor{Light: "#875f00", Dark: "#ffaf00"},
			OK:        lipgloss.AdaptiveColor{Light: "#006400", Dark: "#00ff00"},
			Warn:      lipgloss.AdaptiveColor{Light: "#875f00", Dark: "#ffff00"},
			Crit:      lipgloss.AdaptiveColor{Light: "#d70000", Dark: "#ff0000"},
			Stale:     lipgloss.AdaptiveColor{Light: "#626262", Dark: "#9e9e9e"},
			Border:    lipgloss.AdaptiveColor{Light: "#000000", Dark: "#ffffff"},
			Focus:     lipgloss.AdaptiveColor{Light: "#0000ff", Dark: "#00ffff"},
			HeaderBg:  lipgloss.AdaptiveColor{Light: "#000000", Dark: "#ffffff"},
			HeaderFg:  lipgloss.AdaptiveColor{Light: "#ffffff", Dark: "#000000"},
			BigNumber: true,
		},
		{
			Name:     "calm",
			Text:     lipgloss.AdaptiveColor{Light: "#303030", Dark: "#d0d0d0"},
			Faint:    lipgloss.AdaptiveColor{Light: "#808080", Dark: "#808080"},
			Accent:   lipgloss.AdaptiveColor{Light: "#5f5f87", Dark: "#8787af"},
			Plan:     lipgloss.AdaptiveColor{Light: "#87875f", Dark: "#afaf87"},
			OK:       lipgloss.AdaptiveColor{Light: "#5f875f", Dark: "#87af87"},
			Warn:     lipgloss.AdaptiveColor{Light: "#af875f", Dark: "#d7af87"},
			Crit:     lipgloss.AdaptiveColor{Light: "#af5f5f", Dark: "#d78787"},
			Stale:    lipgloss.AdaptiveColor{Light: "#a8a8a8", Dark: "#585858"},
			Border:   lipgloss.AdaptiveColor{Light: "#d0d0d0", Dark: "#3a3a3a"},
			Focus:    lipgloss.AdaptiveColor{Light: "#5f5f87", Dark: "#8787af"},
			HeaderBg: lipgloss.AdaptiveColor{Light: "#eeeeee", Dark: "#1c1c1c"},
			HeaderFg: lipgloss.AdaptiveColor{Light: "#303030", Dark: "#d0d0d0"},
		},
	}
}

// Level is how a figure stands against its thresholds.
type Level int

// Levels, from no judgement to critical.
const (
	LevelNone Level = iota
	LevelOK
	LevelWarn
	LevelCrit
	LevelStale
)

// Styles are every style the panes use, built once per theme from an
// injected renderer, so tests pin the colour profile without globals.
type Styles struct {
	Theme Theme
	// NoColor is set when the renderer draws no colour (NO_COLOR, a dumb
	// terminal): levels then carry a mark in text, "!" warn and "!!" crit.
	NoColor bool

	Text, Faint, Accent, Plan, Bold ink
	Level                           map[Level]ink
	Big                             ink

	PanelTitle          ink
	Header, HeaderPhase lipgloss.Style
	Bar, BarEmpty       ink
	Message             ink
	// Banner is the line that says the screen is paused: reverse video,
	// a bar across the screen that nothing else draws.
	Banner ink
	// edges are the panels' border inks by colour: normal, focused, alert.
	edges map[lipgloss.TerminalColor]ink
}

// DefaultStyles builds the styles of a theme on a renderer.
func DefaultStyles(r *lipgloss.Renderer, t Theme) Styles {
	s := Styles{Theme: t, NoColor: r.ColorProfile() == termenv.Ascii}
	fg := func(c lipgloss.TerminalColor) lipgloss.Style { return r.NewStyle().Foreground(c) }
	s.Text = newInk(fg(t.Text))
	s.Faint = newInk(fg(t.Faint))
	s.Accent = newInk(fg(t.Accent))
	s.Plan = newInk(fg(t.Plan))
	s.Bold = newInk(fg(t.Text).Bold(true))
	s.Level = map[Level]ink{
		LevelNone:  s.Text,
		LevelOK:    newInk(fg(t.OK)),
		LevelWarn:  newInk(fg(t.Warn).Bold(true)),
		LevelCrit:  newInk(fg(t.Crit).Bold(true)),
		LevelStale: newInk(fg(t.Stale).Italic(true)),
	}
	s.Big = newInk(r.NewStyle().Bold(true))
	s.PanelTitle = newInk(fg(t.Accent).Bold(true))
	s.Header = r.NewStyle().Foreground(t.HeaderFg).Background(t.HeaderBg)
	s.HeaderPhase = r.NewStyle().Bold(true).Padding(0, 1)
	s.Bar = newInk(fg(t.Accent))
	s.BarEmpty = newInk(fg(t.Border))
	s.Message = newInk(fg(t.Text).Bold(true))
	s.Banner = newInk(fg(t.Warn).Bold(true).Reverse(true))
	s.edges = map[lipgloss.TerminalColor]ink{}
	for _, c := range []lipgloss.TerminalColor{t.Border, t.Focus, t.Crit} {
		s.edges[c] = newInk(s.Text.Foreground(c))
	}
	return s
}

// level returns the ink of a level.
func (s *Styles) level(l Level) ink { return s.Level[l] }

// edge is the ink of a panel's border in a colour.
func (s *Styles) edge(c lipgloss.TerminalColor) ink {
	if k, ok := s.edges[c]; ok {
		return k
	}
	return newInk(s.Text.Foreground(c))
}

// levelMark is a level in text, for a screen without colour: "!" warn,
// "!!" crit, "" otherwise or when colour tells them apart.
func (s *Styles) levelMark(l Level) string {
	if !s.NoColor {
		return ""
	}
	switch l {
	case LevelWarn:
		return "!"
	case LevelCrit:
		return "!!"
	}
	return ""
}

// legend explains every symbol and colour, for the help screen.
func legend(s Styles) string {
	lines := []string{
		s.PanelTitle.Render("Symbols"),
		s.level(LevelOK).Render("●") + " source answering  " + s.level(LevelWarn).Render("◐") + " answering in part  " +
			s.level(LevelCrit).Render("✕") + " down: every query failed, or no answer for the stale limit",
		"◆ the bottleneck endpoint   " + s.level(LevelWarn).Render("▲") + " warning event   " +
			s.level(LevelCrit).Render("✕") + " critical event   · note   sim: simulated source",
		s.level(LevelStale).Render("stale 12s") + " a figure not fresh, with its data age; " + s.level(LevelStale).Render("part") +
			" measured from only some targets; " + s.level(LevelStale).Render("never") + " no answer yet",
		"rate 4s: the window $__rate_interval stood for;  the age beside a source is its newest sample's",
		s.PanelTitle.Render("Colours"),
		s.level(LevelOK).Render("ok") + "  " + s.level(LevelWarn).Render("warn (!)") + "  " + s.level(LevelCrit).Render("crit (!!)") + "  " +
			s.level(LevelStale).Render("grey italic: stale") + "  " + s.Plan.Render("⠉ ⠉ plan (dashed)") + "  " + s.Accent.Render("⣿ measured (solid)"),
		"Nx the plan: a figure that far from the formula at the PV now, coloured only when that cost per view",
		"  takes a limit past its line at the planned peak;  over by N%: past the limit",
		"└ a problem caused by the one above it;  easing 12s: under its line, held for close_after;",
		"◇ theirs: the team's own alert from their Alertmanager (sources.alertmanager);  silenced: a silence there holds it;",
		"  ~99% or predicted: a room the formula gives at the PV now, as nothing measures the figure",
		s.Faint.Render("Without colour (NO_COLOR) warn is marked ! and crit !!; the charts' plan line is dashed in every theme."),
	}
	return strings.Join(lines, "\n")
}
