// Package scrape is the source for shops without a Prometheus server: it
// reads /metrics endpoints directly and evaluates each signal's scrape
// expression (package expr) over what they expose. Each target's series
// are labelled job and instance (host:port), as Prometheus labels them.
//
// With a fleet label (Fleet), each signal a server carries
// (snapshot.FleetSignals) is evaluated once more for every value of that
// label, over only that server's series, into Result.Fleet; the series are
// grouped by the label once a poll. signals.error_codes is evaluated once
// for every value of its label (expr.Expr.EvalBy) into Result.ErrorCodes.
package scrape

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/launchwatch/launchwatch/collectors/scrape/expr"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// accept asks for the classic text format only. expfmt v0.73 does
// decode OpenMetrics 1.0, but with an ABNF parser that took 2.7 s and
// 2.4 GB of allocations for 2,000 samples
// (BenchmarkScrapeExpfmtOpenMetricsDecoder): far
// too slow for a 1 s poll. An exporter that answers OpenMetrics anyway is
// translated to the text format line by line (fromOpenMetrics).
const accept = "text/plain;version=0.0.4;q=1,*/*;q=0.1"

// forgetPolls is how many answered polls a series may be absent before
// its previous value is forgotten. Remembering it for a while means a series
// that skips a poll comes back with a true increase, not its whole value.
const forgetPolls = 60

// Source reads Prometheus /metrics endpoints directly, for shops without a
// Prometheus server, and evaluates each signal's scrape expression (see
// package expr for the language) over what they expose.
type Source struct {
	targets []target
	client  *http.Client
	timeout time.Duration
	maxBody int64
	exprs   map[string]*expr.Expr
	signals []string        // sorted addresses
	keep    map[string]bool // metric names any expression reads

	// fleet is the label telling a fleet's servers apart, empty for none;
	// fleetSignals the addresses of FleetSignals with an expression, and
	// fleetNames the metric names they read.
	fleet        string
	fleetSignals []string
	fleetNames   []string
	// codes is signals.error_codes' expression, nil without one, broken
	// down by codeLabel.
	codes     *expr.Expr
	codeLabel string

	mu    sync.Mutex // guards state
	state []state
}

// target is one /metrics URL.
type target struct {
	url     string
	display string // the URL with any password redacted, for errors
	// labels are given to every series it exposes, as Prometheus does:
	// instance (host:port) and the configured job.
	labels []expr.Label
	// body is the buffer its answers are read into.
	body *bodyBuffer
}

// bodyBuffer is a target's body buffer, kept from scrape to scrape.
type bodyBuffer struct {
	mu  sync.Mutex // held while a scrape reads into buf
	buf bytes.Buffer
}

// trim lets go of a buffer grown for an answer far larger than the one it
// holds now: one huge answer (up to max_body_bytes) is not kept for good.
func (b *bodyBuffer) trim() {
	if tooBig(b.buf.Cap(), b.buf.Len(), 64<<10) {
		b.buf = bytes.Buffer{}
	}
}

// tooBig reports whether something kept for reuse, of size have, is
// far larger than what it is needed for: more than 4 times need, and
// past floor, below which keeping it costs little.
func tooBig(have, need, floor int) bool { return have > floor && have > 4*need }

// state is what a target answered at its last successful poll.
type state struct {
	polled bool
	at     time.Time
	polls  uint64
	series map[string]prev // by series identity
	names  map[string]bool // the metric names it exposed last
	// spare is the series map before last, emptied and filled again at the
	// next poll: a map of every series is not built anew each second.
	spare map[string]prev
	// The most entries each map has held: its size, since a map never
	// shrinks and its length says nothing of it once emptied.
	seriesHeld, spareHeld, namesHeld int
}

// prev is one series' value at its last poll.
type prev struct {
	value float64
	at    time.Time
	poll  uint64
}

// sample is one sample of an exposition.
type sample struct {
	name   string
	labels []expr.Label // sorted by name, values cleaned
	key    string       // identity: name and raw labels
	value  float64
}

// Option configures a Source.
type Option func(*Source)

// Fleet names the label telling a fleet's servers apart (config's
// fleet.label: instance, pod, host); empty for no fleet. Each server's
// figures come in Result.Fleet, named by the label's value.
func Fleet(label string) Option { return func(s *Source) { s.fleet = label } }

