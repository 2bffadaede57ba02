package recording

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// index is what one pass over a file learns: the header, where each record
// starts and its time, the lines in the middle that hold no record, and
// whether a torn tail follows the last record. Open and Create (before it
// appends to an existing file) share it, so a writer never appends to a
// file the reader would refuse.
type index struct {
	header Header
	// offsets[i] is where record i starts; offsets[len(times)] is where the
	// last good record ends: the size the file is cut to when a tail is torn.
	// A skipped line lies between two offsets, so a record's line ends at
	// the next offset or the next skipped line, whichever comes first (end).
	offsets []int64
	times   []time.Time
	skipped []skippedLine // in file order
	notes   []noteLine    // annotation lines, in file order
	// passed are the offsets of every line between records that is no
	// record (skipped and annotation lines), sorted: what a read of a
	// record steps over.
	passed   []int64
	torn     bool
	warnings []string
}

// skippedLine is a line between two records that holds no record: torn,
// two records glued by a crash, a second header, not JSON. Open reads past
// it with a warning, or refuses the file when strict; the reader skips it
// by its offset, and counts it in every line number after it.
type skippedLine struct {
	line int   // 1-based: the header is line 1
	pos  int   // the records and skipped lines before it: what the writer counted
	off  int64 // where it starts
	err  error // what is wrong with it
}

// end returns where record j's line ends, its '\n' included.
func (ix *index) end(j int) int64 {
	e := ix.offsets[j+1]
	if k := ix.passedAfter(ix.offsets[j]); k < len(ix.passed) && ix.passed[k] < e {
		return ix.passed[k]
	}
	return e
}

// passedAfter returns the index of the first line in passed that starts
// after off.
func (ix *index) passedAfter(off int64) int {
	return sort.Search(len(ix.passed), func(k int) bool { return ix.passed[k] > off })
}

// notesBefore returns how many annotation lines start before off.
func (ix *index) notesBefore(off int64) int {
	return sort.Search(len(ix.notes), func(k int) bool { return ix.notes[k].off >= off })
}

// skippedAfter returns the index of the first skipped line that starts
// after off.
func (ix *index) skippedAfter(off int64) int {
	return sort.Search(len(ix.skipped), func(k int) bool { return ix.skipped[k].off > off })
}

// line returns the file's line number of record j: the header is line 1,
// and every skipped line before the record counts.
func (ix *index) line(j int) int {
	return j + 2 + ix.skippedAfter(ix.offsets[j]) + ix.notesBefore(ix.offsets[j])
}

// record returns the index of the record the writer counted as the file's
// k-th (0-based), as a packed fleet's roster_at names it: the record on
// line k+2, annotation lines not counted. It is -1 when that line was
// skipped.
func (ix *index) record(k int) int {
	c := sort.Search(len(ix.skipped), func(i int) bool { return ix.skipped[i].pos >= k })
	if c < len(ix.skipped) && ix.skipped[c].pos == k {
		return -1
	}
	return k - c
}

// strictErr is the first skipped line as an error naming its line, what
// Open in strict mode and Create refuse a file for; nil when none is.
func (ix *index) strictErr(path string) error {
	if len(ix.skipped) == 0 {
		return nil
	}
	s := ix.skipped[0]
	return &Error{Path: path, Line: s.line, Err: s.err}
}

// errTornHeader: the file holds only the beginning of a header line, which
// is what a crash while creating a recording leaves.
var errTornHeader = errors.New("the header line is torn (a crash while creating the file?): no records")

// headerStart is how every header this package writes begins.
const headerStart = `{"format":"` + Format + `"`

