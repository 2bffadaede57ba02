package recording

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

func TestTheTeamsAlertsAndSilencesAreCleanedOnRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "team.lwrec.jsonl")
	s := snapshot.Snapshot{
		Time: t0,
		TeamAlerts: []snapshot.TeamAlert{
			{Name: "Disk\x1b]0;pwned\x07Full", Severity: "warning", Summary: "disk \u009b31m91%", Since: t0.Add(-time.Hour)},
			{Name: "NodeDown", Severity: "critical", Labels: "instance=web-1\u202e", Since: t0},
		},
		Silences: map[string]snapshot.Silence{"errors/error_rate\x1b[2J": {ID: "s1", By: "bob\r\x00", Comment: "fix\x08ing", Until: t0.Add(time.Hour)}},
	}
	writeRecording(t, path, []snapshot.Snapshot{s})
	_, got := readAll(t, path)
	g := got[0]
	if len(g.TeamAlerts) != 2 || g.TeamAlerts[0].Name != "NodeDown" || g.TeamAlerts[0].Labels != "instance=web-1" ||
		g.TeamAlerts[1].Name != "DiskFull" || g.TeamAlerts[1].Summary != "disk 91%" {
		t.Errorf("team alerts not cleaned and ordered worst first: %+v", g.TeamAlerts)
	}
	sil, ok := g.Silences["errors/error_rate"]
	if !ok || sil.By != "bob" || sil.Comment != "fixing" || !sil.Until.Equal(t0.Add(time.Hour)) {
		t.Errorf("silences not cleaned: %+v", g.Silences)
	}
}
