package tui

import (
	"slices"
	"testing"

	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/snapshot"
)

// The dashboard's tiles and the wall's figures are the signal table's
// rows with a tile, in its order, titled by it.
func TestTheTilesAreTheSignalTablesTileRows(t *testing.T) {
	var want []string
	for sig := range snapshot.All() {
		if sig.Tile != "" {
			want = append(want, sig.Tile+" "+sig.Name)
		}
	}
	m, _ := fed(60, 200, 60, termenv.Ascii)
	f := m.frame()
	var tiles, wall []string
	for _, tl := range f.tiles(nil) {
		tiles = append(tiles, tl.title+" "+tl.signal)
	}
	for _, w := range f.wallFigures() {
		wall = append(wall, w.title)
	}
	if !slices.Equal(tiles, want) || len(wall) != len(want) || len(want) > maxTiles {
		t.Errorf("tiles %q, wall %q; want %q (at most %d)", tiles, wall, want, maxTiles)
	}
}

// A tile's figure is written in its signal's unit; a link's rate puts its
// bits on the line below.
func TestATilesFigureIsInItsUnit(t *testing.T) {
	m, _ := fed(60, 200, 60, termenv.Ascii)
	f := m.frame()
	f.snap.ErrorRate, f.snap.Bandwidth = snapshot.Some(0.123), snapshot.Some(300e6)
	for _, tt := range []struct {
		signal, value, line string
	}{
		{snapshot.SignalErrorRate, "12.3%", ""},
		{snapshot.SignalBandwidth, "300 MB/s", "2.4 Gbit/s"},
	} {
		sig, _ := snapshot.Lookup(tt.signal)
		value, lines := tileFigure(&f, sig)
		if value != tt.value || (tt.line != "" && (len(lines) == 0 || lines[0] != tt.line)) {
			t.Errorf("%s: %q %q, want %q %q", tt.signal, value, lines, tt.value, tt.line)
		}
	}
}
