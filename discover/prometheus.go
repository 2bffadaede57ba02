package discover

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

// maxBody caps one answer of the server: a catalog of 100,000 metric
// names is a few MiB.
const maxBody = 32 << 20

// seriesWindow is how far back the metric names are looked for: long
// enough to hold a few scrapes at any usual interval, short enough that
// exporters gone since (a Caddy retired days ago) are left out.
const seriesWindow = 5 * time.Minute

// ReadPrometheus reads the catalog of the Prometheus-API server at base:
// its metric names over the last five minutes
// (/api/v1/label/__name__/values), the label sets of the detectors'
// marker metrics as they stand now (an instant query grouping by the
// labels that tell servers, jobs and handlers apart: every one, where
// /api/v1/series would give a capped sample), the scrape interval by job
// (/api/v1/targets, else /api/v1/status/config), up by job, and the
// network devices' transmit rates when node_exporter is there. A marker
// whose instant query answers nothing is not held: its name lingers in
// the index, its exporter is gone. Only the names and up are required:
// Thanos, Mimir and VictoriaMetrics answer no targets or config.
func ReadPrometheus(ctx context.Context, client *http.Client, base string) (*Catalog, error) {
	base = strings.TrimRight(base, "/")
	c := &Catalog{Prometheus: base, Names: map[string]bool{}, Series: map[string][]map[string]string{}}
	api := promAPI{client: client, base: base}
	now := time.Now()
	var names []string
	window := url.Values{"start": {unix(now.Add(-seriesWindow))}, "end": {unix(now)}}
	if err := api.get(ctx, "/api/v1/label/__name__/values", window, &names); err != nil {
		return nil, err
	}
	for _, n := range names {
		c.Names[n] = true
	}
	for _, m := range liveChecked(c) {
		by := groupLabels(m)
		live, err := api.query(ctx, "group by ("+strings.Join(by, ", ")+") ("+nameSelector(m)+")", now)
		if err != nil {
			return nil, err
		}
		if len(live) == 0 {
			delete(c.Names, m)
			continue
		}
		for _, s := range live {
			c.Series[m] = append(c.Series[m], s.Metric)
		}
	}
	c.Intervals, c.ScrapeHow = api.scrapeIntervals(ctx)
	for _, d := range c.Intervals {
		c.ScrapeInterval = max(c.ScrapeInterval, d)
	}
	up, err := api.query(ctx, "up", now)
	if err != nil {
		return nil, err
	}
	c.Jobs = jobs(up)
	if c.Names[deviceMetric] {
		// A minute at least: the rates noted are the last minute's, not
		// the last scrapes', and a server that began scraping moments ago
		// holds two samples in it.
		w := max(4*c.ScrapeInterval, deviceWindow)
		rates, err := api.query(ctx, fmt.Sprintf("sum by (device) (rate(%s[%s]))", deviceMetric, promql.FormatDuration(w)), now)
		if err != nil {
			return nil, err
		}
		c.Devices = map[string]float64{}
		for _, r := range rates {
			c.Devices[r.Metric["device"]] = r.Value
		}
	}
	return c, nil
}

// nameSelector selects a metric by its exact name, whatever its spelling;
// Go's quoting is PromQL's string syntax.
func nameSelector(name string) string { return "{__name__=" + strconv.Quote(name) + "}" }

// deviceWindow is the shortest window the devices' rates are taken over.
const deviceWindow = time.Minute

// deviceMetric is node_exporter's bytes sent by network device.
const deviceMetric = "node_network_transmit_bytes_total"

// promAPI is the few calls of the Prometheus HTTP API the catalog needs.
type promAPI struct {
	client *http.Client
	base   string
}

// sample is one series of an instant query's answer.
type sample struct {
	Metric map[string]string
	Value  float64
}

