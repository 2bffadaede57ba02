package alerts

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// A queue file keeps a route's waiting alerts on disk, so that neither an
// exit nor a crash loses them: the next Dispatcher given the same file
// sends them first. It is a log, after a magic line, of records framed as
// Prometheus' write-ahead log frames them (FIELD-NOTES, "Recordings that
// survive a crash"):
//
//	uint32 length, uint32 CRC-32C of the payload (both little-endian), payload
//	payload: 'p', uint64 seq, the alert's JSON   an alert put in the queue
//	         'd', uint64 seq                       an alert taken out: sent, given up or dropped
//
// Each record goes to the file in one write(2); puts are synced before the
// alerts are handed to the workers, takes with the next put or at close (a
// take lost to a power cut only sends its alert again, with the same
// dedup_key). A torn or corrupt record ends the log: opening cuts it and
// everything after it, so nothing is appended after garbage.
const queueMagic = "launchwatch alert queue 1\n"

const (
	recPut  = 'p'
	recDone = 'd'
	// maxQueueRecord bounds a record's length: an alert is a few KB, so a
	// longer length is corruption, not a record.
	maxQueueRecord = 1 << 20
	// maxQueueFile bounds what opening reads: a file larger than this is
	// not a queue of at most 100,000 alerts plus its takes.
	maxQueueFile = 1 << 30
	// compactAfter is how many bytes of taken records a file may carry
	// before it is rewritten with the waiting alerts alone.
	compactAfter = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrQueueInUse is returned when another process holds a queue file.
var ErrQueueInUse = errors.New("in use by another launchwatch")

// queued is an alert with its place in a route's queue.
type queued struct {
	seq   uint64
	alert Alert
}

// queueFile is an open queue file; its methods are safe for concurrent use.
type queueFile struct {
	path string

	mu     sync.Mutex
	f      *os.File
	size   int64             // bytes up to the end of the last good record
	live   map[uint64][]byte // the put records of the alerts still waiting, framed
	dead   int64             // bytes of records for alerts taken out
	broken error             // a write that could not be undone: the file is left alone from then on
	buf    bytes.Buffer
}

// recovery says what opening a queue file found.
type recovery struct {
	// cut is how many bytes of torn or corrupt records were cut from the
	// end.
	cut int64
}

// openQueueFile opens or creates the queue file at path, locks it for
// this process, cuts a torn tail, and returns the alerts still waiting
// in the order they were put and the next free seq. A file that is not a
// queue is refused, never overwritten.
func openQueueFile(path string) (q *queueFile, waiting []queued, next uint64, rec recovery, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, 0, rec, fmt.Errorf("alert queue: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, 0, rec, fmt.Errorf("alert queue: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, nil, 0, rec, fmt.Errorf("alert queue %s: %w", path, err)
	}
	q = &queueFile{path: path, f: f, live: map[uint64][]byte{}}
	waiting, next, rec, err = q.load()
	if err != nil {
		f.Close()
		return nil, nil, 0, rec, err
	}
	return q, waiting, next, rec, nil
}

// load reads the file, cuts what follows its last good record, and leaves
// the offset at its end.
func (q *queueFile) load() (waiting []queued, next uint64, rec recovery, err error) {
	fi, err := q.f.Stat()
	if err != nil {
		return nil, 0, rec, fmt.Errorf("alert queue: %w", err)
	}
	if fi.Size() > maxQueueFile {
		return nil, 0, rec, fmt.Errorf("alert queue %s: %d bytes is too large for a queue file: move it away", q.path, fi.Size())
	}
	b, err := io.ReadAll(q.f)
	if err != nil {
		return nil, 0, rec, fmt.Errorf("alert queue %s: %w", q.path, err)
	}
	if len(b) < len(queueMagic) && bytes.HasPrefix([]byte(queueMagic), b) {
		// New, or torn while it was being created: nothing to keep.
		return nil, 0, rec, q.reset()
	}
	if !bytes.HasPrefix(b, []byte(queueMagic)) {
		return nil, 0, rec, fmt.Errorf("alert queue %s: not a launchwatch alert queue: move it away or name another file", q.path)
	}
	puts := map[uint64]Alert{}
	off := len(queueMagic)
	for off < len(b) {
		kind, seq, body, n, ok := parseRecord(b[off:])
		if !ok {
			break
		}
		next = max(next, seq+1)
		switch kind {
		case recPut:
			var a Alert
			if json.Unmarshal(body, &a) != nil {
				ok = false
				break
			}
			puts[seq] = a
			q.live[seq] = b[off : off+n]
		case recDone:
			if put, waits := q.live[seq]; waits {
				q.dead += int64(len(put))
				delete(q.live, seq)
				delete(puts, seq)
			}
			q.dead += int64(n)
		}
		if !ok {
			break
		}
		off += n
	}
	q.size = int64(off)
	if rec.cut = int64(len(b) - off); rec.cut > 0 {
		// Cut the torn tail, or the next record would follow garbage and
		// be lost with it on the next open. Synced before any append.
		if err := q.f.Truncate(q.size); err != nil {
			return nil, 0, rec, fmt.Errorf("alert queue %s: cut torn tail: %w", q.path, err)
		}
		if err := q.f.Sync(); err != nil {
			return nil, 0, rec, fmt.Errorf("alert queue %s: sync: %w", q.path, err)
		}
	}
	if _, err := q.f.Seek(q.size, io.SeekStart); err != nil {
		return nil, 0, rec, fmt.Errorf("alert queue %s: %w", q.path, err)
	}
	for seq, a := range puts {
		waiting = append(waiting, queued{seq: seq, alert: a})
	}
	slices.SortFunc(waiting, func(x, y queued) int { return cmpSeq(x.seq, y.seq) })
	return waiting, next, rec, nil
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseRecord reads the record at the start of b: its kind, seq, body and
// framed length; ok is false for a torn or corrupt one.
func parseRecord(b []byte) (kind byte, seq uint64, body []byte, n int, ok bool) {
	if len(b) < 8 {
		return 0, 0, nil, 0, false
	}
	length := binary.LittleEndian.Uint32(b)
	if length < 9 || length > maxQueueRecord || uint64(len(b)-8) < uint64(length) {
		return 0, 0, nil, 0, false
	}
	payload := b[8 : 8+length]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return 0, 0, nil, 0, false
	}
	kind, seq = payload[0], binary.LittleEndian.Uint64(payload[1:9])
	if kind != recPut && kind != recDone || kind == recDone && length != 9 {
		return 0, 0, nil, 0, false
	}
	return kind, seq, payload[9:], int(8 + length), true
}

// frame appends one framed record to buf.
func frame(buf *bytes.Buffer, kind byte, seq uint64, body []byte) []byte {
	start := buf.Len()
	var hdr [17]byte
	binary.LittleEndian.PutUint32(hdr[0:], uint32(9+len(body)))
	hdr[8] = kind
	binary.LittleEndian.PutUint64(hdr[9:], seq)
	crc := crc32.Update(crc32.Checksum(hdr[8:], castagnoli), castagnoli, body)
	binary.LittleEndian.PutUint32(hdr[4:], crc)
	buf.Write(hdr[:])
	buf.Write(body)
	return buf.Bytes()[start:]
}

// reset empties the file and writes the magic line, synced.
func (q *queueFile) reset() error {
	if err := q.f.Truncate(0); err != nil {
		return fmt.Errorf("alert queue %s: %w", q.path, err)
	}
	if _, err := q.f.WriteAt([]byte(queueMagic), 0); err != nil {
		return fmt.Errorf("alert queue %s: %w", q.path, err)
	}
	if err := q.f.Sync(); err != nil {
		return fmt.Errorf("alert queue %s: sync: %w", q.path, err)
	}
	q.size = int64(len(queueMagic))
	_, err := q.f.Seek(q.size, io.SeekStart)
	return err
}

// put appends the alerts, one write each, and syncs: when it returns nil
// they survive a crash.
func (q *queueFile) put(items []queued) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, it := range items {
		body, err := json.Marshal(it.alert)
		if err != nil {
			return fmt.Errorf("alert queue: encode alert: %w", err)
		}
		if len(body)+9 > maxQueueRecord {
			return fmt.Errorf("alert queue: an alert of %d bytes is too large", len(body))
		}
		q.buf.Reset()
		rec := frame(&q.buf, recPut, it.seq, body)
		if err := q.write(rec); err != nil {
			return err
		}
		q.live[it.seq] = slices.Clone(rec)
	}
	return q.sync()
}