// New builds the scrape source for cfg and the signals with a scrape
// expression (the map keys are addresses: "pv", "host.cpu",
// "endpoints.buy", "endpoints.buy.p95", and snapshot.SignalErrorCodes,
// broken down by its Label). Every expression is parsed up front; a bad
// one is an error naming its place, e.g.
//
//	examples/demo.yaml:14: signals.pv.scrape: col 6: rate() takes a selector, got 5
func New(cfg *config.Scrape, signals map[string]config.Signal, opts ...Option) (*Source, error) {
	if cfg == nil {
		return nil, errors.New("scrape: sources.scrape is not configured")
	}
	if len(cfg.Targets) == 0 {
		return nil, errors.New("scrape: sources.scrape.targets: list at least one /metrics URL")
	}
	s := &Source{
		timeout: cfg.Timeout,
		maxBody: cfg.MaxBodyBytes,
		exprs:   make(map[string]*expr.Expr),
		keep:    make(map[string]bool),
	}
	if s.maxBody <= 0 {
		s.maxBody = config.DefaultScrapeMaxBody
	}
	for _, o := range opts {
		o(s)
	}
	for i, t := range cfg.Targets {
		u, err := url.Parse(t)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("scrape: sources.scrape.targets[%d]: %q is not an http(s) URL", i, t)
		}
		labels := []expr.Label{{Name: "instance", Value: u.Host}}
		if cfg.Job != "" {
			labels = append(labels, expr.Label{Name: "job", Value: cfg.Job})
		}
		s.targets = append(s.targets, target{url: t, display: u.Redacted(), labels: labels, body: new(bodyBuffer)})
	}
	client, err := promconfig.NewClientFromConfig(cfg.HTTPClient, "launchwatch")
	if err != nil {
		return nil, fmt.Errorf("scrape: sources.scrape.http_client_config: %w", err)
	}
	s.client = client

	var errs []error
	for addr, sig := range signals {
		if sig.Scrape == "" {
			continue
		}
		x, err := expr.Parse(sig.Scrape)
		if err != nil {
			errs = append(errs, source.PlaceError(sig.Pos.String(), addr, "scrape", err))
			continue
		}
		for _, n := range x.Names() {
			s.keep[n] = true
		}
		if addr == snapshot.SignalErrorCodes {
			// A breakdown, not a figure of the snapshot's table.
			s.codes, s.codeLabel = x, cmp.Or(sig.Label, config.DefaultCodeLabel)
			continue
		}
		s.exprs[addr] = x
		s.signals = append(s.signals, addr)
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	slices.Sort(s.signals)
	if s.fleet != "" {
		for _, addr := range snapshot.FleetSignals {
			if x, ok := s.exprs[addr]; ok {
				s.fleetSignals = append(s.fleetSignals, addr)
				for _, n := range x.Names() {
					if !slices.Contains(s.fleetNames, n) {
						s.fleetNames = append(s.fleetNames, n)
					}
				}
			}
		}
	}
	s.state = make([]state, len(s.targets))
	return s, nil
}

// Name implements source.Source.
func (s *Source) Name() string { return config.SourceScrape }

// Signals implements source.Source: the addresses with a scrape
// expression, sorted, signals.error_codes among them (as the Prometheus
// source lists it: its failure is keyed by it).
func (s *Source) Signals() []string {
	out := slices.Clone(s.signals)
	if s.codes != nil {
		out = append(out, snapshot.SignalErrorCodes)
		slices.Sort(out)
	}
	return out
}

