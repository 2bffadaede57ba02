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
	Back       key.Binding
	WiderWin   key.Binding
	NarrowWin  key.Binding
	Theme      key.Binding
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
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		WiderWin:   key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "longer window")),
		NarrowWin:  key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "shorter window")),
		Theme:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "theme")),
	}
}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Quit, k.Pause, k.NextPanel, k.Fullscreen, k.WiderWin, k.NarrowWin, k.Help}
}

// FullHelp groups the bindings by what they act on.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.NextPanel, k.PrevPanel, k.Fullscreen, k.Back},
		{k.WiderWin, k.NarrowWin, k.Pause},
		{k.Theme, k.Help, k.Quit},
	}
}
