package alertmanager_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors/alertmanager"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/promtest"
	"github.com/launchwatch/launchwatch/snapshot"
)

type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
}

type matcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual bool   `json:"isEqual"`
}

func silence(t *testing.T, base, by, comment string, ends time.Time, labels map[string]string) string {
	t.Helper()
	var ms []matcher
	for name, value := range labels {
		ms = append(ms, matcher{Name: name, Value: value, IsEqual: true})
	}
	var out struct {
		SilenceID string `json:"silenceID"`
	}
	promtest.PostJSON(t, base, "/api/v2/silences", map[string]any{"matchers": ms, "startsAt": time.Now().UTC(), "endsAt": ends,
		"createdBy": by, "comment": comment}, &out)
	if out.SilenceID == "" {
		t.Fatal("the Alertmanager gave the silence no id")
	}
	return out.SilenceID
}

// A real Alertmanager holds two of the team's alerts and one of
// launchwatch's, silenced: the source shows the team's with their
// severities, summaries and start, and the silence under the problem's
// key with who made it and why.
func TestARealAlertmanagersAlertsAndSilencesAreReadBack(t *testing.T) {
	am := promtest.StartAlertmanager(t, promtest.AlertmanagerOptions{})
	now := time.Now().UTC().Truncate(time.Second)
	ends := now.Add(time.Hour)
	ownLabels := map[string]string{"alertname": "LaunchErrors", "severity": "critical", "launch": "Winter drop",
		"kind": string(events.KindErrors), "subject": "error_rate"}
	promtest.PostJSON(t, am.URL, "/api/v2/alerts", []amAlert{
		{Labels: map[string]string{"alertname": "HighLatency", "severity": "critical", "service": "checkout"},
			Annotations: map[string]string{"summary": "p99 over 2 s on checkout", "description": "long words"}, StartsAt: now.Add(-5 * time.Minute), EndsAt: ends},
		{Labels: map[string]string{"alertname": "DiskFilling", "severity": "warning", "instance": "db-1:9100"},
			Annotations: map[string]string{"description": "disk 91% full"}, StartsAt: now.Add(-20 * time.Minute), EndsAt: ends},
		{Labels: ownLabels, Annotations: map[string]string{"summary": "Error burst: 42% of requests failing"}, StartsAt: now.Add(-time.Minute), EndsAt: ends},
	}, nil)
	until := now.Add(45 * time.Minute)
	id := silence(t, am.URL, "alice@oncall", "deploying the fix", until,
		map[string]string{"launch": "Winter drop", "kind": "errors", "subject": "error_rate"})

	src, err := alertmanager.New(&config.AlertmanagerSource{URL: am.URL, Timeout: 5 * time.Second}, "Winter drop")
	if err != nil {
		t.Fatal(err)
	}
	key := events.Key(events.KindErrors, "error_rate")
	var got snapshot.Snapshot
	// The Alertmanager takes the posted alerts in at once, but give it a
	// few reads: the test is about what is read, not how fast.
	for deadline := time.Now().Add(20 * time.Second); ; {
		res, err := src.Collect(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		got = snapshot.Snapshot{TeamAlerts: res.TeamAlerts, Silences: res.Silences}
		if len(got.TeamAlerts) == 2 && got.Silences[key].By != "" || time.Now().After(deadline) {
			if len(res.Warnings) > 0 {
				t.Errorf("warnings: %q", res.Warnings)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	want := []snapshot.TeamAlert{
		{Name: "HighLatency", Severity: "critical", Summary: "p99 over 2 s on checkout", Since: now.Add(-5 * time.Minute), Labels: "service=checkout"},
		{Name: "DiskFilling", Severity: "warning", Summary: "disk 91% full", Since: now.Add(-20 * time.Minute), Labels: "instance=db-1:9100"},
	}
	if len(got.TeamAlerts) != len(want) {
		t.Fatalf("team alerts %+v, want %+v", got.TeamAlerts, want)
	}
	for i, w := range want {
		g := got.TeamAlerts[i]
		if g.Name != w.Name || g.Severity != w.Severity || g.Summary != w.Summary || !g.Since.Equal(w.Since) || g.Labels != w.Labels || g.Silenced {
			t.Errorf("team alert %d = %+v, want %+v", i, g, w)
		}
	}
	s, ok := got.Silences[key]
	if !ok || s.ID != id || s.By != "alice@oncall" || s.Comment != "deploying the fix" || !s.Until.Equal(until) {
		t.Errorf("silences = %+v, want %s by alice@oncall until %v under %s", got.Silences, id, until, key)
	}
	if len(got.Silences) != 1 {
		t.Errorf("silences over more than the one problem: %+v", got.Silences)
	}

	// A silence over one of the team's alerts marks it silenced, and is
	// not taken for one over launchwatch's problems.
	silence(t, am.URL, "bob", "known", ends, map[string]string{"alertname": "DiskFilling"})
	res, err := src.Collect(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var disk *snapshot.TeamAlert
	for i, a := range res.TeamAlerts {
		if a.Name == "DiskFilling" {
			disk = &res.TeamAlerts[i]
		}
	}
	if disk == nil || !disk.Silenced || len(res.Silences) != 1 {
		t.Errorf("after silencing DiskFilling: team alerts %s, silences %+v", fmt.Sprint(res.TeamAlerts), res.Silences)
	}
}
