// Package recording is launchwatch's crash-safe snapshot log: the file that
// `watch`, `demo` and `record` write and `replay` and `export` read.
//
// A recording is JSON Lines. Line 1 is a Header; every following line is one
// snapshot.Snapshot as the snapshot package marshals it, so its first key is
// "time" and `jq 'select(.time) | .pv' FILE` reads it. From format version
// 2 the snapshot's fleet is packed in its "fleet_packed" key rather than
// written as objects (see packedFleet); version 1 files are read as they
// are, and continued in version 1. A Writer appends each
// record in one write, syncs about once a second, cuts a torn tail before it
// appends after a crash, and rotates to numbered parts past a size limit. A
// Recording indexes a file by byte offset and time without holding its
// snapshots, reads one record or a range, reports a torn tail as a
// warning, and reads past a line in the middle that holds no record with a
// warning naming it (or refuses the file, OpenOptions.Strict). WriteCSV and
// WriteOpenMetrics export the snapshot data, named by the signal table's
// units and labelled with the launch and the recording's ID.
//
// Text read back from a file is untrusted: names, hosts, errors and warnings
// pass through snapshot.CleanText on the way in.
package recording

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// Format is the value of a header's "format" key.
const Format = "launchwatch-recording"

// Version is the newest format version this package reads, and the one it
// writes in a new file. Version 2 packs the fleet (see packedFleet).
const Version = 2

// Header is line 1 of every recording file, and of every part after a
// rotation.
type Header struct {
	// Format is always Format; it is how a header line is told from a record.
	Format string `json:"format"`
	// Version is the format version the file was written in.
	Version int `json:"version"`
	// Launch names the launch watched and its T0.
	Launch Launch `json:"launch"`
	// Interval is the poll interval the snapshots were taken at.
	Interval Duration `json:"interval"`
	// Plan is the capacity plan, encoded by the caller (this package imports
	// no plan type, so it stays readable by every command).
	Plan json.RawMessage `json:"plan,omitempty"`
	// Thresholds are the alert thresholds, encoded by the caller.
	Thresholds json.RawMessage `json:"thresholds,omitempty"`
	// Config is the effective configuration as YAML text, secrets already
	// redacted by the caller. It is multi-line, so it is not cleaned on read:
	// whoever shows it on a terminal must clean it.
	Config string `json:"config,omitempty"`
	// Launchwatch is the build that wrote the file.
	Launchwatch Build `json:"launchwatch"`
	// Host is the name of the machine that wrote the file.
	Host string `json:"host"`
	// Started is when recording began, in wall time.
	Started time.Time `json:"started"`
	// Origin says where the snapshots came from.
	Origin Origin `json:"origin"`
	// Part is 0 (or 1) in the first file and 2, 3, … in the files a rotation
	// continues in.
	Part int `json:"part,omitempty"`
	// ID names the recording apart from every other, the same in each of
	// its parts: the exports label every series with it, so two launches
	// (or two runs of one) imported into one Prometheus do not collide.
	// Create sets it; a file written before it existed has none, and
	// RecordingID derives the same one from the name and start.
	ID string `json:"id,omitempty"`
}

// RecordingID returns the header's ID or, in a file written before
// headers had one, the one Create would have given it: the launch name's
// Slug, the start in UTC and six hex digits of a hash of both (the start
// to the nanosecond), as in "flash-sale-20261127T115500Z-92654b". It
// depends on nothing but the header, so an old recording exported twice
// gets the same ID.
func (h Header) RecordingID() string {
	if h.ID != "" {
		return h.ID
	}
	sum := sha256.Sum256([]byte(h.Launch.Name + "\x00" + h.Started.UTC().Format(time.RFC3339Nano)))
	return Slug(h.Launch.Name) + "-" + h.Started.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(sum[:3])
}

// Launch names the launch a recording watched.
type Launch struct {
	// Name is the launch's name from the configuration.
	Name string `json:"name"`
	// StartsAt is the launch's T0; zero when not known.
	StartsAt time.Time `json:"starts_at,omitzero"`
}

// Build names the launchwatch build that wrote a file.
type Build struct {
	// Version is the release, such as "v1.2.0" or a `git describe`.
	Version string `json:"version"`
	// Commit is the short commit hash the build came from.
	Commit string `json:"commit"`
}

// Origin kinds.
const (
	OriginLive     = "live"
	OriginDemo     = "demo"
	OriginBackfill = "backfill"
)

// Origin says where a recording's snapshots came from.
type Origin struct {
	// Kind is OriginLive, OriginDemo or OriginBackfill.
	Kind string `json:"kind,omitempty"`
	// From is what the snapshots were read from, such as the Prometheus URL
	// a backfill queried, secrets redacted by the caller.
	From string `json:"from,omitempty"`
	// Step is a backfill's query step.
	Step Duration `json:"step,omitzero"`
}

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("1s", "1m30s"), so a header stays readable by people and jq.
type Duration time.Duration

