// Package prom is the source for a server speaking the Prometheus HTTP API
// (Prometheus, Thanos, Mimir, VictoriaMetrics): instant queries each poll,
// Grafana's variables filled from package promql's table, the data's real
// age from its newest sample; and History, the same queries over the
// server's past in range queries, for backfill and the warm start.
package prom

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/promql"
	"github.com/launchwatch/launchwatch/snapshot"
)

// maxSeriesNamed is how many series a "refuse" error names.
const maxSeriesNamed = 3

// Source answers signals with instant PromQL queries against a server
// speaking the Prometheus HTTP API (Prometheus, Thanos, Mimir,
// VictoriaMetrics).
type Source struct {
	api     querier
	signals map[string]config.Signal
	names   []string
	timeout time.Duration
	offset  time.Duration
	// wall is the clock queries are evaluated at. It is the wall clock, not
	// the snapshot clock: the server stores samples at the wall time it
	// scraped them, so asking at a simulated (demo) time would ask about a
	// moment it has no data for, or one in the future.
	wall func() time.Time

	interval  time.Duration // $__interval: the poll interval
	scrapeCfg time.Duration // sources.prometheus.scrape_interval; 0 = detect
	usesRate  bool          // some query uses $__rate_interval
	metrics   []string      // metric names the queries read
	log       *slog.Logger

	mu     sync.Mutex // guards scrape and expanded
	scrape scrapeState
	// expanded holds every signal's query with its variables filled for
	// the variables of the last poll: they change only when the scrape
	// interval is first detected, so a poll does not fill them again.
	expanded expansion

	newestQuery string // newestQuery of metrics

	// fleet is the fleet label (config fleet.label), empty without a
	// fleet; fleetNames the signals answered that a server carries, each
	// asked a second time by the label.
	fleet      string
	fleetNames []string
	// codesLabel breaks signals.error_codes down, when the source answers it.
	codesLabel string
}

// expansion is every signal's query filled for one set of variables.
type expansion struct {
	vars    promql.Vars
	queries map[string]filled // by signal address; nil until the first poll
}

type filled struct {
	query string
	err   error
	// byFleet is the query rewritten by the fleet label
	// (promql.KeepLabel); empty for a signal no server carries.
	byFleet  string
	fleetErr error
}

// Option configures a Prometheus source.
type Option func(*Source)

// Interval sets the poll interval, which $__interval and
// $__range stand for (default config.DefaultInterval).
func Interval(d time.Duration) Option {
	return func(p *Source) {
		if d > 0 {
			p.interval = d
		}
	}
}

// Logger sets where the source logs what it detected.
func Logger(log *slog.Logger) Option {
	return func(p *Source) {
		if log != nil {
			p.log = log
		}
	}
}

// Fleet asks every signal a server carries (snapshot.FleetSignals) once
// more, its query rewritten to keep label (promql.KeepLabel), and answers
// each server's figures in Result.Fleet: one query a signal, whatever the
// number of servers. An empty label asks nothing more.
func Fleet(label string) Option {
	return func(p *Source) { p.fleet = label }
}

