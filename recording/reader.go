package recording

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Recording is one recording opened for reading: its file and the parts
// a rotation continued it in. It holds the header and an index (each
// record's file, byte offset and time), never the snapshots: Read and Scan
// read them from the files when asked. Its methods are safe to call from
// several goroutines.
type Recording struct {
	path     string
	parts    []*part
	times    []time.Time // every record's time, across the parts
	warnings []string
}

// part is one file of a recording.
type part struct {
	path  string
	f     *os.File
	ix    *index
	first int // the recording's index of the file's first record

	// The last roster of a packed fleet read (see packedFleet), by the
	// index of the record holding it: records name the roster of an
	// earlier one, and most name the same one.
	mu       sync.Mutex
	roster   []string
	rosterAt int
}

// OpenOptions tune Open.
type OpenOptions struct {
	// Strict refuses a file with a line in the middle that holds no record
	// (a torn line, two records glued together, a second header), as a
	// error naming the file and line, rather than reading past it.
	Strict bool
}

// Open opens a recording as OpenWith does, reading past lines in the
// middle that hold no record.
func Open(path string) (*Recording, error) { return OpenWith(path, OpenOptions{}) }

// OpenWith reads a recording's header and indexes every record in one
// pass, following the parts a rotation continued it in (NAME.part2…, see
// Create) while they exist. A torn last line, what a crash leaves, is
// ignored with a warning (see Warnings). A line in the middle that holds no
// record is read past with a warning naming the file and line (see Skipped),
// or, with opts.Strict, is an error naming them. A record out of time order
// (within a file or across parts), an empty file, a file that is not a
// recording or one in a newer format version is an error naming the file
// (and line).
//
// OpenWith reads each record's time from its prefix and does not decode
// the rest, so a record whose values are bad is reported by Read or Scan.
func OpenWith(path string, opts OpenOptions) (*Recording, error) {
	r := &Recording{path: path}
	for n, p := 0, path; ; {
		pt, err := openPart(p)
		if err == nil && opts.Strict {
			if err = pt.ix.strictErr(p); err != nil {
				pt.f.Close()
			}
		}
		if err != nil {
			r.Close()
			return nil, err
		}
		pt.first = len(r.times)
		if len(r.times) > 0 && len(pt.ix.times) > 0 && pt.ix.times[0].Before(r.times[len(r.times)-1]) {
			pt.f.Close()
			r.Close()
			return nil, &Error{Path: p, Line: pt.ix.line(0), Err: fmt.Errorf("%w: its first record is earlier than the last of %s", ErrOutOfOrder, r.parts[len(r.parts)-1].path)}
		}
		r.parts = append(r.parts, pt)
		r.times = append(r.times, pt.ix.times...)
		r.warnings = append(r.warnings, pt.ix.warnings...)
		if w := skippedWarning(p, pt.ix.skipped); w != "" {
			r.warnings = append(r.warnings, w)
		}
		if n == 0 {
			n = max(pt.ix.header.Part, 1)
		}
		n++
		p = partName(baseName(path, max(r.parts[0].ix.header.Part, 1)), n)
		if !exists(p) {
			return r, nil // no further part
		}
	}
}

// maxSkippedNamed caps the lines a warning names one by one.
const maxSkippedNamed = 5

// skippedWarning is one warning for a file's skipped lines: how many, and
// the first few by line and reason; "" when none is.
func skippedWarning(path string, skipped []skippedLine) string {
	if len(skipped) == 0 {
		return ""
	}
	var b strings.Builder
	if len(skipped) == 1 {
		fmt.Fprintf(&b, "%s: 1 line holds no record (torn, or edited?) and was read past: ", path)
	} else {
		fmt.Fprintf(&b, "%s: %d lines hold no record (torn, or edited?) and were read past: ", path, len(skipped))
	}
	for i, s := range skipped[:min(len(skipped), maxSkippedNamed)] {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "line %d (%s)", s.line, snapshot.CleanText(s.err.Error(), maxName))
	}
	if n := len(skipped) - maxSkippedNamed; n > 0 {
		fmt.Fprintf(&b, "; and %d more", n)
	}
	b.WriteString(" (--strict refuses the file instead)")
	return b.String()
}

// Skipped is a line in the middle of a recording that holds no record,
// which Open read past.
type Skipped struct {
	Path   string // the file
	Line   int    // its line, 1-based (the header is line 1)
	Reason string // what is wrong with it, cleaned for a terminal
}

