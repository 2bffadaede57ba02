package recording

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/launchwatch/launchwatch/snapshot"
)

func TestOpenRefusesBadFiles(t *testing.T) {
	for _, tc := range []struct {
		name   string
		file   string
		is     error    // errors.Is target, nil for none
		want   []string // in the message
		strict bool     // refused only with OpenOptions.Strict: read past without
	}{
		{"a newer format version names both versions", "newer-version.lwrec.jsonl", nil,
			[]string{"newer-version.lwrec.jsonl: recording format version 3 is newer than this launchwatch reads (2); upgrade launchwatch"}, false},
		{"an empty file is not a recording", "empty.lwrec.jsonl", ErrEmpty,
			[]string{"empty.lwrec.jsonl: empty file"}, false},
		{"a YAML file is not a recording", "launchwatch.yaml", ErrNotRecording,
			[]string{"launchwatch.yaml: not a launchwatch recording"}, false},
		{"a binary file is not a recording", "binary.gz", ErrNotRecording,
			[]string{"binary.gz: not a launchwatch recording"}, false},
		{"another program's JSON Lines is not a recording", "other-format.jsonl", ErrNotRecording,
			[]string{"other-format.jsonl: not a launchwatch recording"}, false},
		{"a header without a version is refused", "no-version.lwrec.jsonl", ErrNotRecording,
			[]string{"no-version.lwrec.jsonl: not a launchwatch recording", "version 0"}, false},
		{"a bad interval in the header names the field", "bad-interval.lwrec.jsonl", ErrNotRecording,
			[]string{"bad-interval.lwrec.jsonl: not a launchwatch recording: bad header: header field interval"}, false},
		{"a torn header from a crash at creation has no records", "torn-header.lwrec.jsonl", ErrEmpty,
			[]string{"torn-header.lwrec.jsonl: ", "header line is torn"}, false},
		{"a record out of time order names its line", "out-of-order.lwrec.jsonl", ErrOutOfOrder,
			[]string{"out-of-order.lwrec.jsonl:4: record is earlier than the one before it: 2026-11-27T10:15:01Z after 2026-11-27T10:15:02Z"}, false},
		{"a line in the middle that is not JSON names its line", "middle-not-json.lwrec.jsonl", nil,
			[]string{"middle-not-json.lwrec.jsonl:3: not a JSON record"}, true},
		{"two records glued by a crash in the middle name their line", "middle-glued.lwrec.jsonl", nil,
			[]string{"middle-glued.lwrec.jsonl:3: not a JSON record"}, true},
		{"a second header in the middle names its line", "second-header.lwrec.jsonl", nil,
			[]string{"second-header.lwrec.jsonl:3: a second header"}, true},
		{"a record without a time names its line", "middle-no-time.lwrec.jsonl", nil,
			[]string{"middle-no-time.lwrec.jsonl:3: bad record: no time"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := OpenWith(filepath.Join("testdata", tc.file), OpenOptions{Strict: true})
			if err == nil {
				r.Close()
				t.Fatalf("Open(%s) succeeded with %d records", tc.file, r.Len())
			}
			mustContain(t, err.Error(), tc.want...)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.Path != filepath.Join("testdata", tc.file) {
				t.Errorf("error %v is not an *Error naming the file", err)
			}
			// Without strict, only a line in the middle is read past.
			r, err = Open(filepath.Join("testdata", tc.file))
			if tc.strict != (err == nil) {
				t.Errorf("Open without strict: error %v, want one: %v", err, !tc.strict)
			}
			if err == nil {
				r.Close()
			}
		})
	}
}

func TestNewerVersionIsAVersionError(t *testing.T) {
	_, err := Open("testdata/newer-version.lwrec.jsonl")
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Got != 3 {
		t.Fatalf("error %v is not a *VersionError for version 3", err)
	}
}

// A bad value passes Open, which reads only each record's time, and is an
// error naming the line as soon as the record is read: never skipped.
func TestBadValueInTheMiddleIsAnErrorWhenRead(t *testing.T) {
	r, err := Open("testdata/middle-bad-value.lwrec.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != 3 {
		t.Fatalf("Len = %d, want 3", r.Len())
	}
	const want = "testdata/middle-bad-value.lwrec.jsonl:3: bad record: value"
	if _, err := r.Read(1); err == nil {
		t.Error("Read(1): no error")
	} else {
		mustContain(t, err.Error(), want, "lots", "is not a number")
	}
	seen := 0
	err = r.Scan(0, r.Len(), func(int, snapshot.Snapshot) error { seen++; return nil })
	if err == nil {
		t.Error("Scan: no error")
	} else {
		mustContain(t, err.Error(), want)
	}
	if seen != 1 {
		t.Errorf("Scan gave %d records before the bad one, want 1", seen)
	}
	if _, err := r.Read(2); err != nil {
		t.Errorf("Read(2) after the bad line: %v", err)
	}
}

func TestCreateRefusesAFileThatIsNotARecording(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"a YAML file is left alone", "launchwatch.yaml", "not a launchwatch recording"},
		{"a binary file is left alone", "binary.gz", "not a launchwatch recording"},
		{"a newer version is left alone", "newer-version.lwrec.jsonl", "upgrade launchwatch"},
		{"a recording with a bad middle line is left alone", "middle-not-json.lwrec.jsonl", ":3: not a JSON record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := copyTestdata(t, tc.file)
			before := readFile(t, path)
			w, err := Create(path, testHeader(), Options{})
			if err == nil {
				w.Close()
				t.Fatal("Create succeeded")
			}
			mustContain(t, err.Error(), path, tc.want)
			if after := readFile(t, path); after != before {
				t.Errorf("the file changed:\n%q\n%q", before, after)
			}
		})
	}
}

func TestCreateGivesAnEmptyFileAHeader(t *testing.T) {
	for _, file := range []string{"empty.lwrec.jsonl", "torn-header.lwrec.jsonl"} {
		t.Run(file, func(t *testing.T) {
			path := copyTestdata(t, file)
			writeRecording(t, path, []snapshot.Snapshot{{Time: t0, PV: snapshot.Some(1)}})
			r, got := readAll(t, path)
			if r.Len() != 1 || got[0].PV != snapshot.Some(1) || r.Header().Launch.Name != "shop" {
				t.Errorf("Len %d, records %s, header %+v", r.Len(), jsonOf(t, got), r.Header())
			}
		})
	}
}