// get calls path with q and decodes the envelope's data into out.
func (a promAPI) get(ctx context.Context, path string, q url.Values, out any) error {
	u := a.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(body) > maxBody {
		return fmt.Errorf("%s: the answer is over %d MiB", path, maxBody>>20)
	}
	var env struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  string          `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%s: HTTP %d, not the Prometheus API: %w", path, resp.StatusCode, err)
	}
	if env.Status != "success" {
		return fmt.Errorf("%s: HTTP %d: %s", path, resp.StatusCode, clean(env.Error))
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// query runs an instant query whose answer is a vector.
func (a promAPI) query(ctx context.Context, q string, at time.Time) ([]sample, error) {
	var data struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	}
	if err := a.get(ctx, "/api/v1/query", url.Values{"query": {q}, "time": {unix(at)}}, &data); err != nil {
		return nil, fmt.Errorf("query %s: %w", q, err)
	}
	out := make([]sample, 0, len(data.Result))
	for _, r := range data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			continue
		}
		out = append(out, sample{Metric: r.Metric, Value: v})
	}
	return out, nil
}

// scrapeIntervals are the scrape intervals by job (the longest of each
// job's active targets: $__rate_interval must hold four scrapes of the
// slowest), from the targets, else from the server's config, and where
// they were read; nil when neither answers.
func (a promAPI) scrapeIntervals(ctx context.Context) (map[string]time.Duration, string) {
	var targets struct {
		Active []struct {
			Labels         map[string]string `json:"labels"`
			ScrapeInterval string            `json:"scrapeInterval"`
		} `json:"activeTargets"`
	}
	if err := a.get(ctx, "/api/v1/targets", url.Values{"state": {"active"}}, &targets); err == nil {
		out := map[string]time.Duration{}
		for _, t := range targets.Active {
			if d, err := parsePromDuration(t.ScrapeInterval); err == nil {
				out[t.Labels["job"]] = max(out[t.Labels["job"]], d)
			}
		}
		if len(out) > 0 {
			return out, "/api/v1/targets"
		}
	}
	var status struct {
		YAML string `json:"yaml"`
	}
	if err := a.get(ctx, "/api/v1/status/config", nil, &status); err != nil {
		return nil, ""
	}
	if out := configIntervals(status.YAML); len(out) > 0 {
		return out, "/api/v1/status/config"
	}
	return nil, ""
}

// configIntervals are the scrape intervals a Prometheus config names by
// job, the global one (else Prometheus' default, a minute) for a job
// naming none; with no job, the global one under the empty job.
func configIntervals(text string) map[string]time.Duration {
	var cfg struct {
		Global struct {
			ScrapeInterval string `yaml:"scrape_interval"`
		} `yaml:"global"`
		Jobs []struct {
			Name           string `yaml:"job_name"`
			ScrapeInterval string `yaml:"scrape_interval"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
		return nil
	}
	global, err := parsePromDuration(cfg.Global.ScrapeInterval)
	if err != nil {
		global = time.Minute // Prometheus' default
	}
	if len(cfg.Jobs) == 0 {
		return map[string]time.Duration{"": global}
	}
	out := map[string]time.Duration{}
	for _, j := range cfg.Jobs {
		d, err := parsePromDuration(j.ScrapeInterval)
		if err != nil {
			d = global
		}
		out[j.Name] = max(out[j.Name], d)
	}
	return out
}

// jobs counts the targets up by job.
func jobs(up []sample) []Job {
	by := map[string]*Job{}
	for _, s := range up {
		name := s.Metric["job"]
		j, ok := by[name]
		if !ok {
			j = &Job{Name: name}
			by[name] = j
		}
		j.All++
		if s.Value == 1 {
			j.Up++
		}
	}
	out := make([]Job, 0, len(by))
	for _, j := range by {
		out = append(out, *j)
	}
	slices.SortFunc(out, func(a, b Job) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// parsePromDuration reads Prometheus' durations ("15s", "1m30s", "1d").
func parsePromDuration(s string) (time.Duration, error) {
	d, err := model.ParseDuration(s)
	return time.Duration(d), err
}

// unix writes t as the API's timestamps: seconds, to the millisecond.
func unix(t time.Time) string { return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64) }

// clean makes a server's text safe for the terminal and the file.
func clean(s string) string { return snapshot.CleanText(s, 200) }