// Collect implements source.Source. It scrapes every target concurrently, then
// evaluates every expression with now as the clock of its rates. Values sum
// over the targets that answered; the error names the ones that did not,
// and a signal that reads metrics a silent target exposed (or may expose:
// it never answered) is listed partial. An expression that cannot be
// answered (a metric no target exposes) is that signal's error.
func (s *Source) Collect(ctx context.Context, now time.Time) (source.Result, error) {
	type answer struct {
		samples []sample
		err     error
	}
	answers := make([]answer, len(s.targets))
	var wg sync.WaitGroup
	for i, t := range s.targets {
		wg.Go(func() {
			samples, err := s.fetch(ctx, t)
			answers[i] = answer{samples, err}
		})
	}
	wg.Wait()

	s.mu.Lock()
	defer s.mu.Unlock()
	var res source.Result
	var errs []error
	var silent []int
	data := make(expr.Data)
	for i, a := range answers {
		if a.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.targets[i].display, a.err))
			res.AddError(s.targets[i].display, a.err)
			silent = append(silent, i)
			continue
		}
		s.state[i].advance(a.samples, now, data)
	}
	if len(errs) == len(s.targets) {
		return res, errors.Join(errs...)
	}
	errs = append(errs, s.evaluate(data, silent, &res)...)
	return res, errors.Join(errs...)
}

// evaluate evaluates every expression over one poll's data into res:
// the signals, the error codes and the fleet's servers. silent are the
// targets that did not answer. It returns the signals' errors.
func (s *Source) evaluate(data expr.Data, silent []int, res *source.Result) (errs []error) {
	res.Values = make(map[string]snapshot.Value, len(s.signals))
	for _, addr := range s.signals {
		x := s.exprs[addr]
		v, ok, warnings, err := x.Eval(data)
		for _, w := range warnings {
			res.Warnings = append(res.Warnings, addr+": "+w)
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", addr, err)
			errs = append(errs, err)
			res.AddError(addr, errors.Unwrap(err))
			continue
		}
		if !ok {
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			err := fmt.Errorf("the expression gave %v, not a finite number", v)
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
			res.AddError(addr, err)
			continue
		}
		res.Values[addr] = snapshot.Some(v)
		if s.readsFrom(x, silent) {
			res.Partial = append(res.Partial, addr)
		}
	}
	if s.codes != nil {
		if err := s.errorCodes(data, res); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", snapshot.SignalErrorCodes, err))
		}
	}
	if len(s.fleetSignals) > 0 {
		var unlabelled bool
		res.Fleet, unlabelled = s.servers(data)
		if unlabelled {
			res.Warnings = append(res.Warnings, fmt.Sprintf("fleet.label: no series the fleet's signals read carries the label %q", s.fleet))
		}
	}
	return errs
}

// errorCodes lays signals.error_codes, broken down by its label, into res.
func (s *Source) errorCodes(data expr.Data, res *source.Result) error {
	byCode, warnings, err := s.codes.EvalBy(data, s.codeLabel)
	for _, w := range warnings {
		res.Warnings = append(res.Warnings, snapshot.SignalErrorCodes+": "+w)
	}
	if err != nil {
		res.AddError(snapshot.SignalErrorCodes, err)
		return err
	}
	res.ErrorCodes = make(map[string]snapshot.Value, len(byCode))
	for code, v := range byCode {
		// Two codes that clean alike (escapes around one) add up.
		key := snapshot.CleanText(code, snapshot.MaxCodeName)
		res.ErrorCodes[key] = snapshot.Some(res.ErrorCodes[key].Or(0) + v)
	}
	return nil
}

// servers evaluates each fleet signal over each server's own series. The
// series are split by the fleet label once, over the names the fleet
// signals read only, so a target exposing none of them (a database) is no
// server. A figure a server cannot give (warming up, a metric it does not
// expose, x/0) is missing for it; the whole signal's warnings and errors
// already say what is worth saying, once rather than a server each.
// unlabelled says there were series to split but none carries the label
// (a typo, or a label the targets do not set).
func (s *Source) servers(data expr.Data) (fleet map[string]snapshot.Server, unlabelled bool) {
	read := make(expr.Data, len(s.fleetNames))
	for _, n := range s.fleetNames {
		if series, ok := data[n]; ok {
			read[n] = series
		}
	}
	parts := read.Split(s.fleet)
	fleet = make(map[string]snapshot.Server, len(parts))
	for name, part := range parts {
		srv := snapshot.Server{Name: snapshot.CleanText(name, snapshot.MaxServerName)}
		for _, addr := range s.fleetSignals {
			v, ok, _, err := s.exprs[addr].Eval(part)
			if err == nil && ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				srv.Set(addr, snapshot.Some(v))
			}
		}
		fleet[srv.Name] = srv
	}
	unlabelled = len(parts) == 0 && slices.ContainsFunc(s.fleetNames, func(n string) bool { return len(read[n]) > 0 })
	return fleet, unlabelled
}

