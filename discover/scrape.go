package discover

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// maxScrapeBody caps one /metrics body, as the scrape source's default.
const maxScrapeBody = 4 << 20

// ReadScrape reads the catalog of /metrics endpoints read directly: each
// target for the names and the series (each target's host and port as its
// instance, a series' own instance kept as exported_instance, as the
// scrape source and Prometheus keep it), and, when node_exporter's bytes
// are there, each such target again gap later for the devices' transmit
// rates. A target that does not answer, at either read, is counted down
// and named in Down with its error, not an error, unless none answers.
func ReadScrape(ctx context.Context, client *http.Client, targets []string, gap time.Duration) (*Catalog, error) {
	c := &Catalog{Names: map[string]bool{}, Series: map[string][]map[string]string{}}
	first := make([]map[string]*dto.MetricFamily, len(targets))
	errs := make([]error, len(targets))
	devices := false
	for i, t := range targets {
		first[i], errs[i] = readMetrics(ctx, client, t)
		devices = devices || first[i][deviceMetric] != nil
	}
	if devices {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(gap):
		}
		c.Devices = map[string]float64{}
		for i, t := range targets {
			if first[i][deviceMetric] == nil {
				continue
			}
			second, err := readMetrics(ctx, client, t)
			if err != nil {
				first[i], errs[i] = nil, err
				continue
			}
			before, after := byDevice(first[i][deviceMetric]), byDevice(second[deviceMetric])
			for d, v := range after {
				if b, ok := before[d]; ok && v >= b {
					c.Devices[d] += (v - b) / gap.Seconds()
				}
			}
		}
	}
	job := Job{Name: "scrape", All: len(targets)}
	var lastErr error
	for i, t := range targets {
		if errs[i] != nil {
			lastErr = errs[i]
			c.Down = append(c.Down, Down{URL: t, Err: clean(errs[i].Error())})
			continue
		}
		c.Targets = append(c.Targets, t)
		job.Up++
	}
	if job.Up == 0 {
		return nil, lastErr
	}
	c.Jobs = []Job{job}
	markers := map[string]bool{}
	for _, m := range markerMetrics() {
		markers[m] = true
	}
	for i, fams := range first {
		instance := ""
		if u, err := url.Parse(targets[i]); err == nil {
			instance = u.Host
		}
		for name, f := range fams {
			for _, n := range sampleNames(name, f.GetType()) {
				c.Names[n] = true
				if !markers[n] {
					continue
				}
				for _, m := range f.GetMetric() {
					ls := project(n, labels(m, instance))
					if !slices.ContainsFunc(c.Series[n], func(o map[string]string) bool { return maps.Equal(o, ls) }) {
						c.Series[n] = append(c.Series[n], ls)
					}
				}
			}
		}
	}
	return c, nil
}

// readMetrics reads one target's text exposition.
func readMetrics(ctx context.Context, client *http.Client, target string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", clean(redact(target)), err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", clean(redact(target)), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: HTTP %d", clean(redact(target)), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxScrapeBody+1))
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", clean(redact(target)), err)
	}
	if len(body) > maxScrapeBody {
		return nil, fmt.Errorf("scrape %s: the body is over %d MiB", clean(redact(target)), maxScrapeBody>>20)
	}
	fams, err := parse(body)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", clean(redact(target)), err)
	}
	return fams, nil
}

// parse reads a text exposition; a panic of the parser on a hostile body
// is an error, not a crash.
func parse(body []byte) (fams map[string]*dto.MetricFamily, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the text format parser failed: %v", r)
		}
	}()
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(bytes.NewReader(body))
}

// sampleNames are the names a family's samples carry in Prometheus: a
// histogram's _bucket, _sum and _count, a summary's _sum and _count.
func sampleNames(name string, t dto.MetricType) []string {
	switch t {
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		return []string{name + "_bucket", name + "_sum", name + "_count"}
	case dto.MetricType_SUMMARY:
		return []string{name, name + "_sum", name + "_count"}
	}
	return []string{name}
}

// labels is a series' label set as Prometheus would store it.
func labels(m *dto.Metric, instance string) map[string]string {
	out := map[string]string{"instance": instance}
	for _, l := range m.GetLabel() {
		name := l.GetName()
		if name == "instance" {
			name = "exported_instance"
		}
		out[name] = l.GetValue()
	}
	return out
}

// byDevice sums a counter family's values by their device label.
func byDevice(f *dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, m := range f.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "device" {
				out[l.GetValue()] += m.GetCounter().GetValue() + m.GetUntyped().GetValue()
			}
		}
	}
	return out
}
