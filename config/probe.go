package config

import (
	"fmt"
	"time"

	promconfig "github.com/prometheus/common/config"
	"golang.org/x/net/http/httpguts"

	"github.com/launchwatch/launchwatch/probe"
)

// SourceProbe names the sale-page probe in snapshots' health map.
const SourceProbe = "probe"

// Probe is the sale-page probe (sources.probe): every Interval it fetches
// the page, checks the purchase button and weighs the page's resources.
type Probe struct {
	// URL is the sale page.
	URL string `yaml:"url"`
	// Headers are sent to the page's own host (a cookie, an
	// authorization); they print as secrets.
	Headers map[string]promconfig.Secret `yaml:"headers,omitempty"`
	// Interval is the probe's own cadence, slower than the poll.
	Interval time.Duration `yaml:"interval,omitempty"`
	// Timeout bounds one whole probe; under Interval.
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// Selector, Text and RequireEnabled mark the purchase button.
	Selector       string `yaml:"selector,omitempty"`
	Text           string `yaml:"text,omitempty"`
	RequireEnabled bool   `yaml:"require_enabled,omitempty"`
	// CDNHosts name what the CDN serves: hosts, *.wildcards, host/path
	// prefixes.
	CDNHosts []string `yaml:"cdn_hosts,omitempty"`
	// MaxPageBytes caps the page and each body read.
	MaxPageBytes int64 `yaml:"max_page_bytes,omitempty"`
	// MaxResources caps the resources sized.
	MaxResources int `yaml:"max_resources,omitempty"`
	// Concurrency is the requests in flight at once.
	Concurrency int `yaml:"concurrency,omitempty"`
	// ButtonBeforeT0 says whether the purchase button must be on the page
	// before T0: ButtonOptional (the default: many sale pages show it only
	// at T0, so its absence before is expected) or ButtonRequired (its
	// absence before T0 warns). After T0 a missing button is critical
	// either way.
	ButtonBeforeT0 string `yaml:"button_before_t0,omitempty"`
}

// The values of sources.probe.button_before_t0.
const (
	ButtonOptional = "optional"
	ButtonRequired = "required"
)

// Probe defaults.
const (
	DefaultProbeInterval = 10 * time.Second
	// maxProbeInterval, maxProbePageBytes, maxProbeResources and
	// maxProbeConcurrency bound what a probe may be asked: past them a
	// value is a typo, and a probe would hammer or outlive the launch.
	maxProbeInterval    = time.Hour
	maxProbePageBytes   = 1 << 30
	maxProbeResources   = 10_000
	maxProbeConcurrency = 64
)

// fillDefaults sets the probe's defaults: a 10 s cadence, a timeout
// of 80% of it, the probe package's selector and caps.
func (p *Probe) fillDefaults() {
	if p.Interval == 0 {
		p.Interval = DefaultProbeInterval
	}
	if p.Timeout == 0 && p.Interval > 0 {
		p.Timeout = SourceTimeout(p.Interval)
	}
	if p.Selector == "" {
		p.Selector = probe.DefaultSelector
	}
	if p.MaxPageBytes == 0 {
		p.MaxPageBytes = probe.DefaultMaxPageBytes
	}
	if p.MaxResources == 0 {
		p.MaxResources = probe.DefaultMaxResources
	}
	if p.Concurrency == 0 {
		p.Concurrency = probe.DefaultConcurrency
	}
	if p.ButtonBeforeT0 == "" {
		p.ButtonBeforeT0 = ButtonOptional
	}
}

// validate checks the probe block.
func (p *Probe) validate(pr *problems) {
	const at = "sources.probe."
	checkURL(pr, at+"url", p.URL)
	switch {
	case p.Interval < time.Second:
		pr.add(at+"interval", "must be at least 1s, got %s", p.Interval)
	case p.Interval > maxProbeInterval:
		pr.add(at+"interval", "must be at most %s, got %s", maxProbeInterval, p.Interval)
	}
	if p.Timeout <= 0 {
		pr.add(at+"timeout", "must be positive, got %s", p.Timeout)
	} else if p.Interval > 0 && p.Timeout >= p.Interval {
		pr.add(at+"timeout", "%s must be shorter than the probe's interval (%s), or one probe runs into the next", p.Timeout, p.Interval)
	}
	if err := probe.CheckSelector(p.Selector); err != nil {
		pr.add(at+"selector", "%q is %v", p.Selector, err)
	}
	for _, name := range sortedKeys(p.Headers) {
		if !httpguts.ValidHeaderFieldName(name) {
			pr.add(at+"headers."+name, "%q is not an HTTP header name", name)
		} else if !httpguts.ValidHeaderFieldValue(string(p.Headers[name])) {
			pr.add(at+"headers."+name, "the value holds a character a header may not (a line break, a control character)")
		}
	}
	for i, h := range p.CDNHosts {
		if err := probe.CheckCDNHost(h); err != nil {
			pr.add(fmt.Sprintf(at+"cdn_hosts[%d]", i), "%v", err)
		}
	}
	bound := func(field string, v, most int64) {
		switch {
		case v < 0:
			pr.add(at+field, "must not be negative, got %d", v)
		case v > most:
			pr.add(at+field, "%d is beyond any real page; at most %d is accepted", v, most)
		}
	}
	if p.ButtonBeforeT0 != ButtonOptional && p.ButtonBeforeT0 != ButtonRequired {
		pr.add(at+"button_before_t0", "%q is not one of %s, %s", p.ButtonBeforeT0, ButtonOptional, ButtonRequired)
	}
	bound("max_page_bytes", p.MaxPageBytes, maxProbePageBytes)
	bound("max_resources", int64(p.MaxResources), maxProbeResources)
	bound("concurrency", int64(p.Concurrency), maxProbeConcurrency)
}

// ProbeOptions returns the probe package's options for the block.
func (p *Probe) ProbeOptions() probe.Options {
	o := probe.Options{
		URL:          p.URL,
		Timeout:      p.Timeout,
		Marker:       probe.Marker{Selector: p.Selector, Text: p.Text, RequireEnabled: p.RequireEnabled},
		CDNHosts:     p.CDNHosts,
		MaxPageBytes: p.MaxPageBytes,
		MaxResources: p.MaxResources,
		Concurrency:  p.Concurrency,
	}
	if len(p.Headers) > 0 {
		o.Headers = make(map[string][]string, len(p.Headers))
		for name, v := range p.Headers {
			o.Headers.Set(name, string(v))
		}
	}
	return o
}
