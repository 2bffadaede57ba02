package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/launchwatch/launchwatch/snapshot"
)

// An annotation is a line of its own in a recording, between records:
//
//	{"annotation":{"at":"2026-11-27T12:05:00Z","text":"deploy 1.4.2","by":"alice"}}
//
// A line rather than a field of a record, because `launchwatch annotate`
// lays a note on any moment of a finished recording, and a line appended
// at the end is the only change that keeps every record as it was written
// and the file crash-safe: one write(2), so a crash tears at most that
// line, which the next writer cuts like a torn record. An annotation line
// need not follow time order; the index keeps them apart from the records
// and the reader steps over them. A reader from before annotations reads
// past the line as one that holds no record (it has no time), and
// `jq 'select(.time)'` ignores it.
//
// A live annotation reaches the Writer inside the next snapshot
// (Snapshot.Annotations); Append writes it as such a line just before that
// snapshot's record, in the same write, so a file holds annotations one way.

// annotationPrefix is how every annotation line begins.
const annotationPrefix = `{"annotation":`

// noteLine is an annotation line of a file: where it lies and what it holds.
type noteLine struct {
	line int   // 1-based
	off  int64 // where it starts
	ann  snapshot.Annotation
}

// isAnnotationLine reports a line (without its '\n') written as an
// annotation, whole or not.
func isAnnotationLine(b []byte) bool { return bytes.HasPrefix(b, []byte(annotationPrefix)) }

// parseAnnotation decodes an annotation line (without its '\n') and cleans
// its text. A line that does not decode whole, or holds no time or no text,
// is an error: the index reads past it as it reads past a torn record.
func parseAnnotation(b []byte) (snapshot.Annotation, error) {
	var l struct {
		Annotation *snapshot.Annotation `json:"annotation"`
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return snapshot.Annotation{}, fmt.Errorf("not a JSON annotation: %w", err)
	}
	if l.Annotation == nil || l.Annotation.At.IsZero() {
		return snapshot.Annotation{}, errors.New("bad annotation: no time")
	}
	a := l.Annotation.Clean()
	if strings.TrimSpace(a.Text) == "" {
		return snapshot.Annotation{}, errors.New("bad annotation: no text")
	}
	return a, nil
}

// appendAnnotationLine appends a's line, '\n' included.
func appendAnnotationLine(b []byte, a snapshot.Annotation) ([]byte, error) {
	body, err := json.Marshal(struct {
		Annotation snapshot.Annotation `json:"annotation"`
	}{a})
	if err != nil {
		return b, fmt.Errorf("encode annotation: %w", err)
	}
	return append(append(b, body...), '\n'), nil
}

// checkAnnotation refuses what no reader would keep.
func checkAnnotation(a snapshot.Annotation) (snapshot.Annotation, error) {
	if a.At.IsZero() {
		return a, errors.New("annotation has no time")
	}
	a = a.Clean()
	if strings.TrimSpace(a.Text) == "" {
		return a, errors.New("annotation has no text")
	}
	a.At = a.At.UTC()
	return a, nil
}

// Annotations returns every annotation the recording holds, in time order
// (two at one moment in file order), their text cleaned.
func (r *Recording) Annotations() []snapshot.Annotation {
	var out []snapshot.Annotation
	for _, p := range r.parts {
		for _, n := range p.ix.notes {
			out = append(out, n.ann)
		}
	}
	slices.SortStableFunc(out, func(a, b snapshot.Annotation) int { return a.At.Compare(b.At) })
	return out
}

// Annotate writes an annotation line to the writer's current file, apart
// from any record: one write, synced with the records.
func (w *Writer) Annotate(a snapshot.Annotation) error {
	a, err := checkAnnotation(a)
	if err != nil {
		return fmt.Errorf("annotate %s: %w", w.Path(), err)
	}
	line, err := appendAnnotationLine(nil, a)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.closed:
		return fmt.Errorf("annotate %s: writer closed", w.path)
	case w.err != nil:
		return w.err
	}
	n, err := w.f.Write(line)
	if err != nil {
		err = fmt.Errorf("annotate %s: %w", w.path, err)
		if n > 0 {
			if terr := w.f.Truncate(w.size); terr != nil {
				w.err = errors.Join(err, fmt.Errorf("cut the partial annotation: %w", terr))
				return w.err
			}
		}
		return err
	}
	w.size += int64(n)
	w.dirty = true
	return nil
}

// Annotate appends an annotation to the recording at path (to its last
// part when a rotation continued it), as a line of its own, synced before
// it returns. The file must already be a recording Create would continue:
// a torn last line is cut first, and a file with a line in the middle that
// holds no record is refused. A writer that continues the file later
// appends after the annotation.
func Annotate(path string, a snapshot.Annotation) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	// Open first: Create would give an empty file a header of its own.
	r, err := Open(path)
	if err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	h := r.Header()
	r.Close()
	w, err := Create(path, h, Options{})
	if err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	if err := w.Annotate(a); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
