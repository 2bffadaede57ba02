package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Defaults for Options' zero fields.
const (
	// DefaultMaxBytes is 1 GiB: a 24-hour watch at 1 s, about 1.5 KB a
	// snapshot, is about 130 MB and fits in one file; with a fleet of 500
	// servers (about 17 KB a snapshot) it is 1.5 GB in two.
	DefaultMaxBytes = 1 << 30
	// DefaultSyncEvery bounds what a power cut can take to about a second.
	DefaultSyncEvery = time.Second
)

// Options tune a Writer; the zero value takes the defaults.
type Options struct {
	// MaxBytes is the size a file may reach before the writer continues in
	// the next part; DefaultMaxBytes when zero.
	MaxBytes int64
	// SyncEvery is how often, at least, written records are fsynced while
	// they arrive; DefaultSyncEvery when zero.
	SyncEvery time.Duration
}

// Writer appends snapshots to a recording. Each record goes to the file in
// one write(2), JSON and newline together, so a crash tears at most the
// last line, and Create cuts such a tail before appending. Its methods are
// safe to call from several goroutines.
type Writer struct {
	mu     sync.Mutex
	opts   Options
	header Header // written at the top of each new file, Part set per file
	base   string // the path of part 1: later parts are named from it
	part   int

	f       *os.File
	path    string
	size    int64     // bytes in the current file
	records int       // records in the current file, old ones included
	last    time.Time // the newest record's time, old ones included
	paths   []string
	count   int
	dirty   bool  // written since the last fsync
	err     error // a background fsync's failure, reported by the next call
	closed  bool
	buf     bytes.Buffer
	enc     *json.Encoder

	// packed says the current file is in a format that packs the fleet
	// (version 2 on): a version 1 file continued after a crash keeps
	// writing it as objects, which its header promises every reader.
	// roster is the fleet roster the file's record rosterAt holds; nil
	// when no record of the file holds one yet.
	packed   bool
	roster   []string
	rosterAt int

	stop chan struct{}
	done chan struct{}
}

// Create opens a recording at path for appending, making missing parent
// directories (mode 0700). A new or empty file gets h as its header (mode
// 0600); Format, Version and, when empty, ID (see RecordingID) are set for
// the caller.
//
// When path already holds a recording, Create checks it as Open would
// with OpenOptions.Strict (a line in the middle that holds no record is
// refused), cuts a torn last line, and appends after it without a second header;
// when later parts of it exist (see rotation in Append), it continues in
// the last one, so records stay in time order across parts. A file that is
// not a recording is refused, never overwritten.
func Create(path string, h Header, opts Options) (*Writer, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.SyncEvery <= 0 {
		opts.SyncEvery = DefaultSyncEvery
	}
	h.Format, h.Version = Format, Version
	h.ID = h.RecordingID()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create recording: %w", err)
	}
	w := &Writer{opts: opts, header: h, base: path, part: 1}
	w.enc = json.NewEncoder(&w.buf)
	if err := w.openFile(path, true); err != nil {
		return nil, fmt.Errorf("create recording: %w", err)
	}
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	go w.syncLoop()
	return w, nil
}

// openFile makes path the current file: a new one with a header, or an
// existing recording continued after its last good record. follow moves on
// to later parts of an existing recording.
func (w *Writer) openFile(path string, follow bool) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err == nil {
		return w.start(f, path, true)
	}
	if !errors.Is(err, os.ErrExist) {
		return err
	}
	f, err = os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	ix, err := readIndex(f, path)
	switch {
	case errors.Is(err, ErrEmpty):
		// Empty, or a header torn by a crash at creation: nothing to keep.
		if err := f.Truncate(0); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
		return w.start(f, path, false)
	case err != nil:
		f.Close()
		return err
	}
	if err := ix.strictErr(path); err != nil {
		// A line in the middle that holds no record is no crash's doing:
		// the file is left as it is for whoever reads it to judge, and
		// records would be counted wrong for the packed fleet's roster_at.
		f.Close()
		return err
	}
	if part := max(ix.header.Part, 1); follow {
		w.base, w.part = baseName(path, part), part
		if next := partName(w.base, part+1); exists(next) {
			f.Close()
			w.part = part + 1
			return w.openFile(next, true)
		}
	}
	end := ix.offsets[len(ix.offsets)-1]
	if ix.torn {
		// Cut the torn tail, or the next record would be glued onto it
		// and both lost. Synced before anything is appended after it.
		if err := f.Truncate(end); err != nil {
			f.Close()
			return fmt.Errorf("%s: cut torn tail: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("%s: sync: %w", path, err)
		}
	}
	w.f, w.path, w.size = f, path, end
	w.records = len(ix.times)
	w.packed, w.roster = ix.header.Version >= 2, nil
	if n := len(ix.times); n > 0 && ix.times[n-1].After(w.last) {
		w.last = ix.times[n-1]
	}
	w.paths = append(w.paths, path)
	return nil
}

// start writes the header to a new or emptied file and syncs it and, for a
// new file, its directory, so the file itself survives a power cut.
func (w *Writer) start(f *os.File, path string, created bool) error {
	h := w.header
	h.Part = 0
	if w.part > 1 {
		h.Part = w.part
	}
	line, err := json.Marshal(h)
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: encode header: %w", path, err)
	}
	line = append(line, '\n')
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("%s: write header: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("%s: sync: %w", path, err)
	}
	if created {
		if err := syncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return err
		}
	}
	w.f, w.path, w.size, w.records = f, path, int64(len(line)), 0
	w.packed, w.roster = h.Version >= 2, nil
	w.paths = append(w.paths, path)
	return nil
}

