// Package capacity holds the launch's capacity plan and holds live snapshots
// against it.
//
// The plan is the three formulas of the launch-operations story:
//
//	bandwidth   = PV/s × resources per page × average resource size
//	connections = bandwidth / average client download speed
//	memory      = connections × memory per connection
//
// Bandwidth, connections and memory are hard to reproduce in a load test but
// follow from real PV, so the plan predicts them at the PV seen now and at
// the planned peak, and Assess sets those predictions beside what is
// measured, the limits, the dynamic endpoints' ceilings and the stock.
//
// The package is pure arithmetic: no IO, no configuration format and no
// terminal library. It imports only the standard library and snapshot, so
// the TUI, the report and `--once --json` all get the same numbers.
//
// Every division is guarded: nothing here returns NaN or ±Inf, and a figure
// that cannot be known is a missing snapshot.Value, never a zero.
package capacity
