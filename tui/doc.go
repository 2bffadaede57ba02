// Package tui is launchwatch's screen: a Bubble Tea model fed snapshots by a
// Feed it does not own (the live poller now, a replay later). It is the only
// package that imports Bubble Tea and Lip Gloss.
//
// The model keeps Update to assignments and View to joining strings: every
// poll runs in a tea.Cmd with a deadline, and each pane renders when data,
// size, focus or theme change, caching the result for View.
package tui
