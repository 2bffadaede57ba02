package prom

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Notes reads the annotations of query (config.PrometheusAnnotations) over
// the steps Fetch would take from from to to, as a NoteReader read once a
// step would have laid them: a series standing (present, not 0) at a step
// where it did not stand at the step before marks that step's data time
// (the snapshot's less the latency offset), once per text, by
// "prometheus"; what stands at the first step is only learnt, as a watch's
// first read learns it. textLabel names the note's label, as the reader's.
// The query runs as a range query a chunk at a time, one after the other;
// the first that fails stops the read, and the error names its chunk.
func (h *History) Notes(ctx context.Context, query, textLabel string, from, to time.Time) ([]snapshot.Annotation, error) {
	chunks := h.Plan(from, to)
	if len(chunks) == 0 {
		return nil, nil
	}
	text := (&NoteReader{textLabel: textLabel}).text
	step := model.Time((h.step + time.Millisecond - 1).Milliseconds()) // ceiled: a step of 1.5 ms lies 1 or 2 ms apart
	first := model.TimeFromUnixNano(chunks[0].From.Add(-h.p.offset).UnixNano())
	standing := map[string]model.Time{} // series by fingerprint text: the last step it stood at
	rose := map[model.Time]map[string]bool{}
	for _, c := range chunks {
		r := promv1.Range{Start: c.From.Add(-h.p.offset), End: c.To.Add(-h.p.offset), Step: h.step}
		m, _, err := h.rangeQuery(ctx, query, r)
		if err != nil {
			return nil, fmt.Errorf("annotations query, chunk %d of %d (%s to %s): %w", c.Index, c.Of, stamp(c.From), stamp(c.To), err)
		}
		for _, s := range m {
			key := s.Metric.String()
			for _, v := range s.Values {
				if v.Value == 0 {
					continue
				}
				last, stood := standing[key]
				standing[key] = v.Timestamp
				if v.Timestamp == first || (stood && v.Timestamp-last <= step) {
					continue
				}
				if rose[v.Timestamp] == nil {
					rose[v.Timestamp] = map[string]bool{}
				}
				rose[v.Timestamp][text(s.Metric)] = true
			}
		}
	}
	var out []snapshot.Annotation
	for _, ts := range slices.Sorted(maps.Keys(rose)) {
		for _, t := range slices.Sorted(maps.Keys(rose[ts])) {
			out = append(out, snapshot.Annotation{At: ts.Time().UTC(), Text: t, By: "prometheus"}.Clean())
		}
	}
	return out, nil
}