// readsFrom reports whether an expression reads a metric that one of the
// given targets exposed when it last answered, or may expose because it
// never has: its value then lacks that target's share.
func (s *Source) readsFrom(x *expr.Expr, targets []int) bool {
	for _, i := range targets {
		st := &s.state[i]
		if !st.polled {
			return true
		}
		for _, n := range x.Names() {
			if st.names[n] {
				return true
			}
		}
	}
	return false
}

// advance lays a target's answer into data, pairing each series with its
// previous value, and remembers the answer for the next poll.
func (st *state) advance(samples []sample, now time.Time, data expr.Data) {
	st.polls++
	// A map never shrinks: one left from a poll with far more series than
	// this one will hold (its samples, and the series it still remembers)
	// is let go, not kept (and cleared every second) for good.
	need := max(len(samples), len(st.series))
	next, held := st.spare, st.spareHeld
	if next == nil || tooBig(held, need, 1024) {
		next, held = make(map[string]prev, need), 0
	}
	clear(next)
	if st.names == nil || tooBig(st.namesHeld, len(samples), 1024) {
		st.names, st.namesHeld = make(map[string]bool), 0
	}
	clear(st.names)
	for _, smp := range samples {
		st.names[smp.name] = true
		es := expr.Series{Labels: smp.labels, Value: smp.value}
		if p, ok := st.series[smp.key]; ok {
			es.Prev, es.HasPrev, es.Elapsed = p.value, true, now.Sub(p.at).Seconds()
		} else if st.polled {
			// The target answered last time without this series: it was
			// born since then, and counters are born at zero. Counting it
			// from zero shows the first 5xx or the first buy at once
			// instead of a poll later.
			es.HasPrev, es.Elapsed = true, now.Sub(st.at).Seconds()
		}
		data[smp.name] = append(data[smp.name], es)
		next[smp.key] = prev{value: smp.value, at: now, poll: st.polls}
	}
	for k, p := range st.series {
		if _, seen := next[k]; !seen && st.polls-p.poll < forgetPolls {
			next[k] = p
		}
	}
	st.namesHeld = max(st.namesHeld, len(st.names))
	st.spare, st.spareHeld = st.series, st.seriesHeld
	st.series, st.seriesHeld = next, max(held, len(next))
	st.polled, st.at = true, now
}

// fetch GETs one target and returns the samples the expressions read.
func (s *Source) fetch(ctx context.Context, t target) ([]sample, error) {
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "launchwatch")
	if d, ok := ctx.Deadline(); ok {
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.FormatFloat(time.Until(d).Seconds(), 'f', 3, 64))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, cleanError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		msg := "status " + snapshot.CleanText(resp.Status, 60)
		if text := snapshot.CleanText(string(snippet), 100); text != "" {
			msg += ": " + text
		}
		return nil, errors.New(msg)
	}
	// The body is read into the target's buffer, kept for its next
	// scrape (the parser copies what it keeps); a scrape overlapping a
	// late one of the same target takes a buffer of its own.
	buf := new(bytes.Buffer)
	if b := t.body; b.mu.TryLock() {
		defer b.mu.Unlock()
		defer b.trim() // once parsed
		buf = &b.buf
	}
	buf.Reset()
	_, err = buf.ReadFrom(io.LimitReader(resp.Body, s.maxBody+1))
	body := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("read body: %w", cleanError(err))
	}
	if int64(len(body)) > s.maxBody {
		return nil, fmt.Errorf("body exceeds %s (sources.scrape.max_body_bytes)", byteSize(s.maxBody))
	}
	samples, err := parse(body, resp.Header.Get("Content-Type"), s.keep)
	if err != nil {
		return nil, err
	}
	for i := range samples {
		samples[i].labels = targetLabels(samples[i].labels, t.labels)
	}
	return samples, nil
}

