package config

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// fillDefaults sets what depends on other fields: timeouts from the interval,
// the host block's enabled flag when the block is written without it.
func (c *Config) fillDefaults(d document) {
	if p := c.Sources.Probe; p != nil {
		p.fillDefaults()
	}
	if c.Interval <= 0 {
		return // validate names it
	}
	def := SourceTimeout(c.Interval)
	if p := c.Sources.Prometheus; p != nil {
		if p.Timeout == 0 {
			p.Timeout = def
		}
		if p.MaxBodyBytes == 0 {
			p.MaxBodyBytes = DefaultPrometheusMaxBody
		}
	}
	if am := c.Sources.Alertmanager; am != nil && am.Timeout == 0 {
		am.Timeout = def
	}
	if s := c.Sources.Scrape; s != nil {
		if s.Timeout == 0 {
			s.Timeout = def
		}
		if s.MaxBodyBytes == 0 {
			s.MaxBodyBytes = DefaultScrapeMaxBody
		}
	}
	if h := c.Sources.Host; h != nil {
		if !d.has("sources.host.enabled") {
			h.Enabled = true
		}
		if h.ProcRoot == "" {
			h.ProcRoot = DefaultProcRoot
		}
		if h.PortsInterval == 0 {
			h.PortsInterval = DefaultPortsInterval
		}
	}
	if c.Thresholds.StaleAfter == 0 {
		c.Thresholds.StaleAfter = 3 * c.Interval
	}
	for i := range c.Endpoints {
		if c.Endpoints[i].Multi == "" {
			c.Endpoints[i].Multi = MultiSum
		}
		if l := c.Endpoints[i].Latency; l != nil && l.Multi == "" {
			l.Multi = MultiSum
		}
	}
	for name, s := range c.Signals {
		if s.Multi == "" {
			s.Multi = MultiSum
		}
		if name == snapshot.SignalErrorCodes && s.Label == "" {
			s.Label = DefaultCodeLabel
		}
		c.Signals[name] = s
	}
	c.fillAlertDefaults(d)
}

// What a query answering several series does.
const (
	MultiSum    = "sum"
	MultiRefuse = "refuse"
)

// problems collects validation errors by field path; the document turns the
// paths into lines at the end.
type problems struct {
	doc  document
	errs []error
}

// add records a problem. The message is redacted whatever it quotes, so no
// password written in a URL leaves through an error.
func (p *problems) add(field, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: p.doc.pos(field), Field: field, Msg: redactText(fmt.Sprintf(format, args...))})
}

func (c *Config) validate(d document) error {
	p := &problems{doc: d}
	if c.Interval < 100*time.Millisecond {
		p.add("interval", "must be at least 100ms, got %s", c.Interval)
	}
	c.validateSources(p)
	c.validateSignals(p)
	c.validateThresholds(p)
	c.validateAlerts(p)
	c.validateAnnotations(p)
	if c.Plan.FromProbe && c.Sources.Probe == nil {
		p.add("plan.from_probe", "needs sources.probe: the sale page to weigh")
	}
	if _, err := c.CapacityPlan(); err != nil {
		fields, other := capacity.FieldErrors(err)
		for _, fe := range fields {
			p.add(fe.Path, "%s", fe.Msg)
		}
		for _, e := range other {
			p.add("plan", "%s", e.Error())
		}
	}
	return errors.Join(p.errs...)
}

