package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/sim"
)

type simFlags struct {
	scenario string
	speed    float64
	startIn  time.Duration
	seed     int64
	servers  int
}

func (f *simFlags) register(cmd *cobra.Command, speed float64, startIn time.Duration) {
	fl := cmd.Flags()
	fl.StringVar(&f.scenario, "scenario", "second-launch", "first-launch (the crash) or second-launch (the fix)")
	fl.Float64Var(&f.speed, "speed", speed, "simulated seconds per wall second")
	fl.DurationVar(&f.startIn, "start-in", startIn, "simulated time until the sale opens")
	fl.Int64Var(&f.seed, "seed", 1, "random seed: the same seed repeats a run exactly")
	fl.IntVar(&f.servers, "servers", sim.DefaultServers, fmt.Sprintf("web servers behind the balancer, each with its own instance label (1 to %d)", sim.MaxServers))
}

func (f *simFlags) shop() (*sim.Shop, error) {
	if f.servers < 1 {
		return nil, fmt.Errorf("--servers %d: must be from 1 to %d", f.servers, sim.MaxServers)
	}
	return sim.New(sim.Options{Scenario: f.scenario, Speed: f.speed, StartIn: f.startIn, Seed: f.seed, Servers: f.servers})
}

func newDemoCmd() *cobra.Command {
	var f simFlags
	var rf recordFlags
	var bf bellFlags
	var logFile, alertsFile string
	var wall bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Watch a simulated flash sale (no Prometheus needed)",
		Long: `Start the simulated storefront in-process on a free loopback port and watch
it with the demo plan (examples/demo.yaml, embedded). The dashboard runs on
the simulator's clock, so rates and the countdown are in simulated time
and the figures match the plan.

first-launch plays the story's crash: a page ten times the planned weight,
502s and retries, the purchase button missing, a sale far behind plan.
second-launch plays the fix.

The demo is recorded like a live watch, and exits like it (see watch
--help): replay it with launchwatch replay FILE. --alerts-from FILE sends its problems to the
alerts block of FILE, to try commands and webhooks on the crash. --wall
starts on the wall screen (see watch --help); w switches between it and
the dashboard.`,
		Example: `  launchwatch demo
  launchwatch demo --scenario first-launch --speed 20
  launchwatch demo --wall`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			shop, err := f.shop()
			if err != nil {
				return err
			}
			ln, err := sim.Listen("127.0.0.1:0")
			if err != nil {
				return err
			}
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			served := make(chan error, 1)
			go func() { served <- shop.Serve(ctx, ln) }()

			cfg, err := launch.DemoConfig("http://"+ln.Addr().String()+"/metrics", shop)
			if err != nil {
				return err
			}
			if err := alertsFrom(cfg, alertsFile); err != nil {
				return err
			}
			if err := needTerminal("demo", "", rf); err != nil {
				return err
			}
			// The poller runs on the shop's clock: counters advance in
			// simulated time, so rates must be taken over simulated time.
			w, err := rf.start(launch.Options{Config: cfg, LogFile: logFile, Clock: shop.Now, Origin: recording.OriginDemo})
			if err != nil {
				return err
			}
			err = runDashboard(w, screen{simulated: []string{"scrape", "probe"}, bell: bf.bell(), wall: wall}, cmd.OutOrStdout())
			cancel()
			if serr := <-served; serr != nil && !errors.Is(serr, context.Canceled) {
				return errors.Join(err, fmt.Errorf("simulator: %w", serr))
			}
			return err
		},
	}
	f.register(cmd, 10, 2*time.Minute)
	cmd.Flags().StringVar(&logFile, "log-file", "", "write logs here (never to the screen)")
	cmd.Flags().StringVar(&alertsFile, "alerts-from", "", "send the demo's problems to the alerts block of this launchwatch.yaml")
	cmd.Flags().BoolVar(&wall, "wall", false, "start on the wall screen: the headline figures in block digits, for a screen across the room (w toggles)")
	rf.register(cmd)
	bf.register(cmd)
	return cmd
}

func newSimCmd() *cobra.Command {
	var f simFlags
	var listen string
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the simulated flash-sale storefront as an HTTP server",
		Long: `Run the demo storefront: /metrics (Prometheus exposition), the sale page at /
with its assets, and /login, /cart, /buy. It binds to loopback unless told
otherwise and runs until interrupted.

At --speed N the counters advance in simulated time, N times faster than the
wall clock: a Prometheus scraping it sees rates N times higher.

The shop is a fleet of --servers web servers behind a balancer, each
series under its server's instance label (web-1:8080, ...); in
first-launch the balancer sends web-3 twice its share through the crash.
Read from this one target, by launchwatch or by Prometheus, that label is
kept as exported_instance (instance names the target), as the demo config
expects; a Prometheus with honor_labels: true keeps it as instance.`,
		Example: `  launchwatch sim --listen 127.0.0.1:9400 --scenario first-launch --speed 10 --start-in 30s --seed 1
  launchwatch sim --servers 500`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			shop, err := f.shop()
			if err != nil {
				return err
			}
			ln, err := sim.Listen(listen)
			if err != nil {
				return err
			}
			cmd.Printf("launchwatch sim: %s at %gx, listening on http://%s (metrics at /metrics)\n", shop.Scenario(), shop.Speed(), ln.Addr())
			cmd.Printf("the sale starts at %s simulated time (in %s of wall time)\n",
				shop.LaunchAt().Format(time.RFC3339), (time.Duration(float64(f.startIn) / shop.Speed())).Round(time.Second))
			return shop.Serve(cmd.Context(), ln)
		},
	}
	f.register(cmd, 1, 30*time.Second)
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:9400", "address to listen on")
	return cmd
}
