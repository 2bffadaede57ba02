package probe_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/collectors/probe"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"
)

// TestThePollerCarriesTheSimPagesProbe runs the real probe against the
// simulator's first launch through a poller: the button is missing, the
// page weighs about 10 MB in 20 resources, none failing.
func TestThePollerCarriesTheSimPagesProbe(t *testing.T) {
	shop, base := simtest.Serve(t, sim.Options{Scenario: "first-launch", Speed: 1, StartIn: time.Minute, Seed: 1})
	u, _ := url.Parse(base)
	src, err := probe.New(&config.Probe{URL: base + "/", Selector: "#buy", Text: "Buy", CDNHosts: []string{u.Host + "/cdn/"}})
	if err != nil {
		t.Fatal(err)
	}
	poller := collectors.NewPoller([]source.Source{src}, collectors.WithClock(shop.Now), collectors.WithTimeout(5*time.Second))
	s := poller.Poll(context.Background())
	h := s.Sources[config.SourceProbe]
	if !h.OK || h.Error != "" {
		t.Fatalf("probe source: %+v", h)
	}
	pr := s.Probe
	if pr.ButtonPresent.Or(-1) != 0 || pr.Resources.Or(-1) != 20 || pr.FailedResources.Or(-1) != 0 || pr.CDNShare.Or(-1) != 0 {
		t.Errorf("probe = %+v", pr)
	}
	if w := pr.PageBytes.Or(0); w < 10e6 || w > 10.1e6 {
		t.Errorf("page bytes = %v, want about 10 MB", w)
	}
	if !strings.Contains(strings.Join(h.Infos, "\n"), "purchase button missing: no element matches #buy") {
		t.Errorf("infos = %q", h.Infos)
	}
}