// New builds the source from the config block and the signals it
// answers, keyed by signal address ("pv", "host.cpu", "endpoints.buy"); only
// signals with a Query are kept. A query using an unknown Grafana variable
// ($__foo) is an error naming its place.
func New(cfg *config.Prometheus, signals map[string]config.Signal, opts ...Option) (*Source, error) {
	if cfg == nil {
		return nil, errors.New("prometheus: no sources.prometheus block")
	}
	if cfg.URL == "" {
		return nil, errors.New("prometheus: url is empty")
	}
	// Basic auth, bearer token (file), TLS, proxy: Prometheus' own client
	// config, so a block copied from a prometheus.yml works unchanged.
	hc, err := promconfig.NewClientFromConfig(cfg.HTTPClientConfig, "launchwatch")
	if err != nil {
		return nil, fmt.Errorf("prometheus: http client: %w", err)
	}
	limit := cfg.MaxBodyBytes
	if limit <= 0 {
		limit = config.DefaultPrometheusMaxBody
	}
	hc.Transport = bodyLimit{next: hc.Transport, limit: limit}
	client, err := api.NewClient(api.Config{Address: cfg.URL, Client: hc})
	if err != nil {
		return nil, fmt.Errorf("prometheus: url %q: %w", cfg.URL, err)
	}
	p := &Source{
		api:     clientAPI{api: promv1.NewAPI(statusClient{Client: client})},
		signals: make(map[string]config.Signal, len(signals)),
		timeout: cfg.Timeout,
		offset:  cfg.LatencyOffset,
		wall:    time.Now,

		interval:  config.DefaultInterval,
		scrapeCfg: cfg.ScrapeInterval,
		log:       slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(p)
	}
	if p.timeout <= 0 {
		p.timeout = config.SourceTimeout(config.DefaultInterval)
	}
	var errs []error
	for addr, s := range signals {
		if s.Query == "" {
			continue
		}
		if _, err := promql.Expand(s.Query, promql.Vars{Interval: time.Second, Scrape: time.Second}); err != nil {
			errs = append(errs, source.PlaceError(s.Pos.String(), addr, "query", err))
			continue
		}
		if err := p.checkFleet(addr, s.Query); err != nil {
			errs = append(errs, source.PlaceError(s.Pos.String(), addr, "query", err))
			continue
		}
		p.signals[addr] = s
		p.names = append(p.names, addr)
		p.usesRate = p.usesRate || promql.UsesRateInterval(s.Query)
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	slices.Sort(p.names)
	for _, addr := range p.names {
		if p.fleet != "" && slices.Contains(snapshot.FleetSignals, addr) {
			p.fleetNames = append(p.fleetNames, addr)
		}
		if addr == snapshot.SignalErrorCodes {
			p.codesLabel = cmp.Or(p.signals[addr].Label, config.DefaultCodeLabel)
		}
		for _, m := range promql.MetricNames(p.signals[addr].Query) {
			if !slices.Contains(p.metrics, m) {
				p.metrics = append(p.metrics, m)
			}
		}
	}
	if len(p.metrics) > 0 {
		p.newestQuery = newestQuery(p.metrics)
	}
	return p, nil
}

// Name is the source's key in a snapshot's health map.
func (p *Source) Name() string { return config.SourcePrometheus }

// Signals lists the addresses the source answers, sorted.
func (p *Source) Signals() []string { return slices.Clone(p.names) }

// outcome is one signal's answer.
type outcome struct {
	addr     string
	value    snapshot.Value
	ok       bool
	warnings []string
	infos    []string
	err      error
	msg      string // err without the signal's name, for source.Result.Errors
	// by is a breakdown's answer: a signal's figure by server, or
	// error_codes' by code.
	by map[string]float64
	// several lists the values of by's label that had several series.
	several []string
}

// Collect runs one instant query per signal, concurrently, each under the
// configured timeout. now (the snapshot clock, simulated in the demo) is not
// the evaluation time: see Source.wall. One failing query fails only its
// signal: the values that came back are returned with an error joining the
// failures.
//
// Grafana's variables are filled first ($__rate_interval needs the scrape
// interval: configured, or detected from the server). Beside the signals,
// one query asks for the newest sample's own time among the metrics they
// read: the data's real age, which a query evaluated in the past
// (latency_offset) or a server holding back its newest samples
// (VictoriaMetrics' -search.latencyOffset) makes older than it looks.
func (p *Source) Collect(ctx context.Context, now time.Time) (source.Result, error) {
	at := p.wall().Add(-p.offset)
	res := source.Result{Values: make(map[string]snapshot.Value, len(p.names))}
	vars := promql.Vars{Interval: p.interval}
	if p.usesRate {
		var info string
		vars.Scrape, info = p.scrapeInterval(ctx, at)
		if info != "" {
			res.Infos = append(res.Infos, info)
		}
		res.ScrapeInterval, res.RateWindow = vars.Scrape, vars.RateInterval()
	}

	queries := p.expand(vars)
	// The signals' outcomes, then the fleet queries', in fleetNames' order.
	out := make([]outcome, len(p.names)+len(p.fleetNames))
	var newest time.Time
	var ageWarning string
	var wg sync.WaitGroup
	for i, addr := range p.names {
		if addr == snapshot.SignalErrorCodes {
			wg.Go(func() { out[i] = p.collectCodes(ctx, addr, queries[addr], at) })
			continue
		}
		wg.Go(func() { out[i] = p.collectOne(ctx, addr, queries[addr], at) })
	}
	for i, addr := range p.fleetNames {
		wg.Go(func() { out[len(p.names)+i] = p.collectFleet(ctx, addr, queries[addr], at) })
	}
	if len(p.metrics) > 0 {
		wg.Go(func() { newest, ageWarning = p.newestSample(ctx, at) })
	}
	wg.Wait()

	var errs []error
	for _, o := range out {
		res.Warnings = append(res.Warnings, o.warnings...)
		res.Infos = append(res.Infos, o.infos...)
		if o.err != nil {
			errs = append(errs, o.err)
			res.AddError(o.addr, errors.New(o.msg))
			continue
		}
		if o.ok {
			res.Values[o.addr] = o.value
		}
	}
	p.layBreakdowns(&res, out[:len(p.names)], out[len(p.names):])
	// Without a sample time the answer is as old as the moment it was
	// evaluated at.
	res.NewestSample = at
	if ageWarning != "" && len(res.Values) > 0 {
		// Only an answer has an age to misread: for a poll that answered
		// nothing the poller keeps the last answer's, and the signals'
		// errors say what failed (a server down fails this query too).
		res.Warnings = append(res.Warnings, ageWarning)
	}
	if !newest.IsZero() {
		res.NewestSample = newest
		if info := p.hiddenLatency(at, newest, vars.Scrape); info != "" {
			res.Infos = append(res.Infos, info)
		}
	}
	return res, errors.Join(errs...)
}

// expand returns every signal's query filled for vars, filling them only
// when vars differ from the last poll's. The map is shared: read only.
func (p *Source) expand(vars promql.Vars) map[string]filled {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.expanded.queries != nil && p.expanded.vars == vars {
		return p.expanded.queries
	}
	queries := p.expandAll(vars)
	p.expanded = expansion{vars: vars, queries: queries}
	return queries
}

// expandAll fills every signal's query for vars.
func (p *Source) expandAll(vars promql.Vars) map[string]filled {
	queries := make(map[string]filled, len(p.names))
	for _, addr := range p.names {
		q, err := promql.Expand(p.signals[addr].Query, vars)
		f := filled{query: q, err: err}
		if err == nil && p.fleet != "" && slices.Contains(p.fleetNames, addr) {
			f.byFleet, f.fleetErr = promql.KeepLabel(q, p.fleet)
		}
		queries[addr] = f
	}
	return queries
}

// newestSample returns the newest sample's time among the metrics the
// queries read; zero when the server holds no sample of them. A failed
// query returns zero and a warning: the age then reads as the query time,
// which may be far younger than the data, and a person must be told.
func (p *Source) newestSample(ctx context.Context, at time.Time) (time.Time, string) {
	qctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	ans, err := p.api.query(qctx, p.newestQuery, at)
	if err != nil {
		return time.Time{}, ageUnknown(p.describe(ctx, qctx, ans, err))
	}
	v, ok := ans.value.(model.Vector)
	switch {
	case ans.value == nil:
		return time.Time{}, ageUnknown("no result")
	case !ok:
		return time.Time{}, ageUnknown(fmt.Sprintf("%s result where an instant vector is expected", ans.value.Type()))
	case len(v) == 0:
		// No sample of these metrics within the server's lookback: the
		// signals reading them have no answer either, and say so.
		return time.Time{}, ""
	case len(v) > 1:
		return time.Time{}, ageUnknown(fmt.Sprintf("%d series where max() gives one", len(v)))
	}
	t, ok := sampleTime(float64(v[0].Value))
	if !ok {
		return time.Time{}, ageUnknown(fmt.Sprintf("%v is no sample time", v[0].Value))
	}
	return t, ""
}

// ageUnknown words a failed newest-sample query for the source's
// warnings. The text depends only on the failure, so a failure that lasts
// reads the same every poll rather than a new warning each second.
func ageUnknown(why string) string {
	return "data age unknown: the newest-sample query failed: " + why + "; ages read as the query time"
}

// sampleTime reads a timestamp() answer, Unix seconds with a fraction,
// to the millisecond; false when it is no time (NaN, infinite, not after
// the epoch).
func sampleTime(f float64) (time.Time, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)), true
}

