// Package discover finds what a shop's monitoring already holds and writes
// a launchwatch.yaml from it: `launchwatch init`.
//
// It reads a catalog (the metric names, a few series' labels, the scrape
// interval, the targets up by job and the network devices' traffic) from a
// Prometheus-API server (ReadPrometheus) or from /metrics endpoints read
// directly (ReadScrape), matches the catalog against one table of
// detectors (an exporter, the marker metrics that betray it, the preset
// whose queries it answers), picks each signal from the best source found
// (Detect), and renders a commented config from a template (Render). A
// signal no detector answers is a commented line saying what to add and
// why.
package discover
