// Package alerts sends problems out of the screen as they open, escalate,
// are acknowledged and resolve: to a command run with the problem as JSON
// on standard input, to a webhook POSTed a body in its format (the same
// JSON, PagerDuty's Events API v2, Slack's blocks; format.go), and to
// Alertmanagers, which are told what stands rather than what changed.
//
//	frames ──> Dispatcher.Observe ──> per sink: severity filter, dedup ──> queue ──> workers ──> Send
//	                             └──> Alertmanagers: every standing problem, again every resend
//
// The Dispatcher watches every frame's problems (a pipeline frame sink
// feeds it, so no frame is skipped) and fires once when a problem opens
// and once when it resolves, with how long it lasted: one open alert per
// kind and subject until it resolves, whatever its message does in
// between. A problem that grows more severe than a sink was told (warn to
// crit) fires once more, as escalated; falling back and rising again does
// not repeat it. A sink that only takes critical problems fires when a
// problem first reaches crit. A problem a person acknowledges (on any
// screen: events.Problem.Ack) fires once more, as acknowledged, on each
// sink that has it open.
//
// An Alertmanager (alertmanager.go) is posted every standing problem at
// once when it changes and again every resend, each post saying it ends
// four resends later, so a watcher that stops leaves nothing open past
// that; a resolved problem is posted ended. An acknowledgement becomes a
// silence on the first Alertmanager that takes it, removed when the
// problem resolves.
//
// Observe never waits on a sink. Each sink has a bounded queue and a few
// workers; a full queue drops its oldest waiting alert and counts it lost.
// Commands run under a timeout and are killed when it passes with every
// process they started, in a cgroup of their own on Linux, else in their
// process group (see Command). Webhooks retry network errors, 429
// and 5xx with a doubling backoff; routed with Hold, an alert whose
// retries run out stays at the head of its queue and is sent again, every
// 30 s at most, until the receiver answers, so the alerts behind it arrive
// in order; one the receiver refuses (another 4xx) is given up. With a
// QueueFile the queue is kept on disk too (queuefile.go): what waits at
// exit or at a crash is sent first by the next Dispatcher given the file.
// Every alert carries a dedup_key, the same on every attempt to send it,
// so a receiver that answered after the timeout can drop the repeats.
// Every failure is logged and counted in Status, so a sink that fails is
// never silent: the screen shows it, and Lost says what never arrived.
//
// The package knows nothing of pipelines or screens: it imports events
// (the problems) and snapshot (CleanText) only.
package alerts
