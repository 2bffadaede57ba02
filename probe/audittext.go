package probe

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// probeURLWidth caps a URL in the resource table.
const probeURLWidth = 100

// WriteText writes the audit for a person: the page, its button, its
// weight, every resource by size, the page against the plan, what to do
// and the verdict. Every text the page supplied is cleaned.
func (rep Audit) WriteText(w io.Writer) error {
	sw := &errWriter{w: w}
	res := rep.Result
	fmt.Fprintf(sw, "Sale page  %s", snapshot.CleanText(res.URL, 0))
	if res.FinalURL != "" && res.FinalURL != res.URL {
		fmt.Fprintf(sw, " -> %s", snapshot.CleanText(res.FinalURL, 0))
	}
	if res.Status != 0 {
		fmt.Fprintf(sw, " (%d %s)", res.Status, http.StatusText(res.Status))
	}
	fmt.Fprintf(sw, ", probed in %s\n", res.Took.Round(time.Millisecond))
	if rep.Error != "" {
		fmt.Fprintf(sw, "Error      %s\n", rep.Error)
		fmt.Fprintf(sw, "Verdict: %s\n", rep.Verdict)
		return sw.err
	}
	if res.Title != "" {
		fmt.Fprintf(sw, "Title      %s\n", snapshot.CleanText(res.Title, 0))
	}
	marker := snapshot.CleanText(res.Button.Selector, 0)
	if res.Button.Text != "" {
		marker += fmt.Sprintf(" with %q", snapshot.CleanText(res.Button.Text, 0))
	}
	if res.Button.Present {
		fmt.Fprintf(sw, "Button     present (%s)\n", marker)
	} else {
		fmt.Fprintf(sw, "Button     MISSING (%s): %s\n", marker, snapshot.CleanText(res.Button.Why, 0))
	}
	fmt.Fprintf(sw, "Weight     %s: the page %s and %d resources", capacity.FormatBytes(float64(rep.WeightBytes)),
		capacity.FormatBytes(float64(res.Page.Bytes)), len(res.Resources))
	if rep.CDNShare != nil {
		fmt.Fprintf(sw, ", %s from the CDN", capacity.FormatPercent(*rep.CDNShare))
	}
	fmt.Fprintf(sw, ", %s compressible sent uncompressed, %d failing\n\n", capacity.FormatBytes(float64(rep.UncompressedBytes)), rep.FailedResources)

	if err := writeResourceTable(sw, res); err != nil {
		return err
	}
	if pp := rep.Plan; pp != nil {
		fmt.Fprintf(sw, "\nAgainst the plan\n")
		fmt.Fprintf(sw, "  page weight   %s, plan %s: %sx; %s a view from the origin\n", capacity.FormatBytes(float64(rep.WeightBytes)),
			capacity.FormatBytes(pp.Planned), capacity.FormatNumber(pp.Ratio.Or(0)), capacity.FormatBytes(pp.Origin.Or(0)))
		fmt.Fprintf(sw, "  %s\n", pp.Statement)
		s := pp.AsItIs
		fmt.Fprintf(sw, "  at the planned peak of %s PV/s with the page as it is (%s from the CDN):\n", capacity.FormatNumber(s.PV), capacity.FormatPercent(s.CDNShare))
		fmt.Fprintf(sw, "    bandwidth     %s (%s), %s at the origin\n", capacity.FormatByteRate(s.Bandwidth), capacity.FormatBitRate(s.Bandwidth), capacity.FormatByteRate(s.OriginBandwidth))
		fmt.Fprintf(sw, "    connections   %s, %s at the origin\n", capacity.FormatCount(s.Connections), capacity.FormatCount(s.OriginConnections))
		if s.Memory > 0 {
			fmt.Fprintf(sw, "    memory        %s\n", capacity.FormatBytes(s.Memory))
		}
		fmt.Fprintf(sw, "  limits: %s\n", pp.Limits.Statement)
	}
	if len(rep.Advice) > 0 {
		fmt.Fprintf(sw, "\nTo do\n")
		for _, a := range rep.Advice {
			fmt.Fprintf(sw, "  - %s\n", a)
		}
	}
	fmt.Fprintf(sw, "\nVerdict: %s\n", rep.Verdict)
	return sw.err
}

// writeResourceTable lists the resources by size, largest first.
func writeResourceTable(w io.Writer, res Result) error {
	rs := slices.Clone(res.Resources)
	slices.SortStableFunc(rs, func(a, b Resource) int { return cmp.Compare(b.Bytes, a.Bytes) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "size\tstatus\tencoding\tcache\thost\tkind\turl")
	for _, r := range rs {
		size := "?"
		if r.Known {
			size = capacity.FormatBytes(float64(r.Bytes))
			if r.AtLeast {
				size = ">" + size
			}
		}
		status := fmt.Sprint(r.Status)
		if r.Err != "" {
			status = "error"
		}
		enc := cmp.Or(r.Encoding, "none")
		if !r.Compressible() && r.Encoding == "" {
			enc = "-"
		}
		cache := cmp.Or(r.CacheControl, "-")
		if r.ETag {
			cache += " +etag"
		}
		host := snapshot.CleanText(r.Host, 40)
		if r.CDN {
			host += " (cdn)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", size, status, snapshot.CleanText(enc, 20), snapshot.CleanText(cache, 40),
			host, r.Kind, snapshot.CleanText(r.URL, probeURLWidth))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rs {
		if r.Err != "" {
			if _, err := fmt.Fprintf(w, "  %s: %s\n", snapshot.CleanText(r.URL, probeURLWidth), snapshot.CleanText(r.Err, 0)); err != nil {
				return err
			}
		}
	}
	return nil
}

// errWriter keeps the first write error, so a run of Fprintf calls is
// checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
