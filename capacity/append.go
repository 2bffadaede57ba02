package capacity

import "github.com/launchwatch/launchwatch/snapshot"

// AppendJudgements appends Judgements' rows to out and returns it: a walk
// over a whole recording (the report) judges every frame into one list it
// reuses, where Judgements makes a new one each time.
func (t Thresholds) AppendJudgements(out []Judgement, a Assessment, s snapshot.Snapshot) []Judgement {
	return t.AppendJudgementsOf(out, &a, &s)
}

// AppendJudgementsOf is AppendJudgements judging *a and *s where they
// are: the rows read them when asked for their words, so neither may
// change while the rows are in use. A walk that keeps one assessment and
// one snapshot for judging, frame after frame, copies nothing to the heap
// but the rows' words.
func (t Thresholds) AppendJudgementsOf(out []Judgement, a *Assessment, s *snapshot.Snapshot) []Judgement {
	out = t.planJudgements(out, a, s)
	t.fleetJudgements(s, func(j Judgement) bool {
		out = append(out, j)
		return true
	})
	return out
}