// hiddenLatency words a server holding back its newest samples: the newest
// sample far older than the time the query was evaluated at, while the
// series are scraped every few seconds.
func (p *Source) hiddenLatency(at, newest time.Time, scrape time.Duration) string {
	lag := at.Sub(newest)
	if lag <= max(3*scrape, 10*time.Second) {
		return ""
	}
	return fmt.Sprintf("the newest sample is %s older than the query time: the server holds back its newest data "+
		"(VictoriaMetrics hides its newest 30s unless -search.latencyOffset is lowered), or scraping stopped; figures are that old",
		lag.Round(100*time.Millisecond))
}

// collectOne queries one signal (its query filled by expand) and turns
// the answer into a value.
func (p *Source) collectOne(ctx context.Context, addr string, q filled, at time.Time) outcome {
	sig := p.signals[addr]
	o := outcome{addr: addr}
	query, err := q.query, q.err
	if err != nil { // checked in New; kept for safety
		o.msg = err.Error()
		o.err = fmt.Errorf("query %s: %s", addr, o.msg)
		return o
	}
	value, ok := p.run(ctx, &o, query, at)
	if !ok {
		return o
	}
	v, warning, err := reduce(addr, sig.Multi, value)
	if errors.Is(err, errNaN) && snapshot.Percentile(addr) {
		// A percentile of no requests (an endpoint before the sale): no
		// value to show, and nothing failed.
		return o
	}
	if err != nil {
		o.err = err
		o.msg = strings.TrimPrefix(err.Error(), addr+": ")
		return o
	}
	if warning != "" {
		o.warnings = append(o.warnings, warning)
	}
	o.value, o.ok = snapshot.Some(v), true
	return o
}

