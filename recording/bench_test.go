package recording

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// A 24-hour recording at 1 s, written once per test binary run for every
// benchmark that reads it, and removed by TestMain.
var bench24h struct {
	once sync.Once
	dir  string
	path string
	size int64
	err  error
}

const day = 86_400

func recording24h(b *testing.B) (string, int64) {
	b.Helper()
	bench24h.once.Do(func() {
		bench24h.dir, bench24h.err = os.MkdirTemp("", "launchwatch-bench-")
		if bench24h.err != nil {
			return
		}
		bench24h.path = filepath.Join(bench24h.dir, "day.lwrec.jsonl")
		w, err := Create(bench24h.path, testHeader(), Options{})
		if err != nil {
			bench24h.err = err
			return
		}
		for i := range day {
			if err := w.Append(fullSnapshot(i, t0.Add(time.Duration(i)*time.Second))); err != nil {
				bench24h.err = err
				return
			}
		}
		if bench24h.err = w.Close(); bench24h.err != nil {
			return
		}
		st, err := os.Stat(bench24h.path)
		bench24h.size, bench24h.err = st.Size(), err
	})
	if bench24h.err != nil {
		b.Fatal(bench24h.err)
	}
	return bench24h.path, bench24h.size
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench24h.dir != "" {
		os.RemoveAll(bench24h.dir)
	}
	os.Exit(code)
}

// BenchmarkOpen24h opens and indexes a 24-hour recording at 1 s.
func BenchmarkOpen24h(b *testing.B) {
	path, size := recording24h(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if r.Len() != day {
			b.Fatalf("Len = %d, want %d", r.Len(), day)
		}
		r.Close()
	}
	// After the loop: metrics reported before it do not survive b.Loop.
	b.ReportMetric(float64(size)/1e6, "file-MB")
	b.ReportMetric(float64(size)/day, "B/record")
}

// BenchmarkRead reads one record at a random index.
func BenchmarkRead(b *testing.B) {
	path, _ := recording24h(b)
	r, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Read(rng.IntN(r.Len())); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScan reads every record of the 24-hour recording.
func BenchmarkScan(b *testing.B) {
	path, size := recording24h(b)
	r, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := r.Scan(0, r.Len(), func(int, snapshot.Snapshot) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != day {
			b.Fatalf("scanned %d, want %d", n, day)
		}
	}
}

// BenchmarkAppend appends realistic snapshots (background sync at the
// default 1 s, as a watch runs).
func BenchmarkAppend(b *testing.B) {
	w, err := Create(filepath.Join(b.TempDir(), "append.lwrec.jsonl"), testHeader(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	s := fullSnapshot(1, t0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Time = t0.Add(time.Duration(i) * time.Second)
		i++
		if err := w.Append(s); err != nil {
			b.Fatal(err)
		}
	}
}
