package config

import (
	"maps"

	"github.com/launchwatch/launchwatch/snapshot"
)

// PresetQueries returns a preset's PromQL queries by signal address, with
// its endpoint query built for an endpoint named endpoint at
// "endpoints.NAME" and its p95 at "endpoints.NAME.p95" when the preset has
// them; false for an unknown preset.
// Tests walk every preset's queries through it (the fleet rewrite must
// take each one).
func PresetQueries(name, endpoint string) (map[string]string, bool) {
	p, ok := presets[name]
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(p.signals)+1)
	for addr, s := range p.signals {
		if s.Query != "" {
			out[addr] = s.Query
		}
	}
	if p.endpoint != nil {
		if s := p.endpoint(endpoint); s.Query != "" {
			out["endpoints."+endpoint] = s.Query
		}
	}
	if p.endpointLatency != nil {
		if s := p.endpointLatency(endpoint); s.Query != "" {
			out[snapshot.EndpointP95Signal(endpoint)] = s.Query
		}
	}
	return out, true
}

// PresetSignals returns a copy of a preset's signals by address, each with
// its PromQL query and, where the preset has one, its scrape expression;
// false for an unknown preset. `launchwatch init` writes them out, so a
// config it writes reads the same metrics the preset would.
func PresetSignals(name string) (map[string]Signal, bool) {
	p, ok := presets[name]
	if !ok {
		return nil, false
	}
	return maps.Clone(p.signals), true
}

// PresetEndpoint returns the signals a preset reads an endpoint named name
// by (its rate, and its p95 when the preset has one; nil otherwise), in
// both forms; false when the preset reads no endpoint by name.
func PresetEndpoint(preset, name string) (Signal, *Signal, bool) {
	p, ok := presets[preset]
	if !ok || p.endpoint == nil {
		return Signal{}, nil, false
	}
	var latency *Signal
	if p.endpointLatency != nil {
		l := p.endpointLatency(name)
		latency = &l
	}
	return p.endpoint(name), latency, true
}
