package report

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Report is the post-mortem of one recording. Times are the snapshots'
// own; Rel gives them relative to T0.
type Report struct {
	// Name is the launch's name; Origin how the recording was made (live,
	// demo, backfill) and From where a backfill read it.
	Name, Origin, From string
	// Host and Build name the machine and the launchwatch that recorded.
	Host, Build string
	// Recording is the recording's ID (recording.Header.RecordingID),
	// which tells two recordings of one launch apart.
	Recording string
	// T0 is the launch; zero when the recording does not know it.
	T0 time.Time
	// Interval is the poll interval the snapshots were taken at; Step the
	// median time between two snapshots on their own clock (a sped-up
	// demo's snapshots are further apart than its interval).
	Interval, Step time.Duration
	// First and Last are the first and the last snapshot's times;
	// Snapshots how many there are.
	First, Last time.Time
	Snapshots   int
	// Plan and Thresholds are what the recording was held against; HasPlan
	// is false for a recording made without a plan.
	Plan       capacity.Plan
	HasPlan    bool
	Thresholds capacity.Thresholds

	// Phases are the spans before launch, live and sold out, in order.
	Phases []Span
	// Peaks are the highest PV, requests, connections, bandwidth, error
	// rate and p95 latency, with their times: the signal table's rows with
	// a peak, those the recording measured.
	Peaks []Peak
	// Crossings are every span a figure spent at or over a threshold's
	// line, by start time.
	Crossings []Crossing
	// SellOut is the stock against the plan.
	SellOut SellOut
	// Misses hold bandwidth, connections and memory: the formula against
	// what was measured.
	Misses []Miss
	// PageWeight is the bytes per page view against the plan.
	PageWeight PageWeight
	// Endpoints are each planned endpoint's peak load against its ceiling,
	// in plan order; Bottleneck names the one with the highest peak load.
	Endpoints  []EndpointPeak
	Bottleneck string
	// Events are every event the analyst raised, in order.
	Events []events.Event
	// SourcesDown are the spans each source was down; Gaps the stretches
	// with no snapshot at all.
	SourcesDown []SourceDown
	Gaps        []Gap
	// SignalGaps are the signals some snapshots' sources did not measure,
	// with their stretches; SourceLags the sources whose data stood a
	// second or more behind their polls on average. The peaks' times are
	// the data's (see Peak.At).
	SignalGaps []SignalGaps
	SourceLags []SourceLag
	// ButtonMissing are the stretches the probe found the purchase button
	// missing from the sale page, on the probe's clock.
	ButtonMissing []ButtonMissing
	// Failures are the seed's failure modes the data shows, in the order
	// page weight, avalanche, purchase path.
	Failures []Failure
	// Fleet is each server of the fleet, worst first; empty when the
	// recording has no fleet.
	Fleet []ServerPeaks
	// ErrorCodes are each status code's share of the failing requests
	// over the run, largest first; ErrorCodesAtPeak the same at the error
	// rate's peak, ErrorPeakAt. Empty when no code was measured.
	ErrorCodes       []CodeShare
	ErrorCodesAtPeak []CodeShare
	ErrorPeakAt      time.Time
	// Annotations are the notes laid on the launch, in time order: those
	// of the recording (recording.Recording.Annotations) and any a
	// snapshot carried.
	Annotations []snapshot.Annotation

	samples     []sample
	purchase    string // the signal the purchase path is judged by
	hiddenPeaks []Peak // the p50 and p99, for the latency section
}

// Span is a stretch of time; Open when it lasted to the end of the
// recording.
type Span struct {
	Name     string
	From, To time.Time
	Open     bool
}

// Duration is how long the span lasted.
func (s Span) Duration() time.Duration { return s.To.Sub(s.From) }

// Peak is the highest value of a signal and when it was first reached.
type Peak struct {
	// Signal is the signal's name ("pv"), Label how the report names it.
	Signal, Label string
	// Value is the peak; Known is false when the signal was never measured.
	Value float64
	Known bool
	// At is when the figure was measured: the time of the newest sample
	// behind its source's answer, which a lagging source (VictoriaMetrics
	// holds back its newest 30 s) gives earlier than the poll.
	At time.Time
	// Text is the value formatted in its unit.
	Text string
}

