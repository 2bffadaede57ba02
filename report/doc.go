// Package report writes the post-mortem of a launch from its recording:
// the launch window and phases, the peaks and when they came, every
// threshold crossed and for how long, the sell-out against the plan, the
// formulas against what was measured, the page weight over the page
// views, the bottleneck endpoint, every event, every gap in the data
// (sources down, snapshots missing, each signal's unmeasured stretches),
// and the seed's three failure modes named where the data shows them
// (page weight far over plan, the refresh avalanche at T0 with errors and
// retries, the purchase path dead). When the recording has them, it also
// lists the fleet's servers worst first, charts the latency percentiles
// and breaks the failing requests down by status code.
//
// A Report is derived by walking the recording through pipeline.Analyst,
// the derivation the live screen used, so the report's events are the
// screen's events. Every figure says what it rests on: a limit judged on
// the plan's prediction says so, and a figure's time is the data's (its
// source's newest sample), not the poll's. It is written as Markdown
// (WriteMarkdown) or as one self-contained HTML page (WriteHTML) whose
// charts are inline SVG drawn with gonum.org/v1/plot on one shared time
// axis: no script, font or image is fetched from anywhere, and a print
// stylesheet keeps it readable on paper.
//
// The same recording gives the same report byte for byte: nothing reads
// the wall clock, maps are walked in sorted order, and the SVG is drawn
// from the data alone. Text read from a recording is untrusted: it is
// cleaned with snapshot.CleanText, escaped by html/template in HTML, and
// has its table pipes escaped in Markdown.
package report
