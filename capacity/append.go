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
	A      Assessment
	S      snapshot.Snapshot
	checks [3]NamedCheck
}

// AppendJudging appends the judgements of j.A and j.S to out, as
// AppendJudgements does, pointing into j: it must not change while the
// rows are in use.
func (t Thresholds) AppendJudging(out []Judgement, j *Judging) []Judgement {
	out = t.planJudgements(out, &j.A, &j.S, &j.checks)
	t.fleetJudgements(&j.S, func(j Judgement) bool {
		out = append(out, j)
		return true
	})
	return out
}