func (c *Config) validateSources(p *problems) {
	s := c.Sources
	hostOn := s.Host != nil && s.Host.Enabled
	switch {
	case s.Prometheus == nil && s.Scrape == nil && !hostOn && s.Probe == nil:
		p.add("sources", "no source is configured: set sources.prometheus, sources.scrape, sources.host or sources.probe (examples/demo.yaml is a complete config)")
	case !hostOn && s.Probe == nil && len(c.Signals) == 0 && len(c.Endpoints) == 0:
		// The host source and the probe read their own figures; the
		// others read only what signals and endpoints ask of them.
		p.add("sources", "nothing to watch: no signal or endpoint reads %s; add signals (signals.pv.query for Prometheus, signals.pv.scrape for /metrics), endpoints, a preset (%s), sources.host or sources.probe",
			strings.Join(c.sourceNames(), " or "), strings.Join(sortedKeys(Presets()), ", "))
	}
	if pr := s.Prometheus; pr != nil {
		checkURL(p, "sources.prometheus.url", pr.URL)
		checkTimeout(p, "sources.prometheus.timeout", pr.Timeout, c.Interval)
		if pr.MaxBodyBytes < 0 {
			p.add("sources.prometheus.max_body_bytes", "must not be negative")
		}
		if pr.LatencyOffset < 0 {
			p.add("sources.prometheus.latency_offset", "must not be negative, got %s", pr.LatencyOffset)
		}
		if pr.ScrapeInterval < 0 || (pr.ScrapeInterval > 0 && pr.ScrapeInterval < time.Millisecond) {
			p.add("sources.prometheus.scrape_interval", "must be at least 1ms (or unset, to detect it), got %s", pr.ScrapeInterval)
		}
		if err := pr.HTTPClientConfig.Validate(); err != nil {
			p.add("sources.prometheus.http_client_config", "%v", err)
		}
	}
	if sc := s.Scrape; sc != nil {
		if len(sc.Targets) == 0 {
			p.add("sources.scrape.targets", "list at least one /metrics URL")
		}
		for i, t := range sc.Targets {
			checkURL(p, fmt.Sprintf("sources.scrape.targets[%d]", i), t)
		}
		checkTimeout(p, "sources.scrape.timeout", sc.Timeout, c.Interval)
		if sc.MaxBodyBytes < 0 {
			p.add("sources.scrape.max_body_bytes", "must not be negative")
		}
		if err := sc.HTTPClient.Validate(); err != nil {
			p.add("sources.scrape.http_client_config", "%v", err)
		}
	}
	if pb := s.Probe; pb != nil {
		pb.validate(p)
	}
	if am := s.Alertmanager; am != nil {
		checkURL(p, "sources.alertmanager.url", am.URL)
		checkTimeout(p, "sources.alertmanager.timeout", am.Timeout, c.Interval)
		if err := am.HTTPClientConfig.Validate(); err != nil {
			p.add("sources.alertmanager.http_client_config", "%v", err)
		}
	}
	if h := s.Host; h != nil {
		for i, port := range h.Ports {
			if port < 1 || port > 65535 {
				p.add(fmt.Sprintf("sources.host.ports[%d]", i), "port %d is not within 1..65535", port)
			}
		}
		if h.PortsInterval < 0 {
			p.add("sources.host.ports_interval", "must not be negative")
		}
	}
}

// sourceNames lists the configured sources that read signals, by field.
func (c *Config) sourceNames() []string {
	var names []string
	if c.Sources.Prometheus != nil {
		names = append(names, "sources.prometheus")
	}
	if c.Sources.Scrape != nil {
		names = append(names, "sources.scrape")
	}
	return names
}

func checkURL(p *problems, field, raw string) {
	if raw == "" {
		p.add(field, "is required")
		return
	}
	shown := RedactURL(raw)
	u, err := url.Parse(raw)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		p.add(field, "%q is not a URL: %v", shown, ue.Err)
		return
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add(field, "%q is not an http(s) URL with a host", shown)
		return
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			p.add(field, "port %s in %q is not within 1..65535", port, shown)
		}
	}
}

func checkTimeout(p *problems, field string, timeout, interval time.Duration) {
	deadline := PollDeadline(interval)
	if timeout <= 0 {
		p.add(field, "must be positive, got %s", timeout)
	} else if interval > 0 && timeout >= deadline {
		p.add(field, "%s must be shorter than the interval's poll deadline (%s, 90%% of %s), or the poller gives up on the source before it answers",
			timeout, deadline, interval)
	}
}

// knownSignals are the signal table's names a config may set, in its
// order: every one but the endpoints', which the endpoints list sets.
func knownSignals() []string {
	var out []string
	for sig := range snapshot.All() {
		if !sig.Pattern() {
			out = append(out, sig.Name)
		}
	}
	return out
}