// done records alerts taken out of the queue, unsynced, and rewrites the
// file when taken records fill too much of it.
func (q *queueFile) done(seqs ...uint64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, seq := range seqs {
		put, waits := q.live[seq]
		if !waits {
			continue
		}
		q.buf.Reset()
		rec := frame(&q.buf, recDone, seq, nil)
		if err := q.write(rec); err != nil {
			return err
		}
		delete(q.live, seq)
		q.dead += int64(len(put) + len(rec))
	}
	if q.dead > compactAfter && q.dead > q.liveBytes() {
		return q.compact()
	}
	return nil
}

func (q *queueFile) liveBytes() int64 {
	var n int64
	for _, rec := range q.live {
		n += int64(len(rec))
	}
	return n
}

// write appends one record in one write. A failed write is cut off again,
// or the next record would follow a torn one and be lost with it; when
// even that fails the file is left alone from then on.
func (q *queueFile) write(rec []byte) error {
	if q.broken != nil {
		return q.broken
	}
	if _, err := q.f.Write(rec); err != nil {
		err = fmt.Errorf("alert queue %s: write: %w", q.path, err)
		if terr := q.f.Truncate(q.size); terr != nil {
			q.broken = fmt.Errorf("%w; cutting it back failed too (%w): the queue is kept in memory only from now on", err, terr)
			return q.broken
		}
		_, _ = q.f.Seek(q.size, io.SeekStart)
		return err
	}
	q.size += int64(len(rec))
	return nil
}

