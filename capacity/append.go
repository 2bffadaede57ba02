package capacity

import "github.com/launchwatch/launchwatch/snapshot"

// AppendJudgements appends Judgements' rows to out and returns it: a walk
// over a whole recording (the report) judges every frame into one list it
// reuses, where Judgements makes a new one each time.
func (t Thresholds) AppendJudgements(out []Judgement, a Assessment, s snapshot.Snapshot) []Judgement {
	return t.AppendJudging(out, &Judging{A: a, S: s})
}

// Judging is what a frame's judgements point into: its assessment, its
// snapshot and the assessment's checks by name, which the rows read when
// asked for their words. A walk that judges every frame keeps one and
// fills it anew each frame, so that judging copies nothing to the heap but
// the rows' words.
type Judging struct {
	A  Assessment
	S  snapshot.Snapshot
	sc judgingScratch
}

// judgingScratch is what a frame's judgements point into beside its
// assessment and snapshot, and the words of its endpoints, which a
// Judging keeps from frame to frame rather than join them anew for each.
type judgingScratch struct {
	checks    [3]NamedCheck
	endpoints []endpointNames // by the assessment's endpoints, in order
}

// endpointNames are an endpoint's rows' titles and lines back.
type endpointNames struct {
	name, title, back         string
	latencyTitle, latencyBack string // worded when first asked: not every endpoint has a latency row
}

// endpoint returns the names of the assessment's i-th endpoint, called
// name, worded anew when it is not the one they were worded for.
func (sc *judgingScratch) endpoint(i int, name string) *endpointNames {
	if i >= len(sc.endpoints) {
		sc.endpoints = append(sc.endpoints, make([]endpointNames, i+1-len(sc.endpoints))...)
	}
	n := &sc.endpoints[i]
	if n.name != name || n.title == "" {
		*n = endpointNames{name: name, title: name + " endpoint", back: name + " back under its ceiling's warning level"}
	}
	return n
}

// endpointLatency is endpoint with the latency row's names worded.
func (sc *judgingScratch) endpointLatency(i int, name string) *endpointNames {
	n := sc.endpoint(i, name)
	if n.latencyTitle == "" {
		n.latencyTitle, n.latencyBack = name+" latency", name+" latency back under its ceiling's warning level"
	}
	return n
}

// AppendJudging appends the judgements of j.A and j.S to out, as
// AppendJudgements does, pointing into j: it must not change while the
// rows are in use.
func (t Thresholds) AppendJudging(out []Judgement, j *Judging) []Judgement {
	out = t.planJudgements(out, &j.A, &j.S, &j.sc)
	t.fleetJudgements(&j.S, func(j Judgement) bool {
		out = append(out, j)
		return true
	})
	return out
}
