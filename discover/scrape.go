package discover

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/launchwatch/launchwatch/collectors/scrape"
)

// maxScrapeBody caps one /metrics body, as the scrape source's default.
const maxScrapeBody = 4 << 20

// ReadScrape reads the catalog of /metrics endpoints read directly: each
// target for the names and the series (each target's host and port as its
// instance, a series' own instance kept as exported_instance, as the
// scrape source and Prometheus keep it), and, when node_exporter's bytes
// are there, each such target again gap later for the devices' transmit
// rates. A target that does not answer the first read is counted down and
// named in Down with its error, not an error, unless none answers; one
// that fails only the second keeps its place, its devices' rates left out.
// The bodies are parsed as the scrape source parses them
// (scrape.ParseExposition).
func ReadScrape(ctx context.Context, client *http.Client, targets []string, gap time.Duration) (*Catalog, error) {
	c := &Catalog{Names: map[string]bool{}, Series: map[string][]map[string]string{}}
	first := make([][]scrape.Sample, len(targets))
	errs := make([]error, len(targets))
	devices := false
	for i, t := range targets {
		first[i], errs[i] = readMetrics(ctx, client, t)
		devices = devices || byDevice(first[i]) != nil
	}
	if devices {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(gap):
		}
		c.Devices = map[string]float64{}
		for i, t := range targets {
			before := byDevice(first[i])
			if before == nil {
				continue
			}
			second, err := readMetrics(ctx, client, t)
			if err != nil {
				// It answered the first read: a blip at the second
				// costs only its devices' rates, not the target.
				continue
			}
			for d, v := range byDevice(second) {
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
	for _, samples := range first {
		for _, s := range samples {
			c.Names[s.Name] = true
			if !markers[s.Name] {
				continue
			}
			ls := map[string]string{}
			for _, l := range s.Labels {
				ls[l.Name] = l.Value
			}
			ls = project(s.Name, ls)
			if !slices.ContainsFunc(c.Series[s.Name], func(o map[string]string) bool { return maps.Equal(o, ls) }) {
				c.Series[s.Name] = append(c.Series[s.Name], ls)
			}
		}
	}
	return c, nil
}

// readMetrics reads one target's exposition.
func readMetrics(ctx context.Context, client *http.Client, target string) ([]scrape.Sample, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", clean(redact(target)), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", clean(redact(target)), err)
	}
	req.Header.Set("Accept", scrape.Accept)
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
	samples, err := scrape.ParseExposition(body, resp.Header.Get("Content-Type"), u.Host, "")
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", clean(redact(target)), err)
	}
	return samples, nil
}

// byDevice sums node_exporter's bytes sent by device; nil when the
// samples have none.
func byDevice(samples []scrape.Sample) map[string]float64 {
	var out map[string]float64
	for _, s := range samples {
		if s.Name != deviceMetric {
			continue
		}
		if out == nil {
			out = map[string]float64{}
		}
		out[s.Label("device")] += s.Value
	}
	return out
}
