package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key binding of the dashboard.
type KeyMap struct {
	Quit       key.Binding
	Help       key.Binding
	Pause      key.Binding
	NextPanel  key.Binding
	PrevPanel  key.Binding
	Fullscreen key.Binding
	// Drill opens the selected server of the fleet panel, or the selected
	// problem of the problems panel (focused).
	Drill     key.Binding
	Back      key.Binding
	WiderWin  key.Binding
	NarrowWin key.Binding
	Theme     key.Binding
	Sources   key.Binding
	Wall      key.Binding

	// The problems panel and the event log, while focused.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Ack      key.Binding
	Filter   key.Binding
	// Mark lays a note on the moment shown (annotate.go).
	Mark key.Binding

	// A replay's controls.
	PlayPause  key.Binding
	Faster     key.Binding
	Slower     key.Binding
	Rewind     key.Binding
	Forward    key.Binding
	RewindMin  key.Binding
	ForwardMin key.Binding
	Start      key.Binding
	End        key.Binding
	GoTo       key.Binding
	NextEvent  key.Binding
	PrevEvent  key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Pause:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause screen")),
		NextPanel:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next panel")),
		PrevPanel:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous panel")),
		Fullscreen: key.NewBinding(key.WithKeys("enter", "f"), key.WithHelp("enter/f", "full screen")),
		Drill:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the server / problem")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		WiderWin:   key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "longer window")),
		NarrowWin:  key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "shorter window")),
		Theme:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "theme")),
		Sources:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sources: errors, warnings")),
		Wall:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wall screen / dashboard")),

		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "select / scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "select / scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Ack:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "acknowledge problem")),
		Filter:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "events: all, warn+, crit")),
		Mark:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "note")),

		PlayPause:  key.NewBinding(key.WithKeys(" ", "p"), key.WithHelp("space", "play/pause")),
		Faster:     key.NewBinding(key.WithKeys(">", "."), key.WithHelp(">", "faster")),
		Slower:     key.NewBinding(key.WithKeys("<", ","), key.WithHelp("<", "slower")),
		Rewind:     key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "back 10s")),
		Forward:    key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "forward 10s")),
		RewindMin:  key.NewBinding(key.WithKeys("shift+left"), key.WithHelp("shift+←", "back 1m")),
		ForwardMin: key.NewBinding(key.WithKeys("shift+right"), key.WithHelp("shift+→", "forward 1m")),
		Start:      key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "start")),
		End:        key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "end")),
		GoTo:       key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "go to time")),
		NextEvent:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next event")),
		PrevEvent:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous event")),
	}
}

// ReplayShortHelp is the one-line help of a replay.
func (k KeyMap) ReplayShortHelp() []key.Binding {
	return []key.Binding{k.Quit, k.PlayPause, k.Slower, k.Faster, k.Rewind, k.Forward, k.NextEvent, k.PrevEvent, k.GoTo, k.Help}
}

// ReplayFullHelp groups a replay's bindings.
func (k KeyMap) ReplayFullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.PlayPause, k.Faster, k.Slower, k.GoTo},
		{k.Rewind, k.Forward, k.RewindMin, k.ForwardMin},
		{k.Start, k.End, k.NextEvent, k.PrevEvent},
		{k.NextPanel, k.PrevPanel, k.Fullscreen, k.Back},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Drill},
		{k.WiderWin, k.NarrowWin, k.Theme, k.Wall, k.Filter},
		{k.Mark, k.Sources, k.Help, k.Quit},
	}
}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Quit, k.Pause, k.NextPanel, k.Fullscreen, k.WiderWin, k.NarrowWin, k.Help}
}

// WallShortHelp is the one-line help on the wall: tab and full screen
// have nothing to act on there.
func (k KeyMap) WallShortHelp() []key.Binding {
	return []key.Binding{k.Quit, k.Wall, k.Pause, k.Theme, k.Help}
}

// FullHelp groups the bindings by what they act on.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.NextPanel, k.PrevPanel, k.Fullscreen, k.Back},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Drill},
		{k.WiderWin, k.NarrowWin, k.Pause, k.Filter},
		{k.Ack, k.Mark, k.Theme, k.Wall, k.Sources, k.Help, k.Quit},
	}
}
