// Package pipeline is launchwatch's one loop. It takes snapshots from a
// producer on the producer's clock, holds each against the capacity plan,
// detects events once, and publishes a Frame to every subscriber: the
// screen, the recorder, and any number of other screens.
//
//	producer ──> Pipeline ──> Frame ──> subscribers (latest frame, skips counted)
//	                      ├─> every snapshot ──> sinks (the recorder: nothing skipped)
//	                      └─> every new frame ──> frame sinks (alerts: nothing skipped)
//
// A live producer (the poller, the demo's simulator) is polled on a tick
// under a deadline; a tick that finds the last poll still running is
// skipped, never stacked. A Player (a recording played back) paces itself
// and hands the loop what is due, and may ask for a rebuild when its
// position jumps. A live pipeline may start warm: history read before the
// first poll (up to WarmTimeout) is derived first, so the first frame's
// charts and events already hold what came before.
//
// The package knows nothing of where snapshots come from or who draws
// them: it imports neither collectors nor tui.
package pipeline
