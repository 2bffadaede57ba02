package capacity

import "github.com/launchwatch/launchwatch/snapshot"

// AppendJudgements appends Judgements' rows to out and returns it: a walk
// over a whole recording (the report) judges every frame into one list it
// reuses, where Judgements makes a new one each time.
func (t Thresholds) AppendJudgements(out []Judgement, a Assessment, s snapshot.Snapshot) []Judgement {
	for j := range t.Judged(a, s) {
		out = append(out, j)
	}
	return out
}