func (q *queueFile) sync() error {
	if q.broken != nil {
		return q.broken
	}
	if err := q.f.Sync(); err != nil {
		return fmt.Errorf("alert queue %s: sync: %w", q.path, err)
	}
	return nil
}

// compact rewrites the file with the waiting alerts alone: written to a
// temporary file, synced, locked, then renamed over the old one, so a
// crash leaves one or the other whole.
func (q *queueFile) compact() error {
	if q.broken != nil {
		return q.broken
	}
	tmp := q.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("alert queue: compact: %w", err)
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("alert queue %s: compact: %w", q.path, err)
	}
	if err := lockFile(f); err != nil {
		return fail(err)
	}
	seqs := make([]uint64, 0, len(q.live))
	for seq := range q.live {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	var b bytes.Buffer
	b.WriteString(queueMagic)
	for _, seq := range seqs {
		b.Write(q.live[seq])
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, q.path); err != nil {
		return fail(err)
	}
	if err := syncDir(filepath.Dir(q.path)); err != nil {
		return fail(err)
	}
	q.f.Close()
	q.f, q.size, q.dead = f, int64(b.Len()), 0
	return nil
}

// close syncs the file and closes it; a file with nothing waiting is
// removed, and one with taken records left is compacted first, so what
// stays on disk is what the next start will send.
func (q *queueFile) close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.broken != nil {
		return errors.Join(q.broken, q.f.Close())
	}
	if len(q.live) == 0 {
		// Removed while still locked, so no other launchwatch has taken
		// it in between; Windows removes no open file, so once more after.
		err := os.Remove(q.path)
		cerr := q.f.Close()
		if err != nil {
			err = os.Remove(q.path)
		}
		return errors.Join(err, cerr)
	}
	var err error
	if q.dead > 0 {
		err = q.compact()
	}
	return errors.Join(err, q.sync(), q.f.Close())
}

// syncDir syncs a directory, so a file created or renamed in it survives a
// power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
