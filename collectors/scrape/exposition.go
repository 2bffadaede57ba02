package scrape

import "github.com/launchwatch/launchwatch/collectors/scrape/expr"

// Accept is the Accept header the source asks /metrics endpoints with:
// the classic text format (see accept).
const Accept = accept

// Sample is one sample of an exposition, named as Prometheus names it (a
// histogram's _bucket with le, _sum and _count; a summary's quantiles,
// _sum and _count), its labels sorted by name and their values cleaned.
type Sample struct {
	Name   string
	Labels []expr.Label
	Value  float64
}

// Label is the value of the sample's label name; "" when it has none.
func (s Sample) Label(name string) string {
	for _, l := range s.Labels {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

// ParseExposition reads a /metrics body as the source reads it, by its
// Content-Type: the text format, OpenMetrics or protobuf; an HTML page is
// an error saying to check the URL's path; a panic of a parser is an
// error. Each sample is given the target's labels as Prometheus gives
// them: instance, and job unless it is empty; a label the exporter set
// itself under either name is kept as exported_NAME. For `launchwatch
// init`, which reads targets once or twice, not every poll.
func ParseExposition(body []byte, contentType, instance, job string) ([]Sample, error) {
	samples, err := parse(body, contentType, nil)
	if err != nil {
		return nil, err
	}
	target := []expr.Label{{Name: "instance", Value: instance}}
	if job != "" {
		target = append(target, expr.Label{Name: "job", Value: job})
	}
	out := make([]Sample, len(samples))
	for i, s := range samples {
		out[i] = Sample{Name: s.name, Labels: targetLabels(s.labels, target), Value: s.value}
	}
	return out, nil
}
