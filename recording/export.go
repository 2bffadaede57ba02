package recording

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// columns is a recording's values by signal address, NaN where missing (a
// present Value is never NaN): about 8 bytes a value, so an export does not
// hold the snapshots, yet writes each signal's samples together.
type columns struct {
	times     []time.Time
	fixed     [][]float64          // by exported()
	endpoints map[string][]float64 // by endpoint name
	codes     map[string][]float64 // the error codes' rates, by code
	servers   bool                 // some record has a fleet
}

// exported are the signal table's rows every export writes, in its order,
// and its endpoints' pattern: a column, and an OpenMetrics family, a row
// (the pattern's a column an endpoint).
func exported() (fixed []snapshot.Signal, endpoints snapshot.Signal) {
	for sig := range snapshot.All() {
		switch {
		case !sig.Export:
		case sig.Pattern():
			endpoints = sig
		default:
			fixed = append(fixed, sig)
		}
	}
	return fixed, endpoints
}

func collect(r *Recording) (*columns, error) {
	sigs, _ := exported()
	c := &columns{
		times:     make([]time.Time, 0, r.Len()),
		fixed:     make([][]float64, len(sigs)),
		endpoints: map[string][]float64{},
		codes:     map[string][]float64{},
	}
	for j := range c.fixed {
		c.fixed[j] = make([]float64, 0, r.Len())
	}
	err := r.Scan(0, r.Len(), func(i int, s snapshot.Snapshot) error {
		c.times = append(c.times, s.Time)
		for j, sig := range sigs {
			c.fixed[j] = append(c.fixed[j], sig.Read(&s).Or(math.NaN()))
		}
		for name, ep := range s.Endpoints {
			c.endpoints[name] = append(pad(c.endpoints[name], i), ep.QPS.Or(math.NaN()))
		}
		for code, v := range s.ErrorCodes {
			c.codes[code] = append(pad(c.codes[code], i), v.Or(math.NaN()))
		}
		c.servers = c.servers || len(s.Fleet) > 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	for name, col := range c.endpoints {
		c.endpoints[name] = pad(col, len(c.times))
	}
	for code, col := range c.codes {
		c.codes[code] = pad(col, len(c.times))
	}
	return c, nil
}

// fleetColumn is one fleet signal's values by server, NaN where missing,
// in float32: a recording keeps four significant digits of a server's
// figures, and a day of 500 servers is 173 MB a signal in float32.
func fleetColumn(r *Recording, sig string) (map[string][]float32, error) {
	cols := map[string][]float32{}
	err := r.Scan(0, r.Len(), func(i int, s snapshot.Snapshot) error {
		for _, srv := range s.Fleet {
			v := float32(math.NaN())
			if f, ok := srv.Get(sig).Get(); ok {
				v = float32(f)
			}
			col := cols[srv.Name]
			for len(col) < i {
				col = append(col, float32(math.NaN()))
			}
			cols[srv.Name] = append(col, v)
		}
		return nil
	})
	return cols, err
}

// pad fills col with missing values up to length n.
func pad(col []float64, n int) []float64 {
	for len(col) < n {
		col = append(col, math.NaN())
	}
	return col
}

func (c *columns) endpointNames() []string { return slices.Sorted(maps.Keys(c.endpoints)) }

// codeNames returns the error codes seen, sorted as numbers where they are
// numbers ("404" before "502" before "timeout").
func (c *columns) codeNames() []string {
	return slices.SortedFunc(maps.Keys(c.codes), func(a, b string) int {
		x, errA := strconv.Atoi(a)
		y, errB := strconv.Atoi(b)
		switch {
		case errA == nil && errB == nil:
			return cmp.Compare(x, y)
		case errA == nil:
			return -1
		case errB == nil:
			return 1
		}
		return strings.Compare(a, b)
	})
}

// WriteCSV writes a recording's snapshot data as CSV: a header row of time
// (RFC 3339, UTC, milliseconds), t_seconds (seconds since the launch's T0,
// negative before it; empty when the header has no T0), launch (the
// launch's name as alerts carry it, so the rows of two launches can share
// a sheet), every
// exported signal of the signal table in its order by its MetricName
// (pv, bandwidth_bytes_per_second, error_ratio, latency_p95_seconds, …),
// then endpoint_qps.NAME for every endpoint and error_codes.CODE (failed
// requests per second) for every status code seen anywhere in the
// recording, sorted, and last annotation: the text of each annotation
// (see Recording.Annotations) on the row of the first snapshot at or after
// its time (the last row for one after the recording), two on one row
// joined by " | ". A missing value is an empty cell, never 0; numbers
// keep full float64 precision.
func WriteCSV(w io.Writer, r *Recording) error {
	c, err := collect(r)
	if err != nil {
		return fmt.Errorf("export CSV: %w", err)
	}
	names, codes := c.endpointNames(), c.codeNames()
	cw := csv.NewWriter(w)
	fixed, endpoints := exported()
	head := []string{"time", "t_seconds", "launch"}
	for _, sig := range fixed {
		head = append(head, sig.MetricName())
	}
	for _, name := range names {
		head = append(head, endpoints.MetricName()+"."+name)
	}
	for _, code := range codes {
		head = append(head, snapshot.SignalErrorCodes+"."+code)
	}
	head = append(head, "annotation")
	notes := r.NotesBySnapshot()
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("export CSV: %w", err)
	}
	h := r.Header()
	t0, launch := h.Launch.StartsAt, snapshot.LaunchLabel(h.Launch.Name)
	row := make([]string, len(head))
	for i, t := range c.times {
		row = row[:0]
		since := ""
		if !t0.IsZero() {
			since = strconv.FormatFloat(t.Sub(t0).Seconds(), 'f', -1, 64)
		}
		row = append(row, t.UTC().Format("2006-01-02T15:04:05.000Z07:00"), since, launch)
		for _, col := range c.fixed {
			row = append(row, cell(col[i]))
		}
		for _, name := range names {
			row = append(row, cell(c.endpoints[name][i]))
		}
		for _, code := range codes {
			row = append(row, cell(c.codes[code][i]))
		}
		var texts []string
		for _, a := range notes[i] {
			texts = append(texts, a.Text)
		}
		row = append(row, strings.Join(texts, " | "))
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("export CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export CSV: %w", err)
	}
	return nil
}

func cell(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// WriteOpenMetrics writes a recording's snapshot data as OpenMetrics text
// that `promtool tsdb create-blocks-from openmetrics` imports: one gauge
// family per exported signal, named launchwatch_ and the signal's
// MetricName (launchwatch_pv, launchwatch_error_ratio,
// launchwatch_host_memory_size_bytes, …) with a # UNIT line where its unit
// is a base unit; launchwatch_endpoint_qps{endpoint="NAME"};
// launchwatch_error_codes{code="502"} (failed requests per second by code)
// and, when the recording has a fleet, a family per fleet signal with a
// series per server (launchwatch_server_requests{server="web-3"}, …) and
// launchwatch_server_gone{server="web-3"} (1 while it is gone). Every
// series carries launch (the launch's name as alerts carry it,
// snapshot.LaunchLabel) and recording (the header's RecordingID), so two
// launches, or two recordings of one, imported into one Prometheus stay
// apart. Each family has # TYPE and # HELP and all its samples together,
// timestamps in seconds with milliseconds, then # EOF.
// Each fleet family is one more pass over the recording, holding 4 bytes a
// value of that signal. Missing values are left out, as is a family with
// no values. Two records in the same millisecond keep the first: a series
// takes one sample per timestamp.
func WriteOpenMetrics(w io.Writer, r *Recording) error {
	c, err := collect(r)
	if err != nil {
		return fmt.Errorf("export OpenMetrics: %w", err)
	}
	h := r.Header()
	// The launch label is the one every alert carries, so a series and an
	// alert of one launch match.
	labels := `launch="` + escapeLabel(snapshot.LaunchLabel(h.Launch.Name)) + `",recording="` + escapeLabel(h.RecordingID()) + `"`
	bw := bufio.NewWriterSize(w, 64<<10)
	fixed, endpoints := exported()
	for j, sig := range fixed {
		if !anyPresent(c.fixed[j]) {
			continue
		}
		name := metricPrefix + sig.MetricName()
		writeFamily(bw, name, sig.MetricUnit(), sig.Help)
		writeSeries(bw, name+"{"+labels+"}", c.times, c.fixed[j])
	}
	if names := c.endpointNames(); len(names) > 0 {
		name := metricPrefix + endpoints.MetricName()
		writeFamily(bw, name, endpoints.MetricUnit(), endpoints.Help)
		for _, ep := range names {
			writeSeries(bw, name+"{"+labels+`,endpoint="`+escapeLabel(ep)+`"}`, c.times, c.endpoints[ep])
		}
	}
	if codes := c.codeNames(); len(codes) > 0 {
		const name = metricPrefix + snapshot.SignalErrorCodes
		writeFamily(bw, name, "", "Failed requests per second by status code.")
		for _, code := range codes {
			writeSeries(bw, name+"{"+labels+`,code="`+escapeLabel(code)+`"}`, c.times, c.codes[code])
		}
	}
	if c.servers {
		if err := writeFleet(bw, r, labels, c.times); err != nil {
			return fmt.Errorf("export OpenMetrics: %w", err)
		}
	}
	writeAnnotations(bw, labels, r.Annotations())
	// A bufio.Writer keeps its first error and Flush returns it, so the
	// writes above and here need no check of their own.
	_, _ = bw.WriteString("# EOF\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export OpenMetrics: %w", err)
	}
	return nil
}

// metricPrefix begins every family the OpenMetrics export writes.
const metricPrefix = "launchwatch_"

// writeFleet writes the fleet's families: one a fleet signal, a series a
// server, then the gone flag. labels are the launch's, every series'.
func writeFleet(bw *bufio.Writer, r *Recording, labels string, times []time.Time) error {
	for _, name := range snapshot.FleetSignals {
		cols, err := fleetColumn(r, name)
		if err != nil {
			return err
		}
		sig, _ := snapshot.Lookup(name)
		family := metricPrefix + "server_" + sig.MetricName()
		first := true
		for _, server := range slices.Sorted(maps.Keys(cols)) {
			col := widen(cols[server], len(times))
			if !anyPresent(col) {
				continue
			}
			if first {
				writeFamily(bw, family, sig.MetricUnit(), "Each server's own figure: "+sig.Help)
				first = false
			}
			writeSeries(bw, family+"{"+labels+`,server="`+escapeLabel(server)+`"}`, times, col)
		}
	}
	gone := map[string][]float64{}
	err := r.Scan(0, r.Len(), func(i int, s snapshot.Snapshot) error {
		for _, srv := range s.Fleet {
			v := 0.0
			if srv.Gone {
				v = 1
			}
			gone[srv.Name] = append(pad(gone[srv.Name], i), v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	const family = metricPrefix + "server_gone"
	writeFamily(bw, family, "", "1 while the server has stopped answering (its figures are missing), else 0.")
	for _, server := range slices.Sorted(maps.Keys(gone)) {
		writeSeries(bw, family+"{"+labels+`,server="`+escapeLabel(server)+`"}`, times, pad(gone[server], len(times)))
	}
	return nil
}

// widen turns a float32 column into float64 to length n, each value the
// shortest decimal that reads back to the float32 (0.2134, not
// 0.21340000629425049).
func widen(col []float32, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
		if i < len(col) && !math.IsNaN(float64(col[i])) {
			out[i], _ = strconv.ParseFloat(strconv.FormatFloat(float64(col[i]), 'g', -1, 32), 64)
		}
	}
	return out
}

func anyPresent(col []float64) bool {
	return slices.ContainsFunc(col, func(v float64) bool { return !math.IsNaN(v) })
}

// writeFamily writes a gauge family's metadata: # TYPE, # UNIT when unit
// is not empty (the name ends with it), # HELP.
func writeFamily(bw *bufio.Writer, name, unit, h string) {
	_, _ = bw.WriteString("# TYPE " + name + " gauge\n")
	if unit != "" {
		_, _ = bw.WriteString("# UNIT " + name + " " + unit + "\n")
	}
	_, _ = bw.WriteString("# HELP " + name + " " + escapeHelp(h) + "\n")
}

// writeSeries writes one series' present values, a sample a line.
func writeSeries(bw *bufio.Writer, series string, times []time.Time, col []float64) {
	var buf []byte
	last, first := int64(0), true
	for i, v := range col {
		if math.IsNaN(v) {
			continue
		}
		ms := times[i].UnixMilli()
		if !first && ms == last {
			continue
		}
		first, last = false, ms
		buf = append(buf[:0], series...)
		buf = append(buf, ' ')
		buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		buf = append(buf, ' ')
		buf = appendSeconds(buf, ms)
		buf = append(buf, '\n')
		_, _ = bw.Write(buf)
	}
}

// appendSeconds writes a Unix time in milliseconds as seconds with a
// three-digit fraction, exactly (no float rounding).
func appendSeconds(b []byte, ms int64) []byte {
	if ms < 0 {
		b = append(b, '-')
		ms = -ms
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	frac := ms % 1000
	return append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

// NotesBySnapshot lays each annotation (Annotations, in time order) on the
// snapshot an export carries it with: the first whose data time
// (snapshot.DataTime: a source read latency_offset in the past answers
// with data that old) is at or after it, the last for one after every
// snapshot, as a backfill lays them. Keyed by the snapshot's index; nil
// when there is no snapshot or no annotation. A snapshot that cannot be
// read counts as the data of its time.
func (r *Recording) NotesBySnapshot() map[int][]snapshot.Annotation {
	notes := r.Annotations()
	if r.Len() == 0 || len(notes) == 0 {
		return nil
	}
	out := map[int][]snapshot.Annotation{}
	// Data is never newer than its snapshot: the search starts at the first
	// snapshot at or after the note (or the last note's, the notes being in
	// time order) and walks on through those whose data is older than it.
	i := 0
	for _, a := range notes {
		for i = max(i, r.Search(a.At)); i < r.Len()-1; i++ {
			at := r.Time(i)
			if s, err := r.Read(i); err == nil {
				at = s.DataTime()
			}
			if !at.Before(a.At) {
				break
			}
		}
		i = min(i, r.Len()-1)
		out[i] = append(out[i], a)
	}
	return out
}

// writeAnnotations writes the annotations as an OpenMetrics info family,
// launchwatch_annotation: a series a text (and who laid it), with a sample
// of 1 at each time it was laid, so a Grafana panel can show them as
// annotations from Prometheus. Two at one millisecond in one series keep
// the first, as a series takes one sample per timestamp.
func writeAnnotations(bw *bufio.Writer, labels string, notes []snapshot.Annotation) {
	if len(notes) == 0 {
		return
	}
	const family = metricPrefix + "annotation"
	_, _ = bw.WriteString("# TYPE " + family + " info\n")
	_, _ = bw.WriteString("# HELP " + family + " " + escapeHelp("A note laid on the launch at the sample's time (launchwatch annotate, the m key, Grafana or Prometheus).") + "\n")
	series := map[string][]time.Time{}
	for _, a := range notes {
		key := family + "_info{" + labels + `,text="` + escapeLabel(a.Text) + `"`
		if a.By != "" {
			key += `,by="` + escapeLabel(a.By) + `"`
		}
		key += "}"
		series[key] = append(series[key], a.At)
	}
	for _, key := range slices.Sorted(maps.Keys(series)) {
		times := series[key]
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		ones := make([]float64, len(times))
		for i := range ones {
			ones[i] = 1
		}
		writeSeries(bw, key, times, ones)
	}
}
