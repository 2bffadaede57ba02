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
	// Targets are the /metrics URLs read directly that answered; Down
	// those that did not. Both empty for Prometheus.
	Targets []string
	Down    []Down
	// Names are the metric names held.
	Names map[string]bool
	// Series are the distinct label sets of the marker metrics' (and the
	// shop's own counters') series, by metric name, each kept to the
	// labels that tell servers, jobs and handlers apart (groupLabels).
	Series map[string][]map[string]string
	// Intervals are the scrape intervals by job, ScrapeInterval the
	// longest of them (for signals whose jobs are unknown), and ScrapeHow
	// the API they were read from; empty when unknown.
	Intervals      map[string]time.Duration
	ScrapeInterval time.Duration
	ScrapeHow      string
	// Jobs are the targets by job: how many answer (up 1) and how many
	// there are.
	Jobs []Job
	// Devices are the network devices' transmitted bytes per second.
	Devices map[string]float64
}

// Down is a /metrics URL that did not answer, and why.
type Down struct {
	URL, Err string
}

// Job is a scrape job and how many of its targets answer.
type Job struct {
	Name    string
	Up, All int
}

// groupLabels are the labels of a metric's series the catalog keeps: the
// fleet's, the job (whose scrape interval the signals need), the handler
// label of a preset reading the metric by endpoint, and the label a
// detector needs its first marker to carry (promhttp's code).
func groupLabels(metric string) []string {
	out := append(slices.Clone(fleetLabels), "job")
	for _, d := range detectors {
		if d.endpoints[0] == metric && !slices.Contains(out, d.endpoints[1]) {
			out = append(out, d.endpoints[1])
		}
		if d.label != "" && len(d.markers) > 0 && d.markers[0] == metric && !slices.Contains(out, d.label) {
			out = append(out, d.label)
		}
	}
	return out
}

// liveChecked are the held names whose series the catalog reads: every
// detector's markers and the names the shop's own counters may be found
// by.
func liveChecked(c *Catalog) []string {
	var out []string
	for _, m := range markerMetrics() {
		if c.Names[m] && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	for _, d := range detectors {
		for _, o := range d.own {
			out = append(out, o.candidates(c)...)
		}
	}
	return out
}

// project keeps the labels of a series' label set that groupLabels names
// for metric, as Prometheus' group by answers it.
func project(metric string, ls map[string]string) map[string]string {
	out := map[string]string{}
	for _, l := range groupLabels(metric) {
		if v, ok := ls[l]; ok && v != "" {
			out[l] = v
		}
	}
	return out
}

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
