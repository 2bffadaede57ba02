package discover

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Result is what Detect chose: the file's content before it is written.
type Result struct {
	// Prometheus or Targets: where the figures are read, as the catalog.
	Prometheus string
	Targets    []string
	// Down are the targets that did not answer: written commented out,
	// with their error.
	Down []Down
	// ScrapeInterval is written as sources.prometheus.scrape_interval
	// when known; ScrapeHow says whose it is and where it was read ("the
	// scrape interval of jobs nginx, node (/api/v1/targets)").
	ScrapeInterval time.Duration
	ScrapeHow      string
	// Jobs are the targets up by job.
	Jobs []Job
	// Found are the detectors whose markers are held.
	Found []Found
	// Signals are the signals answered, in the file's order.
	Signals []Choice
	// Missing are the signals (or the host.* group) no source answers.
	Missing []Missing
	// Fleet is the label that tells servers apart when more than one
	// answers; FleetServers its values.
	Fleet        string
	FleetServers []string
	// FleetNotes name the sources whose servers carry other values of
	// the fleet label: they show as servers of their own.
	FleetNotes []string
	// DeviceRates are the network devices' bytes sent per second when
	// read, written as a comment only: the preset's rule picks the devices.
	DeviceRates map[string]float64
	// Endpoints are the shop's handlers the main source's preset reads
	// one by one, each in the catalog's form.
	Endpoints []Endpoint
	// Page is the sale page's weight, when a page was probed.
	Page *Page
}

// Found is a detector whose markers are held.
type Found struct {
	Name, Preset string
	// Servers is how many distinct instances carry its first marker.
	Servers int
	// Signals are the signals taken from it; Unused says why there are
	// none.
	Signals []string
	Unused  string
}

// Choice is one signal and where it is read.
type Choice struct {
	// Name is the signal's address (pv, host.cpu).
	Name string
	// From is the detector's name; Preset the preset whose query it is
	// (empty for the shop's own counters).
	From, Preset string
	// Note says more, e.g. the metric found or the devices chosen.
	Note string
	config.Signal
}

// Endpoint is one of the shop's handlers: how its rate and its p95 are
// read.
type Endpoint struct {
	Name            string
	Signal, Latency config.Signal
}

// Missing is a signal no source answers: why, and what to add.
type Missing struct {
	Signal, Why, Add string
	// Example is the signal written in the form the source reads; empty
	// when no example fits (an exporter to run).
	Example string
}

// fleetLabels are the labels that may tell servers apart, in the order
// they are tried: Prometheus' target, a target exposing several servers'
// series (exported_instance), Kubernetes' pod.
var fleetLabels = []string{"instance", "exported_instance", "pod"}

