// Package tui is launchwatch's screen: a Bubble Tea model that subscribes
// to the pipeline and draws its frames, live or from a recording played
// back, as the dashboard or the wall screen. Besides it, only cmd's
// program set-up (watch, demo, replay, serve) touches Bubble Tea.
//
// The model keeps Update to assignments and View to returning the screen
// drawn last: the wait for the next frame, and a fetch of older history
// (+), run in tea.Cmds; the screen is drawn when a frame, the size, focus,
// theme or window change (each panel kept until its own inputs change),
// and its header alone on the clock's tick (the whole wall, whose
// countdown moves).
package tui
