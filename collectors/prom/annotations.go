package prom

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/snapshot"
)

// NoteReader reads annotations from a PromQL query
// (config.PrometheusAnnotations): a series of the query that stands with
// a value other than 0, where the last read had none (or had 0), marks
// the moment it was read. So `changes(deploy_info[1m]) > 0` marks each
// deploy once, and `deploy_info` marks each new version. The first read
// only learns what stands: a deploy from before the watch is no note.
type NoteReader struct {
	p         *Source
	query     string
	textLabel string
	standing  map[string]bool // series by fingerprint text, at the last read
	primed    bool
}

// NoteReader returns a reader of query's annotations on p's server;
// textLabel names the label whose value is a note's text ("" : the series).
func (p *Source) NoteReader(query, textLabel string) *NoteReader {
	return &NoteReader{p: p, query: query, textLabel: textLabel}
}

// Read evaluates the query at the data's time of now (the wall clock less
// the source's latency_offset) and returns the notes of the series that
// rose since the last read, sorted by text, each at that time and by
// "prometheus". A failed query returns its error and forgets nothing.
func (r *NoteReader) Read(ctx context.Context) ([]snapshot.Annotation, error) {
	at := r.p.wall().Add(-r.p.offset)
	qctx, cancel := context.WithTimeout(ctx, r.p.timeout)
	defer cancel()
	ans, err := r.p.api.query(qctx, r.query, at)
	if err != nil {
		return nil, fmt.Errorf("annotations query: %s", r.p.describe(ctx, qctx, ans, err))
	}
	vec, ok := ans.value.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("annotations query: want a vector, got a %s", ans.value.Type())
	}
	now := make(map[string]bool, len(vec))
	texts := map[string]bool{}
	for _, s := range vec {
		if s.Value == 0 {
			continue
		}
		key := s.Metric.String()
		now[key] = true
		if r.primed && !r.standing[key] {
			texts[r.text(s.Metric)] = true
		}
	}
	r.standing, r.primed = now, true
	var out []snapshot.Annotation
	for _, text := range slices.Sorted(maps.Keys(texts)) {
		out = append(out, snapshot.Annotation{At: at.UTC(), Text: text, By: "prometheus"}.Clean())
	}
	return out, nil
}

// text is a series' note: its text label's value, or the series.
func (r *NoteReader) text(m model.Metric) string {
	if v, ok := m[model.LabelName(r.textLabel)]; ok && r.textLabel != "" && v != "" {
		return snapshot.CleanText(string(v), snapshot.MaxAnnotationText)
	}
	name := snapshot.CleanText(string(m[model.MetricNameLabel]), source.MaxDetail)
	rest := m.Clone()
	delete(rest, model.MetricNameLabel)
	if len(rest) == 0 {
		return name
	}
	return name + seriesName(rest)
}
