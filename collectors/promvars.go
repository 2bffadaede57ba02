package collectors

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Grafana's variables in queries, filled the way Grafana fills them, so a
// query copied from a dashboard means here what it means there:
//
//	$__interval       the step: here the poll interval
//	$__rate_interval  max($__interval + scrape interval, 4 x scrape interval):
//	                  the shortest window that still holds enough samples
//	$__range          the query's range: for an instant query polled every
//	                  interval, the poll interval (what one poll covers)
//
// with the _ms (and $__range_s) forms as integers, and ${__name} spelled
// with braces. A query without variables is sent as written.

// promDefaultScrape is the scrape interval assumed when none is configured
// and none can be detected yet: Grafana's default for a Prometheus data
// source. It errs on the side of a wider window (still correct, only
// slower), and the source says so in an info.
const promDefaultScrape = 15 * time.Second

// promDetectWindow is how far back the detection reads raw samples: enough
// for three gaps at a 15 s scrape interval, few samples at 1 s.
const promDetectWindow = time.Minute

// promDetectNames bounds how many metric names one detection tries.
const promDetectNames = 3

// promVarPattern finds $__name and ${__name}.
var promVarPattern = regexp.MustCompile(`\$(?:__([A-Za-z_]+)|\{__([A-Za-z_]+)\})`)

// promVars are the values a poll's variables stand for.
type promVars struct {
	interval time.Duration // the poll interval
	scrape   time.Duration // the scrape interval, configured or detected
}

// rateInterval is Grafana's $__rate_interval.
func (v promVars) rateInterval() time.Duration {
	return max(v.interval+v.scrape, 4*v.scrape)
}

// value returns what a variable stands for, or false for an unknown name.
func (v promVars) value(name string) (string, bool) {
	switch name {
	case "interval":
		return promDuration(v.interval), true
	case "interval_ms":
		return strconv.FormatInt(v.interval.Milliseconds(), 10), true
	case "rate_interval":
		return promDuration(v.rateInterval()), true
	case "rate_interval_ms":
		return strconv.FormatInt(v.rateInterval().Milliseconds(), 10), true
	case "range":
		return promDuration(v.interval), true
	case "range_s":
		return strconv.FormatInt(int64(math.Round(v.interval.Seconds())), 10), true
	case "range_ms":
		return strconv.FormatInt(v.interval.Milliseconds(), 10), true
	}
	return "", false
}

// promVarNames lists the variables known, for errors.
const promVarNames = "$__interval, $__interval_ms, $__rate_interval, $__rate_interval_ms, $__range, $__range_s, $__range_ms"

