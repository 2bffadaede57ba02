package recording

import (
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/launchwatch/launchwatch/snapshot"
)

// decodeFast decodes a record line as this package writes one, without
// reflection: a day's report or a seek reads tens of thousands of lines,
// and encoding/json spends about four times as long on each. It takes only
// lines it is sure of: every key one the writer writes, spelled exactly,
// none twice; strings in valid UTF-8, without control characters, with
// no escape but the common ones (see str); numbers that parse and fit. On anything else it returns ok
// false, and the caller decodes the line with encoding/json, which also
// names what is wrong with it. On every line it takes it gives what
// encoding/json gives (a fuzz test holds the two to it). values is the
// packed fleet's base64 values, left out of r as cutValues leaves them.
// Its strings come from in (nil: each a string of its own).
// The maps of its sources and endpoints come from spare when it has some
// (nil: new ones).
func decodeFast(b []byte, r *record, in *interner, spare *spareMaps) (values []byte, ok bool) {
	d := fastDecoder{b: b, in: in, spare: spare}
	ok = d.object(func(key []byte) bool { return d.recordField(key, r, &values) })
	d.ws()
	return values, ok && d.i == len(d.b)
}

// fastDecoder reads one line; every method returns false on anything it
// does not take, and the line is then left to encoding/json.
type fastDecoder struct {
	b []byte
	i int
	// seen holds the keys read in the object being read, for refusing a
	// key given twice (encoding/json merges a second object into the
	// first, which is not worth copying).
	seen uint64
	// in hands out the strings (see interner); nil, a new one each.
	in *interner
	// spare holds emptied maps to fill (see spareMaps); nil for none.
	spare *spareMaps
}

// scanState is what a scan keeps from record to record for the decoding:
// its interner and the maps it may fill again.
type scanState struct {
	in    interner
	spare spareMaps
}

// decoding returns the state's interner and spare maps; nil for none.
func (st *scanState) decoding() (*interner, *spareMaps) {
	if st == nil {
		return nil, nil
	}
	return &st.in, &st.spare
}

// spareMaps holds emptied maps of sources and endpoints, of snapshots the
// reader of a scan is done with (Recording.ScanAheadReusing), for the
// decoding to fill again rather than make new ones: the two maps are a
// record's largest allocations (about 0.8 KB).
type spareMaps struct {
	sources   spares[snapshot.Source]
	endpoints spares[snapshot.Endpoint]
}

// spares is a stack of empty maps.
type spares[V any] []map[string]V

// take returns an empty map: a spare one if any, else a new one.
func (p *spares[V]) take() map[string]V {
	if p != nil {
		if n := len(*p); n > 0 {
			m := (*p)[n-1]
			(*p)[n-1] = nil
			*p = (*p)[:n-1]
			return m
		}
	}
	return make(map[string]V)
}

// give empties m and keeps it for take.
func (p *spares[V]) give(m map[string]V) {
	if m != nil {
		clear(m)
		*p = append(*p, m)
	}
}

// sourcesSpares and endpointsSpares are the decoder's stacks; nil without
// spare maps.
func (d *fastDecoder) sourcesSpares() *spares[snapshot.Source] {
	if d.spare == nil {
		return nil
	}
	return &d.spare.sources
}

func (d *fastDecoder) endpointsSpares() *spares[snapshot.Endpoint] {
	if d.spare == nil {
		return nil
	}
	return &d.spare.endpoints
}

// interner hands out one string for each short text it has seen, so that
// the names a recording repeats on every record (sources, endpoints,
// signals, status codes, servers) are not each a string of their own
// every record. Its strings are immutable like any string, so a
// snapshot holding one holds nothing another snapshot can change; it
// takes no more than maxInterned texts of at most maxInternedLen bytes,
// so a recording of ever new texts costs it no more than that. Not safe
// for use by two goroutines: a scan has its own.
type interner struct {
	m map[string]string
}

const (
	maxInterned    = 4096
	maxInternedLen = 64
)

