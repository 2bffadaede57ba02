// Package examples holds the example configs; the demo's config is
// embedded from here, so `launchwatch demo` needs no file on disk and the
// file users read is the one the demo runs.
package examples

import _ "embed"

// Demo is examples/demo.yaml.
//
//go:embed demo.yaml
var Demo []byte

// DemoName is how errors in the embedded demo config name it.
const DemoName = "examples/demo.yaml (embedded)"
