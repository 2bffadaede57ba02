package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/launchwatch/launchwatch/snapshot"
)

// crashAt is the first launch's crash as the demo measured it: ten-times
// heavier pages with no CDN fill the 1 Gbit/s link at 12.4 PV/s, 4,295
// connections against a plan of 6, connection memory 40 times the plan
// (on a host the test's plan calls the origin).
func crashAt(at time.Time) snapshot.Snapshot {
	s := launchSnapshots(1)[0]
	s.Time = at
	s.PV, s.Bandwidth, s.Connections = snapshot.Some(12.4), snapshot.Some(125.1e6), snapshot.Some(4295)
	s.Host.TCPMemory = snapshot.Some(2.5e6)
	for name, src := range s.Sources {
		src.LastSuccess = at
		s.Sources[name] = src
	}
	return s
}

func TestThePlanFollowsTheMeasuredCost(t *testing.T) {
	var snaps []snapshot.Snapshot
	for i := range 5 {
		snaps = append(snaps, crashAt(t0.Add(time.Duration(i)*time.Second)))
	}
	origin := demoPlan()
	origin.HostIsOrigin = true
	feed := newFeed(snaps, origin)
	m := testModel(feed, termenv.Ascii)
	m.opts.Plan = origin
	m = drive(m, tea.WindowSizeMsg{Width: 160, Height: 50})
	for range snaps {
		m = drive(m, feed.next())
	}
	v := m.View()
	wantAll(t, v,
		"link limit 12.4!!", "plan 1,250", // the PV tile: the link fills at the measured page weight
		"first limit: link at 12.4 PV/s (plan 1,250)", // the plan panel
		// 4,295 connections against 6.2 at 12.4 PV/s: 346 a view, 69,274
		// at the planned peak of 200 against a limit of 10,000.
		"693x the plan!!", "4,295!!", "connections per view: 69,274 of 10,000 at peak, measured",
		"over by 0.1%", "over 0.1%", // the link over its limit, in words
		// What the origin sends per view against the plan's origin share,
		// with the page and the CDN's share named.
		"origin 10.1 MB/view · plan 100 KB", "(1 MB page, 90% CDN)",
		"page weight 10.1 MB/view, measured: link full at 12.4 PV/s, plan 200",
	)
	// Memory 40 times the plan at this PV is 40 MB of 512 MiB at the
	// peak: a difference that harms nothing, neither flagged nor a
	// problem.
	if strings.Contains(v, "2.5 MB!") || strings.Contains(v, "memory per view") {
		t.Errorf("a harmless memory drift is flagged:\n%s", v)
	}
	if strings.Contains(v, "room -") {
		t.Error("a negative headroom reads as room")
	}

	// Without a CDN the origin's bytes are the page's.
	plan := demoPlan()
	plan.CDNShare = 0
	feed = newFeed(snaps, plan)
	m = testModel(feed, termenv.Ascii)
	m.opts.Plan = plan
	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	for range snaps {
		m = drive(m, feed.next())
	}
	wantAll(t, m.View(), "page 10.1 MB/view · plan 1 MB")
}

func TestTheCountdownShowsDaysPastADay(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{-(3*24*time.Hour + 4*time.Hour + 5*time.Minute + 6*time.Second), "T-3d 04:05:06"},
		{-(25 * time.Hour), "T-1d 01:00:00"},
		{-(23*time.Hour + 59*time.Minute), "T-23:59:00"},
		{-(4*time.Minute + 5*time.Second), "T-04:05"},
		{90 * time.Second, "T+01:30"},
	} {
		if got := countdown(tt.d); got != tt.want {
			t.Errorf("countdown(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