// Detect matches the catalog against the detectors and picks each signal
// from the first one found that answers it: the query for a Prometheus
// catalog, the scrape expression for targets read directly. It fails when
// no signal at all is found, naming what was looked for.
func Detect(c *Catalog) (*Result, error) {
	r := &Result{Prometheus: c.Prometheus, Targets: c.Targets, Down: c.Down, Jobs: c.Jobs, DeviceRates: c.Devices}
	scrape := c.Prometheus == ""
	chosen := map[string]Choice{}
	why := map[string][]string{}
	var main *detector   // the detector answering requests (else pv): its servers are the fleet
	var sources []string // the metrics of the detectors answering signals
	for i := range detectors {
		d := &detectors[i]
		sigs, held, notes := d.answer(c, scrape)
		if !held {
			continue
		}
		found := Found{Name: d.name, Preset: d.preset, Servers: d.servers(c)}
		used := false
		if d.devices {
			notes[snapshot.SignalBandwidth] = devicesNote(c.Devices)
		}
		for _, sig := range slices.Sorted(maps.Keys(sigs)) {
			if _, done := chosen[sig]; done {
				continue
			}
			chosen[sig] = Choice{Name: sig, From: d.name, Preset: d.preset, Note: notes[sig], Signal: sigs[sig]}
			used = true
			if main == nil && (sig == "requests" || sig == "pv") && len(d.markers) > 0 {
				main = d
			}
		}
		if used {
			sources = append(sources, d.metrics(c)...)
		}
		if !used {
			found.Unused = "every signal it answers comes from a source above"
			if scrape && len(sigs) == 0 {
				found.Unused = "the " + d.preset + " preset reads it through Prometheus only (init --prometheus)"
			}
		}
		if used || len(d.markers) > 0 {
			r.Found = append(r.Found, found)
		}
		for _, sig := range slices.Sorted(maps.Keys(d.lacks)) {
			why[sig] = append(why[sig], d.name+": "+d.lacks[sig])
		}
		if scrape && d.preset != "" {
			for _, sig := range d.unscrapable() {
				why[sig] = append(why[sig], d.name+" is found, but the "+d.preset+" preset reads it through Prometheus only (use init --prometheus)")
			}
		}
	}
	if len(chosen) == 0 {
		names := make([]string, 0, len(detectors))
		for _, d := range detectors {
			names = append(names, d.name)
		}
		return nil, fmt.Errorf("none of the metrics launchwatch knows is there (looked for %s); write the signals by hand (docs/configuration.md)", strings.Join(names, ", "))
	}
	for _, row := range signalRows {
		all := rowSignals(row.name)
		got := 0
		for _, sig := range all {
			if ch, ok := chosen[sig]; ok {
				r.Signals = append(r.Signals, ch)
				got++
			}
		}
		if got == 0 {
			w := "no " + row.what + " found"
			if reasons := uniq(why, all); len(reasons) > 0 {
				w += "; " + strings.Join(reasons, "; ")
			}
			r.Missing = append(r.Missing, Missing{Signal: row.name, Why: w, Add: row.add, Example: row.example(scrape)})
		}
	}
	for i := range r.Found {
		for _, ch := range r.Signals {
			if ch.From == r.Found[i].Name {
				r.Found[i].Signals = append(r.Found[i].Signals, ch.Name)
			}
		}
	}
	r.ScrapeInterval, r.ScrapeHow = c.interval(sources)
	if main != nil {
		r.Fleet, r.FleetServers = fleet(c, main.markers[0])
		r.FleetNotes = strangers(c, r, main)
		// Label values are the server's text: one line each, no escapes.
		for i, v := range r.FleetServers {
			r.FleetServers[i] = clean(v)
		}
		if m, l := main.endpoints[0], main.endpoints[1]; m != "" {
			r.Endpoints = endpoints(main.preset, c.values(m, l), scrape)
		}
	}
	return r, nil
}

