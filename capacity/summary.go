package capacity

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Summary is the plan at its planned peak, ready for JSON (`plan --json`,
// the report) and for a text table (WriteText).
type Summary struct {
	// PV is the planned peak in page views per second.
	PV float64 `json:"pv"`
	// PageWeight is the planned bytes per page view, CDN included.
	PageWeight float64 `json:"page_weight_bytes"`
	// CDNShare is the share of the page's bytes the CDN serves.
	CDNShare float64 `json:"cdn_share"`
	// Bandwidth is the total bytes per second at the peak; BandwidthBits
	// is the same in bits.
	Bandwidth     float64 `json:"bandwidth_bytes_per_sec"`
	BandwidthBits float64 `json:"bandwidth_bits_per_sec"`
	// OriginBandwidth is what the CDN leaves to the origin.
	OriginBandwidth float64 `json:"origin_bandwidth_bytes_per_sec"`
	// Connections is total concurrent connections at the peak.
	Connections float64 `json:"connections"`
	// OriginConnections is the connections the origin holds.
	OriginConnections float64 `json:"origin_connections"`
	// Memory is the origin's connection memory in bytes; MemoryPlanned
	// is false when the plan gives no memory per connection, so Memory is
	// no prediction.
	Memory        float64 `json:"memory_bytes"`
	MemoryPlanned bool    `json:"memory_planned"`
	// Limits are the set limits, never null in JSON.
	Limits []LimitPV `json:"limits"`
	// FirstBroken names the limit the peak breaks first; empty when the
	// peak fits every limit.
	FirstBroken string `json:"first_broken,omitempty"`
}

// Summary returns the plan at its planned peak.
func (p Plan) Summary() Summary {
	peak := p.Peak()
	s := Summary{
		PV:                peak.PV,
		PageWeight:        p.PageWeight(),
		CDNShare:          p.cdnShare(),
		Bandwidth:         peak.Bandwidth,
		BandwidthBits:     finiteOrMax(peak.Bandwidth * 8),
		OriginBandwidth:   peak.OriginBandwidth,
		Connections:       peak.Connections,
		OriginConnections: peak.OriginConnections,
		Memory:            peak.Memory,
		MemoryPlanned:     p.ConnMemory > 0,
		Limits:            p.LimitPVs(),
	}
	if s.Limits == nil {
		s.Limits = []LimitPV{}
	}
	if l, ok := p.FirstBroken(); ok {
		s.FirstBroken = l.Name
	}
	return s
}

// WriteText writes the summary as an aligned table for a terminal:
//
//	Peak PV      100 PV/s
//	Bandwidth    300 MB/s (2.4 Gbit/s)
//	Connections  3,000
//	Memory       30 MB
//
// then one row per limit with the peak's share of it in the words of the
// thresholds (the verdict's, so the two never disagree) and the limit the
// peak breaks first. Origin rows appear only when a CDN takes a share,
// because without one they repeat the totals.
func (s Summary) WriteText(w io.Writer, th Thresholds) error {
	// tabwriter may write (and fail) inside any Fprintf; the sticky writer
	// keeps the first error so one check at the end reports it.
	ew := &stickyWriter{w: w}
	w = ew
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(format string, args ...any) { _, _ = fmt.Fprintf(tw, format+"\n", args...) }

	row("Peak PV\t%s PV/s", FormatNumber(s.PV))
	row("Page weight\t%s", FormatBytes(s.PageWeight))
	row("Bandwidth\t%s (%s)", FormatByteRate(s.Bandwidth), FormatBitRate(s.Bandwidth))
	row("Connections\t%s", FormatCount(s.Connections))
	if s.CDNShare > 0 {
		row("CDN share\t%s", FormatPercent(s.CDNShare))
		row("Origin bandwidth\t%s (%s)", FormatByteRate(s.OriginBandwidth), FormatBitRate(s.OriginBandwidth))
		row("Origin connections\t%s", FormatCount(s.OriginConnections))
	}
	if s.MemoryPlanned {
		row("Memory\t%s", FormatBytes(s.Memory))
	} else {
		row("Memory\tnot predicted: no memory per connection given")
	}
	_ = tw.Flush()

	if len(s.Limits) == 0 {
		_, _ = fmt.Fprintln(w, "\nNo limits set")
		return ew.err
	}
	_, _ = fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row("Limit\tCeiling\tReached at\tAt peak\tPeak's share")
	var first LimitPV
	for _, l := range s.Limits {
		reached := "never"
		if l.Reachable {
			reached = FormatNumber(l.PV) + " PV/s"
		}
		row("%s\t%s\t%s\t%s\t%s", l.Name, formatLimit(l.Name, l.Limit), reached, formatLimit(l.Name, l.Peak), limitWords(l, th))
		if l.Name == s.FirstBroken {
			first = l
		}
	}
	_ = tw.Flush()
	if s.FirstBroken != "" {
		_, _ = fmt.Fprintf(w, "\nPlanned peak breaks the %s limit first (at %s PV/s)\n", s.FirstBroken, FormatNumber(first.PV))
	}
	return ew.err
}

// stickyWriter passes writes through until the first error, then keeps
// returning it.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// formatLimit shows a limit's value in its own unit.
func formatLimit(name string, v float64) string {
	switch name {
	case LimitLink:
		return FormatByteRate(v)
	case LimitMemory:
		return FormatBytes(v)
	default:
		return FormatCount(v)
	}
}
