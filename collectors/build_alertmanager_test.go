package collectors_test

import (
	"testing"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/collectors/alertmanager"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The source tells launchwatch's own alerts by their launch label, which
// the alert sinks write as launch.Name cleaned (snapshot.LaunchLabel): the
// two must agree, named or not, and for a name cleaning changes (a tab).
func TestTheAlertmanagerSourceKnowsTheLaunchByTheNameItsAlertsCarry(t *testing.T) {
	for _, named := range []bool{true, false} {
		doc := "sources:\n  probe: {url: \"http://127.0.0.1:9/\"}\n  alertmanager: {url: \"http://127.0.0.1:9093\"}\n"
		if named {
			doc = "launch: {name: \"Winter\\tdrop\"}\n" + doc
		}
		cfg, err := config.Parse("lw.yaml", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		sources, err := collectors.FromConfig(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		var found *alertmanager.Source
		for _, s := range sources {
			if am, ok := s.(*alertmanager.Source); ok {
				found = am
			}
		}
		if found == nil || found.Name() != snapshot.SourceAlertmanager {
			t.Fatalf("no alertmanager source among %d", len(sources))
		}
		if got, want := found.Launch(), snapshot.LaunchLabel(launch.Name(cfg)); got != want || got == "" || (named && got == launch.Name(cfg)) {
			t.Errorf("named %v: the source reads launch %q, the alerts carry %q", named, got, want)
		}
	}
}