// targetLabels gives a sample the target's labels. A label the
// exporter set itself under the same name is kept as exported_NAME, as
// Prometheus does (honor_labels: false), so {instance="web-1:9100"} names
// the target that was read. The result stays sorted by name. It is built
// in labels itself (renamed in place, the target's appended): the
// samples' labels are made with room for them (targetLabelsMax).
func targetLabels(labels, target []expr.Label) []expr.Label {
	for i, l := range labels {
		if slices.ContainsFunc(target, func(t expr.Label) bool { return t.Name == l.Name }) {
			labels[i].Name = "exported_" + l.Name
		}
	}
	out := append(labels, target...)
	slices.SortFunc(out, func(a, b expr.Label) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// targetLabelsMax is how many labels a target gives its samples
// (instance and job): newSample leaves room for them.
const targetLabelsMax = 2

// cleanError keeps server-influenced text in an error safe to show.
func cleanError(err error) error {
	return errors.New(snapshot.CleanText(err.Error(), source.MaxDetail))
}

// byteSize formats a byte count in binary units: "16 MiB", "512 B".
func byteSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " " + units[i]
}

// parse parses an exposition by its Content-Type and flattens the
// families whose samples keep names (nil keeps all) into samples. A panic in
// the parser is an error: a hostile body must not take the program down.
func parse(body []byte, contentType string, keep map[string]bool) (samples []sample, err error) {
	defer func() {
		if r := recover(); r != nil {
			samples, err = nil, fmt.Errorf("parse: internal parser error: %s", snapshot.CleanText(fmt.Sprint(r), 120))
		}
	}()
	mediaType, _, _ := mime.ParseMediaType(contentType)
	if mediaType == "text/html" || mediaType == "application/xhtml+xml" ||
		bytes.HasPrefix(bytes.TrimSpace(body), []byte("<")) {
		return nil, errors.New("got an HTML page, not metrics: check the URL's path (usually /metrics)")
	}
	format := expfmt.ResponseFormat(http.Header{"Content-Type": {contentType}})
	var fams []*dto.MetricFamily
	switch format.FormatType() {
	case expfmt.TypeOpenMetrics:
		body = fromOpenMetrics(body)
	case expfmt.TypeProtoDelim:
		dec := expfmt.NewDecoder(bytes.NewReader(body), format)
		for {
			mf := new(dto.MetricFamily)
			err := dec.Decode(mf)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("parse: %s", snapshot.CleanText(err.Error(), 160))
			}
			fams = append(fams, mf)
		}
		for _, mf := range fams {
			samples = flatten(samples, mf, keep)
		}
		return samples, nil
	}
	return parseText(body, keep)
}

// parseText parses the text format 0.0.4.
func parseText(body []byte, keep map[string]bool) (samples []sample, err error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	byName, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse: %s", snapshot.CleanText(err.Error(), 160))
	}
	for _, mf := range byName {
		samples = flatten(samples, mf, keep)
	}
	return samples, nil
}

// fromOpenMetrics rewrites an OpenMetrics 1.0 exposition as the text
// format, keeping what expressions read: it stops at "# EOF", drops UNIT
// lines, exemplars and timestamps, and maps the types text lacks. A counter
// keeps its samples' _total names (they parse as untyped samples).
func fromOpenMetrics(body []byte) []byte {
	out := make([]byte, 0, len(body))
	for len(body) > 0 {
		var line []byte
		line, body, _ = bytes.Cut(body, []byte("\n"))
		switch {
		case bytes.Equal(bytes.TrimSpace(line), []byte("# EOF")):
			return out
		case bytes.HasPrefix(line, []byte("# UNIT ")):
			continue
		case bytes.HasPrefix(line, []byte("# TYPE ")):
			f := strings.Fields(string(line))
			if len(f) == 4 {
				switch f[3] {
				case "unknown":
					f[3] = "untyped"
				case "stateset", "info":
					f[3] = "gauge"
				case "gaugehistogram":
					f[3] = "histogram"
				}
				line = []byte(strings.Join(f, " "))
			}
		case len(line) > 0 && line[0] != '#':
			line = openMetricsSample(line)
		}
		out = append(out, line...)
		out = append(out, '\n')
	}
	return out
}

// openMetricsSample keeps a sample line's name, labels and value,
// dropping its timestamp and exemplar. Quotes in label values are honoured,
// so a '#' or '}' inside one is kept.
func openMetricsSample(line []byte) []byte {
	end := seriesEnd(line)
	if end < 0 {
		return line // unbalanced: let the text parser name the error
	}
	rest := bytes.Fields(line[end:])
	if len(rest) == 0 {
		return line
	}
	out := append(line[:end:end], ' ')
	return append(out, rest[0]...)
}

