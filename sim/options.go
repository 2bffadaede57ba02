package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Options configures a Shop. The zero value is not valid: Scenario and Speed
// must be set.
type Options struct {
	// Scenario names the launch to play: "first-launch" or "second-launch".
	Scenario string
	// Speed is how many simulated seconds pass per wall second; it must be
	// above zero and at most MaxSpeed.
	Speed float64
	// StartIn is the simulated time from New until the sale opens (T0); it
	// must not be negative.
	StartIn time.Duration
	// Seed drives the traffic noise and the order arrivals: the same seed
	// plays the same series, a different seed a different one.
	Seed int64
	// Servers is how many web servers stand behind the balancer, each
	// serving its own series under an instance label (web-1:8080, ...);
	// 0 means DefaultServers. The fleet's totals do not depend on it.
	Servers int
	// Wall is the wall clock; nil means time.Now. Tests inject a fake one.
	Wall func() time.Time
}

// DefaultServers is the fleet New builds when Options.Servers is 0.
const DefaultServers = 4

// MaxServers is the largest fleet New accepts: enough for the scale
// measurement, while one scrape of it stays under a few megabytes.
const MaxServers = 500

// MaxSpeed is the fastest clock New accepts. The model takes ten steps per
// simulated second, so beyond this one core cannot keep up with the clock
// (and the simulated clock would overflow time.Duration within days).
const MaxSpeed = 10000

// ErrUnknownScenario is wrapped by New when Options.Scenario names no known
// scenario, so callers can tell a typo from other mistakes.
var ErrUnknownScenario = errors.New("unknown scenario")

// Scenarios returns the names New accepts, sorted.
func Scenarios() []string {
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// validate checks the options before anything is built, so the cobra command
// can show the user one clear line instead of a half-started server.
func (o Options) validate() error {
	if _, ok := scenarios[o.Scenario]; !ok {
		return fmt.Errorf("scenario %q: %w (valid: %s)", o.Scenario, ErrUnknownScenario,
			strings.Join(Scenarios(), ", "))
	}
	if math.IsNaN(o.Speed) || o.Speed <= 0 || o.Speed > MaxSpeed {
		return fmt.Errorf("speed %v: must be above 0 and at most %d simulated seconds per wall second", o.Speed, MaxSpeed)
	}
	if o.Servers < 0 || o.Servers > MaxServers {
		return fmt.Errorf("servers %d: must be from 1 to %d (0 means %d)", o.Servers, MaxServers, DefaultServers)
	}
	if o.StartIn < 0 {
		return fmt.Errorf("start-in %v: must not be negative", o.StartIn)
	}
	return nil
}
