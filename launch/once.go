package launch

import (
	"context"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/pipeline"
)

// Once takes one frame of cfg's launch as a screen would show it: the
// sources that compute rates from two readings (scrape, host) are read
// twice, an interval apart, and the second snapshot is held against the
// plan and its problems derived by the pipeline's analyst. One look is all
// there is, so a figure at its line stands as a problem at once (no
// open_after): a script gating on --once sees what the screen would open.
func Once(ctx context.Context, cfg *config.Config, logFile string) (pipeline.Frame, error) {
	log, closeLog, err := OpenLog(logFile)
	if err != nil {
		return pipeline.Frame{}, err
	}
	defer closeLog()
	poller, err := NewPoller(cfg, log, time.Now)
	if err != nil {
		return pipeline.Frame{}, err
	}
	plan, err := cfg.CapacityPlan()
	if err != nil {
		return pipeline.Frame{}, err
	}
	th := cfg.CapacityThresholds()
	th.OpenAfter = 0
	an := pipeline.NewAnalyst(plan, th, 2)
	an.Add(poller.Poll(ctx))
	select {
	case <-ctx.Done():
		return pipeline.Frame{}, ctx.Err()
	case <-time.After(cfg.Interval):
	}
	return an.Add(poller.Poll(ctx)), nil
}