// uniq is the reasons given for any of sigs, each once, in order.
func uniq(why map[string][]string, sigs []string) []string {
	var out []string
	for _, s := range sigs {
		for _, w := range why[s] {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// answer is the signals a detector gives for a catalog: whether its
// markers are held, and a note per signal. A preset's signal without the
// form the catalog needs (a query for Prometheus, a scrape expression for
// targets) is left out.
func (d *detector) answer(c *Catalog, scrape bool) (map[string]config.Signal, bool, map[string]string) {
	out := map[string]config.Signal{}
	notes := map[string]string{}
	if len(d.own) > 0 {
		for _, o := range d.own {
			name := o.find(c)
			if name == "" {
				continue
			}
			out[o.signal] = o.build(name, scrape)
			notes[o.signal] = "the metric " + name
		}
		return out, len(out) > 0, notes
	}
	if !c.has(d.markers...) || (d.label != "" && len(c.values(d.markers[0], d.label)) == 0) {
		return nil, false, nil
	}
	all, ok := config.PresetSignals(d.preset)
	if !ok {
		panic("discover: the detector " + d.name + " names an unknown preset " + d.preset)
	}
	for sig, s := range all {
		if d.signals != nil && !slices.Contains(d.signals, sig) {
			continue
		}
		if scrape {
			s.Query = ""
		} else {
			s.Scrape = ""
		}
		if s.Query == "" && s.Scrape == "" {
			continue
		}
		s.Multi = ""
		out[sig] = s
	}
	return out, true, notes
}

// unscrapable are the detector's signals its preset has no scrape
// expression for.
func (d *detector) unscrapable() []string {
	all, _ := config.PresetSignals(d.preset)
	var out []string
	for sig, s := range all {
		if (d.signals == nil || slices.Contains(d.signals, sig)) && s.Scrape == "" {
			out = append(out, sig)
		}
	}
	slices.Sort(out)
	return out
}

// servers is how many servers carry the detector's first marker, told
// apart as the fleet tells them (fleetLabels); 1 for the shop's own
// counters, found by name alone.
func (d *detector) servers(c *Catalog) int {
	if len(d.markers) == 0 {
		return 1
	}
	_, vs := fleet(c, d.markers[0])
	return max(len(vs), 1)
}

// metrics are the metrics the detector was found by: its markers, or the
// shop's own counters found.
func (d *detector) metrics(c *Catalog) []string {
	out := slices.Clone(d.markers)
	for _, o := range d.own {
		if n := o.find(c); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// interval is the scrape interval the signals read from metrics need:
// the longest of the jobs carrying them ($__rate_interval must hold four
// scrapes of the slowest), not of every job (a 60 s blackbox job beside
// them would make every rate window 4 minutes); the longest of all jobs
// when the metrics' jobs are unknown. Zero when no interval was read.
func (c *Catalog) interval(metrics []string) (time.Duration, string) {
	var jobs []string
	var longest time.Duration
	for _, m := range metrics {
		for _, j := range c.values(m, "job") {
			if d, ok := c.Intervals[j]; ok && !slices.Contains(jobs, j) {
				jobs = append(jobs, j)
				longest = max(longest, d)
			}
		}
	}
	if longest == 0 {
		if c.ScrapeInterval == 0 {
			return 0, ""
		}
		return c.ScrapeInterval, "the longest scrape interval of every job (" + c.ScrapeHow + ")"
	}
	slices.Sort(jobs)
	for i, j := range jobs {
		jobs[i] = clean(j)
	}
	word := "job"
	if len(jobs) > 1 {
		word = "jobs"
	}
	return longest, "the scrape interval of " + word + " " + strings.Join(jobs, ", ") + " (" + c.ScrapeHow + ")"
}

// metricName is a name safe to write into a query.
var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// find is the first held name (sorted) ending in one of the suffixes.
func (o ownCounter) find(c *Catalog) string {
	if cs := o.candidates(c); len(cs) > 0 {
		return cs[0]
	}
	return ""
}

// candidates are the held names (sorted) ending in one of the suffixes.
func (o ownCounter) candidates(c *Catalog) []string {
	var out []string
	for _, n := range slices.Sorted(maps.Keys(c.Names)) {
		if !metricName.MatchString(n) {
			continue
		}
		for _, s := range o.suffixes {
			if strings.HasSuffix(n, s) && len(n) > len(s) {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// build reads the metric as the presets read theirs: a counter's rate
// over $__rate_interval, summed; a gauge summed.
func (o ownCounter) build(name string, scrape bool) config.Signal {
	switch {
	case scrape && o.rate:
		return config.Signal{Scrape: "rate(" + name + ")"}
	case scrape:
		return config.Signal{Scrape: name}
	case o.rate:
		return config.Signal{Query: "sum(rate(" + name + "[$__rate_interval]))"}
	}
	return config.Signal{Query: "sum(" + name + ")"}
}

// fleet is the first label of fleetLabels with more than one value among
// the marker's series, and its values; empty when one server answers.
func fleet(c *Catalog, marker string) (string, []string) {
	for _, l := range fleetLabels {
		if vs := c.values(marker, l); len(vs) > 1 {
			return l, vs
		}
	}
	return "", nil
}

// strangers are notes on the other sources that answer signals while
// their series carry values of the fleet label the main source's do not
// (node_exporter's instance web-1:9100 beside nginx's web-1:9113): the
// fleet view shows them as servers of their own.
func strangers(c *Catalog, r *Result, main *detector) []string {
	if r.Fleet == "" {
		return nil
	}
	var out []string
	for _, d := range detectors {
		used := slices.ContainsFunc(r.Signals, func(ch Choice) bool { return ch.From == d.name })
		if d.name == main.name || len(d.markers) == 0 || !used {
			continue
		}
		var odd []string
		for _, v := range c.values(d.markers[0], r.Fleet) {
			if !slices.Contains(r.FleetServers, v) {
				odd = append(odd, clean(v))
			}
		}
		if len(odd) > 0 {
			out = append(out, fmt.Sprintf("%s's series carry %s %s: the fleet shows them as servers of their own, unless Prometheus relabels %s to one name a server", d.name, r.Fleet, strings.Join(odd, ", "), r.Fleet))
		}
	}
	return out
}

// endpoints are the preset's signals for each handler name, in the form
// the catalog reads. A name that is not plain text (a control character,
// an escape) is left out: it would not match once cleaned.
func endpoints(preset string, names []string, scrape bool) []Endpoint {
	var out []Endpoint
	for _, n := range names {
		if clean(n) != n {
			continue
		}
		s, lat, ok := config.PresetEndpoint(preset, n)
		if !ok {
			return nil
		}
		e := Endpoint{Name: n, Signal: form(s, scrape)}
		if lat != nil {
			e.Latency = form(*lat, scrape)
		}
		out = append(out, e)
	}
	return out
}

// form keeps the signal's query, or its scrape expression for targets
// read directly.
func form(s config.Signal, scrape bool) config.Signal {
	if scrape {
		return config.Signal{Scrape: s.Scrape}
	}
	return config.Signal{Query: s.Query}
}