// MarshalJSON writes the duration as a string such as "1s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, time.Duration(d).String()), nil
}

// UnmarshalJSON reads a duration string such as "1s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration %s is not a string like \"1s\"", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q is not a Go duration like \"1s\"", s)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalJSON reads a header, naming the field when a duration is bad:
// encoding/json reports a custom decoder's error without the field it was in.
func (h *Header) UnmarshalJSON(b []byte) error {
	type plain Header // no methods: no recursion
	var w struct {
		plain
		// These shadow plain's fields of the same JSON name.
		Interval json.RawMessage `json:"interval"`
		Origin   struct {
			Kind string          `json:"kind"`
			From string          `json:"from"`
			Step json.RawMessage `json:"step"`
		} `json:"origin"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*h = Header(w.plain)
	h.Origin = Origin{Kind: w.Origin.Kind, From: w.Origin.From}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *Duration
	}{{"interval", w.Interval, &h.Interval}, {"origin.step", w.Origin.Step, &h.Origin.Step}} {
		if len(f.raw) == 0 || string(f.raw) == "null" {
			continue
		}
		if err := f.dst.UnmarshalJSON(f.raw); err != nil {
			return fmt.Errorf("header field %s: %w", f.name, err)
		}
	}
	return nil
}

// Caps on text read back from a file: above what launchwatch itself writes
// (so its own recordings round-trip), low enough that a hostile file cannot
// flood a screen.
const (
	maxName    = 200
	maxMessage = 1000
)

// clean makes the header's display strings safe for a terminal.
func (h *Header) clean() {
	h.Launch.Name = snapshot.CleanText(h.Launch.Name, maxName)
	h.ID = snapshot.CleanText(h.ID, maxName)
	h.Host = snapshot.CleanText(h.Host, maxName)
	h.Origin.Kind = snapshot.CleanText(h.Origin.Kind, maxName)
	h.Origin.From = snapshot.CleanText(h.Origin.From, maxMessage)
	h.Launchwatch.Version = snapshot.CleanText(h.Launchwatch.Version, maxName)
	h.Launchwatch.Commit = snapshot.CleanText(h.Launchwatch.Commit, maxName)
}

// Errors a caller can test for with errors.Is; each comes wrapped in an
// *Error naming the file (and line).
var (
	// ErrNotRecording: the file is not a launchwatch recording.
	ErrNotRecording = errors.New("not a launchwatch recording")
	// ErrEmpty: the file holds no header.
	ErrEmpty = errors.New("empty file, not a recording (no header)")
	// ErrOutOfOrder: a record is earlier than the one before it.
	ErrOutOfOrder = errors.New("record is earlier than the one before it")
	// ErrInUse: another process is writing the recording (a watch
	// recording it).
	ErrInUse = errors.New("another launchwatch is writing this recording: annotate it on that watch's screen (m) or once it stops")
)

// VersionError is a recording written in a newer format than this package
// reads.
type VersionError struct {
	Got int // the file's version
}

// Error says which versions differ and what to do about it.
func (e *VersionError) Error() string {
	return fmt.Sprintf("recording format version %d is newer than this launchwatch reads (%d); upgrade launchwatch", e.Got, Version)
}

// Error is a problem with a recording file, naming the file and, when it is
// about one line, the line (1-based; the header is line 1).
type Error struct {
	Path string // the file
	Line int    // the line, 0 when the problem is the whole file
	Err  error  // what is wrong
}

// Error reads "FILE:LINE: what is wrong", or "FILE: what is wrong".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

// Unwrap returns what is wrong, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// parseHeader reads line 1 (without its '\n'). Every failure wraps
// ErrNotRecording or is a *VersionError.
func parseHeader(line []byte) (Header, error) {
	var probe struct {
		Format *string `json:"format"`
	}
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &probe) != nil {
		return Header{}, fmt.Errorf("%w: line 1 is not a JSON header", ErrNotRecording)
	}
	if probe.Format == nil || *probe.Format != Format {
		return Header{}, ErrNotRecording
	}
	var h Header
	if err := json.Unmarshal(line, &h); err != nil {
		return Header{}, fmt.Errorf("%w: bad header: %w", ErrNotRecording, err)
	}
	switch {
	case h.Version > Version:
		return Header{}, &VersionError{Got: h.Version}
	case h.Version < 1:
		return Header{}, fmt.Errorf("%w: header version %d is not a format version", ErrNotRecording, h.Version)
	}
	h.clean()
	return h, nil
}