// Skipped returns every line Open read past, in order; nil when none was.
func (r *Recording) Skipped() []Skipped {
	var out []Skipped
	for _, p := range r.parts {
		for _, s := range p.ix.skipped {
			out = append(out, Skipped{Path: p.path, Line: s.line, Reason: snapshot.CleanText(s.err.Error(), maxMessage)})
		}
	}
	return out
}

func openPart(path string) (*part, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open recording: %w", err)
	}
	ix, err := readIndex(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &part{path: path, f: f, ix: ix}, nil
}

// Path returns the path of the file opened (its first part).
func (r *Recording) Path() string { return r.path }

// Paths returns every file of the recording, in order.
func (r *Recording) Paths() []string {
	out := make([]string, len(r.parts))
	for i, p := range r.parts {
		out[i] = p.path
	}
	return out
}

// Header returns the file's header, its text cleaned.
func (r *Recording) Header() Header { return r.parts[0].ix.header }

// Len returns the number of records.
func (r *Recording) Len() int { return len(r.times) }

// Time returns record i's time. It panics when i is out of range, like a
// slice index.
func (r *Recording) Time(i int) time.Time { return r.times[i] }

// Search returns the index of the first record whose time is at or after t,
// or Len() when there is none.
func (r *Recording) Search(t time.Time) int {
	return sort.Search(len(r.times), func(i int) bool { return !r.times[i].Before(t) })
}

// Warnings returns what Open ignored, such as a torn last line, and one
// warning a file for the lines it read past (see Skipped); nil when nothing
// was.
func (r *Recording) Warnings() []string { return slices.Clone(r.warnings) }

// partOf returns the part holding record i.
func (r *Recording) partOf(i int) *part {
	k := sort.Search(len(r.parts), func(k int) bool { return r.parts[k].first > i }) - 1
	return r.parts[max(k, 0)]
}

// Read returns record i, read with one ReadAt.
func (r *Recording) Read(i int) (snapshot.Snapshot, error) {
	if i < 0 || i >= r.Len() {
		return snapshot.Snapshot{}, fmt.Errorf("%s: record %d out of range [0,%d)", r.path, i, r.Len())
	}
	p := r.partOf(i)
	j := i - p.first
	start, end := p.ix.offsets[j], p.ix.end(j)
	buf := make([]byte, end-start)
	if _, err := p.f.ReadAt(buf, start); err != nil {
		return snapshot.Snapshot{}, &Error{Path: p.path, Line: p.ix.line(j), Err: fmt.Errorf("read: %w", err)}
	}
	var s snapshot.Snapshot
	if _, err := decodeRecord(buf[:len(buf)-1], &s, func(k int) ([]string, error) { return p.rosterOf(k, j) }, nil); err != nil {
		return snapshot.Snapshot{}, &Error{Path: p.path, Line: p.ix.line(j), Err: err}
	}
	return s, nil
}

