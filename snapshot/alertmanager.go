package snapshot

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// SourceAlertmanager names the Alertmanager read back (sources.alertmanager)
// in a snapshot's health map.
const SourceAlertmanager = "alertmanager"

// TeamAlert is one of the team's own alerts an Alertmanager holds (from
// their Prometheus rules, not launchwatch's problems): shown on the
// problems panel beside launchwatch's, marked as theirs. Every string is
// cleaned for a terminal (CleanTeamAlerts).
type TeamAlert struct {
	// Name is the alert's alertname.
	Name string `json:"name"`
	// Severity is its severity label as the team writes it ("critical",
	// "warning", "page"); empty without one. TeamSeverity ranks it.
	Severity string `json:"severity,omitempty"`
	// Summary is its summary annotation, else its description.
	Summary string `json:"summary,omitempty"`
	// Since is when it started firing (startsAt).
	Since time.Time `json:"since"`
	// Silenced says a silence or an inhibition holds it (state
	// suppressed): it stands, and nobody is paged for it.
	Silenced bool `json:"silenced,omitempty"`
	// Labels are the labels that tell it from its namesakes, as one line:
	// "instance=web-1:9100 job=node" (alertname and severity left out).
	Labels string `json:"labels,omitempty"`
}

// Key names a team alert among the others: its name and labels.
func (a TeamAlert) Key() string { return a.Name + " " + a.Labels }

// Silence is an Alertmanager silence over one of launchwatch's own
// problems (its alert, posted to the Alertmanager, matched by it).
type Silence struct {
	// ID is the silence's id in the Alertmanager.
	ID string `json:"id"`
	// By is who created it (createdBy); Comment why.
	By      string `json:"by,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Until is when it ends (endsAt); zero when not known (the silence
	// could not be read).
	Until time.Time `json:"until,omitzero"`
}

// Bounds on what an Alertmanager read back puts in a snapshot: the team's
// alerts a panel can show and the recording can afford every second, and
// each string's width.
const (
	MaxTeamAlerts   = 50
	MaxSilences     = 200
	MaxAlertName    = 80
	MaxSeverity     = 20
	MaxAlertSummary = 200
	MaxAlertLabels  = 120
	MaxSilenceID    = 40
	MaxSilenceText  = 200
	maxProblemKey   = 200
)

// Team severities, worst first, as TeamSeverity ranks them.
const (
	TeamCritical = 2
	TeamWarning  = 1
	TeamOther    = 0
)

// TeamSeverity ranks a team's severity label: critical (critical, crit,
// page, error, high, p1), warning (warning, warn, medium, p2), else
// other (info, none, a label nobody set).
func TeamSeverity(severity string) int {
	switch strings.ToLower(strings.TrimSpace(severity)) {
	case "critical", "crit", "page", "error", "high", "p1", "fatal", "emergency", "alert":
		return TeamCritical
	case "warning", "warn", "medium", "p2", "major", "minor":
		return TeamWarning
	}
	return TeamOther
}

// CompareTeamAlerts orders the team's alerts worst first: the more
// severe, then those not silenced, then the older, then by name and
// labels.
func CompareTeamAlerts(a, b TeamAlert) int {
	return cmp.Or(cmp.Compare(TeamSeverity(b.Severity), TeamSeverity(a.Severity)), compareFalseFirst(a.Silenced, b.Silenced),
		a.Since.Compare(b.Since), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Labels, b.Labels))
}

func compareFalseFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// CleanTeamAlerts cleans every string of the team's alerts and the
// silences for a terminal, orders the alerts worst first and keeps the
// MaxTeamAlerts worst, and keeps at most
// MaxSilences silences: what an Alertmanager answers, or a recording
// holds, may come from anywhere. alerts is sorted in place.
func CleanTeamAlerts(alerts []TeamAlert, silences map[string]Silence) ([]TeamAlert, map[string]Silence) {
	for i := range alerts {
		a := &alerts[i]
		a.Name = CleanText(a.Name, MaxAlertName)
		a.Severity = CleanText(a.Severity, MaxSeverity)
		a.Summary = CleanText(a.Summary, MaxAlertSummary)
		a.Labels = CleanText(a.Labels, MaxAlertLabels)
	}
	slices.SortFunc(alerts, CompareTeamAlerts)
	if len(alerts) > MaxTeamAlerts {
		alerts = slices.Clip(alerts[:MaxTeamAlerts])
	}
	if len(silences) == 0 {
		return alerts, nil
	}
	out := make(map[string]Silence, min(len(silences), MaxSilences))
	for _, key := range slices.Sorted(maps.Keys(silences)) {
		if len(out) == MaxSilences {
			break
		}
		s := silences[key]
		s.ID = CleanText(s.ID, MaxSilenceID)
		s.By = CleanText(s.By, MaxAckBy)
		s.Comment = CleanText(s.Comment, MaxSilenceText)
		k := CleanText(key, maxProblemKey)
		if _, dup := out[k]; !dup {
			out[k] = s
		}
	}
	return alerts, out
}
