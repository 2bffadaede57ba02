package collectors

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/launchwatch/launchwatch/collectors/alertmanager"
	"github.com/launchwatch/launchwatch/collectors/host"
	"github.com/launchwatch/launchwatch/collectors/probe"
	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/collectors/scrape"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// FromConfig builds the sources a config names. The host source comes
// first, so that host figures a query answers (node_exporter through
// Prometheus) are laid over the local host's in the snapshot.
func FromConfig(cfg *config.Config, log *slog.Logger) ([]source.Source, error) {
	queries, scrapes := bySource(cfg)
	var sources []source.Source
	if h := cfg.Sources.Host; h != nil && h.Enabled {
		src, err := host.New(h)
		if err != nil {
			return nil, fmt.Errorf("sources.host: %w", err)
		}
		sources = append(sources, Logged(src, log))
	}
	if p := cfg.Sources.Prometheus; p != nil && len(queries) > 0 {
		src, err := prom.New(p, queries, promOptions(cfg, log)...)
		if err != nil {
			return nil, fmt.Errorf("sources.prometheus: %w", err)
		}
		sources = append(sources, Logged(src, log))
	}
	if s := cfg.Sources.Scrape; s != nil && len(scrapes) > 0 {
		var opts []scrape.Option
		if cfg.Fleet != nil {
			opts = append(opts, scrape.Fleet(cfg.Fleet.Label))
		}
		src, err := scrape.New(s, scrapes, opts...)
		if err != nil {
			return nil, fmt.Errorf("sources.scrape: %w", err)
		}
		sources = append(sources, Logged(src, log))
	}
	if pb := cfg.Sources.Probe; pb != nil {
		src, err := probe.New(pb)
		if err != nil {
			return nil, fmt.Errorf("sources.probe: %w", err)
		}
		sources = append(sources, Logged(src, log))
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("%s: no source has anything to answer: set signals, a preset, or enable sources.host or sources.probe", cfg.File)
	}
	// The Alertmanager answers no figure: it is read beside the sources
	// that do, never in place of them.
	if am := cfg.Sources.Alertmanager; am != nil {
		src, err := alertmanager.New(am, cfg.LaunchName())
		if err != nil {
			return nil, fmt.Errorf("sources.alertmanager: %w", err)
		}
		sources = append(sources, Logged(src, log))
	}
	return sources, nil
}

// HistoryFromConfig builds the config's Prometheus source and a History
// over it. notHeld lists, sorted, the signals the config measures some
// other way (the local host read directly, scrape expressions): a
// history has them missing.
func HistoryFromConfig(cfg *config.Config, log *slog.Logger, opts ...prom.HistoryOption) (h *prom.History, notHeld []string, err error) {
	queries, scrapes := bySource(cfg)
	if cfg.Sources.Prometheus == nil || len(queries) == 0 {
		return nil, nil, fmt.Errorf("%s: history needs sources.prometheus and signals answered by its queries", cfg.File)
	}
	notHeld = slices.Collect(maps.Keys(scrapes))
	if hs := cfg.Sources.Host; hs != nil && hs.Enabled {
		for _, sig := range snapshot.HostSignals {
			if _, ok := queries[sig]; !ok && !slices.Contains(notHeld, sig) {
				notHeld = append(notHeld, sig)
			}
		}
	}
	slices.Sort(notHeld)
	p, err := prom.New(cfg.Sources.Prometheus, queries, promOptions(cfg, log)...)
	if err != nil {
		return nil, nil, fmt.Errorf("sources.prometheus: %w", err)
	}
	h, err = prom.NewHistory(p, opts...)
	return h, notHeld, err
}

// promOptions are the Prometheus source's options a config gives: the
// poll interval, the log, and the fleet label when it names a fleet.
func promOptions(cfg *config.Config, log *slog.Logger) []prom.Option {
	opts := []prom.Option{prom.Interval(cfg.Interval), prom.Logger(log)}
	if cfg.Fleet != nil {
		opts = append(opts, prom.Fleet(cfg.Fleet.Label))
	}
	return opts
}

// bySource splits the signals a config names, the endpoints' too, by the
// source that answers them: PromQL queries and scrape expressions, each
// keyed by signal address ("pv", "host.cpu", "endpoints.buy"): the
// signals' own, error_codes among them, each endpoint's rate and its
// latency at "endpoints.NAME.p95".
func bySource(cfg *config.Config) (queries, scrapes map[string]config.Signal) {
	queries, scrapes = map[string]config.Signal{}, map[string]config.Signal{}
	add := func(addr string, s config.Signal) {
		switch {
		case s.Query != "":
			queries[addr] = s
		case s.Scrape != "":
			scrapes[addr] = s
		}
	}
	for addr, s := range cfg.Signals {
		add(addr, s)
	}
	for _, e := range cfg.Endpoints {
		add(snapshot.EndpointPrefix+e.Name, e.Signal)
		if e.Latency != nil {
			add(snapshot.EndpointP95Signal(e.Name), *e.Latency)
		}
	}
	return queries, scrapes
}