// rosterOf returns the roster the file's k-th record holds (roster_at k,
// counted as the writer counted, skipped lines included), for record j.
func (p *part) rosterOf(k, j int) ([]string, error) {
	at := -1
	if k >= 0 {
		at = p.ix.record(k)
	}
	if k < 0 || at >= j {
		return nil, fmt.Errorf("%w (roster_at %d)", errNoRoster, k)
	}
	if at < 0 {
		return nil, fmt.Errorf("%w (roster_at %d: line %d holds no record)", errNoRoster, k, k+2)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.roster != nil && p.rosterAt == at {
		return p.roster, nil
	}
	start, end := p.ix.offsets[at], p.ix.end(at)
	buf := make([]byte, end-start)
	if _, err := p.f.ReadAt(buf, start); err != nil {
		return nil, fmt.Errorf("read the roster at line %d: %w", p.ix.line(at), err)
	}
	roster, err := rosterIn(buf[:len(buf)-1])
	if err != nil {
		return nil, fmt.Errorf("%w (roster_at %d: line %d: %w)", errNoRoster, k, p.ix.line(at), err)
	}
	p.roster, p.rosterAt = roster, at
	return roster, nil
}

// Scan calls fn with records [from, to) in order, reading each part they
// lie in in one buffered pass. It stops at the first error: a bad record
// (an *Error naming the file and line) or fn's own error, returned as it
// is.
func (r *Recording) Scan(from, to int, fn func(i int, s snapshot.Snapshot) error) error {
	return r.scan(from, to, new(scanState), fn)
}

// scan is Scan decoding with st.
func (r *Recording) scan(from, to int, st *scanState, fn func(i int, s snapshot.Snapshot) error) error {
	if from < 0 || to > r.Len() || from > to {
		return fmt.Errorf("%s: scan range [%d,%d) out of [0,%d)", r.path, from, to, r.Len())
	}
	for _, p := range r.parts {
		lo, hi := max(from, p.first), min(to, p.first+len(p.ix.times))
		if lo >= hi {
			continue
		}
		if err := p.scan(lo-p.first, hi-p.first, st, func(j int, s snapshot.Snapshot) error { return fn(p.first+j, s) }); err != nil {
			return err
		}
	}
	return nil
}

// scan is Scan over one file's records [from, to), stepping over the
// skipped and annotation lines among them, decoding with st.
func (p *part) scan(from, to int, st *scanState, fn func(j int, s snapshot.Snapshot) error) error {
	start, end := p.ix.offsets[from], p.ix.offsets[to]
	br := bufio.NewReaderSize(io.NewSectionReader(p.f, start, end-start), 256<<10)
	var scratch []byte
	off, skip := start, p.ix.passedAfter(start-1)
	// The roster the last record held, by its index: records name an
	// earlier record's roster, nearly always this one.
	var roster []string
	rosterAt := -1
	for j := from; j < to; j++ {
		b, complete, err := readLine(br, &scratch)
		for err == nil && complete && skip < len(p.ix.passed) && p.ix.passed[skip] == off {
			off += int64(len(b))
			skip++
			b, complete, err = readLine(br, &scratch)
		}
		if err == nil && !complete {
			// The file shrank under us, or the index is wrong.
			err = errors.New("record ends early (was the file changed while open?)")
		}
		if err != nil {
			return &Error{Path: p.path, Line: p.ix.line(j), Err: err}
		}
		off += int64(len(b))
		var s snapshot.Snapshot
		held, err := decodeRecord(b[:len(b)-1], &s, func(k int) ([]string, error) {
			if rosterAt >= 0 && p.ix.record(k) == rosterAt {
				return roster, nil
			}
			return p.rosterOf(k, j)
		}, st)
		if err != nil {
			return &Error{Path: p.path, Line: p.ix.line(j), Err: err}
		}
		if held != nil {
			roster, rosterAt = held, j
		}
		if err := fn(j, s); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the files.
func (r *Recording) Close() error {
	var errs []error
	for _, p := range r.parts {
		if err := p.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			errs = append(errs, fmt.Errorf("close %s: %w", p.path, err))
		}
	}
	return errors.Join(errs...)
}

// cleanSnapshot passes every string a record carries through
// snapshot.CleanText: a recording may come from anywhere, and its text ends
// up on a terminal.
func cleanSnapshot(s *snapshot.Snapshot) {
	s.Endpoints = cleanKeys(s.Endpoints)
	s.ErrorCodes = cleanKeys(s.ErrorCodes)
	s.Sources = cleanKeys(s.Sources)
	s.TeamAlerts, s.Silences = snapshot.CleanTeamAlerts(s.TeamAlerts, s.Silences)
	for i, a := range s.Annotations { // a record written by hand may hold some
		s.Annotations[i] = a.Clean()
	}
	dirty := false
	for i, srv := range s.Fleet {
		if name := snapshot.CleanText(srv.Name, maxName); name != srv.Name {
			s.Fleet[i].Name, dirty = name, true
		}
	}
	if dirty {
		snapshot.SortFleet(s.Fleet)
	}
	for name, src := range s.Sources {
		src.Error = snapshot.CleanText(src.Error, maxMessage)
		for i, w := range src.Warnings {
			src.Warnings[i] = snapshot.CleanText(w, maxMessage)
		}
		for i, sig := range src.Signals {
			src.Signals[i] = snapshot.CleanText(sig, maxName)
		}
		src.Carried = cleanKeys(src.Carried)
		s.Sources[name] = src
	}
}

// cleanKeys returns m with cleaned keys; m itself when every key is clean,
// which is almost always. Two keys that clean to the same one keep the value
// of the first in sorted order, so the outcome does not depend on map order.
func cleanKeys[V any](m map[string]V) map[string]V {
	dirty := false
	for k := range m {
		if snapshot.CleanText(k, maxName) != k {
			dirty = true
			break
		}
	}
	if !dirty {
		return m
	}
	out := make(map[string]V, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		c := snapshot.CleanText(k, maxName)
		if _, dup := out[c]; !dup {
			out[c] = m[k]
		}
	}
	return out
}