// run runs one instant query for o, keeping the answer's warnings and
// infos, prefixed with o.addr; false with o's error set when it failed.
func (p *Source) run(ctx context.Context, o *outcome, query string, at time.Time) (model.Value, bool) {
	qctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	ans, err := p.api.query(qctx, query, at)
	for _, w := range ans.warnings {
		o.warnings = append(o.warnings, o.addr+": "+snapshot.CleanText(w, source.MaxDetail))
	}
	for _, w := range ans.infos {
		o.infos = append(o.infos, o.addr+": "+snapshot.CleanText(w, source.MaxDetail))
	}
	if err != nil {
		o.msg = p.describe(ctx, qctx, ans, err)
		o.err = fmt.Errorf("query %s: %s", o.addr, o.msg)
		return nil, false
	}
	return ans.value, true
}

// errNaN is an answer that is not a number.
var errNaN = errors.New("value is NaN")

// reduce reduces a query result to one number.
func reduce(addr, multi string, v model.Value) (float64, string, error) {
	var f float64
	var warning string
	switch v := v.(type) {
	case *model.Scalar:
		f = float64(v.Value)
	case model.Vector:
		switch {
		case len(v) == 0:
			return 0, "", fmt.Errorf("%s: empty result (no series match)", addr)
		case len(v) == 1:
			f = float64(v[0].Value)
		case multi == config.MultiRefuse:
			names := make([]string, 0, maxSeriesNamed)
			for _, s := range v[:min(len(v), maxSeriesNamed)] {
				names = append(names, seriesName(s.Metric))
			}
			more := ""
			if len(v) > maxSeriesNamed {
				more = ", …"
			}
			return 0, "", fmt.Errorf("%s: %d series where one is expected (multi: refuse): %s%s",
				addr, len(v), strings.Join(names, ", "), more)
		default:
			for _, s := range v {
				f += float64(s.Value)
			}
			warning = fmt.Sprintf("%s: summed %d series", addr, len(v))
		}
	case nil:
		return 0, "", fmt.Errorf("%s: no result", addr)
	default:
		return 0, "", fmt.Errorf("%s: %s result where a number is expected (an instant vector or scalar)", addr, v.Type())
	}
	if math.IsNaN(f) {
		return 0, warning, fmt.Errorf("%s: %w", addr, errNaN)
	}
	if math.IsInf(f, 0) {
		return 0, warning, fmt.Errorf("%s: value is %v", addr, f)
	}
	return f, warning, nil
}

// seriesName formats a series' labels for an error line. Values are
// cleaned rather than Go-quoted: a quoted "\x1b[31m" is harmless but
// unreadable, and a label is text the server (or a scraped target) chose.
func seriesName(m model.Metric) string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, string(name))
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(snapshot.CleanText(name, 40))
		b.WriteString(`="`)
		b.WriteString(snapshot.CleanText(string(m[model.LabelName(name)]), 60))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// describe turns a failed query into one readable line: the timeout, the
// HTTP status, a body that is not JSON, or the TLS or network error.
func (p *Source) describe(parent, qctx context.Context, ans answer, err error) string {
	switch {
	case parent.Err() != nil && errors.Is(parent.Err(), context.DeadlineExceeded):
		// The poll's deadline came before the query's own.
		return "the poll's deadline passed first"
	case parent.Err() != nil:
		return "cancelled"
	case qctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("timed out after %s", p.timeout)
	}
	var apiErr *promv1.Error
	if errors.As(err, &apiErr) {
		return describeAPIError(ans, apiErr)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		// Drop the method and URL: the source is named on screen, and what
		// is left reads "tls: failed to verify certificate: x509:
		// certificate signed by unknown authority" or "dial tcp …:
		// connect: connection refused".
		err = uerr.Err
	}
	return snapshot.CleanText(err.Error(), source.MaxDetail)
}

