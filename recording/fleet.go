package recording

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// A fleet of 500 servers written as JSON objects is about 75 KB a record,
// 6.5 GB a day at 1 s. From format version 2 a record carries its fleet
// packed instead (the "fleet_packed" key, in place of "fleet"):
//
//   - the roster, the servers' names in the fleet's order, is written in
//     full only by the first record of a file that has it; the records
//     after it name that record (roster_at, its index in the file), so a
//     record is still read alone with one more read at most, and a file
//     (a part after a rotation, a file continued after a crash) never
//     points into another;
//   - the figures are columns, one a fleet signal present in the record
//     (signals), each holding the servers' values in roster order, every
//     value in three bytes: a sign, a decimal exponent and a mantissa of
//     four significant digits (the screen shows three), or "missing";
//     the columns go into the record as one base64 string;
//   - the servers that are gone are listed by name with their GoneSince.
//
// So a record stays one JSON line written in one write, its time first,
// and the index, the cut of a torn tail and the rotation work on it
// unchanged; 500 servers cost about 16 KB a record.
type packedFleet struct {
	// Roster is the servers' names in order, in the first record of a file
	// that has this roster.
	Roster []string `json:"roster,omitempty"`
	// RosterAt is the index in the file of the record holding the roster,
	// in every other record.
	RosterAt *int `json:"roster_at,omitempty"`
	// Signals names the columns in Values, in the fleet signals' order.
	Signals []string `json:"signals,omitempty"`
	// Gone maps each gone server to when it was last seen (zero: unknown).
	Gone map[string]time.Time `json:"gone,omitempty"`
	// Values is the columns, 3 bytes a value, in base64. It is the last
	// key of the last key of a record, so a reader cuts it out of the
	// line before decoding the rest (see cutValues): encoding/json would
	// spend more time on the 16 KB string than on the whole snapshot.
	Values string `json:"values"`

	// raw is Values decoded, when the reader cut it out of the line.
	raw []byte
}

// fleetDigits is how many significant digits a packed figure keeps.
const fleetDigits = 4

// The three bytes of a packed value: bit 23 the sign, bits 22..14 the
// decimal exponent plus expBias, bits 13..0 the mantissa (0..9999), or
// mantMissing for a missing value.
const (
	expBias     = 256
	mantMissing = 1<<14 - 1
)

// packValue appends v's three bytes.
func packValue(b []byte, v snapshot.Value) []byte {
	f, ok := v.Get()
	if !ok {
		return append(b, 0, mantMissing>>8, mantMissing&0xff)
	}
	var sign uint32
	if f < 0 {
		sign, f = 1, -f
	}
	var mant, exp int
	if f != 0 {
		// "d.ddde±XX": the correctly rounded four digits and their exponent.
		var buf [32]byte
		d := strconv.AppendFloat(buf[:0], f, 'e', fleetDigits-1, 64)
		mant = int(d[0]-'0')*1000 + int(d[2]-'0')*100 + int(d[3]-'0')*10 + int(d[4]-'0')
		e := 0
		for _, c := range d[7:] {
			e = e*10 + int(c-'0')
		}
		if d[6] == '-' {
			e = -e
		}
		exp = e - (fleetDigits - 1)
		switch {
		case exp < -expBias:
			mant, exp = 0, 0 // below 1e-253: zero to four digits
		case exp > expBias-1:
			return packValue(b, snapshot.Missing()) // above 1e258: no figure of a server
		}
	}
	x := sign<<23 | uint32(exp+expBias)<<14 | uint32(mant)
	return append(b, byte(x>>16), byte(x>>8), byte(x))
}