// seriesEnd returns where a sample line's name and labels end, or -1
// when its braces are not closed.
func seriesEnd(line []byte) int {
	end := 0
	for end < len(line) && line[end] != ' ' && line[end] != '{' {
		end++
	}
	if end == len(line) || line[end] != '{' {
		return end
	}
	quoted := false
	for end++; end < len(line); end++ {
		switch c := line[end]; {
		case quoted && c == '\\':
			end++
		case c == '"':
			quoted = !quoted
		case !quoted && c == '}':
			return end + 1
		}
	}
	return -1
}

// flatten appends a family's samples as the text format names them:
// a histogram's _bucket (with le), _sum and _count, a summary's quantiles,
// _sum and _count.
func flatten(out []sample, mf *dto.MetricFamily, keep map[string]bool) []sample {
	name := mf.GetName()
	want := func(n string) bool { return keep == nil || keep[n] }
	for _, m := range mf.GetMetric() {
		add := func(n string, v float64, extra ...expr.Label) {
			if want(n) {
				out = append(out, newSample(n, m.GetLabel(), extra, v))
			}
		}
		switch mf.GetType() {
		case dto.MetricType_COUNTER:
			add(name, m.GetCounter().GetValue())
		case dto.MetricType_GAUGE:
			add(name, m.GetGauge().GetValue())
		case dto.MetricType_SUMMARY:
			sm := m.GetSummary()
			for _, q := range sm.GetQuantile() {
				add(name, q.GetValue(), expr.Label{Name: "quantile", Value: strconv.FormatFloat(q.GetQuantile(), 'g', -1, 64)})
			}
			add(name+"_sum", sm.GetSampleSum())
			add(name+"_count", float64(sm.GetSampleCount()))
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			h := m.GetHistogram()
			count := h.GetSampleCountFloat()
			if count == 0 {
				count = float64(h.GetSampleCount())
			}
			inf := false
			for _, b := range h.GetBucket() {
				c := b.GetCumulativeCountFloat()
				if c == 0 {
					c = float64(b.GetCumulativeCount())
				}
				inf = inf || math.IsInf(b.GetUpperBound(), 1)
				add(name+"_bucket", c, expr.Label{Name: "le", Value: strconv.FormatFloat(b.GetUpperBound(), 'g', -1, 64)})
			}
			if !inf {
				add(name+"_bucket", count, expr.Label{Name: "le", Value: "+Inf"})
			}
			add(name+"_sum", h.GetSampleSum())
			add(name+"_count", count)
		default:
			add(name, m.GetUntyped().GetValue())
		}
	}
	return out
}

// newSample builds a sample with sorted labels. The identity keeps
// the raw label values; the values expressions match are cleaned, so a
// matcher written in the config matches what an operator would see.
func newSample(name string, pairs []*dto.LabelPair, extra []expr.Label, v float64) sample {
	labels := make([]expr.Label, 0, len(pairs)+len(extra)+targetLabelsMax)
	size := len(name)
	for _, p := range pairs {
		labels = append(labels, expr.Label{Name: p.GetName(), Value: p.GetValue()})
		size += 2 + len(p.GetName()) + len(p.GetValue())
	}
	for _, l := range extra {
		size += 2 + len(l.Name) + len(l.Value)
	}
	labels = append(labels, extra...)
	slices.SortFunc(labels, func(a, b expr.Label) int { return strings.Compare(a.Name, b.Name) })
	var key strings.Builder
	key.Grow(size)
	key.WriteString(name)
	for i, l := range labels {
		key.WriteByte(0xff)
		key.WriteString(l.Name)
		key.WriteByte(0xfe)
		key.WriteString(l.Value)
		labels[i].Value = cleanLabel(l.Value)
	}
	return sample{name: name, labels: labels, key: key.String(), value: v}
}

// cleanLabel cleans a label value, skipping the work for the usual
// printable ASCII.
func cleanLabel(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7f {
			return snapshot.CleanText(v, 0)
		}
	}
	return v
}
