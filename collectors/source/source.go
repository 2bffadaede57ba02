// Package source is the contract every collector meets. A Source answers
// some of a snapshot's signals with a Result; a Tracker lays one source's
// results into snapshots, carrying its last good values while it fails,
// the one way the poller and a Prometheus history both do.
package source

import (
	"context"
	"fmt"
	"strings"
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

// Unanswerable is met by a source that lists a signal no value can
// exist for under its config (the probe's CDN share without cdn_hosts):
// the signal stays listed, for the screen and the recording to show it
// missing, and a check of the config takes its missing value for a note,
// not a problem.
type Unanswerable interface {
	// Unanswerable maps each such signal's address to why it has no value.
	Unanswerable() map[string]string
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
	// address, a scrape target's URL, or ErrorKey. The error Collect
	// returns joins them.
	Errors map[string]string
	// Partial lists signals measured from only part of their data (a
	// scrape target that did not answer).
	Partial []string
	// NewestSample is the real time of the newest sample behind the values,
	// where the source knows it better than "now" (Prometheus).
	NewestSample time.Time
	// Fleet holds each server's figures by server name (the fleet label's
	// value) when the config names a fleet; nil when the source answers
	// none. A server's figures the source does not answer are missing.
	Fleet map[string]snapshot.Server
	// ErrorCodes is the error rate's breakdown, failed requests per second
	// by code, when signals.error_codes is the source's; nil otherwise.
	ErrorCodes map[string]snapshot.Value
	// RateWindow is what $__rate_interval stood for; ScrapeInterval what it
	// was derived from. Zero when unused.
	RateWindow, ScrapeInterval time.Duration
	// TeamAlerts are the team's own alerts an Alertmanager holds, and
	// Silences the silences over launchwatch's problems by problem key:
	// the alertmanager source's answer; nil from every other source.
	TeamAlerts []snapshot.TeamAlert
	Silences   map[string]snapshot.Silence
}

// ErrorKey keys a failure of a whole source in Result.Errors and
// snapshot.Source.Errors (no answer within the deadline, a panic).
const ErrorKey = "source"

// AddError records one failure under key.
func (r *Result) AddError(key string, err error) {
	if r.Errors == nil {
		r.Errors = make(map[string]string)
	}
	r.Errors[key] = err.Error()
}

// MaxDetail caps each separate error or note a source passes on:
// generous, so a server's whole message can be read, yet bounded.
const MaxDetail = 2000

// PlaceError names where a signal's bad query or expression is written,
// "lw.yaml:7: signals.pv.query: …": place is its position in the config
// (empty when not known), addr the signal's address, key its field.
func PlaceError(place, addr, key string, err error) error {
	field := "signals." + addr + "." + key
	if strings.HasPrefix(addr, "endpoints.") {
		field = addr + "." + key
	}
	if place != "" {
		return fmt.Errorf("%s: %s: %w", place, field, err)
	}
	return fmt.Errorf("%s: %w", field, err)
}