// promDuration formats a duration as PromQL reads it: whole seconds as
// "4s", anything finer in milliseconds ("1500ms"). Never zero: a zero range
// is a PromQL error, and a window under a millisecond holds nothing.
func promDuration(d time.Duration) string {
	if d < time.Millisecond {
		d = time.Millisecond
	}
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

// promExpand fills a query's variables.
func promExpand(q string, v promVars) (string, error) {
	var bad []string
	out := promVarPattern.ReplaceAllStringFunc(q, func(m string) string {
		sub := promVarPattern.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		val, ok := v.value(name)
		if !ok {
			bad = append(bad, m)
			return m
		}
		return val
	})
	if len(bad) > 0 {
		return "", fmt.Errorf("unknown variable %s; known: %s", strings.Join(bad, ", "), promVarNames)
	}
	return out, nil
}

// promUsesRateInterval reports whether a query needs the scrape interval.
func promUsesRateInterval(q string) bool {
	for _, m := range promVarPattern.FindAllStringSubmatch(q, -1) {
		if strings.HasPrefix(m[1]+m[2], "rate_interval") {
			return true
		}
	}
	return false
}

// promMetricNames returns the metric names a PromQL query reads, in order
// of first appearance: the identifiers that are neither functions,
// aggregations, keywords nor label names, skipping strings, label matchers,
// ranges and grouping lists. It is a scanner, not a parser: good enough to
// ask the server about those metrics' samples; a name it misses only makes
// a detection or a sample time less informed, never a value wrong.
func promMetricNames(q string) []string {
	var names []string
	isStart := func(c byte) bool { return c == '_' || c == ':' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
	isPart := func(c byte) bool { return isStart(c) || (c >= '0' && c <= '9') }
	nextNonSpace := func(i int) byte {
		for ; i < len(q); i++ {
			if q[i] != ' ' && q[i] != '\t' && q[i] != '\n' && q[i] != '\r' {
				return q[i]
			}
		}
		return 0
	}
	// skipTo returns the index past the bracket closing the one at i,
	// skipping quoted strings inside.
	skipTo := func(i int, open, closing byte) int {
		depth := 0
		for ; i < len(q); i++ {
			switch c := q[i]; c {
			case '"', '\'', '`':
				i = promSkipString(q, i) - 1
			case open:
				depth++
			case closing:
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(q)
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = promSkipString(q, i)
		case c == '#':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '{':
			i = skipTo(i, '{', '}')
		case c == '[':
			i = skipTo(i, '[', ']')
		case c >= '0' && c <= '9', c == '.':
			for i < len(q) && (isPart(q[i]) || q[i] == '.') {
				i++
			}
		case isStart(c):
			j := i
			for j < len(q) && isPart(q[j]) {
				j++
			}
			word := q[i:j]
			i = j
			lower := strings.ToLower(word)
			next := nextNonSpace(j)
			switch {
			case promGrouping[lower]:
				if next == '(' {
					i = skipTo(strings.IndexByte(q[j:], '(')+j, '(', ')')
				}
			case next == '(' || promKeywords[lower]:
			default:
				if !slices.Contains(names, word) {
					names = append(names, word)
				}
			}
		default:
			i++
		}
	}
	return names
}

// promSkipString returns the index past the quoted string starting at i.
func promSkipString(q string, i int) int {
	quote := q[i]
	for i++; i < len(q); i++ {
		switch {
		case q[i] == '\\' && quote != '`':
			i++
		case q[i] == quote:
			return i + 1
		}
	}
	return len(q)
}

// promGrouping are the keywords followed by a list of label names.
var promGrouping = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// promKeywords are the other words that are not metric names: operators,
// and the aggregations, which may be followed by "by (…)" rather than "(".
var promKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "bool": true, "offset": true, "atan2": true,
	"inf": true, "nan": true,
	"sum": true, "avg": true, "min": true, "max": true, "count": true, "group": true, "stddev": true,
	"stdvar": true, "topk": true, "bottomk": true, "quantile": true, "count_values": true,
	"limitk": true, "limit_ratio": true,
}

// promMedianGap returns the median gap between consecutive samples of the
// series in a matrix, and how many gaps it saw.
func promMedianGap(m model.Matrix) (time.Duration, int) {
	var gaps []int64
	for _, s := range m {
		for i := 1; i < len(s.Values); i++ {
			if g := int64(s.Values[i].Timestamp - s.Values[i-1].Timestamp); g > 0 {
				gaps = append(gaps, g)
			}
		}
	}
	if len(gaps) == 0 {
		return 0, 0
	}
	slices.Sort(gaps)
	return time.Duration(gaps[len(gaps)/2]) * time.Millisecond, len(gaps)
}

// promScrapeState is what the source knows of the server's scrape interval.
type promScrapeState struct {
	interval time.Duration
	how      string // "configured", "detected from …"
}

// scrapeInterval returns the scrape interval for a poll evaluated at at:
// the configured one, else the one detected earlier, else a detection now
// (tried on every poll until it succeeds), else promDefaultScrape with an
// info saying so.
func (p *Prometheus) scrapeInterval(ctx context.Context, at time.Time) (time.Duration, string) {
	if p.scrapeCfg > 0 {
		return p.scrapeCfg, ""
	}
	p.mu.Lock()
	known := p.scrape
	p.mu.Unlock()
	if known.interval > 0 {
		return known.interval, ""
	}
	d, how, err := p.detectScrape(ctx, at)
	if err != nil {
		p.log.Warn("scrape interval not detected", "source", p.Name(), "assumed", promDefaultScrape, "err", err)
		return promDefaultScrape, fmt.Sprintf("scrape interval not detected (%v): assuming %s, Grafana's default, so $__rate_interval is %s; set sources.prometheus.scrape_interval",
			err, promDefaultScrape, promDuration(promVars{interval: p.interval, scrape: promDefaultScrape}.rateInterval()))
	}
	p.mu.Lock()
	p.scrape = promScrapeState{interval: d, how: how}
	p.mu.Unlock()
	p.log.Info("scrape interval detected", "source", p.Name(), "scrape_interval", d, "how", how,
		"rate_interval", promVars{interval: p.interval, scrape: d}.rateInterval())
	return d, ""
}

// DetectScrapeInterval returns the scrape interval the source uses and how
// it was found: the configured one, or one detected from the server now.
// It is for `config check --online`; polls detect on their own.
func (p *Prometheus) DetectScrapeInterval(ctx context.Context) (time.Duration, string, error) {
	if p.scrapeCfg > 0 {
		return p.scrapeCfg, "configured (sources.prometheus.scrape_interval)", nil
	}
	return p.detectScrape(ctx, p.wall().Add(-p.offset))
}

// detectScrape reads the raw samples of the last minute of the metrics the
// queries read (an instant query of a range selector, which Prometheus,
// VictoriaMetrics, Thanos and Mimir all answer with raw samples) and takes
// the median gap between them: the interval these very series are scraped
// at, whatever the server's other jobs use. It needs a few samples, so a
// server that only just started is not detected yet.
func (p *Prometheus) detectScrape(ctx context.Context, at time.Time) (time.Duration, string, error) {
	if len(p.metrics) == 0 {
		return 0, "", fmt.Errorf("no metric name found in the queries")
	}
	var errs []string
	for _, name := range p.metrics[:min(len(p.metrics), promDetectNames)] {
		qctx, cancel := context.WithTimeout(ctx, p.timeout/2)
		ans, err := p.api.query(qctx, name+"["+promDuration(promDetectWindow)+"]", at)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %s", name, p.describe(ctx, qctx, ans, err)))
			continue
		}
		m, ok := ans.value.(model.Matrix)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: no raw samples in the answer", name))
			continue
		}
		gap, n := promMedianGap(m)
		if n < 2 {
			errs = append(errs, fmt.Sprintf("%s: %d samples in the last %s", name, n+len(m), promDuration(promDetectWindow)))
			continue
		}
		gap = gap.Round(10 * time.Millisecond)
		return gap, fmt.Sprintf("detected: median gap of %d samples of %s", n+1, name), nil
	}
	return 0, "", fmt.Errorf("%s", strings.Join(errs, "; "))
}

