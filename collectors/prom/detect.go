package prom

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/promql"
)

// What the source learns from the server itself: the scrape interval that
// $__rate_interval reads (Grafana's variables are package promql's table),
// the metrics a query reads that the server does not know, and the newest
// sample's own time.

// DefaultScrapeInterval is the scrape interval assumed when none is configured
// and none can be detected yet: Grafana's default for a Prometheus data
// source. It errs on the side of a wider window (still correct, only
// slower), and the source says so in an info.
const DefaultScrapeInterval = 15 * time.Second

// detectWindow is how far back the detection reads raw samples: enough
// for three gaps at a 15 s scrape interval, few samples at 1 s.
const detectWindow = time.Minute

// detectNames bounds how many metric names one detection tries.
const detectNames = 3

// medianGap returns the median gap between consecutive samples of the
// series in a matrix, and how many gaps it saw.
func medianGap(m model.Matrix) (time.Duration, int) {
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

// scrapeState is what the source knows of the server's scrape interval.
type scrapeState struct {
	interval time.Duration
	how      string // "configured", "detected from …"
}

// scrapeInterval returns the scrape interval for a poll evaluated at at:
// the configured one, else the one detected earlier, else a detection now
// (tried on every poll until it succeeds), else DefaultScrapeInterval with an
// info saying so.
func (p *Source) scrapeInterval(ctx context.Context, at time.Time) (time.Duration, string) {
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
		p.log.Warn("scrape interval not detected", "source", p.Name(), "assumed", DefaultScrapeInterval, "err", err)
		return DefaultScrapeInterval, fmt.Sprintf("scrape interval not detected (%v): assuming %s, Grafana's default, so $__rate_interval is %s; set sources.prometheus.scrape_interval",
			err, DefaultScrapeInterval, promql.FormatDuration(promql.Vars{Interval: p.interval, Scrape: DefaultScrapeInterval}.RateInterval()))
	}
	p.mu.Lock()
	p.scrape = scrapeState{interval: d, how: how}
	p.mu.Unlock()
	p.log.Info("scrape interval detected", "source", p.Name(), "scrape_interval", d, "how", how,
		"rate_interval", promql.Vars{Interval: p.interval, Scrape: d}.RateInterval())
	return d, ""
}

// DetectScrapeInterval returns the scrape interval the source uses and how
// it was found: the configured one, or one detected from the server now.
// It is for `config check --online`; polls detect on their own.
func (p *Source) DetectScrapeInterval(ctx context.Context) (time.Duration, string, error) {
	if p.scrapeCfg > 0 {
		return p.scrapeCfg, "configured (sources.prometheus.scrape_interval)", nil
	}
	return p.detectScrape(ctx, p.wall().Add(-p.offset))
}

// UsesRateInterval reports whether some query uses $__rate_interval, and
// so needs the scrape interval.
func (p *Source) UsesRateInterval() bool { return p.usesRate }

// RateWindow is what $__rate_interval stands for at a scrape interval.
func (p *Source) RateWindow(scrape time.Duration) time.Duration {
	return promql.Vars{Interval: p.interval, Scrape: scrape}.RateInterval()
}

// UnknownMetrics returns the metrics a signal's query reads that the
// server has no series of at all: the usual cause of an empty result, which
// `config check --online` names.
func (p *Source) UnknownMetrics(ctx context.Context, addr string) []string {
	var unknown []string
	for _, m := range promql.MetricNames(p.signals[addr].Query) {
		qctx, cancel := context.WithTimeout(ctx, p.timeout)
		ans, err := p.api.query(qctx, "count("+m+")", p.wall().Add(-p.offset))
		cancel()
		if v, ok := ans.value.(model.Vector); err == nil && ok && len(v) == 0 {
			unknown = append(unknown, m)
		}
	}
	return unknown
}

// detectScrape reads the raw samples of the last minute of the metrics the
// queries read (an instant query of a range selector, which Prometheus,
// VictoriaMetrics, Thanos and Mimir all answer with raw samples) and takes
// the median gap between them: the interval these very series are scraped
// at, whatever the server's other jobs use. It needs a few samples, so a
// server that only just started is not detected yet.
func (p *Source) detectScrape(ctx context.Context, at time.Time) (time.Duration, string, error) {
	if len(p.metrics) == 0 {
		return 0, "", fmt.Errorf("no metric name found in the queries")
	}
	var errs []string
	for _, name := range p.metrics[:min(len(p.metrics), detectNames)] {
		qctx, cancel := context.WithTimeout(ctx, p.timeout/2)
		ans, err := p.api.query(qctx, name+"["+promql.FormatDuration(detectWindow)+"]", at)
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
		gap, n := medianGap(m)
		if n < 2 {
			errs = append(errs, fmt.Sprintf("%s: %d samples in the last %s", name, n+len(m), promql.FormatDuration(detectWindow)))
			continue
		}
		gap = gap.Round(10 * time.Millisecond)
		return gap, fmt.Sprintf("detected: median gap of %d samples of %s", n+1, name), nil
	}
	return 0, "", fmt.Errorf("%s", strings.Join(errs, "; "))
}

// newestLabel tells apart, in newestQuery, the newest sample time
// of each metric. Its value is the metric's place in the list, which needs
// no escaping; the outer max() drops it again.
const newestLabel = "launchwatch_metric"

// newestQuery asks, in one query, for the newest sample's own time
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
func newestQuery(metrics []string) string {
	if len(metrics) == 1 {
		return "max(timestamp(" + nameSelector(metrics[0]) + "))"
	}
	terms := make([]string, len(metrics))
	for i, m := range metrics {
		terms[i] = fmt.Sprintf(`label_replace(max(timestamp(%s)), "%s", "%d", "", "")`, nameSelector(m), newestLabel, i)
	}
	return "max(" + strings.Join(terms, " or ") + ")"
}

// nameSelector selects a metric by its exact name. The {__name__="…"}
// form takes any name, including a word PromQL reads as a keyword and a
// UTF-8 name with dots or quotes; Go's quoting is PromQL's string syntax.
func nameSelector(name string) string {
	return "{__name__=" + strconv.Quote(name) + "}"
}