// readIndex reads a recording once, start to end. A line in the middle that
// holds no record is noted in skipped, never silently dropped: one write
// per record and a cut tail before appending mean a crash of launchwatch
// cannot put one there, so it is an edit, corruption or another writer,
// and whoever reads past it says so (see Open). A record out of time order
// is an error: the index searches by time. The torn last line a crash does
// leave is cut off with a warning.
func readIndex(f *os.File, path string) (*index, error) {
	// 1 MiB: a 24 h recording is read in about 130 reads, and almost every
	// line is used in place in the buffer.
	br := bufio.NewReaderSize(f, 1<<20)
	var scratch []byte
	line, complete, err := readLine(br, &scratch)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	if len(line) == 0 && !complete {
		return nil, &Error{Path: path, Err: ErrEmpty}
	}
	if !complete {
		if looksLikeTornHeader(line) {
			return nil, &Error{Path: path, Err: fmt.Errorf("%w: %w", ErrEmpty, errTornHeader)}
		}
		return nil, &Error{Path: path, Err: fmt.Errorf("%w: line 1 is not a JSON header", ErrNotRecording)}
	}
	h, err := parseHeader(line[:len(line)-1])
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}

	ix := &index{header: h}
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	off := int64(len(line))
	lineNo := 1
	var pendingLen int64
	var pending error // the last line's problem: torn if it is the last, skipped if not
	for {
		line, complete, err := readLine(br, &scratch)
		if err != nil {
			return nil, &Error{Path: path, Line: lineNo + 1, Err: err}
		}
		if len(line) == 0 && !complete {
			break // end of file
		}
		if pending != nil {
			ix.skipped = append(ix.skipped, skippedLine{line: lineNo, pos: len(ix.times) + len(ix.skipped), off: off, err: pending})
			off += pendingLen
			pending = nil
		}
		lineNo++
		if !complete {
			pending = errors.New("no newline at the end")
			break
		}
		if isAnnotationLine(line) {
			a, err := parseAnnotation(line[:len(line)-1])
			if err != nil {
				pending, pendingLen = err, int64(len(line))
				continue
			}
			ix.notes = append(ix.notes, noteLine{line: lineNo, off: off, ann: a})
			off += int64(len(line))
			continue
		}
		t, err := recordTime(line[:len(line)-1])
		if err != nil {
			pending, pendingLen = err, int64(len(line))
			continue
		}
		if n := len(ix.times); n > 0 && t.Before(ix.times[n-1]) {
			return nil, &Error{Path: path, Line: lineNo, Err: fmt.Errorf("%w: %s after %s",
				ErrOutOfOrder, t.Format(time.RFC3339Nano), ix.times[n-1].Format(time.RFC3339Nano))}
		}
		if ix.times == nil && size > off {
			// A guess at the record count from the first record's size
			// (1.2 KB without a fleet, 17 KB with 500 servers) saves
			// regrowing the index a dozen times.
			n := (size-off)/int64(len(line)) + 16
			n += n / 8
			ix.offsets = make([]int64, 0, n+1)
			ix.times = make([]time.Time, 0, n)
		}
		ix.offsets = append(ix.offsets, off)
		ix.times = append(ix.times, t)
		off += int64(len(line))
	}
	ix.offsets = append(ix.offsets, off)
	ix.passed = passedLines(ix.skipped, ix.notes)
	if pending != nil {
		ix.torn = true
		ix.warnings = append(ix.warnings, fmt.Sprintf(
			"%s: line %d is torn (a crash while writing?): ignored, the recording ends at line %d (%v)",
			path, lineNo, lineNo-1, pending))
	}
	return ix, nil
}

// passedLines merges the offsets of the skipped and the annotation lines,
// each in file order, into one sorted list.
func passedLines(skipped []skippedLine, notes []noteLine) []int64 {
	if len(skipped)+len(notes) == 0 {
		return nil
	}
	out := make([]int64, 0, len(skipped)+len(notes))
	i, j := 0, 0
	for i < len(skipped) || j < len(notes) {
		if j == len(notes) || (i < len(skipped) && skipped[i].off < notes[j].off) {
			out = append(out, skipped[i].off)
			i++
		} else {
			out = append(out, notes[j].off)
			j++
		}
	}
	return out
}

// readLine returns the next line with its '\n' (complete) or the file's
// last bytes without one. The line is only valid until the next call.
func readLine(br *bufio.Reader, scratch *[]byte) (line []byte, complete bool, err error) {
	line, err = br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A line longer than the buffer: rare (a huge config in a header);
		// gather it in scratch.
		*scratch = append((*scratch)[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = br.ReadSlice('\n')
			*scratch = append(*scratch, line...)
		}
		line = *scratch
	}
	switch {
	case err == nil:
		return line, true, nil
	case errors.Is(err, io.EOF):
		return line, false, nil
	default:
		return nil, false, fmt.Errorf("read: %w", err)
	}
}

// looksLikeTornHeader reports a line that is the start of a header this
// package wrote, or could be, and nothing more.
func looksLikeTornHeader(b []byte) bool {
	return bytes.HasPrefix(b, []byte(headerStart)) || bytes.HasPrefix([]byte(headerStart), b)
}

const timePrefix = `{"time":"`

