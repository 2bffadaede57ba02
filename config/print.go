package config

import (
	"go.yaml.in/yaml/v3"
)

// YAML renders the effective config, defaults filled in and presets
// expanded. Secrets (passwords, bearer tokens) come out as "<secret>":
// prometheus/common's Secret type redacts itself when marshalled.
func (c *Config) YAML() ([]byte, error) {
	return yaml.Marshal(c)
}
