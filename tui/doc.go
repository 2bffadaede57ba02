// Package tui is launchwatch's screen: a Bubble Tea model that subscribes
// to the pipeline and draws its frames, live or from a recording played
// back. It is the only package that imports Bubble Tea and Lip Gloss.
//
// The model keeps Update to assignments and View to joining strings: the
// wait for the next frame runs in a tea.Cmd re-armed only in its handler,
// and each pane renders when a frame, the size, focus or theme change,
// caching the result for View.
package tui
