// Package collectors gathers snapshots. Each data source sits behind the
// small source.Source contract, in a package of its own: a Prometheus-API
// server (prom, with History for backfill and the warm start), direct
// /metrics scrapes (scrape), the local host (host), the sale-page probe
// (probe), and an Alertmanager read back for the team's own alerts and the
// silences over launchwatch's (alertmanager). FromConfig wires them from a
// config; the Poller runs them all concurrently under a deadline and
// assembles one snapshot.Snapshot per tick, so a slow or dead source never
// delays or blanks the others.
package collectors
