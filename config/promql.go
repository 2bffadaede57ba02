package config

import (
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

// promql is Prometheus' own parser, so a query is checked against the
// language the servers speak (Thanos and Mimir embed the same parser).
// Experimental functions and fill modifiers are let through: a server may
// have them switched on, and refusing a query the server accepts would
// stop watch for nothing.
var promql = parser.NewParser(parser.Options{
	EnableExperimentalFunctions: true,
	EnableBinopFillModifiers:    true,
})

// grafanaVars puts a duration where a query carries one of the Grafana
// variables the Prometheus source fills in at poll time. Each stands in
// padded with zeros to the variable's own length ("$__range" becomes
// "0000001m"), so the columns in a parse error still point into the query
// as written.
var grafanaVars = func() *strings.Replacer {
	var pairs []string
	for _, v := range []string{"$__rate_interval", "${__rate_interval}", "$__interval", "${__interval}", "$__range", "${__range}"} {
		pairs = append(pairs, v, strings.Repeat("0", len(v)-2)+"1m")
	}
	return strings.NewReplacer(pairs...)
}()

// checkPromQL parses a query offline. The error carries the parser's own
// line:column within the query.
func checkPromQL(query string) error {
	_, err := promql.ParseExpr(grafanaVars.Replace(query))
	return err
}
