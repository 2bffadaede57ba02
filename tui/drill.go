package tui

import (
	"strings"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// One server of the fleet, drilled into from the fleet panel (enter; esc
// back): its figures now, its problems, and its requests, error rate and
// p95 over the chart window. Its history is read from the snapshots the
// screen already holds, each with the fleet of its moment: nothing is
// recorded per server, and only the server on screen is looked up. In a
// replay beside a second launch, that launch's server of the same name is
// drawn on the charts too (Compare).

// drillView draws the drilled-into server in w x h: a box of its figures
// and problems over a row of its three charts.
func (m *Model) drillView(f *frame, w, h int) ([][]string, int) {
	name := m.drill
	srv, found := f.snap.Server(name)
	clean := snapshot.CleanText(name, 60)
	var lines []string
	switch {
	case !found:
		lines = append(lines, f.st.level(LevelStale).Render(clean+" is no longer in the fleet"))
	default:
		lines = append(lines, f.serverFigures(srv))
		for _, p := range f.problems {
			if p.Subject != name || !p.Kind.Server() {
				continue
			}
			l := LevelWarn
			if p.Severity == events.Crit {
				l = LevelCrit
			}
			lines = append(lines, f.st.level(l).Render(levelWord(l)+" "+snapshot.CleanText(p.Message, 0)))
		}
	}
	if c := m.opts.Compare; c != nil && c.ServersCut() {
		lines = append(lines, f.st.Faint.Render(cleanCut(c.Name, 30)+"'s servers are not drawn: more figures than a comparison holds"))
	}
	topH := min(len(lines)+2, max(h-9, 3), h)
	top := f.st.box("Server "+clean+" · esc back", strings.Join(lines, "\n"), w, topH, true)
	rows := [][]string{{top}}
	size := len(top) + topH
	if chartH := h - topH; chartH > 0 {
		value := func(get func(snapshot.Server) snapshot.Value) func(snapshot.Snapshot) snapshot.Value {
			return func(s snapshot.Snapshot) snapshot.Value {
				if srv, ok := s.Server(name); ok && !srv.Gone {
					return get(srv)
				}
				return snapshot.Value{}
			}
		}
		charts := []struct {
			title string
			get   func(snapshot.Server) snapshot.Value
			yfmt  func(float64) string
		}{
			{"Requests/s", func(s snapshot.Server) snapshot.Value { return s.Requests }, capacity.FormatNumber},
			{"Error rate", func(s snapshot.Server) snapshot.Value { return s.ErrorRate }, capacity.FormatPercent},
			{"Latency p95", func(s snapshot.Server) snapshot.Value { return s.LatencyP95 }, waitTime},
		}
		ws := split(w, len(charts))
		var parts []string
		for i, c := range charts {
			measured := value(c.get)
			part := f.st.drawBox(f.st.edgeColour(false), c.title, ws[i], chartH, func(in *boxWriter) {
				innerW, innerH := inner(ws[i], chartH)
				f.chart(in, innerW, innerH, measured, nil, c.yfmt)
			})
			parts = append(parts, part)
			size += len(part)
		}
		rows = append(rows, parts)
		size += chartH
	}
	return rows, size
}

// serverFigures is a server's line of figures now: its requests and
// their share of the fleet's, error rate, latency, connections, or since
// when it is gone.
func (f *frame) serverFigures(srv snapshot.Server) string {
	st := f.st
	if srv.Gone {
		s := "gone: not answering"
		if !srv.GoneSince.IsZero() {
			s += " for " + capacity.FormatDuration(f.snap.Time.Sub(srv.GoneSince)) + ", last seen " + srv.GoneSince.In(f.now.Location()).Format("15:04:05")
		}
		return st.level(LevelStale).Render(s)
	}
	req := "req " + orDash(srv.Requests, capacity.FormatNumber) + "/s"
	for _, r := range f.fleetRows() {
		if r.srv.Name == srv.Name && r.share.OK() {
			req += " (" + capacity.FormatPercent(r.share.Or(0)) + " of the fleet's)"
		}
	}
	parts := []string{
		req,
		"errors " + orDash(srv.ErrorRate, capacity.FormatPercent),
		"p50 " + orDash(srv.LatencyP50, waitTime) + " p95 " + orDash(srv.LatencyP95, waitTime) + " p99 " + orDash(srv.LatencyP99, waitTime),
		"conn " + orDash(srv.Connections, capacity.FormatCount),
		"bw " + orDash(srv.Bandwidth, capacity.FormatByteRate),
	}
	if pv, ok := srv.PV.Get(); ok {
		parts = append(parts, "PV/s "+capacity.FormatNumber(pv))
	}
	return strings.Join(parts, st.Faint.Render(" · "))
}
