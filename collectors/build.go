package collectors

import (
	"fmt"
	"log/slog"

	"github.com/launchwatch/launchwatch/collectors/host"
	"github.com/launchwatch/launchwatch/collectors/probe"
	"github.com/launchwatch/launchwatch/collectors/scrape"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
)

// FromConfig builds the sources a config names. The host source comes
// first, so that host figures a query answers (node_exporter through
// Prometheus) are laid over the local host's in the snapshot.
func FromConfig(cfg *config.Config, log *slog.Logger) ([]source.Source, error) {
	queries := map[string]config.Signal{}
	scrapes := map[string]config.Signal{}
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
		add("endpoints."+e.Name, e.Signal)
	}

	var sources []source.Source
	if h := cfg.Sources.Host; h != nil && h.Enabled {
		src, err := host.New(h)
		if err != nil {
			return nil, fmt.Errorf("sources.host: %w", err)
		}
		sources = append(sources, Logged(src, log))
	}
	if p := cfg.Sources.Prometheus; p != nil && len(queries) > 0 {
		src, err := NewPrometheus(p, queries, PrometheusInterval(cfg.Interval), PrometheusLogger(log))
		if err != nil {
			return nil, fmt.Errorf("sources.prometheus: %w", err)
		}
		sources = append(sources, Logged(src, log))
	}
	if s := cfg.Sources.Scrape; s != nil && len(scrapes) > 0 {
		src, err := scrape.New(s, scrapes)
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
	return sources, nil
}
