package pipeline

import (
	"encoding/json"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Frame is one snapshot with everything derived from it: what the screen
// draws, what alerts fire on, what `--once --json` and exports print.
// A Frame is read-only: its views never change, and subscribers may keep
// it as long as they like.
type Frame struct {
	// Seq numbers the frames of one run from 1; a rebuild (a replay that
	// seeks) goes on counting.
	Seq uint64
	// Snapshot is the newest snapshot.
	Snapshot snapshot.Snapshot
	// Assessment holds it against the plan.
	Assessment capacity.Assessment
	// Events are the events this snapshot raised.
	Events []events.Event
	// Problems are what is wrong now, worst first.
	Problems []events.Problem
	// History holds the snapshots up to and including this one.
	History History
	// Log holds the events raised so far, this frame's included.
	Log EventLog
	// Skipped is how many frames this subscriber missed before this one
	// because it was slower than the loop.
	Skipped int
	// Playback is where a replay stands; nil live.
	Playback *Playback
	// Recorded is how many snapshots the sinks (the recorder) have taken,
	// and RecordErr the last error one of them met.
	Recorded  int
	RecordErr string

	th capacity.Thresholds // for the levels of MarshalJSON
	// judged are the judgements the frame's events were detected by, when
	// the analyst kept them (Step).
	judged []capacity.Judgement
}

// Judgements returns the frame's figures judged against th
// (capacity.Thresholds.Judgements): the judgements its events were
// detected by when th are the analyst's thresholds and it kept them (Step
// does), else judged anew.
func (f Frame) Judgements(th capacity.Thresholds) []capacity.Judgement {
	if f.judged != nil && th == f.th {
		return f.judged
	}
	return th.Judgements(f.Assessment, f.Snapshot)
}

// Analyst derives frames from snapshots in order: the assessment against
// the plan, the events and problems, the history and the event log. It is
// the pipeline's core without the loop, so anything that walks a recording
// (an export, a replay's index of events) derives exactly what the live
// screen did.
type Analyst struct {
	plan    capacity.Plan
	th      capacity.Thresholds
	histCap int // as NewAnalyst was given it
	hist    *historyStore
	log     eventStore
	state   events.State
	seq     uint64
	// recent holds the snapshots of the last capacity.SellLookback as the
	// assessment reads them (the sell rate, the gauges averaged over the
	// PV's rate window).
	recent *capacity.Window
	// judging holds the assessment and snapshot Step's judgements read
	// (capacity.Thresholds.AppendJudging), one for every frame.
	judging *capacity.Judging
}

// NewAnalyst returns an analyst keeping at least historyCap snapshots in
// its frames' history (0: DefaultAnalystHistory; NoHistory: none).
func NewAnalyst(plan capacity.Plan, th capacity.Thresholds, historyCap int) *Analyst {
	if th == (capacity.Thresholds{}) {
		th = capacity.DefaultThresholds()
	}
	return &Analyst{plan: plan, th: th, histCap: historyCap, hist: historyFor(historyCap), log: eventStore{cap: EventLogCap},
		recent: capacity.NewWindow()}
}

// historyFor returns an empty history as NewAnalyst's historyCap asks.
func historyFor(historyCap int) *historyStore {
	if historyCap <= 0 && historyCap != NoHistory {
		historyCap = DefaultAnalystHistory
	}
	return newHistoryStore(historyCap)
}

// DefaultAnalystHistory is an hour of snapshots at 1 s, six minutes at
// 100 ms.
const DefaultAnalystHistory = 3600

// EventLogCap bounds the event log a frame carries.
const EventLogCap = 10_000

// Add derives the frame of the next snapshot. Snapshots must come in time
// order; s must not be changed afterwards (frames share it).
func (a *Analyst) Add(s snapshot.Snapshot) Frame { return a.derive(s, false) }

// Step derives the next snapshot as Add does, the analyst moving on alike,
// and returns a frame that holds its snapshot, assessment, events and the
// judgements they were detected by (Frame.Judgements) only: no Problems,
// History or Log, which cost a walk over a whole recording that does not
// read them (the report) more than the rest. The judgements are appended
// to judged (nil: a new list), and hold only until the next Step: a walk
// that passes the same list again for every frame allocates it once.
//
// Step detects by events.DetectJudged, which words a standing problem only
// when its events need it: an analyst that has Stepped has no problems to
// show, and an Add after it panics. A walk Steps from start to end.
func (a *Analyst) Step(s snapshot.Snapshot, judged []capacity.Judgement) Frame {
	as, evs, judged := a.step(s, false, judged, true)
	return Frame{Seq: a.seq, Snapshot: s, Assessment: as, Events: evs, th: a.th, judged: judged}
}

// StepEvents derives the next snapshot as Add does, the analyst moving on
// alike, and returns its events only: what a replay's index keeps.
func (a *Analyst) StepEvents(s snapshot.Snapshot) []events.Event {
	_, evs, _ := a.step(s, false, nil, false)
	return evs
}

// derive derives a snapshot's frame; past marks its events as from before
// the start (see Warm).
func (a *Analyst) derive(s snapshot.Snapshot, past bool) Frame {
	as, evs, _ := a.step(s, past, nil, false)
	return Frame{
		Seq: a.seq, Snapshot: s, Assessment: as, Events: evs, Problems: a.state.Problems(), th: a.th,
		History: a.hist.view(), Log: a.log.view(),
	}
}

// step moves the analyst on by s and returns its assessment and events,
// and with keepJudged the judgements the events were detected by, appended
// to judged.
func (a *Analyst) step(s snapshot.Snapshot, past bool, judged []capacity.Judgement, keepJudged bool) (capacity.Assessment, []events.Event, []capacity.Judgement) {
	as := a.plan.AssessWindow(s, a.recent)
	a.hist.add(s)
	a.recent.Add(s)
	var evs []events.Event
	if keepJudged {
		if a.judging == nil {
			a.judging = new(capacity.Judging)
		}
		a.judging.A, a.judging.S = as, s
		judged = a.th.AppendJudging(judged, a.judging)
		evs, a.state = events.DetectJudged(a.state, s, as, a.th, judged)
	} else {
		evs, a.state = events.Detect(a.state, s, as, a.th)
	}
	if past {
		markPast(evs)
	}
	a.log.add(evs)
	a.seq++
	return as, evs, judged
}

// reset forgets everything derived, keeping the frame count.
func (a *Analyst) reset() {
	seq := a.seq
	*a = *NewAnalyst(a.plan, a.th, a.histCap)
	a.seq = seq
}

// MarshalJSON writes the frame as scripts and exports read it: the
// snapshot, its assessment, the levels of its figures, the events it
// raised and the problems standing (empty lists, never null). The history and the log are left out: every
// frame of an export carries its own events.
func (f Frame) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Snapshot   snapshot.Snapshot         `json:"snapshot"`
		Assessment capacity.Assessment       `json:"assessment"`
		Levels     map[string]capacity.Level `json:"levels"`
		Events     []events.Event            `json:"events"`
		Problems   []events.Problem          `json:"problems"`
	}{f.Snapshot, f.Assessment, f.th.Levels(f.Assessment, f.Snapshot), nonNil(f.Events), nonNil(f.Problems)})
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