func (c *Config) validateSignals(p *problems) {
	for _, name := range sortedKeys(c.Signals) {
		field := "signals." + name
		if strings.HasPrefix(name, snapshot.EndpointPrefix) {
			p.add(field, "endpoint signals belong in the endpoints list, with their max_qps")
			continue
		}
		if !snapshot.ValidSignal(name) && name != snapshot.SignalErrorCodes {
			p.add(field, "unknown signal; known: %s", strings.Join(knownSignals(), ", "))
			continue
		}
		c.checkSignal(p, field, c.Signals[name])
	}
	// Names and ceilings are the plan's to check (CapacityPlan); a name
	// here is also part of a signal address, hence no dots or spaces.
	for i, e := range c.Endpoints {
		field := fmt.Sprintf("endpoints[%d]", i)
		if strings.ContainsAny(e.Name, ". \t") {
			p.add(field+".name", "%q must not contain dots or spaces", e.Name)
		}
		c.checkSignal(p, field, e.Signal)
		if e.Latency != nil {
			c.checkSignal(p, field+".latency", *e.Latency)
		}
		if e.MaxP95 < 0 {
			p.add(field+".max_p95", "must not be negative, got %s", e.MaxP95)
		}
		if e.MaxP95 > 0 && e.Latency == nil {
			p.add(field+".max_p95", "needs latency (a query or scrape of the endpoint's 95th percentile) to be held against")
		}
	}
	if f := c.Fleet; f != nil {
		switch {
		case f.Label == "":
			p.add("fleet.label", "name the label that tells servers apart: instance, pod, host, az")
		case !model.LegacyValidation.IsValidLabelName(f.Label) || f.Label == model.MetricNameLabel:
			p.add("fleet.label", "%q is not a label name", f.Label)
		}
	}
	if s, ok := c.Signals[snapshot.SignalErrorCodes]; ok && !model.LegacyValidation.IsValidLabelName(s.Label) {
		p.add("signals."+snapshot.SignalErrorCodes+".label", "%q is not a label name", s.Label)
	}
}

func (c *Config) checkSignal(p *problems, field string, s Signal) {
	switch {
	case s.Query == "" && s.Scrape == "":
		p.add(field, "set query (PromQL, for sources.prometheus) or scrape (for sources.scrape)")
	case s.Query != "" && s.Scrape != "":
		p.add(field, "set query or scrape, not both")
	case s.Query != "" && c.Sources.Prometheus == nil:
		p.add(field+".query", "needs sources.prometheus")
	case s.Scrape != "" && c.Sources.Scrape == nil:
		p.add(field+".scrape", "needs sources.scrape")
	}
	if s.Query != "" {
		if err := checkPromQL(s.Query); err != nil {
			p.add(field+".query", "not valid PromQL: %v", err)
		}
	}
	if s.Multi != MultiSum && s.Multi != MultiRefuse {
		p.add(field+".multi", "%q is not one of sum, refuse", s.Multi)
	}
}

func (c *Config) validateThresholds(p *problems) {
	fields, _ := capacity.FieldErrors(c.Thresholds.Validate())
	for _, fe := range fields {
		p.add(fe.Path, "%s", fe.Msg)
	}
}

// Validate checks the thresholds: a capacity.FieldError for each bad one,
// by its config path ("thresholds.warn"), joined.
func (t Thresholds) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, capacity.Fieldf("thresholds."+field, format, args...))
	}
	share := func(field string, v float64) {
		if !(v > 0 && v <= 1) {
			bad(field, "must be within (0, 1], got %v", v)
		}
	}
	share("warn", t.Warn)
	share("crit", t.Crit)
	share("error_rate_warn", t.ErrorRateWarn)
	share("error_rate_crit", t.ErrorRateCrit)
	share("sell_out_pace", t.SellOutPace)
	if t.Warn >= t.Crit {
		bad("warn", "%v must be below crit (%v)", t.Warn, t.Crit)
	}
	if t.ErrorRateWarn >= t.ErrorRateCrit {
		bad("error_rate_warn", "%v must be below error_rate_crit (%v)", t.ErrorRateWarn, t.ErrorRateCrit)
	}
	if !(t.PageWeightDrift > 1) {
		bad("page_weight_drift", "must be above 1 (a ratio of measured to planned bytes per view), got %v", t.PageWeightDrift)
	}
	if t.StaleAfter < 0 {
		bad("stale_after", "must not be negative")
	}
	if !(t.MinDrift >= 0 && t.MinDrift <= 1) {
		bad("min_drift", "must be within [0, 1] (a share of the limit a departure moves), got %v", t.MinDrift)
	}
	if !(t.MinFailures >= 0) || math.IsInf(t.MinFailures, 1) {
		bad("min_failures", "must be a number of failed requests per second, 0 or more, got %v", t.MinFailures)
	}
	if t.OpenAfter < 0 {
		bad("open_after", "must not be negative, got %s", t.OpenAfter)
	}
	if t.CloseAfter < t.OpenAfter {
		bad("close_after", "%s must be at least open_after (%s): a problem that closes faster than it opens flaps", t.CloseAfter, t.OpenAfter)
	}
	if t.LatencyP95Warn <= 0 {
		bad("latency_p95_warn", "must be a time above 0, got %s", t.LatencyP95Warn)
	}
	if t.LatencyP95Warn >= t.LatencyP95Crit {
		bad("latency_p95_warn", "%s must be below latency_p95_crit (%s)", t.LatencyP95Warn, t.LatencyP95Crit)
	}
	if !(t.ImbalanceWarn > 1) || math.IsInf(t.ImbalanceWarn, 1) {
		bad("imbalance_warn", "must be above 1 (times the fleet's mean share of requests), got %v", t.ImbalanceWarn)
	}
	if !(t.ImbalanceCrit > t.ImbalanceWarn) || math.IsInf(t.ImbalanceCrit, 1) {
		bad("imbalance_crit", "%v must be above imbalance_warn (%v)", t.ImbalanceCrit, t.ImbalanceWarn)
	}
	if !(t.FleetOutlier > 1) || math.IsInf(t.FleetOutlier, 1) {
		bad("fleet_outlier", "must be above 1 (times the fleet's median), got %v", t.FleetOutlier)
	}
	return errors.Join(errs...)
}

