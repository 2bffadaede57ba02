package config

import "github.com/launchwatch/launchwatch/promql"

// checkPromQL parses a query offline with Prometheus' own parser, its
// Grafana variables (promql.Variables, the table the Prometheus source
// fills them from) standing for values of their kind. The error names an
// unknown variable, or carries the parser's own line:column within the
// query as written.
func checkPromQL(query string) error {
	_, err := promql.Parse(query)
	return err
}