// Crossing is a span during which a figure stood at or over a threshold's
// line: the warning line, or the critical line inside it.
type Crossing struct {
	Span
	// Subject is the figure, by its key in the thresholds' table
	// ("limit/bandwidth", "errors/error_rate", "endpoint/buy", …), and
	// Title names it for people ("bandwidth limit").
	Subject, Title string
	// Line is capacity.LevelWarn or capacity.LevelCrit, and LineName
	// says it: "warn 80%", "crit below 0.25x".
	Line     capacity.Level
	LineName string
	// Worst is the worst figure during the span in words, with its basis
	// (the share of a limit in use, the error rate, the page-weight ratio,
	// the pace): "173.4% of the limit: 17,340 of 10,000, predicted at
	// 3,468 PV/s" (see capacity.Judgement.FigureText).
	Worst string
	// Measured and Predicted say what the level stood on in the span's
	// snapshots: the measured figure, or the plan's formula at the
	// measured PV (a limit whose figure was not measured); both when it
	// changed during the span.
	Measured, Predicted bool

	// worst is Worst's figure (NaN: none), lowerWorse whether a lower one
	// is worse (a pace, a page-weight ratio under its line): a comparison
	// picks the worst of a figure's spans by them.
	worst      float64
	lowerWorse bool
}

// SellOut is the stock against the plan.
type SellOut struct {
	// Total is the planned units; 0 when the plan has no stock.
	Total float64
	// Planned is the planned sell-out after T0; zero when not planned.
	Planned time.Duration
	// SoldOut is when the stock ran out; zero when it did not.
	SoldOut time.Time
	// Remaining is the stock in the last snapshot that measured it.
	Remaining snapshot.Value
}

// Miss holds one formula against what was measured.
type Miss struct {
	// Name is "bandwidth", "connections" or "memory".
	Name string
	// Known is false when predicted and measured never stood side by side.
	Known bool
	// At is when measured and predicted differed most; Measured,
	// Predicted and Ratio are the figures then.
	At                  time.Time
	Measured, Predicted float64
	Ratio               snapshot.Value
	// PeakMeasured is the highest measured figure; AtPeak the formula at
	// the planned peak; Limit the ceiling (0: none).
	PeakMeasured, AtPeak, Limit float64
	format                      func(float64) string
}

// Format formats a figure of this miss in its unit.
func (m Miss) Format(v float64) string { return m.format(v) }

// PageWeight is the bytes per page view against the plan, weighted by
// page views: an idle snapshot's one visitor weighs one view, not as much
// as a second of the sale's thousands.
type PageWeight struct {
	// Planned is the planned origin bytes per view.
	Planned float64
	// Known is false when no snapshot measured it.
	Known bool
	// PerView is the origin's bytes over its page views, summed over the
	// snapshots with page views and bandwidth both measured: each
	// snapshot's bytes per view weighted by its page views.
	PerView float64
	// P95 is the bytes per view that 95% of the page views cost at most:
	// the 95th percentile of the snapshots' bytes per view, weighted by
	// their page views.
	P95 float64
	// Snapshots is how many snapshots had page views and bandwidth;
	// LeftOut how many of them were left out, their PV or their bytes a
	// view a million times over the rest's (see outlierFactor).
	Snapshots, LeftOut int
}

// EndpointPeak is one endpoint's highest load against its ceiling.
type EndpointPeak struct {
	Name   string
	MaxQPS float64
	// Known is false when its load was never measured.
	Known bool
	// Load and QPS are at the peak, At when it came.
	Load, QPS float64
	At        time.Time
}

// SourceDown is a span during which a source was down, and why, as its
// first failure said.
type SourceDown struct {
	Span
	Why string
}

