package snapshot

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// Value is one measured figure. The zero Value is missing: a signal that was
// not measured is never confused with a signal that measured zero.
// Non-finite numbers are refused, so a Value that is present is always a
// finite float64.
type Value struct {
	v  float64
	ok bool
}

// Some returns a present Value holding v, or a missing one when v is NaN or
// ±Inf: a broken measurement must never reach a formula or the screen.
func Some(v float64) Value {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Value{}
	}
	return Value{v: v, ok: true}
}

// Missing returns the missing Value. It exists for readability at call sites.
func Missing() Value { return Value{} }

// Get returns the number and whether it is present.
func (v Value) Get() (float64, bool) { return v.v, v.ok }

// OK reports whether the value is present.
func (v Value) OK() bool { return v.ok }

// Or returns the number, or def when the value is missing.
func (v Value) Or(def float64) float64 {
	if !v.ok {
		return def
	}
	return v.v
}

// IsZero reports whether the value is missing; it lets `omitzero` drop
// missing values from JSON while a measured 0 is kept.
func (v Value) IsZero() bool { return !v.ok }

// String formats the value for logs and debugging; "–" when missing.
func (v Value) String() string {
	if !v.ok {
		return "–"
	}
	return strconv.FormatFloat(v.v, 'g', -1, 64)
}

// MarshalJSON writes the shortest representation that parses back to the
// same float64, so recordings round-trip exactly; a missing value is null.
func (v Value) MarshalJSON() ([]byte, error) {
	if !v.ok {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v.v, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number or null.
func (v *Value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*v = Value{}
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("value %q is not a number", b)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("value %q is not finite", b)
	}
	*v = Value{v: f, ok: true}
	return nil
}
