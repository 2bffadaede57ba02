// Package config reads launchwatch.yaml: the launch, the poll interval, the
// data sources, the signals each source answers, the dynamic endpoints, the
// capacity plan, the alert thresholds and where alerts go.
//
// Defaults live in code (Default), validation sits beside the types, and
// every error names the file, the line and the field, e.g.
//
//	launchwatch.yaml:14: plan.download_speed: must be > 0
package config

import (
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	promconfig "github.com/prometheus/common/config"
)

// Config is a whole launchwatch.yaml after defaults are filled in.
type Config struct {
	// File is the path the config was read from; empty for built-in ones.
	File string `yaml:"-"`

	Launch   Launch        `yaml:"launch"`
	Interval time.Duration `yaml:"interval"`
	// Preset fills in default signals for a known exporter set: see Presets.
	Preset     string            `yaml:"preset,omitempty"`
	Sources    Sources           `yaml:"sources"`
	Fleet      *Fleet            `yaml:"fleet,omitempty"`
	Signals    map[string]Signal `yaml:"signals,omitempty"`
	Endpoints  []Endpoint        `yaml:"endpoints,omitempty"`
	Plan       Plan              `yaml:"plan"`
	Thresholds Thresholds        `yaml:"thresholds"`
	Alerts     Alerts            `yaml:"alerts,omitempty"`
	// Annotations are read from a Prometheus, besides those people lay.
	Annotations *Annotations `yaml:"annotations,omitempty"`
}

// Launch names the sale and says when it starts.
type Launch struct {
	Name string `yaml:"name"`
	// StartsAt is T0; the countdown runs to it. Zero means unknown.
	StartsAt time.Time `yaml:"starts_at,omitempty"`
}

// Sources lists the data sources; a nil one is not polled.
type Sources struct {
	Prometheus *Prometheus `yaml:"prometheus,omitempty"`
	Scrape     *Scrape     `yaml:"scrape,omitempty"`
	Host       *Host       `yaml:"host,omitempty"`
	Probe      *Probe      `yaml:"probe,omitempty"`
	// Alertmanager is read for the team's own firing alerts, shown beside
	// launchwatch's problems, and for the silences over launchwatch's.
	Alertmanager *AlertmanagerSource `yaml:"alertmanager,omitempty"`
}

// AlertmanagerSource is an Alertmanager read back (the v2 API).
type AlertmanagerSource struct {
	// URL is its base URL (http://am:9093); /api/v2/alerts is added.
	URL string `yaml:"url"`
	// Timeout bounds each read; it defaults to 80% of the interval.
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// HTTPClientConfig is Prometheus' own client block.
	HTTPClientConfig promconfig.HTTPClientConfig `yaml:"http_client_config,omitempty"`
}

// Prometheus is a server speaking the Prometheus HTTP API: Prometheus
// itself, Thanos, Mimir or VictoriaMetrics.
type Prometheus struct {
	URL string `yaml:"url"`
	// Timeout bounds each query; it defaults to 80% of the interval so a
	// slow server never delays the next poll.
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// LatencyOffset queries this far in the past. VictoriaMetrics hides its
	// newest 30 s by default (-search.latencyOffset); set 30s there, or 0
	// when the server runs with a smaller offset.
	LatencyOffset time.Duration `yaml:"latency_offset,omitempty"`
	// ScrapeInterval is how often the server scrapes the series the queries
	// read; $__rate_interval is derived from it. Zero means detect it from
	// the server's samples.
	ScrapeInterval time.Duration `yaml:"scrape_interval,omitempty"`
	// MaxBodyBytes caps each answer: client_golang reads a body whole, and
	// an instant query's answer is small unless a query is wrong.
	MaxBodyBytes int64 `yaml:"max_body_bytes,omitempty"`
	// HTTPClientConfig is Prometheus' own client block: basic_auth,
	// authorization, bearer_token_file, tls_config, proxy_url, …
	HTTPClientConfig promconfig.HTTPClientConfig `yaml:"http_client_config,omitempty"`
}

// Scrape reads /metrics endpoints directly, for shops without a Prometheus.
type Scrape struct {
	Targets []string `yaml:"targets"`
	// Job is the job label given to every target's series, beside its
	// instance (host:port), as Prometheus labels what it scrapes.
	Job     string        `yaml:"job,omitempty"`
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// MaxBodyBytes caps each response; a larger body is an error, not an
	// out-of-memory.
	MaxBodyBytes int64                       `yaml:"max_body_bytes,omitempty"`
	HTTPClient   promconfig.HTTPClientConfig `yaml:"http_client_config,omitempty"`
}

// Host reads the local machine's figures.
type Host struct {
	Enabled bool `yaml:"enabled"`
	// Interfaces to sum for NIC throughput; empty means all but loopback.
	Interfaces []string `yaml:"interfaces,omitempty"`
	// Ports, when set, count only established connections on these local
	// (listening) ports. That needs a netlink dump, run every
	// PortsInterval rather than every poll.
	Ports         []int         `yaml:"ports,omitempty"`
	PortsInterval time.Duration `yaml:"ports_interval,omitempty"`
	// ProcRoot is where /proc is mounted; inside a container point it at the
	// host's (counters are per network namespace).
	ProcRoot string `yaml:"proc_root,omitempty"`
	// Origin says this host is the shop's origin, so its TCP socket memory
	// is held against the plan's connection memory. It is false unless set:
	// the kernel's socket memory is the whole machine's, and launchwatch
	// often runs elsewhere (a laptop, the demo); a host that is not the
	// origin is shown, never judged against the plan.
	Origin bool `yaml:"origin,omitempty"`
}