// pow10 holds the powers of ten a float64 holds exactly.
var pow10 = func() [23]float64 {
	var p [23]float64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// unpackValue reads three bytes. Dividing by an exact power of ten rounds
// once, so the float64 read is the one nearest the four digits and packs
// back to the same bytes.
func unpackValue(b []byte) snapshot.Value {
	x := uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
	mant := x & mantMissing
	if mant == mantMissing {
		return snapshot.Missing()
	}
	if mant > 9999 {
		return snapshot.Missing() // not written by packValue; read as no figure
	}
	exp := int(x>>14&0x1ff) - expBias
	f := float64(mant)
	switch {
	case exp >= 0 && exp < len(pow10):
		f *= pow10[exp]
	case exp < 0 && -exp < len(pow10):
		f /= pow10[-exp]
	default:
		f *= math.Pow10(exp)
	}
	if x>>23 == 1 {
		f = -f
	}
	return snapshot.Some(f)
}

// appendPacked appends a fleet's "fleet_packed" object to b: the roster
// itself when roster is true, else rosterAt, the record holding it. It is
// written by hand, the values straight into the line as base64: through
// encoding/json a 500-server record cost ten times as much.
func appendPacked(b []byte, fleet []snapshot.Server, roster bool, rosterAt int) ([]byte, error) {
	b = append(b, '{')
	if roster {
		names, err := json.Marshal(rosterOf(fleet))
		if err != nil {
			return nil, err
		}
		b = append(append(b, `"roster":`...), names...)
	} else {
		b = strconv.AppendInt(append(b, `"roster_at":`...), int64(rosterAt), 10)
	}
	var signals []string
	for _, sig := range snapshot.FleetSignals {
		if slices.ContainsFunc(fleet, func(s snapshot.Server) bool { return s.Get(sig).OK() }) {
			signals = append(signals, sig)
		}
	}
	if len(signals) > 0 {
		b = append(b, `,"signals":[`...)
		for i, sig := range signals {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, sig) // the table's names: plain ASCII
		}
		b = append(b, ']')
	}
	var gone map[string]time.Time
	for _, s := range fleet {
		if s.Gone {
			if gone == nil {
				gone = map[string]time.Time{}
			}
			gone[s.Name] = s.GoneSince
		}
	}
	if gone != nil {
		g, err := json.Marshal(gone)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"gone":`...), g...)
	}
	raw := make([]byte, 0, 3*len(signals)*len(fleet))
	for _, sig := range signals {
		field := serverField(sig)
		for i := range fleet {
			raw = packValue(raw, *field(&fleet[i]))
		}
	}
	b = append(b, `,"values":"`...)
	b = base64.StdEncoding.AppendEncode(b, raw)
	return append(b, `"}`...), nil
}

// unpack rebuilds the fleet from the packed form and its roster.
func (p *packedFleet) unpack(roster []string) ([]snapshot.Server, error) {
	cols := make([]int, len(p.Signals))
	for k, sig := range p.Signals {
		i := slices.Index(snapshot.FleetSignals, sig)
		if i < 0 {
			return nil, fmt.Errorf("fleet_packed.signals[%d]: %q is not a fleet signal", k, snapshot.CleanText(sig, maxName))
		}
		cols[k] = i
	}
	raw, err := base64.StdEncoding.DecodeString(p.Values)
	if p.raw != nil {
		raw, err = p.raw, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fleet_packed.values: %w", err)
	}
	if want := 3 * len(p.Signals) * len(roster); len(raw) != want {
		return nil, fmt.Errorf("fleet_packed.values holds %d bytes, want %d (%d signals of %d servers, 3 bytes each)",
			len(raw), want, len(p.Signals), len(roster))
	}
	fleet := make([]snapshot.Server, len(roster))
	for i, name := range roster {
		fleet[i].Name = name
	}
	for k, c := range cols {
		col, field := raw[3*k*len(roster):], serverField(snapshot.FleetSignals[c])
		for i := range fleet {
			*field(&fleet[i]) = unpackValue(col[3*i:])
		}
	}
	for name, since := range p.Gone {
		i := slices.Index(roster, name)
		if i < 0 {
			return nil, fmt.Errorf("fleet_packed.gone: %q is not in the roster", snapshot.CleanText(name, maxName))
		}
		fleet[i].Gone, fleet[i].GoneSince = true, since
	}
	return fleet, nil
}

// serverField is Server.Set without its map lookup, for the 4,000 values
// of a 500-server record. A test holds it to the signal table (Get and
// Set): a fleet signal added there without a case here fails it.
func serverField(sig string) func(*snapshot.Server) *snapshot.Value {
	switch sig {
	case snapshot.SignalPV:
		return func(s *snapshot.Server) *snapshot.Value { return &s.PV }
	case snapshot.SignalRequests:
		return func(s *snapshot.Server) *snapshot.Value { return &s.Requests }
	case snapshot.SignalConnections:
		return func(s *snapshot.Server) *snapshot.Value { return &s.Connections }
	case snapshot.SignalBandwidth:
		return func(s *snapshot.Server) *snapshot.Value { return &s.Bandwidth }
	case snapshot.SignalErrorRate:
		return func(s *snapshot.Server) *snapshot.Value { return &s.ErrorRate }
	case snapshot.SignalLatencyP50:
		return func(s *snapshot.Server) *snapshot.Value { return &s.LatencyP50 }
	case snapshot.SignalLatencyP95:
		return func(s *snapshot.Server) *snapshot.Value { return &s.LatencyP95 }
	case snapshot.SignalLatencyP99:
		return func(s *snapshot.Server) *snapshot.Value { return &s.LatencyP99 }
	}
	return func(s *snapshot.Server) *snapshot.Value { return new(snapshot.Value) } // set, then dropped
}

// valuesKey begins the packed values in a line; base64 holds no quote, so
// the string runs from it to the line's closing `"}}`.
const valuesKey = `"values":"`

// cutValues takes a packed fleet's values out of a line, returning the
// line without them (its values an empty string) and them. A line that
// does not end the way the writer ends one comes back whole.
func cutValues(b []byte) (rest, values []byte) {
	if !bytes.HasSuffix(b, []byte(`"}}`)) {
		return b, nil
	}
	// The quote that opens the values is the last one before the end.
	q := bytes.LastIndexByte(b[:len(b)-3], '"')
	if q < 0 || !bytes.HasSuffix(b[:q+1], []byte(valuesKey)) {
		return b, nil
	}
	values = b[q+1 : len(b)-3]
	if bytes.IndexByte(values, '\\') >= 0 {
		return b, nil
	}
	rest = make([]byte, 0, q+4)
	rest = append(append(rest, b[:q+1]...), `"}}`...)
	return rest, values
}

// errNoRoster: a record names a roster no earlier record of its file holds.
var errNoRoster = errors.New("fleet_packed.roster_at does not name an earlier record holding a roster")

// rosterOf returns a fleet's names in order.
func rosterOf(fleet []snapshot.Server) []string {
	out := make([]string, len(fleet))
	for i, s := range fleet {
		out[i] = s.Name
	}
	return out
}

// sameRoster reports whether the fleet's names are the roster's.
func sameRoster(fleet []snapshot.Server, roster []string) bool {
	return slices.EqualFunc(fleet, roster, func(s snapshot.Server, name string) bool { return s.Name == name })
}
