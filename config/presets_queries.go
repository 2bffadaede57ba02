package config

// PresetQueries returns a preset's PromQL queries by signal address, with
// its endpoint query built for an endpoint named endpoint at
// "endpoints.NAME" when the preset has one; false for an unknown preset.
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
	return out, true
}
