package discover

import (
	"maps"
	"slices"
	"time"
)

// Catalog is what a server (or a set of /metrics endpoints) holds, as far
// as choosing the signals needs it.
type Catalog struct {
	// Prometheus is the Prometheus-API server read; empty for scrape
	// targets.
	Prometheus string
	// Targets are the /metrics URLs read directly; empty for Prometheus.
	Targets []string
	// Names are the metric names held.
	Names map[string]bool
	// Series are the label sets of the marker metrics' series (at most
	// maxSeries each), by metric name.
	Series map[string][]map[string]string
	// ScrapeInterval is the longest scrape interval of the targets, and
	// ScrapeHow where it was read; zero when unknown.
	ScrapeInterval time.Duration
	ScrapeHow      string
	// Jobs are the targets by job: how many answer (up 1) and how many
	// there are.
	Jobs []Job
	// Devices are the network devices' transmitted bytes per second.
	Devices map[string]float64
}

// Job is a scrape job and how many of its targets answer.
type Job struct {
	Name    string
	Up, All int
}

// maxSeries caps the series kept per metric: enough to count a fleet and
// list an endpoint's handlers.
const maxSeries = 500

// has reports whether every name is held.
func (c *Catalog) has(names ...string) bool {
	for _, n := range names {
		if !c.Names[n] {
			return false
		}
	}
	return len(names) > 0
}

// values returns the distinct values of label among metric's series, sorted.
func (c *Catalog) values(metric, label string) []string {
	seen := map[string]bool{}
	for _, s := range c.Series[metric] {
		if v, ok := s[label]; ok && v != "" {
			seen[v] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
