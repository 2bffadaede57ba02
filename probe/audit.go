package probe

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// The audit's exit statuses (Audit.ExitStatus), which `launchwatch probe`
// exits with so that a pipeline can gate a launch on the page. A missing
// button wins over a heavy page.
const (
	// ExitOK: the button is present and the page within the plan (or no
	// plan, or no link to hold the page against).
	ExitOK = 0
	// ExitButton: the button is missing or the page could not be probed.
	ExitButton = 1
	// ExitOverPlan: the page is over the plan (capacity.PageAudit.Over).
	ExitOverPlan = 2
)

// Advice names at most adviceTop resources a line, each URL cut at
// adviceURLWidth.
const (
	adviceTop      = 5
	adviceURLWidth = 100
)

// Audit is one run judged before a launch: the button, the page against
// the plan, and what to do about it. `launchwatch probe` prints it, and
// writes it with --json.
type Audit struct {
	Result            Result `json:"result"`
	WeightBytes       int64  `json:"weight_bytes"`
	UncompressedBytes int64  `json:"uncompressed_bytes"`
	// CDNShare is the share of the weight from the named CDN hosts; null
	// when none is named.
	CDNShare        *float64 `json:"cdn_share"`
	FailedResources int      `json:"failed_resources"`
	// Error is why the page could not be probed; empty when it was.
	Error string `json:"error,omitempty"`
	// Plan holds the page against the plan; nil without a plan.
	Plan *capacity.PageAudit `json:"plan,omitempty"`
	// Advice names what to compress, what to move to the CDN, what fails.
	Advice     []string `json:"advice"`
	ExitStatus int      `json:"exit_status"`
	Verdict    string   `json:"verdict"`
}

// AuditOptions say what a run is judged against.
type AuditOptions struct {
	// Plan is the plan to hold the page against; nil: none, and the button
	// alone is judged.
	Plan *capacity.Plan
	// Thresholds hold the warning and critical lines of the link.
	Thresholds capacity.Thresholds
	// CDNNamed says CDN hosts were named: the share of the page they
	// served replaces the plan's CDN share. Without them nothing counts as
	// CDN, and the plan's share stands.
	CDNNamed bool
}

// NewAudit judges a run's result; runErr is why the page could not be
// probed, nil when it was.
func NewAudit(res Result, runErr error, opts AuditOptions) Audit {
	a := Audit{Result: res, Advice: []string{}}
	if runErr != nil {
		a.Error = snapshot.CleanText(runErr.Error(), 0)
		a.ExitStatus = ExitButton
		a.Verdict = "NOT PROBED: " + a.Error
		return a
	}
	a.WeightBytes = res.Weight()
	a.UncompressedBytes = res.UncompressedBytes()
	a.FailedResources = len(res.Failed())
	page := snapshot.Probe{PageBytes: snapshot.Some(float64(a.WeightBytes)), Resources: snapshot.Some(float64(len(res.Resources)))}
	if share, ok := res.CDNShare(); ok && opts.CDNNamed {
		a.CDNShare = &share
		page.CDNShare = snapshot.Some(share)
	}
	a.Advice = res.advice()
	var verdicts []string
	if !res.Button.Present {
		a.ExitStatus = ExitButton
		verdicts = append(verdicts, "BUTTON MISSING: "+res.Button.Why)
	}
	if opts.Plan != nil {
		pa := opts.Plan.AuditPage(page, opts.Thresholds)
		a.Plan = &pa
		if pa.Over {
			a.ExitStatus = cmp.Or(a.ExitStatus, ExitOverPlan)
			verdicts = append(verdicts, pa.Statement)
		}
	}
	if len(verdicts) == 0 {
		msg := "OK: the purchase button is present"
		if a.Plan != nil {
			msg += "; " + a.Plan.Statement
		}
		verdicts = append(verdicts, msg)
	}
	a.Verdict = strings.Join(verdicts, "; ")
	return a
}

// advice names the biggest wins: compressible bytes sent as they are,
// origin bytes a CDN could serve, resources failing, resources not weighed.
func (r Result) advice() []string {
	var raw, origin []Resource
	for _, res := range append([]Resource{r.Page}, r.Resources...) {
		if res.Uncompressed() {
			raw = append(raw, res)
		}
		if res.Kind != "page" && res.Known && !res.CDN && !res.Failed() {
			origin = append(origin, res)
		}
	}
	out := []string{}
	if len(raw) > 0 {
		out = append(out, fmt.Sprintf("compress (gzip or brotli) %s sent uncompressed: %s", bytesOf(raw), names(raw)))
	}
	if len(origin) > 0 {
		out = append(out, fmt.Sprintf("move to the CDN %d resources, %s from the origin: %s", len(origin), bytesOf(origin), names(origin)))
	}
	if f := r.Failed(); len(f) > 0 {
		out = append(out, fmt.Sprintf("fix %d failing resources: %s", len(f), names(f)))
	}
	if r.LeftOut > 0 {
		out = append(out, fmt.Sprintf("%d more resources past the cap were not weighed: raise max_resources to see them", r.LeftOut))
	}
	return out
}

func bytesOf(rs []Resource) string {
	var n int64
	for _, r := range rs {
		n += r.Bytes
	}
	return capacity.FormatBytes(float64(n))
}

// names lists the largest few resources by URL, with how many more.
func names(rs []Resource) string {
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, func(a, b Resource) int { return cmp.Compare(b.Bytes, a.Bytes) })
	var parts []string
	for i, r := range rs {
		if i == adviceTop {
			parts = append(parts, fmt.Sprintf("and %d more", len(rs)-i))
			break
		}
		parts = append(parts, snapshot.CleanText(r.URL, adviceURLWidth))
	}
	return strings.Join(parts, ", ")
}
