package config

import (
	"fmt"

	"github.com/launchwatch/launchwatch/capacity"
	"go.yaml.in/yaml/v3"
)

// Count is a plan's count (page views per second, resources, connections,
// units of stock) as written: a number, or one with k, M or G ("200k",
// "1.5M"), read by capacity.ParseCount.
type Count float64

// UnmarshalYAML reads a count, placing a bad one on its line.
func (c *Count) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: must be a count such as 200000, 200k or 1.5M", n.Line)}}
	}
	v, err := capacity.ParseCount(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*c = Count(v)
	return nil
}