// Gap is a stretch with no snapshot: From is the last snapshot before it,
// To the first after.
type Gap struct {
	From, To time.Time
}

// Failure kinds: the seed's three failure modes.
const (
	FailurePageWeight = "page-weight"
	FailureAvalanche  = "avalanche"
	FailurePurchase   = "purchase-dead"
)

// Failure is one of the seed's failure modes, shown by the data.
type Failure struct {
	// Kind is FailurePageWeight, FailureAvalanche or FailurePurchase;
	// Title names it for people.
	Kind, Title string
	// At is when it began.
	At time.Time
	// Evidence says what in the data shows it.
	Evidence string
}

// Build derives the report of a recording: every snapshot walks through a
// pipeline.Analyst holding it against plan and th (decoded from the
// recording's header by the caller), as the live screen did.
func Build(rec *recording.Recording, plan capacity.Plan, hasPlan bool, th capacity.Thresholds) (*Report, error) {
	if rec.Len() == 0 {
		return nil, fmt.Errorf("%s holds no snapshots", rec.Path())
	}
	b := NewBuilder(rec.Header(), plan, hasPlan, th)
	// One sample a snapshot: grown at once, not doubled a dozen times.
	b.acc.samples = slices.Grow(b.acc.samples, rec.Len())
	// The report reads each frame's snapshot, assessment and events: no
	// history, problems or log, which would cost a day's report more than
	// the rest of its walk.
	an := pipeline.NewAnalyst(plan, th, pipeline.NoHistory)
	var judged []capacity.Judgement // one list for every frame's judgements: Add keeps none
	// The records are decoded on another goroutine while this one derives.
	err := rec.ScanAheadReusing(0, rec.Len(), func(_ int, s snapshot.Snapshot) error {
		f := an.Step(s, judged[:0])
		b.Add(f)
		judged = f.Judgements(b.th)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", rec.Path(), err)
	}
	r, err := b.Report()
	if err != nil {
		return nil, err
	}
	r.addAnnotations(rec.Annotations())
	return r, nil
}

// Builder gathers a report from frames given in order.
type Builder struct {
	r      Report
	th     capacity.Thresholds
	acc    accumulators
	frames int
}

// NewBuilder starts a report of the recording with header h, held against
// plan and th (the zero Thresholds are the defaults, as in the analyst).
func NewBuilder(h recording.Header, plan capacity.Plan, hasPlan bool, th capacity.Thresholds) *Builder {
	if th == (capacity.Thresholds{}) {
		th = capacity.DefaultThresholds()
	}
	t0 := plan.LaunchAt
	if t0.IsZero() {
		t0 = h.Launch.StartsAt
	}
	build := h.Launchwatch.Version
	if h.Launchwatch.Commit != "" {
		build += " (" + h.Launchwatch.Commit + ")"
	}
	b := &Builder{th: th, r: Report{
		Name: h.Launch.Name, Origin: h.Origin.Kind, From: h.Origin.From, Host: h.Host, Build: build, Recording: h.RecordingID(),
		T0: t0, Interval: time.Duration(h.Interval), Plan: plan, HasPlan: hasPlan, Thresholds: th,
	}}
	b.acc.init(&b.r, th)
	return b
}

// Add takes the next frame.
func (b *Builder) Add(f pipeline.Frame) {
	s := f.Snapshot
	if b.frames == 0 {
		b.r.First = s.Time
	}
	b.frames++
	b.r.Last = s.Time
	b.r.Events = append(b.r.Events, f.Events...)
	b.r.Annotations = append(b.r.Annotations, s.Annotations...)
	b.acc.add(&f, f.Judgements(b.th))
}

// Report finishes the report; an error when no frame came.
func (b *Builder) Report() (*Report, error) {
	if b.frames == 0 {
		return nil, errors.New("no snapshots to report on")
	}
	b.r.Snapshots = b.frames
	b.acc.finish(&b.r)
	r := b.r
	notes := r.Annotations
	r.Annotations = nil
	r.addAnnotations(notes)
	return &r, nil
}