// Append writes one snapshot as one line. A snapshot without a time, or
// earlier than the last record, is refused: the reader needs records in
// time order, and a file it refuses would lose the whole launch. When the
// record would take the file past MaxBytes, the file is synced and closed
// and the record goes to the next part, which starts with the same header,
// Part set.
func (w *Writer) Append(s snapshot.Snapshot) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.closed:
		return fmt.Errorf("append to %s: writer closed", w.path)
	case w.err != nil:
		return w.err
	case s.Time.IsZero():
		return fmt.Errorf("append to %s: snapshot has no time", w.path)
	case s.Time.Before(w.last):
		return &Error{Path: w.path, Err: fmt.Errorf("append: %w: %s after %s", ErrOutOfOrder,
			s.Time.Format(time.RFC3339Nano), w.last.Format(time.RFC3339Nano))}
	}
	roster, err := w.encode(s)
	if err != nil {
		return err
	}
	for w.records > 0 && w.size+int64(w.buf.Len()) > w.opts.MaxBytes {
		if err := w.rotate(); err != nil {
			w.err = err
			return err
		}
		// The new file holds no roster yet: the record must carry it.
		if roster, err = w.encode(s); err != nil {
			return err
		}
	}
	n, err := w.f.Write(w.buf.Bytes())
	if err != nil {
		// A short write (a full disk) leaves half a line: cut it, or the
		// next record is glued onto it. If even that fails, stop writing.
		err = fmt.Errorf("append to %s: %w", w.path, err)
		if n > 0 {
			if terr := w.f.Truncate(w.size); terr != nil {
				w.err = errors.Join(err, fmt.Errorf("cut the partial record: %w", terr))
				return w.err
			}
		}
		return err
	}
	if roster != nil {
		w.roster, w.rosterAt = roster, w.records
	}
	w.size += int64(n)
	w.records++
	w.count++
	w.last = s.Time
	w.dirty = true
	return nil
}

// encode puts s's line in buf, its fleet packed when the file packs
// fleets (see packedFleet), after a line for each of its annotations (see
// Annotate), so one write carries them all. It returns the roster the line
// holds, when it holds one, for Append to make the file's current roster
// once the line is written.
func (w *Writer) encode(s snapshot.Snapshot) (roster []string, err error) {
	notes := s.Annotations
	s.Annotations = nil
	if roster, err = w.encodeRecord(s); err != nil || len(notes) == 0 {
		return roster, err
	}
	var lines []byte
	for _, a := range notes {
		if a, err = checkAnnotation(a); err != nil {
			continue // nothing a reader would keep
		}
		if lines, err = appendAnnotationLine(lines, a); err != nil {
			return nil, fmt.Errorf("append to %s: %w", w.path, err)
		}
	}
	lines = append(lines, w.buf.Bytes()...)
	w.buf.Reset()
	w.buf.Write(lines)
	return roster, nil
}

// encodeRecord puts s's record line alone in buf.
func (w *Writer) encodeRecord(s snapshot.Snapshot) (roster []string, err error) {
	w.buf.Reset()
	fleet := s.Fleet
	if w.packed {
		s.Fleet = nil
	}
	if err := w.enc.Encode(s); err != nil { // Encode ends the line with '\n'
		return nil, fmt.Errorf("append to %s: encode: %w", w.path, err)
	}
	if !w.packed || len(fleet) == 0 {
		return nil, nil
	}
	at := -1
	if w.roster != nil && sameRoster(fleet, w.roster) {
		at = w.rosterAt
	} else {
		roster = rosterOf(fleet)
	}
	// The snapshot's object, its closing brace and newline cut, continues
	// with the packed fleet: one line, its time still first.
	line := w.buf.Bytes()
	line = append(line[:len(line)-2], `,"fleet_packed":`...)
	line, err = appendPacked(line, fleet, at < 0, at)
	if err != nil {
		return nil, fmt.Errorf("append to %s: encode the fleet: %w", w.path, err)
	}
	w.buf.Reset()
	w.buf.Write(append(line, '}', '\n'))
	return roster, nil
}

// rotate syncs and closes the current file and opens the next part.
func (w *Writer) rotate() error {
	if err := w.syncLocked(); err != nil {
		return err
	}
	err := w.f.Close()
	w.f = nil // nothing more goes to it, whatever happens next
	if err != nil {
		return fmt.Errorf("close %s: %w", w.path, err)
	}
	w.part++
	if err := w.openFile(partName(w.base, w.part), false); err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	return nil
}

// Path returns the file being written now.
func (w *Writer) Path() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.path
}

// Paths returns every file this writer has written to, in order.
func (w *Writer) Paths() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.paths...)
}

// Count returns the number of snapshots this writer appended.
func (w *Writer) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.count
}

// Sync fsyncs what has been written.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	return w.syncLocked()
}

func (w *Writer) syncLocked() error {
	if w.f == nil {
		return w.err // a failed rotation left no file
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", w.path, err)
	}
	w.dirty = false
	return nil
}

// syncLoop fsyncs about once per SyncEvery while records arrive. It holds
// the lock while it syncs, so a rotation cannot close the file under it;
// an Append waits a few milliseconds at most once a second.
func (w *Writer) syncLoop() {
	defer close(w.done)
	t := time.NewTicker(w.opts.SyncEvery)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.mu.Lock()
			if w.dirty && !w.closed && w.err == nil {
				if err := w.syncLocked(); err != nil {
					w.err = err
				}
			}
			w.mu.Unlock()
		}
	}
}

// Close syncs and closes the file and stops the background sync. A second
// Close does nothing.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done

	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.err
	if w.f == nil {
		return err
	}
	if serr := w.f.Sync(); serr != nil {
		err = errors.Join(err, fmt.Errorf("sync %s: %w", w.path, serr))
	}
	if cerr := w.f.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close %s: %w", w.path, cerr))
	}
	return err
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
