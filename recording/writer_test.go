package recording

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

func TestRotation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "state")
	base := filepath.Join(dir, "shop-20261127T101500Z.lwrec.jsonl")
	const maxBytes = 3000 // a header and two records of about 1.2 KB
	w, err := Create(base, testHeader(), Options{MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	var want []snapshot.Snapshot
	for i := range 9 {
		s := fullSnapshot(i, t0.Add(time.Duration(i)*time.Second))
		want = append(want, s)
		if err := w.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	if w.Count() != 9 {
		t.Errorf("Count = %d, want 9", w.Count())
	}
	paths := w.Paths()
	if w.Path() != paths[len(paths)-1] {
		t.Errorf("Path = %q, not the last of Paths %q", w.Path(), paths)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(paths) != 5 {
		t.Fatalf("%d files, want 5 (two records each): %q", len(paths), paths)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("new directory: %v, %v; want mode 0700", st.Mode(), err)
	}
	var got []snapshot.Snapshot
	for k, p := range paths {
		wantName := base
		if k > 0 {
			wantName = filepath.Join(dir, "shop-20261127T101500Z.part"+string(rune('1'+k))+".lwrec.jsonl")
		}
		if p != wantName {
			t.Errorf("part %d is %q, want %q", k+1, p, wantName)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, st.Mode().Perm())
		}
		if st.Size() > maxBytes {
			t.Errorf("%s: %d bytes, past MaxBytes %d", p, st.Size(), maxBytes)
		}
		// Each part opens alone, with its header, and reads on through the
		// parts after it.
		r, recs := readAll(t, p)
		if wantPart := map[bool]int{true: 0, false: k + 1}[k == 0]; r.Header().Part != wantPart {
			t.Errorf("%s: header part %d, want %d", p, r.Header().Part, wantPart)
		}
		if r.Header().Launch.Name != "shop" {
			t.Errorf("%s: header %+v", p, r.Header())
		}
		if got := r.Paths(); !reflect.DeepEqual(got, paths[k:]) {
			t.Errorf("%s opens parts %q, want %q", p, got, paths[k:])
		}
		if jsonOf(t, recs) != jsonOf(t, want[2*k:]) {
			t.Errorf("%s: records from part %d on differ from those appended", p, k+1)
		}
		if k == 0 {
			got = recs
		}
	}
	if jsonOf(t, got) != jsonOf(t, want) {
		t.Errorf("records across parts differ from those appended:\n got %s\nwant %s", jsonOf(t, got), jsonOf(t, want))
	}

	// Created again on the first part, the writer continues in the last.
	w, err = Create(base, testHeader(), Options{MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	if w.Path() != paths[4] {
		t.Errorf("re-Create writes to %q, want the last part %q", w.Path(), paths[4])
	}
	if err := w.Append(fullSnapshot(9, t0.Add(9*time.Second))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if r, _ := readAll(t, paths[4]); r.Len() != 2 {
		t.Errorf("last part holds %d records, want 2", r.Len())
	}
	if r, _ := readAll(t, base); r.Len() != 10 || !r.Time(9).Equal(t0.Add(9*time.Second)) {
		t.Errorf("the whole recording after re-Create: %d records, want the 9 and the new one last", r.Len())
	}
}

func TestARecordLargerThanMaxBytesStillGoesIn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.lwrec.jsonl")
	w, err := Create(path, testHeader(), Options{MaxBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := w.Append(fullSnapshot(i, t0.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(w.Paths()); n != 3 {
		t.Errorf("%d files, want one record in each of 3", n)
	}
}

func TestAppendRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "order.lwrec.jsonl")
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(snapshot.Snapshot{Time: t0.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(snapshot.Snapshot{Time: t0}); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("a snapshot earlier than the last: %v, want ErrOutOfOrder", err)
	}
	if err := w.Append(snapshot.Snapshot{}); err == nil {
		t.Error("a snapshot without a time: no error")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Append(snapshot.Snapshot{Time: t0.Add(time.Hour)}); err == nil {
		t.Error("Append after Close: no error")
	}
	// A writer on the same file later knows the last time too.
	w, err = Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Append(snapshot.Snapshot{Time: t0}); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("re-Created writer, earlier snapshot: %v, want ErrOutOfOrder", err)
	}
	if r, _ := readAll(t, path); r.Len() != 1 {
		t.Errorf("%d records, want the 1 accepted", r.Len())
	}
}

func TestBackgroundSync(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "sync.lwrec.jsonl"), testHeader(), Options{SyncEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dirty := func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.dirty
	}
	for i := range 3 {
		if err := w.Append(snapshot.Snapshot{Time: t0.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
		if !dirty() {
			t.Fatal("an append did not mark the file for the next sync")
		}
		deadline := time.Now().Add(5 * time.Second)
		for dirty() {
			if time.Now().After(deadline) {
				t.Fatal("no background fsync within 5 s at SyncEvery 10ms")
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	// Run under -race: Append, Sync, Count and Paths from several
	// goroutines while the background sync runs.
	w, err := Create(filepath.Join(t.TempDir(), "c.lwrec.jsonl"), testHeader(), Options{SyncEvery: time.Millisecond, MaxBytes: 20_000})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			_ = w.Sync()
			_ = w.Paths()
			_ = w.Count()
			time.Sleep(100 * time.Microsecond)
		}
	}()
	for i := range 200 {
		if err := w.Append(fullSnapshot(i, t0.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, _ := readAll(t, w.Paths()[0]) // the first part reads on through the rest
	n := r.Len()
	if n != 200 || w.Count() != 200 || len(r.Paths()) != len(w.Paths()) {
		t.Errorf("%d records in %d files, Count %d; want 200", n, len(w.Paths()), w.Count())
	}
}
