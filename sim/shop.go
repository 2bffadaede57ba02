package sim

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Shop is the simulated flash-sale storefront: a traffic model on a sped-up
// clock, served as Prometheus metrics and a small website. It is safe for
// concurrent use.
type Shop struct {
	sc        *scenario
	speed     float64
	seed      int64
	wall      func() time.Time
	wallStart time.Time
	simStart  time.Time
	launchAt  time.Time
	registry  *prometheus.Registry
	assets    *assetCache

	mu    sync.Mutex
	model *model
}

// New builds a Shop from opts. The simulated clock starts at the wall time of
// the call and the sale opens StartIn of simulated time later.
func New(opts Options) (*Shop, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("sim options: %w", err)
	}
	wall := opts.Wall
	if wall == nil {
		wall = time.Now
	}
	now := wall()
	sc := scenarios[opts.Scenario]
	servers := opts.Servers
	if servers == 0 {
		servers = DefaultServers
	}
	s := &Shop{
		sc:        sc,
		speed:     opts.Speed,
		seed:      opts.Seed,
		wall:      wall,
		wallStart: now,
		simStart:  now,
		launchAt:  now.Add(opts.StartIn),
		assets:    newAssetCache(sc),
		model:     newModel(sc, opts.Seed, opts.StartIn, servers),
	}
	// An own registry keeps the shop's series apart from anything the host
	// process (launchwatch demo) registers globally.
	s.registry = prometheus.NewRegistry()
	if err := s.registry.Register(&shopCollector{shop: s}); err != nil {
		return nil, fmt.Errorf("register shop collector: %w", err)
	}
	if err := s.registry.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("register go collector: %w", err)
	}
	if err := s.registry.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("register process collector: %w", err)
	}
	return s, nil
}

// Now returns the simulated time: the start plus the wall time since New
// multiplied by the speed.
func (s *Shop) Now() time.Time {
	return s.simAt(s.wall())
}

// simAt maps a wall instant onto the simulated clock.
func (s *Shop) simAt(wall time.Time) time.Time {
	elapsed := float64(wall.Sub(s.wallStart)) * s.speed
	return s.simStart.Add(time.Duration(elapsed))
}

// LaunchAt returns T0, the simulated instant the sale opens.
func (s *Shop) LaunchAt() time.Time { return s.launchAt }

// Speed returns the simulated seconds per wall second.
func (s *Shop) Speed() float64 { return s.speed }

// Scenario returns the scenario's name.
func (s *Shop) Scenario() string { return s.sc.name }

// Seed returns the seed the traffic noise was drawn from.
func (s *Shop) Seed() int64 { return s.seed }

// Servers returns the fleet's instance label values (web-1:8080, ...), in
// the order the servers were built.
func (s *Shop) Servers() []string { return slices.Clone(s.model.fleet.names) }

// Registry returns the shop's own Prometheus registry, for an in-process
// demo that gathers without HTTP.
func (s *Shop) Registry() *prometheus.Registry { return s.registry }

// snapshot advances the model to now and copies its state; the copy lets a
// scrape build its metrics without holding the lock.
func (s *Shop) snapshot(now time.Time) state {
	s.mu.Lock()
	defer s.mu.Unlock()
	if elapsed := now.Sub(s.simStart); elapsed > 0 {
		s.model.advance(elapsed)
	}
	return s.model.st
}

// collect is snapshot with each server's series, copied for the same
// reason; only a scrape needs them.
func (s *Shop) collect(now time.Time) (state, []serverState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if elapsed := now.Sub(s.simStart); elapsed > 0 {
		s.model.advance(elapsed)
	}
	return s.model.st, slices.Clone(s.model.fleet.servers)
}

// unixSeconds renders t as fractional Unix seconds, the Prometheus
// convention for timestamps carried as values.
func unixSeconds(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}
