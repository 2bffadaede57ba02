package alerts

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
)

// queuedAlerts returns n alerts, seq from first, each a problem of its own.
func queuedAlerts(first uint64, n int) []queued {
	var out []queued
	for i := range n {
		seq := first + uint64(i)
		p := problem(events.KindEndpoint, fmt.Sprint("ep", seq), events.Crit, time.Duration(seq)*time.Second, "over its ceiling")
		out = append(out, queued{seq: seq, alert: newAlert(Opened, "Winter drop", p, t0.Add(time.Duration(seq)*time.Second))})
	}
	return out
}

func openQueue(t *testing.T, path string) (*queueFile, []queued, uint64, recovery) {
	t.Helper()
	q, waiting, next, rec, err := openQueueFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return q, waiting, next, rec
}

// subjects lists the waiting alerts' subjects, in order.
func subjects(items []queued) string {
	var s []string
	for _, it := range items {
		s = append(s, it.alert.Subject)
	}
	return strings.Join(s, " ")
}

func TestAQueueFileKeepsWhatWaitsInOrderAcrossAReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hook.queue")
	q, waiting, next, _ := openQueue(t, path)
	if len(waiting) != 0 || next != 0 {
		t.Fatalf("a new file holds %d alerts, next seq %d", len(waiting), next)
	}
	if err := q.put(queuedAlerts(0, 5)); err != nil {
		t.Fatal(err)
	}
	if err := q.done(0, 3); err != nil {
		t.Fatal(err)
	}
	// Closed uncleanly, as a crash leaves it: the file descriptor dropped
	// without close's compaction.
	q.f.Close()
	q, waiting, next, rec := openQueue(t, path)
	defer q.close()
	if got := subjects(waiting); got != "ep1 ep2 ep4" || next != 5 || rec.cut != 0 {
		t.Errorf("reopened: %q next %d cut %d, want ep1 ep2 ep4, next 5, nothing cut", got, next, rec.cut)
	}
	if waiting[0].alert.DedupKey != queuedAlerts(1, 1)[0].alert.DedupKey {
		t.Errorf("the dedup_key did not survive the file")
	}
}

func TestAQueueFileTornInTheMiddleOfARecordIsCutAndAppendedAfter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hook.queue")
	q, _, _, _ := openQueue(t, path)
	if err := q.put(queuedAlerts(0, 3)); err != nil {
		t.Fatal(err)
	}
	q.f.Close()
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	q, _, _, _ = openQueue(t, path)
	if err := q.put(queuedAlerts(3, 1)); err != nil {
		t.Fatal(err)
	}
	q.f.Close()
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	last := full[len(good):] // the fourth alert's record, whole
	tails := map[string][]byte{
		"its length alone":                      last[:3],
		"its header and half its body":          last[:len(last)/2],
		"all but its last byte":                 last[:len(last)-1],
		"a byte of its body flipped":            append(bytes.Clone(last[:len(last)-1]), last[len(last)-1]^0x20),
		"NUL bytes, as a power cut leaves them": bytes.Repeat([]byte{0}, 700),
		"a length past the end":                 {0xff, 0xff, 0x00, 0x00, 1, 2, 3, 4, 'p'},
	}
	for name, tail := range tails {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "torn.queue")
			if err := os.WriteFile(path, append(bytes.Clone(good), tail...), 0o600); err != nil {
				t.Fatal(err)
			}
			q, waiting, next, rec := openQueue(t, path)
			if got := subjects(waiting); got != "ep0 ep1 ep2" || rec.cut != int64(len(tail)) {
				t.Fatalf("recovered %q with %d bytes cut, want the three whole alerts and the %d torn bytes cut", got, rec.cut, len(tail))
			}
			// What comes next follows the last whole record, not the
			// garbage: it is read back.
			if err := q.put(queuedAlerts(next, 1)); err != nil {
				t.Fatal(err)
			}
			q.f.Close()
			q, waiting, _, rec = openQueue(t, path)
			defer q.close()
			if got := subjects(waiting); got != "ep0 ep1 ep2 ep3" || rec.cut != 0 {
				t.Errorf("after an append: %q, %d bytes cut, want four alerts and nothing cut", got, rec.cut)
			}
		})
	}
}

func TestAFileThatIsNotAQueueIsRefusedAndLeftAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "launch.lwrec.jsonl")
	body := []byte(`{"format":"launchwatch-recording"}` + "\n")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, err := openQueueFile(path); err == nil || !strings.Contains(err.Error(), "not a launchwatch alert queue") {
		t.Errorf("err = %v, want a refusal", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, body) {
		t.Errorf("the file was changed: %q", got)
	}
}

func TestAQueueFileOpenElsewhereIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hook.queue")
	q, _, _, _ := openQueue(t, path)
	defer q.close()
	// flock locks belong to an open file: a second open, even in this
	// process, is refused as another launchwatch's would be.
	if _, _, _, _, err := openQueueFile(path); !errors.Is(err, ErrQueueInUse) {
		t.Errorf("err = %v, want ErrQueueInUse", err)
	}
}

func TestAQueueFileStaysSmallAsAlertsComeAndGo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hook.queue")
	q, _, _, _ := openQueue(t, path)
	// 3,000 alerts through the queue, two waiting at any time: about 3 MB
	// of records without compaction.
	for seq := range uint64(3000) {
		if err := q.put(queuedAlerts(seq, 1)); err != nil {
			t.Fatal(err)
		}
		if seq >= 2 {
			if err := q.done(seq - 2); err != nil {
				t.Fatal(err)
			}
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > compactAfter+compactAfter/2 {
		t.Errorf("the file is %d bytes with two alerts waiting: not compacted", fi.Size())
	}
	if err := q.close(); err != nil {
		t.Fatal(err)
	}
	q, waiting, next, _ := openQueue(t, path)
	if got := subjects(waiting); got != "ep2998 ep2999" || next != 3000 {
		t.Errorf("after compactions: %q next %d, want ep2998 ep2999 and 3000", got, next)
	}
	if err := q.done(2998, 2999); err != nil {
		t.Fatal(err)
	}
	if err := q.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a queue with nothing waiting is left on disk: %v", err)
	}
}
