// Package alerts sends problems out of the screen as they open, escalate
// and resolve: to a command run with the problem as JSON on standard input, or
// to a webhook POSTed the same JSON with a Slack-compatible "text" field.
//
//	frames ──> Dispatcher.Observe ──> per sink: severity filter, dedup ──> queue ──> workers ──> Send
//
// The Dispatcher watches every frame's problems (a pipeline frame sink
// feeds it, so no frame is skipped) and fires once when a problem opens
// and once when it resolves, with how long it lasted: one open alert per
// kind and subject until it resolves, whatever its message does in
// between. A problem that grows more severe than a sink was told (warn to
// crit) fires once more, as escalated; falling back and rising again does
// not repeat it. A sink that only takes critical problems fires when a
// problem first reaches crit.
//
// Observe never waits on a sink. Each sink has a bounded queue and a few
// workers; a full queue drops the alert and counts it. Commands run under a
// timeout and are killed with their process group when it passes;
// webhooks retry network errors, 429 and 5xx with a doubling backoff.
// Every failure is logged and counted in Status, so a sink that fails is
// never silent: the screen shows it.
//
// The package knows nothing of pipelines or screens: it imports events
// (the problems) and snapshot (CleanText) only.
package alerts
