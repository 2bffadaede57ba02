// Package promql is PromQL as launchwatch speaks it: the Grafana variables
// a query may carry (one table, which config validation and the Prometheus
// source both read), Prometheus' own parser with the options the servers
// run, and the metric names a query reads.
package promql

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Grafana's variables in queries, filled the way Grafana fills them, so a
// query copied from a dashboard means here what it means there:
//
//	$__interval       the step: for a poll, the poll interval
//	$__rate_interval  max($__interval + scrape interval, 4 x scrape interval):
//	                  the shortest window that still holds enough samples
//	$__range          the query's range: for an instant query polled every
//	                  interval, the poll interval (what one poll covers)
//
// with the _ms and _s forms as integers, and ${__name} spelled with braces.
// A query without variables is sent as written.

// Vars are the values one evaluation's variables stand for.
type Vars struct {
	// Interval is $__interval: the poll interval, or a range query's step
	// when that is longer.
	Interval time.Duration
	// Scrape is the scrape interval, configured or detected; only
	// $__rate_interval reads it.
	Scrape time.Duration
}

// RateInterval is Grafana's $__rate_interval.
func (v Vars) RateInterval() time.Duration {
	return max(v.Interval+v.Scrape, 4*v.Scrape)
}

// Variable is one of Grafana's variables.
type Variable struct {
	// Name is the variable without "$__": "rate_interval_ms".
	Name string
	// Unit is zero for a PromQL duration ("4s"), else the unit of the
	// integer it stands for: time.Millisecond for the _ms forms,
	// time.Second for $__range_s.
	Unit time.Duration
	// Rate says it reads the scrape interval: the source must know it.
	Rate bool
}

// Variables is every Grafana variable, in the order errors list them.
var Variables = []Variable{
	{Name: "interval"},
	{Name: "interval_ms", Unit: time.Millisecond},
	{Name: "rate_interval", Rate: true},
	{Name: "rate_interval_ms", Unit: time.Millisecond, Rate: true},
	{Name: "range"},
	{Name: "range_s", Unit: time.Second},
	{Name: "range_ms", Unit: time.Millisecond},
}

// Lookup returns the variable of a name (without "$__").
func Lookup(name string) (Variable, bool) {
	for _, v := range Variables {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

// Of returns the duration the variable stands for.
func (x Variable) Of(v Vars) time.Duration {
	if x.Rate {
		return v.RateInterval()
	}
	return v.Interval // $__interval and $__range: what one poll covers
}

// Value returns the text the variable is replaced by: a PromQL duration,
// or an integer of its unit (rounded, as Grafana rounds $__range_s).
func (x Variable) Value(v Vars) string {
	d := x.Of(v)
	if x.Unit == 0 {
		return FormatDuration(d)
	}
	return strconv.FormatInt(int64(math.Round(float64(d)/float64(x.Unit))), 10)
}

// known lists the variables for errors.
var known = func() string {
	names := make([]string, len(Variables))
	for i, v := range Variables {
		names[i] = "$__" + v.Name
	}
	return strings.Join(names, ", ")
}()

// varPattern finds $__name and ${__name}.
var varPattern = regexp.MustCompile(`\$(?:__([A-Za-z_]+)|\{__([A-Za-z_]+)\})`)

// UnknownVariableError names the variables a query carries that Grafana
// does not have.
type UnknownVariableError struct {
	// Written are the variables as the query spells them: "$__rate_intervall".
	Written []string
}

func (e *UnknownVariableError) Error() string {
	return fmt.Sprintf("unknown variable %s; known: %s", strings.Join(e.Written, ", "), known)
}

// replace calls fill with every variable a query carries, written as
// written, and replaces it with what fill returns. A variable not in the
// table is left as written and named in the error.
func replace(q string, fill func(x Variable, written string) string) (string, error) {
	var bad []string
	out := varPattern.ReplaceAllStringFunc(q, func(m string) string {
		sub := varPattern.FindStringSubmatch(m)
		x, ok := Lookup(sub[1] + sub[2])
		if !ok {
			bad = append(bad, m)
			return m
		}
		return fill(x, m)
	})
	if len(bad) > 0 {
		return "", &UnknownVariableError{Written: bad}
	}
	return out, nil
}

// Expand fills a query's variables with what they stand for.
func Expand(q string, v Vars) (string, error) {
	return replace(q, func(x Variable, _ string) string { return x.Value(v) })
}

// UsesRateInterval reports whether a query needs the scrape interval.
func UsesRateInterval(q string) bool {
	for _, m := range varPattern.FindAllStringSubmatch(q, -1) {
		if x, ok := Lookup(m[1] + m[2]); ok && x.Rate {
			return true
		}
	}
	return false
}

// FormatDuration formats a duration as PromQL reads it: whole seconds as
// "4s", anything finer in milliseconds ("1500ms"). Never zero: a zero range
// is a PromQL error, and a window under a millisecond holds nothing.
func FormatDuration(d time.Duration) string {
	if d < time.Millisecond {
		d = time.Millisecond
	}
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}