// describeAPIError words an error client_golang built from an answer:
// the status line for a non-2xx, the server's own message when it sent one.
func describeAPIError(ans answer, e *promv1.Error) string {
	msg := ""
	switch {
	case ans.status != 0 && ans.status/100 != 2:
		msg = fmt.Sprintf("server answered %d %s", ans.status, http.StatusText(ans.status))
		// No retry for any status: a poll is one attempt, and Mimir caches
		// its 422 limit errors, so a retry only repeats the refusal.
		if detail := errorDetail(ans, e); detail != "" {
			msg += ": " + detail
		}
	case e.Type == promv1.ErrBadResponse && !isJSON(ans.contentType):
		what := "not JSON"
		if strings.Contains(ans.contentType, "html") {
			what = "HTML instead of JSON"
		}
		ct := ans.contentType
		if ct == "" {
			ct = "none"
		}
		msg = fmt.Sprintf("bad response: %s (content-type %s)", what, snapshot.CleanText(ct, 60))
	case e.Type == promv1.ErrBadResponse:
		msg = "bad response: " + e.Msg
	default:
		msg = fmt.Sprintf("%s: %s", e.Type, e.Msg)
	}
	return snapshot.CleanText(msg, source.MaxDetail)
}

// errorDetail is the server's message for a failed status: the API's
// error field for a JSON body (400 and 422 are decoded by client_golang),
// the first line of a plain-text body, nothing for an HTML page.
func errorDetail(ans answer, e *promv1.Error) string {
	if e.Detail == "" {
		// client_golang decoded a JSON API error: Type and Msg are the
		// server's.
		return fmt.Sprintf("%s: %s", e.Type, e.Msg)
	}
	if isJSON(ans.contentType) {
		var body struct {
			ErrorType string `json:"errorType"`
			Error     string `json:"error"`
		}
		if json.Unmarshal([]byte(e.Detail), &body) == nil && body.Error != "" {
			if body.ErrorType != "" {
				return body.ErrorType + ": " + body.Error
			}
			return body.Error
		}
	}
	if strings.HasPrefix(ans.contentType, "text/plain") {
		line, _, _ := strings.Cut(strings.TrimSpace(e.Detail), "\n")
		return line
	}
	return ""
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// querier is the one seam over client_golang's query API, whose
// signature changes between versions (v1.25 added Infos to Query's results).
type querier interface {
	query(ctx context.Context, q string, at time.Time) (answer, error)
}

// answer is an instant query's answer with what the HTTP exchange said
// about it, for errors worth reading.
type answer struct {
	value       model.Value
	warnings    []string
	infos       []string
	status      int
	contentType string
}

// clientAPI adapts client_golang v1.25's API.
type clientAPI struct{ api promv1.API }

func (a clientAPI) query(ctx context.Context, q string, at time.Time) (answer, error) {
	ex := &exchange{}
	ctx = context.WithValue(ctx, exchangeKey{}, ex)
	// client_golang reads the whole body with no cap. The caller's deadline
	// (the per-query timeout, below the poll interval) is what bounds it: a
	// server streaming an endless body is cut off when the deadline passes.
	v, warnings, infos, err := a.api.Query(ctx, q, at)
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return answer{value: v, warnings: warnings, infos: infos, status: ex.status, contentType: ex.contentType}, err
}

// exchange records the status and content type of a query's response:
// client_golang reduces a failed one to a string, and "server answered 503
// Service Unavailable" or "HTML instead of JSON" needs them.
type exchange struct {
	mu          sync.Mutex
	status      int
	contentType string
}

type exchangeKey struct{}

// statusClient fills the exchange carried by the request's context.
type statusClient struct{ api.Client }

func (c statusClient) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	resp, body, err := c.Client.Do(ctx, req)
	if ex, ok := ctx.Value(exchangeKey{}).(*exchange); ok && resp != nil {
		ex.mu.Lock()
		ex.status, ex.contentType = resp.StatusCode, resp.Header.Get("Content-Type")
		ex.mu.Unlock()
	}
	return resp, body, err
}

// bodyLimit caps response bodies: client_golang reads a body whole, and
// a deadline alone lets a fast server hand over hundreds of megabytes first.
type bodyLimit struct {
	next  http.RoundTripper
	limit int64
}

func (t bodyLimit) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: t.limit}
	return resp, nil
}

// limitedBody fails a read past its limit with a named error rather
// than cutting the body short, which would read as malformed JSON.
type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.tooLarge()
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, b.tooLarge()
	}
	return n, err
}

func (b *limitedBody) tooLarge() error {
	return errors.New("answer exceeds sources.prometheus.max_body_bytes")
}