// recordTime takes a record's time from its `{"time":"...` prefix, which is
// how the snapshot package writes every record, without decoding the rest:
// decoding 130 MB would take seconds. A line that is unusual in any way (no
// such prefix, no closing brace, braces that do not pair, a second record
// glued on by a crash) gets a full decode instead, which also names what
// is wrong with it. Counting the braces (a few milliseconds a day of
// records) catches a line torn just after an inner object's brace, which
// ends in '}' as a whole record does; a brace inside a string only sends
// its line to the full decode.
func recordTime(b []byte) (time.Time, error) {
	if bytes.HasPrefix(b, []byte(timePrefix)) && len(b) > 0 && b[len(b)-1] == '}' &&
		bytes.Count(b, []byte{'{'}) == bytes.Count(b, []byte{'}'}) {
		rest := b[len(timePrefix):]
		// The longest RFC 3339 time is 35 bytes; a glued record shows as a
		// second prefix, which no snapshot holds unquoted.
		if end := bytes.IndexByte(rest[:min(len(rest), 40)], '"'); end > 0 &&
			!bytes.Contains(rest, []byte(timePrefix)) {
			if t, err := time.Parse(time.RFC3339Nano, string(rest[:end])); err == nil {
				return t, nil
			}
		}
	}
	return decodeTime(b)
}

// decodeTime is recordTime's slow path: a full decode that says what is
// wrong with a line.
func decodeTime(b []byte) (time.Time, error) {
	var probe struct {
		Format *string `json:"format"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return time.Time{}, fmt.Errorf("not a JSON record: %w", err)
	}
	if probe.Format != nil {
		return time.Time{}, errors.New("a second header where a record belongs (two recordings joined?)")
	}
	var s snapshot.Snapshot
	if _, err := decodeRecord(b, &s, nil, nil); err != nil {
		return time.Time{}, err
	}
	return s.Time, nil
}

// record is a line as written: a snapshot, its fleet packed from format
// version 2 on (see packedFleet).
type record struct {
	snapshot.Snapshot
	FleetPacked *packedFleet `json:"fleet_packed"`
}

// decodeRecord decodes one line (without its '\n') into s and cleans its
// text. A packed fleet that names an earlier record's roster gets it from
// rosters (nil: the fleet is checked but not unpacked, which is all the
// index needs); held is the roster the line holds itself, if any. Its
// strings and maps come from st, a scan's (nil: new ones).
func decodeRecord(b []byte, s *snapshot.Snapshot, rosters func(at int) ([]string, error), st *scanState) (held []string, err error) {
	var r record
	in, spare := st.decoding()
	values, fast := decodeFast(b, &r, in, spare)
	if !fast {
		var rest []byte
		rest, values = cutValues(b)
		// encoding/json's record is on the heap; r stays on the stack.
		slow := new(record)
		if err := json.Unmarshal(rest, slow); err != nil {
			return nil, fmt.Errorf("bad record: %w", err)
		}
		r = *slow
	}
	if p := r.FleetPacked; p != nil && values != nil {
		p.raw = make([]byte, base64.StdEncoding.DecodedLen(len(values)))
		n, err := base64.StdEncoding.Decode(p.raw, values)
		if err != nil {
			return nil, fmt.Errorf("bad record: fleet_packed.values: %w", err)
		}
		p.raw = p.raw[:n]
	}
	*s = r.Snapshot
	if s.Time.IsZero() {
		return nil, errors.New("bad record: no time")
	}
	if p := r.FleetPacked; p != nil {
		if len(s.Fleet) > 0 {
			return nil, errors.New("bad record: both fleet and fleet_packed")
		}
		var roster []string
		switch {
		case p.Roster != nil:
			roster, held = p.Roster, p.Roster
		case p.RosterAt == nil:
			return nil, errors.New("bad record: fleet_packed has neither roster nor roster_at")
		case rosters == nil:
		default:
			if roster, err = rosters(*p.RosterAt); err != nil {
				return nil, fmt.Errorf("bad record: %w", err)
			}
		}
		if roster != nil {
			if s.Fleet, err = p.unpack(roster); err != nil {
				return nil, fmt.Errorf("bad record: %w", err)
			}
		}
	}
	cleanSnapshot(s)
	return held, nil
}

// rosterIn reads the roster a line holds.
func rosterIn(b []byte) ([]string, error) {
	var r struct {
		FleetPacked struct {
			Roster []string `json:"roster"`
		} `json:"fleet_packed"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("bad record: %w", err)
	}
	if r.FleetPacked.Roster == nil {
		return nil, errors.New("it holds no roster")
	}
	return r.FleetPacked.Roster, nil
}
