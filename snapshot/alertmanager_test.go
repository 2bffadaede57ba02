package snapshot

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTheTeamsAlertsStandWorstFirst(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	alerts := []TeamAlert{
		{Name: "Info", Severity: "info", Since: at.Add(-time.Hour)},
		{Name: "WarnOld", Severity: "warning", Since: at.Add(-time.Hour)},
		{Name: "CritSilenced", Severity: "critical", Since: at.Add(-2 * time.Hour), Silenced: true},
		{Name: "CritNew", Severity: "critical", Since: at},
		{Name: "CritOld", Severity: "page", Since: at.Add(-time.Minute)},
		{Name: "WarnNew", Severity: "WARN", Since: at},
	}
	got, _ := CleanTeamAlerts(alerts, nil)
	var names []string
	for _, a := range got {
		names = append(names, a.Name)
	}
	want := "CritOld CritNew CritSilenced WarnOld WarnNew Info"
	if strings.Join(names, " ") != want {
		t.Errorf("order %q, want %q: the more severe, then the unsilenced, then the older", strings.Join(names, " "), want)
	}
}

func TestCleaningCapsTheTeamsAlertsAndTheSilences(t *testing.T) {
	var alerts []TeamAlert
	for i := range MaxTeamAlerts + 3 {
		alerts = append(alerts, TeamAlert{Name: fmt.Sprintf("A%03d", i), Severity: "warning", Summary: strings.Repeat("é", 300)})
	}
	silences := map[string]Silence{}
	for i := range MaxSilences + 5 {
		silences[fmt.Sprintf("endpoint/e%03d", i)] = Silence{ID: strings.Repeat("x", 100), By: "bob\x1b[31m"}
	}
	got, sil := CleanTeamAlerts(alerts, silences)
	if len(got) != MaxTeamAlerts || len(sil) != MaxSilences {
		t.Fatalf("kept %d alerts and %d silences, want %d and %d", len(got), len(sil), MaxTeamAlerts, MaxSilences)
	}
	if w := len([]rune(got[0].Summary)); w != MaxAlertSummary {
		t.Errorf("a summary of %d runes, want it cut to %d", w, MaxAlertSummary)
	}
	for _, s := range sil {
		if s.By != "bob" || len(s.ID) > MaxSilenceID+len("…") {
			t.Fatalf("silence not cleaned: %+v", s)
		}
	}
}

func TestCloneCopiesTheTeamsAlertsAndSilences(t *testing.T) {
	a := Snapshot{TeamAlerts: []TeamAlert{{Name: "X"}}, Silences: map[string]Silence{"errors/error_rate": {ID: "1"}}}
	b := a.Clone()
	b.TeamAlerts[0].Name = "changed"
	b.Silences["errors/error_rate"] = Silence{ID: "changed"}
	if a.TeamAlerts[0].Name != "X" || a.Silences["errors/error_rate"].ID != "1" {
		t.Fatal("changing the clone's team alerts or silences changed the original")
	}
}
