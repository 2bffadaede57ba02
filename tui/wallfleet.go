package tui

import (
	"fmt"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The wall's fleet page. With a fleet, the wall's figures take turns with
// the fleet: wallPage of the figures, then wallPage of the worst servers
// in the figures' place, each drawn as a headline figure is (its name in
// the band, the figure that makes it worst in block digits, its level in
// words), on the producer's clock, so a paused screen or a paused replay
// stays on its page. Before T0 the countdown keeps the place.

// wallPage is how long each page of the wall stands.
const wallPage = 10 * time.Second

// wallServers is how many of the worst servers the fleet page shows.
const wallServers = 5

// wallFleetPage reports whether the wall shows the fleet now: every third
// wallPage, when there is a fleet.
func (f *frame) wallFleetPage() bool {
	if len(f.fleetRows()) == 0 {
		return false
	}
	return (f.now.UnixNano()/int64(wallPage))%3 == 2
}

// wallFleet draws the fleet page: a caption, then the worst servers as
// the wall draws its figures.
func (f *frame) wallFleet(w, h int) string {
	rows := f.fleetRows()
	n := min(len(rows), wallServers)
	gone := 0
	for _, r := range rows {
		if r.srv.Gone {
			gone++
		}
	}
	caption := f.st.Bold.Render(fmt.Sprintf("FLEET · the worst %d of %d servers", n, len(rows)))
	if gone > 0 {
		caption += f.st.level(LevelStale).Render(fmt.Sprintf(" · %d gone", gone))
	}
	caption += f.st.Faint.Render(" · the figures again in " + capacity.FormatDuration(f.nextWallPage()))
	figs := make([]wallFigure, n)
	for i, r := range rows[:n] {
		figs[i] = f.serverFigure(r)
	}
	b := newBlock(w, 1)
	b.add(caption, -1, true)
	if h <= 1 {
		return b.String()
	}
	return b.String() + "\n" + wallGrid(f, figs, w, h-1)
}

// nextWallPage is the time to the next page.
func (f *frame) nextWallPage() time.Duration {
	into := time.Duration(f.now.UnixNano() % int64(wallPage))
	return (wallPage - into).Round(time.Second)
}

// serverFigure is a server as a wall figure: its name; the figure its
// worst problem is about (the error rate, the p95), else its requests
// share of the requests; "gone" for a gone server; its level; and its other figures
// under it.
func (f *frame) serverFigure(r fleetRow) wallFigure {
	s := r.srv
	fig := wallFigure{title: snapshot.CleanText(s.Name, 40), level: r.level()}
	if s.Gone {
		fig.text = "gone"
		if !s.GoneSince.IsZero() {
			fig.lines = []string{f.st.level(LevelStale).Render("for " + capacity.FormatDuration(f.snap.Time.Sub(s.GoneSince)))}
		}
		return fig
	}
	switch {
	case r.ok && string(r.worst.Kind) == capacity.KindServerErrors:
		fig.text = orDash(s.ErrorRate, capacity.FormatPercent)
	case r.ok && string(r.worst.Kind) == capacity.KindServerLatency:
		fig.text = orDash(s.LatencyP95, waitTime)
	case r.share.OK():
		fig.text = capacity.FormatPercent(r.share.Or(0)) + " of req"
	default:
		fig.text = orDash(s.Requests, capacity.FormatNumber) + " req/s"
	}
	share := ""
	if v, ok := r.share.Get(); ok {
		share = " · " + capacity.FormatPercent(v) + " of req"
	}
	fig.lines = []string{
		f.st.Faint.Render("req " + orDash(s.Requests, capacity.FormatNumber) + "/s" + share),
		f.st.Faint.Render("errors " + orDash(s.ErrorRate, capacity.FormatPercent) + " · p95 " + orDash(s.LatencyP95, waitTime)),
	}
	if r.ok {
		fig.lines = append(fig.lines, f.st.level(fig.level).Render(cleanCut(r.worst.Title, 60)))
	}
	return fig
}
