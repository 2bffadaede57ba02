// Package collectors gathers snapshots. Each data source (a Prometheus-API
// server, direct /metrics scrapes, the local host, the sale-page probe)
// sits behind the small Source interface; the Poller runs them all concurrently under a deadline
// and assembles one snapshot.Snapshot per tick, so a slow or dead source
// never delays or blanks the others. History reads the same signals from
// a Prometheus server's past, in range queries, for backfill and the warm
// start.
package collectors

import (
	"context"
	"log/slog"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Source answers some of a snapshot's signals.
type Source interface {
	// Name is the source's key in a snapshot's health map.
	Name() string
	// Signals lists the addresses (snapshot.Snapshot.Get) it answers, so
	// the poller knows which figures go stale when it fails.
	Signals() []string
	// Collect measures the signals at now (the snapshot's clock: simulated
	// time in the demo). It must return by ctx's deadline. On a partial
	// failure it returns the values it has and an error naming the rest.
	Collect(ctx context.Context, now time.Time) (Result, error)
}

// Result is what one source measured.
type Result struct {
	// Values by signal address; an absent key is not measured this time.
	Values map[string]snapshot.Value
	// Warnings are non-fatal notes (partial results, summed series); the
	// poller cleans them for display.
	Warnings []string
	// Infos are informational notes: the server's (Prometheus' infos) and
	// the source's own (how the scrape interval was found).
	Infos []string
	// Errors holds each failure separately, by what failed: a signal
	// address, a scrape target's URL, or ErrorKeySource. The error Collect
	// returns joins them.
	Errors map[string]string
	// Partial lists signals measured from only part of their data (a
	// scrape target that did not answer).
	Partial []string
	// NewestSample is the real time of the newest sample behind the values,
	// where the source knows it better than "now" (Prometheus).
	NewestSample time.Time
	// RateWindow is what $__rate_interval stood for; ScrapeInterval what it
	// was derived from. Zero when unused.
	RateWindow, ScrapeInterval time.Duration
}

// ErrorKeySource keys a failure of a whole source in Result.Errors and
// snapshot.Source.Errors (no answer within the deadline, a panic).
const ErrorKeySource = "source"

// addError records one failure under key.
func (r *Result) addError(key string, err error) {
	if r.Errors == nil {
		r.Errors = make(map[string]string)
	}
	r.Errors[key] = err.Error()
}

// Logged decorates a source so each failed or slow collection is logged;
// logs go to a file, never to the screen.
func Logged(src Source, log *slog.Logger) Source {
	if log == nil {
		return src
	}
	return &loggedSource{Source: src, log: log}
}

type loggedSource struct {
	Source
	log *slog.Logger
}

func (l *loggedSource) Collect(ctx context.Context, now time.Time) (Result, error) {
	start := time.Now()
	res, err := l.Source.Collect(ctx, now)
	took := time.Since(start)
	switch {
	case err != nil:
		l.log.Warn("collect failed", "source", l.Name(), "took", took, "err", err)
	case len(res.Warnings) > 0:
		l.log.Info("collect warnings", "source", l.Name(), "took", took, "warnings", res.Warnings)
	default:
		l.log.Debug("collected", "source", l.Name(), "took", took, "values", len(res.Values))
	}
	return res, err
}
