package report

import (
	"bytes"
	"testing"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// written is a report's Markdown and HTML.
func written(t *testing.T, r *Report) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := r.WriteMarkdown(&out); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteHTML(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Build reads records whose sources and endpoints maps are filled again
// by later records once it is past them (recording.ScanAheadReusing): it
// keeps none of them, so its report is the one a walk given a map of its
// own for every record writes. Six hours of the benchmarks' day and one
// minute: endpoints moving every second, a source dropping out at the
// end, an error burst every hour. Under the race detector (make test) a
// map read after it was handed back is also a race with its filling.
func TestBuildReadsNoMapItsReadingFillsAgain(t *testing.T) {
	plan, th := testPlan(), capacity.DefaultThresholds()
	rec := writeRecording(t, testHeader(t, "six hours", plan, th), daySnapshots()[:6*3600+60])
	r, err := Build(rec, plan, true, th)
	if err != nil {
		t.Fatal(err)
	}
	b := NewBuilder(rec.Header(), plan, true, th)
	an := pipeline.NewAnalyst(plan, th, pipeline.NoHistory)
	if err := rec.Scan(0, rec.Len(), func(_ int, s snapshot.Snapshot) error {
		b.Add(an.Step(s, nil))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want, err := b.Report()
	if err != nil {
		t.Fatal(err)
	}
	want.addAnnotations(rec.Annotations())
	if got, w := written(t, r), written(t, want); !bytes.Equal(got, w) {
		t.Errorf("Build's report differs from the walk's with maps of its own (%d bytes, want %d)", len(got), len(w))
	}
}
