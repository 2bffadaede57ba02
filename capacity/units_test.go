package capacity

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseBytes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want float64
	}{
		{"SI kilobytes are a thousand bytes", "100KB", 100000},
		{"a space between number and unit is fine", "100 KB", 100000},
		{"a lower-case k is still kilo", "100kB", 100000},
		{"KiB is 1024 bytes", "10KiB", 10240},
		{"MiB is 1024 squared", "512MiB", 512 << 20},
		{"a decimal fraction is rounded once", "1.5GB", 1.5e9},
		{"GiB is 1024 cubed", "2GiB", 2 << 30},
		{"B alone is bytes", "300B", 300},
		{"surrounding spaces are trimmed", "  7 MB ", 7e6},
		{"an exponent is allowed", "1e3KB", 1e6},
		{"zero needs no unit", "0", 0},
		{"zero with a point needs no unit either", "0.0", 0},
		{"the word bytes is understood", "2 kbytes", 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBytes(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseBytes(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseBytesRefusesBadInput(t *testing.T) {
	tests := []struct {
		name, in, wantInErr string
	}{
		{"a negative size is refused", "-5KB", "negative"},
		{"an unknown unit lists the accepted ones", "10XB", "accepted"},
		{"the empty string is refused", "", "empty"},
		{"NaN is not a number", "NaN", "not a number"},
		{"Inf is not a number", "Inf", "not a number"},
		{"an overflowing size is refused", "1e400KB", "too large"},
		{"a size that overflows only after scaling is refused", "1e308KB", "too large"},
		{"bits are refused for a size", "10Kb", "bits"},
		{"garbage is refused", "lots", "not a number"},
		{"two points are refused", "1.2.3KB", "not a number"},
		{"a rate is not a size", "10KB/s", "unknown unit"},
		// A bare number was bytes; a plan that meant 300 KB came out a
		// thousand times too small.
		{"a number without a unit is refused, suggesting one", "300", `has no unit: write e.g. "300KB"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBytes(tt.in)
			if err == nil {
				t.Fatalf("ParseBytes(%q) = %v, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) || !strings.Contains(err.Error(), `"`+tt.in+`"`) {
				t.Errorf("ParseBytes(%q) error %q: want it to quote the input and say %q", tt.in, err, tt.wantInErr)
			}
		})
	}
}

func TestParseByteRate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want float64
	}{
		{"kilobytes per second", "100KB/s", 100000},
		{"with a space", "100 KB/s", 100000},
		{"megabytes per second", "300MB/s", 300e6},
		{"mebibytes per second", "10MiB/s", 10 << 20},
		{"gigabits per second are an eighth in bytes", "1Gbps", 125e6},
		{"Gbit/s with a decimal", "2.4 Gbit/s", 300e6},
		{"megabits per second", "800Mbps", 100e6},
		{"Mbit/s", "100Mbit/s", 12.5e6},
		{"a lower-case b after a prefix is bits", "1Gb/s", 125e6},
		{"upper-case B with ps is bytes", "2MBps", 2e6},
		{"bytes with /sec", "5 KB/sec", 5000},
		{"zero needs no unit", "0", 0},
		{"10 KB/s is ten thousand bytes", "10 KB/s", 10000},
		{"10 Kbps is ten thousand bits", "10 Kbps", 1250},
		{"bare bits per second", "800bps", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseByteRate(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseByteRate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseByteRateRefusesBadInput(t *testing.T) {
	tests := []struct {
		name, in, wantInErr string
	}{
		{"a negative rate is refused", "-5KB/s", "negative"},
		{"a size without per second is refused", "10KB", "not per second"},
		{"an unknown unit lists the accepted ones", "10XB/s", "accepted"},
		{"the empty string is refused", " ", "empty"},
		{"NaN is not a number", "NaN", "not a number"},
		{"an overflowing rate is refused", "1e400KB/s", "too large"},
		{"per second alone is not a unit", "10/s", "unknown unit"},
		{"garbage is refused", "fast", "not a number"},
		{"a number without a unit is refused, suggesting one", "300", `has no unit: write e.g. "300KB/s" (bytes), "300Mbps" (bits)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseByteRate(tt.in)
			if err == nil {
				t.Fatalf("ParseByteRate(%q) = %v, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("ParseByteRate(%q) error %q: want it to say %q", tt.in, err, tt.wantInErr)
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want float64
	}{
		{"a plain count", "200000", 200000},
		{"k is thousands", "200k", 200000},
		{"an upper-case K is thousands too", "200K", 200000},
		{"M is millions, with a fraction rounded once", "1.5M", 1500000},
		{"a lower-case m is millions, not thousandths", "1.5m", 1500000},
		{"G is billions", "2G", 2e9},
		{"a space before the suffix is fine", "200 k", 200000},
		{"a fraction without a suffix", "41.7", 41.7},
		{"zero", "0", 0},
		{"an exponent", "1e3k", 1e6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCount(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseCount(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseCountRefusesBadInput(t *testing.T) {
	tests := []struct {
		name, in, wantInErr string
	}{
		{"a negative count is refused", "-5k", "negative"},
		{"an unknown suffix lists the accepted ones", "5x", "k for thousands, M for millions"},
		{"a unit of bytes is not a count", "5KB", "unknown suffix"},
		{"the empty string is refused", "", "empty"},
		{"NaN is not a number", "NaN", "not a number"},
		{"an overflowing count is refused", "1e308G", "too large"},
		{"garbage is refused", "many", "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCount(tt.in)
			if err == nil {
				t.Fatalf("ParseCount(%q) = %v, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) || !strings.Contains(err.Error(), `"`+tt.in+`"`) {
				t.Errorf("ParseCount(%q) error %q: want it to quote the input and say %q", tt.in, err, tt.wantInErr)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"minutes", "10m", 10 * time.Minute, false},
		{"seconds", "90s", 90 * time.Second, false},
		{"hours and minutes", "1h30m", 90 * time.Minute, false},
		{"a negative duration is refused", "-5m", 0, true},
		{"the empty string is refused", "", 0, true},
		{"a number without a unit is refused", "90", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"bytes in megabytes", FormatBytes(300e6), "300 MB"},
		{"thirty megabytes", FormatBytes(30e6), "30 MB"},
		{"a byte rate", FormatByteRate(300e6), "300 MB/s"},
		{"a byte rate shown in bits", FormatBitRate(300e6), "2.4 Gbit/s"},
		{"zero bytes", FormatBytes(0), "0 B"},
		{"a negative size keeps its sign", FormatBytes(-1500), "-1.5 KB"},
		{"three significant digits", FormatBytes(123456), "123 KB"},
		{"rounding up moves to the next unit", FormatBytes(999.9), "1 KB"},
		{"the worked example's page size", FormatBytes(100000), "100 KB"},
		{"a count with separators", FormatCount(3000), "3,000"},
		{"a count in millions", FormatCount(1234567), "1,234,567"},
		{"a count is rounded", FormatCount(2999.6), "3,000"},
		{"a negative count", FormatCount(-1234), "-1,234"},
		{"a zero count", FormatCount(0), "0"},
		{"a percentage", FormatPercent(0.123), "12.3%"},
		{"a whole percentage", FormatPercent(0.5), "50%"},
		{"a negative percentage", FormatPercent(-0.5), "-50%"},
		{"a zero percentage", FormatPercent(0), "0%"},
		{"a plain number", FormatNumber(125e6 / 3e6), "41.7"},
		{"a plain number over a thousand gets separators", FormatNumber(1250), "1,250"},
		{"a duration in hours", FormatDuration(65 * time.Minute), "1h05m"},
		{"a duration in days", FormatDuration(51*time.Hour + 10*time.Minute), "2d03h"},
		{"a duration in minutes and seconds", FormatDuration(200 * time.Second), "3m20s"},
		{"whole minutes drop the seconds", FormatDuration(10 * time.Minute), "10m"},
		{"seconds alone", FormatDuration(1500 * time.Millisecond), "2s"},
		{"a negative duration by its size", FormatDuration(-45 * time.Second), "45s"},
		{"NaN is a dash", FormatBytes(math.NaN()), "–"},
		{"Inf is a dash", FormatCount(math.Inf(1)), "–"},
		{"a count past fifteen digits is written as a power of ten", FormatCount(1.79e308), "1.79e+308"},
		{"a number past fifteen digits is written as a power of ten", FormatNumber(-2.5e20), "-2.5e+20"},
		{"a rate past the largest unit is written as a power of ten", FormatByteRate(1.79e308), "1.79e+290 EB/s"},
		{"a share too large to write as a percentage stays finite", FormatPercent(1.79e308), "1.79e+310%"},
		{"seconds past what a duration holds stay finite", formatSeconds(1.79e308), "2.07e+303d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{"100KB", "10KiB", "1.5GB", "-5KB", "1e400KB", "NaN", "", "1e-400", "+0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseBytes(s)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || math.Signbit(v)) {
			t.Fatalf("ParseBytes(%q) = %v without an error", s, v)
		}
	})
}

func FuzzParseByteRate(f *testing.F) {
	for _, s := range []string{"100KB/s", "1Gbps", "2.4 Gbit/s", "-1Mbps", "1e400Gb/s", "Inf", "/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseByteRate(s)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || math.Signbit(v)) {
			t.Fatalf("ParseByteRate(%q) = %v without an error", s, v)
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"200k", "1.5M", "2G", "-1k", "1e400", "NaN", "", "0x10", "+0", "1.5 m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseCount(s)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || math.Signbit(v)) {
			t.Fatalf("ParseCount(%q) = %v without an error", s, v)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
			t.Fatalf("ParseCount(%q): error %q does not quote the input", s, err)
		}
	})
}
