package launch

import (
	"fmt"
	"strings"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/examples"
	"github.com/launchwatch/launchwatch/sim"
)

// DemoConfig is the embedded demo config (examples/demo.yaml) pointed at
// a running shop: its /metrics at target, its sale page and CDN path on
// the same port, its launch time and a name saying the scenario and speed.
func DemoConfig(target string, shop *sim.Shop) (*config.Config, error) {
	cfg, err := config.Parse(examples.DemoName, examples.Demo)
	if err != nil {
		return nil, err
	}
	cfg.Sources.Scrape.Targets = []string{target}
	if p := cfg.Sources.Probe; p != nil {
		base := strings.TrimSuffix(target, "/metrics")
		p.URL = base + "/"
		p.CDNHosts = []string{strings.TrimPrefix(base, "http://") + "/cdn/"}
	}
	cfg.Launch.StartsAt = shop.LaunchAt()
	cfg.Launch.Name = fmt.Sprintf("demo %s %gx", shop.Scenario(), shop.Speed())
	return cfg, nil
}