// promNewestLabel tells apart, in promNewestQuery, the newest sample time
// of each metric. Its value is the metric's place in the list, which needs
// no escaping; the outer max() drops it again.
const promNewestLabel = "launchwatch_metric"

// promNewestQuery asks, in one query, for the newest sample's own time
// among the series of the given metrics.
//
// timestamp() gives a sample's own time only of a plain selector: of
// anything else (label_replace, an aggregation, a subquery) Prometheus
// gives the evaluation time and VictoriaMetrics nothing. And it drops the
// metric name, so one selector for all the metrics,
// max(timestamp({__name__=~"a|b"})), fails on Prometheus ("vector cannot
// contain metrics with the same labelset") as soon as two of them share a
// label set, as the metrics of one target do. So each metric is taken on
// its own and reduced to one time, labelled with its place, and the terms
// are joined with "or". Unlabelled, "or" would keep only the first term,
// all of them having the empty label set; labelled before the reduction,
// two series differing only in that label would collide. Measured on
// Prometheus 2.42 and VictoriaMetrics, which both answer this form with
// the newest time, instant and range queries alike.
//
// Names are matched as exact strings, never as a regular expression.
func promNewestQuery(metrics []string) string {
	if len(metrics) == 1 {
		return "max(timestamp(" + promNameSelector(metrics[0]) + "))"
	}
	terms := make([]string, len(metrics))
	for i, m := range metrics {
		terms[i] = fmt.Sprintf(`label_replace(max(timestamp(%s)), "%s", "%d", "", "")`, promNameSelector(m), promNewestLabel, i)
	}
	return "max(" + strings.Join(terms, " or ") + ")"
}

// promNameSelector selects a metric by its exact name. The {__name__="…"}
// form takes any name, including a word PromQL reads as a keyword and a
// UTF-8 name with dots or quotes; Go's quoting is PromQL's string syntax.
func promNameSelector(name string) string {
	return "{__name__=" + strconv.Quote(name) + "}"
}