// Fleet turns on the per-server view: every signal a server carries
// (snapshot.FleetSignals) is also asked for by Label, from the signal's
// own query with the label added to its aggregations, so each query is
// written once.
type Fleet struct {
	// Label tells the servers apart: instance, pod, host, az.
	Label string `yaml:"label"`
}

// DefaultCodeLabel is the label signals.error_codes breaks the errors
// down by unless it names another.
const DefaultCodeLabel = "code"

// Signal says how one signal is obtained: a PromQL query for the Prometheus
// source or an expression over scraped metrics for the scrape source.
type Signal struct {
	Query  string `yaml:"query,omitempty"`
	Scrape string `yaml:"scrape,omitempty"`
	// Multi says what to do when a query returns several series: "sum" them
	// (the default) or "refuse" with an error naming them.
	Multi string `yaml:"multi,omitempty"`
	// Label names the label whose values key a breakdown's figures:
	// signals.error_codes answers one series a status code, by "code"
	// unless set.
	Label string `yaml:"label,omitempty"`
	// Pos is where the signal was written, for errors found later (a
	// scrape expression that does not parse, a query the server refuses).
	Pos Pos `yaml:"-"`
}

// Source returns the name of the source that answers the signal.
func (s Signal) Source() string {
	if s.Query != "" {
		return SourcePrometheus
	}
	return SourceScrape
}

// Source names, as used in snapshots' health map.
const (
	SourcePrometheus = "prometheus"
	SourceScrape     = "scrape"
	SourceHost       = "host"
)

// Endpoint is a dynamic endpoint (log-in, cart, buy) with its stress-tested
// ceiling.
type Endpoint struct {
	Name   string  `yaml:"name"`
	MaxQPS float64 `yaml:"max_qps"`
	Signal `yaml:",inline"`
	// Latency is how the endpoint's 95th percentile time to answer is
	// obtained; MaxP95 the ceiling its stress test found, held against it.
	Latency *Signal       `yaml:"latency,omitempty"`
	MaxP95  time.Duration `yaml:"max_p95,omitempty"`
}

// Plan is the capacity plan as written, units and all ("100KB",
// "2.4 Gbit/s", "200k"); see CapacityPlan for the parsed form.
type Plan struct {
	PeakPV           Count     `yaml:"peak_pv"`
	ResourcesPerPage Count     `yaml:"resources_per_page"`
	ResourceSize     string    `yaml:"resource_size"`
	DownloadSpeed    string    `yaml:"download_speed"`
	ConnMemory       string    `yaml:"conn_memory"`
	CDNShare         float64   `yaml:"cdn_share"`
	Limits           PlanLimit `yaml:"limits,omitempty"`
	Stock            PlanStock `yaml:"stock,omitempty"`
	// FromProbe takes the resources per page and their size from the
	// sale-page probe (sources.probe) once it has weighed the page.
	FromProbe bool `yaml:"from_probe,omitempty"`
}

// PlanLimit holds the ceilings the plan is held against; empty is no limit.
type PlanLimit struct {
	Link           string `yaml:"link,omitempty"`
	MaxConnections Count  `yaml:"max_connections,omitempty"`
	Memory         string `yaml:"memory,omitempty"`
}

// PlanStock is what is for sale and how fast it should go.
type PlanStock struct {
	Total   Count  `yaml:"total,omitempty"`
	SellOut string `yaml:"sell_out,omitempty"`
}

// Thresholds colour the screen and raise problems: capacity's own, read
// from the `thresholds` block (a new threshold is one field there).
type Thresholds struct {
	capacity.Thresholds `yaml:",inline"`
}

// Pos is a place in a config file.
type Pos struct {
	File string
	Line int
}

// String formats the position as "file:line", or "" when unknown.
func (p Pos) String() string {
	switch {
	case p.File == "" && p.Line == 0:
		return ""
	case p.Line == 0:
		return p.File
	}
	return p.File + ":" + itoa(p.Line)
}

// Defaults that depend on nothing else. The sources fall back on them too
// when built from a config that did not come through Load (tests).
const (
	DefaultInterval = time.Second
	// DefaultScrapeMaxBody is about 70,000 samples: parsed in well under a
	// poll (expfmt parses 200k to 500k samples/s per core), where 16 MiB
	// would take longer than the interval.
	DefaultScrapeMaxBody     int64 = 4 << 20
	DefaultPrometheusMaxBody int64 = 8 << 20
	DefaultProcRoot                = "/proc"
	DefaultPortsInterval           = 10 * time.Second
)

// SourceTimeout is a source's default timeout at a poll interval: 80%,
// under the poller's deadline (PollDeadline), so a slow source reports its
// own error before the poller gives up on it.
func SourceTimeout(interval time.Duration) time.Duration { return interval * 8 / 10 }

// PollDeadline is how long one poll may take at an interval: 90%, so a
// poll never runs into the next.
func PollDeadline(interval time.Duration) time.Duration { return interval * 9 / 10 }

// Default returns the defaults every config starts from.
func Default() Config {
	th := capacity.DefaultThresholds()
	// StaleAfter defaults to three intervals, set once the interval is
	// known.
	th.StaleAfter = 0
	return Config{Interval: DefaultInterval, Thresholds: Thresholds{th}}
}

// CapacityThresholds returns the thresholds the plan's assessment, the
// problems and the screen classify with: the block, and whether the probe
// requires the purchase button before T0.
func (c *Config) CapacityThresholds() capacity.Thresholds {
	t := c.Thresholds.Thresholds
	t.ButtonBeforeLaunch = c.Sources.Probe != nil && c.Sources.Probe.ButtonBeforeT0 == ButtonRequired
	return t
}
