// Package launch starts the watch of a launch from its config, one way
// for every command that watches (watch, demo, serve, record): the log,
// the sources and their poller, the history for a warm start, the
// pipeline, the alert sinks and the recording, in that order (Start), and
// closes what it opened once the pipeline has stopped (Watch.Close).
//
// It also writes a launch into a recording's header (Header: the plan and
// thresholds it is held against, the config with secrets redacted) and
// reads them back (PlanOf), so a replay, an export and a report hold
// every snapshot against what the live watch held it against.
//
// What the commands print about a watch (where the recording is, which
// alerts failed) is theirs: this package returns the figures.
package launch