// str returns b as a string: the one handed out before for the same text,
// if any.
func (in *interner) str(b []byte) string {
	if in == nil || len(b) > maxInternedLen {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.m) < maxInterned {
		if in.m == nil {
			in.m = make(map[string]string)
		}
		in.m[s] = s
	}
	return s
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and takes the byte c.
func (d *fastDecoder) next(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// null takes a null, when one comes.
func (d *fastDecoder) null() bool {
	d.ws()
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// object reads an object, calling field with each key, the decoder just
// past its colon; field reads the value.
func (d *fastDecoder) object(field func(key []byte) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		key, ok := d.str()
		if !ok || !d.next(':') || !field(key) {
			return false
		}
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// once marks a struct's field k (0..63) read, false when it already was.
func once(seen *uint64, k int) bool {
	if *seen&(1<<k) != 0 {
		return false
	}
	*seen |= 1 << k
	return true
}

// str reads a string: its bytes, unescaped as encoding/json unescapes
// them. It takes only valid UTF-8 without control characters, and of the
// escapes the one-letter ones and \uXXXX outside the surrogates (the
// writer escapes &, < and > as \u0026, \u003c, \u003e); a string
// without escapes comes back in place, one with escapes in a new slice.
func (d *fastDecoder) str() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	start := d.i
	ascii := true
	var out []byte // the unescaped string, once an escape came
	from := start  // what is not yet in out
	for ; d.i < len(d.b); d.i++ {
		c := d.b[d.i]
		switch {
		case c == '"':
			s := d.b[start:d.i]
			if out != nil {
				s = append(out, d.b[from:d.i]...)
			}
			d.i++
			return s, ascii || utf8.Valid(s)
		case c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		case c == '\\':
			out = append(out, d.b[from:d.i]...)
			n, ok := d.escape(&out)
			if !ok {
				return nil, false
			}
			d.i += n - 1
			from = d.i + 1
		}
	}
	return nil, false
}

// escape appends the escape at d.i (its backslash) to out, unescaped, and
// returns its length.
func (d *fastDecoder) escape(out *[]byte) (int, bool) {
	if d.i+1 >= len(d.b) {
		return 0, false
	}
	switch c := d.b[d.i+1]; c {
	case '"', '\\', '/':
		*out = append(*out, c)
	case 'b':
		*out = append(*out, '\b')
	case 'f':
		*out = append(*out, '\f')
	case 'n':
		*out = append(*out, '\n')
	case 'r':
		*out = append(*out, '\r')
	case 't':
		*out = append(*out, '\t')
	case 'u':
		if d.i+6 > len(d.b) {
			return 0, false
		}
		r, err := strconv.ParseUint(string(d.b[d.i+2:d.i+6]), 16, 16)
		if err != nil || utf16.IsSurrogate(rune(r)) {
			return 0, false // a surrogate pair: encoding/json's own rules
		}
		*out = utf8.AppendRune(*out, rune(r))
		return 6, true
	default:
		return 0, false
	}
	return 2, true
}

// string reads a string into a Go string; null leaves it as it is, as
// encoding/json does.
func (d *fastDecoder) string(out *string) bool {
	if d.null() {
		return true
	}
	s, ok := d.str()
	if ok {
		*out = d.in.str(s)
	}
	return ok
}

// number reads a number as JSON writes one and returns its text.
func (d *fastDecoder) number() ([]byte, bool) {
	d.ws()
	b, i := d.b, d.i
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return nil, false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return nil, false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	d.i = i
	return b[start:i], true
}

// float reads a number as strconv.ParseFloat reads its text, which is what
// both encoding/json and snapshot.Value do; one that does not fit a
// float64 is refused, as both refuse it.
func (d *fastDecoder) float() (float64, bool) {
	n, ok := d.number()
	if !ok {
		return 0, false
	}
	// The text is only parsed, never kept: no copy of it is needed.
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(n), len(n)), 64)
	return f, err == nil
}

// value reads a snapshot.Value: a number, or null for missing.
func (d *fastDecoder) value(v *snapshot.Value) bool {
	if d.null() {
		*v = snapshot.Value{}
		return true
	}
	f, ok := d.float()
	if ok {
		// A finite number (ParseFloat refused the rest) is present.
		*v = snapshot.Some(f)
	}
	return ok
}

// float64 reads a plain number field; null leaves it as it is.
func (d *fastDecoder) float64(out *float64) bool {
	if d.null() {
		return true
	}
	f, ok := d.float()
	if ok {
		*out = f
	}
	return ok
}

// boolean reads true or false; null leaves it as it is.
func (d *fastDecoder) boolean(out *bool) bool {
	if d.null() {
		return true
	}
	switch {
	case len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "true":
		*out, d.i = true, d.i+4
	case len(d.b)-d.i >= 5 && string(d.b[d.i:d.i+5]) == "false":
		*out, d.i = false, d.i+5
	default:
		return false
	}
	return true
}

// time reads a time as time.Time's UnmarshalJSON does, which is what
// encoding/json calls; null leaves it as it is.
func (d *fastDecoder) time(out *time.Time) bool {
	if d.null() {
		return true
	}
	start := d.i
	if _, ok := d.str(); !ok {
		return false
	}
	var t time.Time
	if err := t.UnmarshalJSON(d.b[start:d.i]); err != nil {
		return false
	}
	*out = t
	return true
}

// strings reads an array of strings; null sets it nil. The list is in an
// array of its own, of its length: cleaning writes into it.
func (d *fastDecoder) strings(out *[]string) bool {
	if d.null() {
		*out = nil
		return true
	}
	if !d.next('[') {
		return false
	}
	var held [8]string // most lists are short: one array on the heap, at the end
	list := held[:0]
	if !d.next(']') {
		for {
			s, ok := d.str()
			if !ok {
				return false
			}
			list = append(list, d.in.str(s))
			if d.next(']') {
				break
			}
			if !d.next(',') {
				return false
			}
		}
	}
	*out = append(make([]string, 0, len(list)), list...)
	return true
}

// mapOf reads an object into a map, each value by read; null sets it nil.
// A key given twice is refused. read returns the value rather than
// filling one: a value handed through a func to fill would be on the heap.
// The map comes from from (nil: a new one).
func mapOf[V any](d *fastDecoder, out *map[string]V, from *spares[V], read func() (V, bool)) bool {
	if d.null() {
		*out = nil
		return true
	}
	m := from.take()
	ok := d.object(func(key []byte) bool {
		if _, dup := m[string(key)]; dup {
			return false
		}
		v, ok := read()
		if !ok {
			return false
		}
		m[d.in.str(key)] = v
		return true
	})
	if ok {
		*out = m
	}
	return ok
}

// listOf reads an array, each element by read (as mapOf's); null sets it
// nil, and [] an empty list, as encoding/json does.
func listOf[V any](d *fastDecoder, out *[]V, read func() (V, bool)) bool {
	if d.null() {
		*out = nil
		return true
	}
	if !d.next('[') {
		return false
	}
	list := []V{}
	if !d.next(']') {
		for {
			v, ok := read()
			if !ok {
				return false
			}
			list = append(list, v)
			if d.next(']') {
				break
			}
			if !d.next(',') {
				return false
			}
		}
	}
	*out = list
	return true
}

// fields reads an object of a struct's fields: field reads the value of
// key and returns its index (0..63), -1 for a key it does not know.
func (d *fastDecoder) fields(field func(key []byte) int) bool {
	seen := uint64(0)
	return d.object(func(key []byte) bool {
		k := field(key)
		return k >= 0 && once(&seen, k)
	})
}

// recordField reads one field of a record.
func (d *fastDecoder) recordField(key []byte, r *record, values *[]byte) bool {
	s := &r.Snapshot
	var k int
	ok := true
	switch string(key) {
	case "time":
		k, ok = 0, d.time(&s.Time)
	case snapshot.SignalPV:
		k, ok = 1, d.value(&s.PV)
	case snapshot.SignalRequests:
		k, ok = 2, d.value(&s.Requests)
	case snapshot.SignalConnections:
		k, ok = 3, d.value(&s.Connections)
	case snapshot.SignalBandwidth:
		k, ok = 4, d.value(&s.Bandwidth)
	case snapshot.SignalErrorRate:
		k, ok = 5, d.value(&s.ErrorRate)
	case snapshot.SignalStock:
		k, ok = 6, d.value(&s.Stock)
	case snapshot.SignalSold:
		k, ok = 7, d.value(&s.Sold)
	case snapshot.SignalLatencyP50:
		k, ok = 8, d.value(&s.LatencyP50)
	case snapshot.SignalLatencyP95:
		k, ok = 9, d.value(&s.LatencyP95)
	case snapshot.SignalLatencyP99:
		k, ok = 10, d.value(&s.LatencyP99)
	case snapshot.SignalErrorCodes:
		k, ok = 11, mapOf(d, &s.ErrorCodes, nil, func() (snapshot.Value, bool) { var v snapshot.Value; ok := d.value(&v); return v, ok })
	case "endpoints":
		k, ok = 12, mapOf(d, &s.Endpoints, d.endpointsSpares(), func() (snapshot.Endpoint, bool) { var v snapshot.Endpoint; ok := d.endpoint(&v); return v, ok })
	case "host":
		k, ok = 13, d.null() || d.host(&s.Host)
	case "probe":
		k, ok = 14, d.null() || d.probe(&s.Probe)
	case "sources":
		k, ok = 15, mapOf(d, &s.Sources, d.sourcesSpares(), func() (snapshot.Source, bool) { var v snapshot.Source; ok := d.source(&v); return v, ok })
	case "acks":
		k, ok = 16, mapOf(d, &s.Acks, nil, func() (snapshot.Ack, bool) { var v snapshot.Ack; ok := d.ack(&v); return v, ok })
	case "team_alerts":
		k, ok = 18, listOf(d, &s.TeamAlerts, func() (snapshot.TeamAlert, bool) { var v snapshot.TeamAlert; ok := d.teamAlert(&v); return v, ok })
	case "silences":
		k, ok = 19, mapOf(d, &s.Silences, nil, func() (snapshot.Silence, bool) { var v snapshot.Silence; ok := d.silence(&v); return v, ok })
	case "annotations":
		k, ok = 20, listOf(d, &s.Annotations, func() (snapshot.Annotation, bool) { var v snapshot.Annotation; ok := d.annotation(&v); return v, ok })
	case "fleet_packed":
		k = 17
		if d.null() {
			r.FleetPacked = nil
		} else {
			r.FleetPacked = new(packedFleet)
			ok = d.packed(r.FleetPacked, values)
		}
	default:
		// "fleet" (a version 1 record's fleet) and anything else: left to
		// encoding/json.
		return false
	}
	return ok && once(&d.seen, k)
}

func (d *fastDecoder) endpoint(e *snapshot.Endpoint) bool {
	return d.fields(func(key []byte) int {
		switch string(key) {
		case "qps":
			return ifRead(0, d.value(&e.QPS))
		case "p95":
			return ifRead(1, d.value(&e.P95))
		}
		return -1
	})
}

// ifRead returns k when the value was read, else -1.
func ifRead(k int, ok bool) int {
	if !ok {
		return -1
	}
	return k
}

func (d *fastDecoder) host(h *snapshot.Host) bool {
	return d.fields(func(key []byte) int {
		switch string(key) {
		case "cpu":
			return ifRead(0, d.value(&h.CPU))
		case "memory_used":
			return ifRead(1, d.value(&h.MemoryUsed))
		case "memory_total":
			return ifRead(2, d.value(&h.MemoryTotal))
		case "load1":
			return ifRead(3, d.value(&h.Load1))
		case "net_tx":
			return ifRead(4, d.value(&h.NetTX))
		case "net_rx":
			return ifRead(5, d.value(&h.NetRX))
		case "tcp_established":
			return ifRead(6, d.value(&h.TCPEstablished))
		case "tcp_memory":
			return ifRead(7, d.value(&h.TCPMemory))
		}
		return -1
	})
}

func (d *fastDecoder) probe(p *snapshot.Probe) bool {
	return d.fields(func(key []byte) int {
		switch string(key) {
		case "button_present":
			return ifRead(0, d.value(&p.ButtonPresent))
		case "page_bytes":
			return ifRead(1, d.value(&p.PageBytes))
		case "resources":
			return ifRead(2, d.value(&p.Resources))
		case "uncompressed_bytes":
			return ifRead(3, d.value(&p.UncompressedBytes))
		case "cdn_share":
			return ifRead(4, d.value(&p.CDNShare))
		case "failed_resources":
			return ifRead(5, d.value(&p.FailedResources))
		case "age_seconds":
			return ifRead(6, d.value(&p.Age))
		}
		return -1
	})
}

func (d *fastDecoder) source(s *snapshot.Source) bool {
	return d.fields(func(key []byte) int {
		switch string(key) {
		case "ok":
			return ifRead(0, d.boolean(&s.OK))
		case "error":
			return ifRead(1, d.string(&s.Error))
		case "warnings":
			return ifRead(2, d.strings(&s.Warnings))
		case "last_success":
			return ifRead(3, d.time(&s.LastSuccess))
		case "duration_seconds":
			return ifRead(4, d.float64(&s.Duration))
		case "signals":
			return ifRead(5, d.strings(&s.Signals))
		case "carried":
			return ifRead(6, mapOf(d, &s.Carried, nil, func() (time.Time, bool) { var v time.Time; ok := d.time(&v); return v, ok }))
		case "errors":
			return ifRead(7, mapOf(d, &s.Errors, nil, func() (string, bool) { var v string; ok := d.string(&v); return v, ok }))
		case "infos":
			return ifRead(8, d.strings(&s.Infos))
		case "partial":
			return ifRead(9, d.strings(&s.Partial))
		case "newest_sample":
			return ifRead(10, d.time(&s.NewestSample))
		case "rate_window_seconds":
			return ifRead(11, d.float64(&s.RateWindow))
		case "scrape_interval_seconds":
			return ifRead(12, d.float64(&s.ScrapeInterval))
		}
		return -1
	})
}

func (d *fastDecoder) ack(a *snapshot.Ack) bool {
	return d.fields(func(key []byte) int {
		switch string(key) {
		case "by":
			return ifRead(0, d.string(&a.By))
		case "at":
			return ifRead(1, d.time(&a.At))
		}
		return -1
	})
}

func (d *fastDecoder) teamAlert(a *snapshot.TeamAlert) bool {
	return d.fields(func(key []byte) int {
		switch string(key) {
		case "name":
			return ifRead(0, d.string(&a.Name))
		case "severity":
			return ifRead(1, d.string(&a.Severity))
		case "summary":
			return ifRead(2, d.string(&a.Summary))
		case "since":
			return ifRead(3, d.time(&a.Since))
		case "silenced":
			return ifRead(4, d.boolean(&a.Silenced))
		case "labels":
			return ifRead(5, d.string(&a.Labels))
		}
		return -1
	})
}

func (d *fastDecoder) silence(m *snapshot.Silence) bool {
	return d.fields(func(key []byte) int {
		switch string(key) {
		case "id":
			return ifRead(0, d.string(&m.ID))
		case "by":
			return ifRead(1, d.string(&m.By))
		case "comment":
			return ifRead(2, d.string(&m.Comment))
		case "until":
			return ifRead(3, d.time(&m.Until))
		}
		return -1
	})
}

func (d *fastDecoder) annotation(a *snapshot.Annotation) bool {
	return d.fields(func(key []byte) int {
		switch string(key) {
		case "at":
			return ifRead(0, d.time(&a.At))
		case "text":
			return ifRead(1, d.string(&a.Text))
		case "by":
			return ifRead(2, d.string(&a.By))
		}
		return -1
	})
}

// packed reads a packed fleet, its values left out as cutValues leaves
// them.
func (d *fastDecoder) packed(p *packedFleet, values *[]byte) bool {
	return d.fields(func(key []byte) int {
		switch string(key) {
		case "roster":
			return ifRead(0, d.strings(&p.Roster))
		case "roster_at":
			if d.null() {
				p.RosterAt = nil
				return 1
			}
			n, ok := d.number()
			if !ok {
				return -1
			}
			at, err := strconv.Atoi(string(n))
			if err != nil {
				return -1 // a fraction or an exponent: encoding/json says what is wrong
			}
			p.RosterAt = &at
			return 1
		case "signals":
			return ifRead(2, d.strings(&p.Signals))
		case "gone":
			return ifRead(3, mapOf(d, &p.Gone, nil, func() (time.Time, bool) { var v time.Time; ok := d.time(&v); return v, ok }))
		case "values":
			v, ok := d.str()
			if !ok {
				return -1
			}
			*values = v
			return 4
		}
		return -1
	})
}