// HasPlan reports whether the file has a plan section; without one the
// dashboard shows measurements without predictions.
func (c *Config) HasPlan() bool { return c.Plan != (Plan{}) }

// CapacityPlan parses the plan section's units and joins it with the
// endpoints and the launch time. Errors name their field as a config path.
func (c *Config) CapacityPlan() (capacity.Plan, error) {
	var errs []error
	fail := func(field string, err error) {
		errs = append(errs, &capacity.FieldError{Path: field, Msg: err.Error()})
	}
	parse := func(field, raw string, fn func(string) (float64, error), required bool) float64 {
		if raw == "" {
			if required && c.HasPlan() {
				fail(field, errors.New("is required"))
			}
			return 0
		}
		v, err := fn(raw)
		if err != nil {
			fail(field, err)
		}
		return v
	}
	pl := c.Plan
	plan := capacity.Plan{
		PeakPV:           float64(pl.PeakPV),
		ResourcesPerPage: float64(pl.ResourcesPerPage),
		ResourceSize:     parse("plan.resource_size", pl.ResourceSize, capacity.ParseBytes, true),
		DownloadSpeed:    parse("plan.download_speed", pl.DownloadSpeed, capacity.ParseByteRate, true),
		ConnMemory:       parse("plan.conn_memory", pl.ConnMemory, capacity.ParseBytes, false),
		CDNShare:         pl.CDNShare,
		Limits: capacity.Limits{
			Link:     parse("plan.limits.link", pl.Limits.Link, capacity.ParseByteRate, false),
			MaxConns: float64(pl.Limits.MaxConnections),
			Memory:   parse("plan.limits.memory", pl.Limits.Memory, capacity.ParseBytes, false),
		},
		Stock:        capacity.Stock{Total: float64(pl.Stock.Total)},
		LaunchAt:     c.Launch.StartsAt,
		HostIsOrigin: c.Sources.Host != nil && c.Sources.Host.Origin,
		FromProbe:    pl.FromProbe,
	}
	if pl.Stock.SellOut != "" {
		d, err := capacity.ParseDuration(pl.Stock.SellOut)
		if err != nil {
			fail("plan.stock.sell_out", err)
		}
		plan.Stock.SellOut = d
	}
	for _, e := range c.Endpoints {
		plan.Endpoints = append(plan.Endpoints, capacity.Endpoint{Name: e.Name, MaxQPS: e.MaxQPS, MaxP95: e.MaxP95})
	}
	if c.HasPlan() {
		// Zero is how a missing count reads; a plan at zero predicts zeros.
		if pl.PeakPV == 0 {
			fail("plan.peak_pv", errors.New("is required and must be > 0: the planned peak in page views per second, e.g. 100 or 200k"))
		}
		if pl.ResourcesPerPage == 0 {
			fail("plan.resources_per_page", errors.New("is required and must be > 0: the static resources one page view pulls, e.g. 30"))
		}
	}
	checkBounds(plan, fail)
	if len(errs) > 0 {
		return plan, errors.Join(errs...)
	}
	if !c.HasPlan() {
		return plan, capacity.ValidateEndpoints(plan.Endpoints)
	}
	return plan, plan.Validate()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
